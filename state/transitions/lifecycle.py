"""Groups coming and going: creation jobs create them for the accounts of an audience; an
account's deletion (or its solution interest's) deletes them.

A creation job creates the group of an account as soon as the account is in the job's audience
(now or later) and then fills it by auto-assignment over all people of the account. An account
that leaves the audience keeps its group; a deleted job creates nothing more.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from events.records import (
    GroupLifecycle,
    LifecycleChange,
    MembershipChanged,
    Source,
    group_id_for,
)
from state.catalogue.audiences import CreationJob
from state.catalogue.catalogue import Catalogue
from state.conditions.attributes import account_lookup
from state.conditions.tree import matches
from state.membership.assignment import RULES, membership_change
from state.membership.evaluation import reevaluate_group, with_group
from state.model.account import AccountState
from state.model.group import BuyingGroup, record_header, snapshot
from state.model.outcome import Context, Step
from state.scoring.completeness import group_completeness, roles_completeness


def audiences_of(state: AccountState, catalogue: Catalogue) -> frozenset[str]:
    """The audiences the account is in: rule audiences whose rule its attributes match, and
    external audiences whose latest membership event says so."""
    found: set[str] = set()
    for audience_id, audience in catalogue.audiences.items():
        if audience.rule is None:
            mark = state.audience_marks.get(audience_id)
            if mark is not None and mark.member:
                found.add(audience_id)
        elif state.profile is not None and matches(audience.rule, account_lookup(state.profile)):
            found.add(audience_id)
    return frozenset(found)


def groups_ensured(step: Step, context: Context) -> Step:
    """Every creation job whose audience holds the account has its group (unless the account
    is deleted)."""
    if step.state.deleted:
        return step
    audiences = audiences_of(step.state, context.catalogue)
    for _, job in sorted(context.catalogue.creation_jobs.items()):
        if job.audience_id in audiences and job.solution_interest_id not in step.state.groups:
            step = group_created(step, job, context)
    return step


def group_created(step: Step, job: CreationJob, context: Context) -> Step:
    """The group of ``job``'s solution interest for this account, filled by auto-assignment."""
    state = step.state
    interest = context.catalogue.solution_interests.get(job.solution_interest_id)
    template = context.catalogue.template_for(job.solution_interest_id)
    if interest is None or template is None:
        return step
    version = state.retired_versions.get(interest.solution_interest_id, 0) + 1
    roles = roles_completeness(template.cards, {})
    group = BuyingGroup(
        group_id=group_id_for(state.account_id, interest.solution_interest_id),
        account_id=state.account_id,
        solution_interest_id=interest.solution_interest_id,
        name=f"{interest.name} for {state.display_name}",
        version=version,
        template_id=template.template_id,
        stage_model_id=interest.stage_model_id,
        creation_job_id=job.job_id,
        created_at=context.now,
        updated_at=context.now,
        role_completeness=roles,
        completeness=group_completeness(roles),
        reference_version=state.group_reference.version,
    )
    record = _lifecycle(group, LifecycleChange.CREATED, context)
    step = step.then(with_group(state, group), (record,))
    return reevaluate_group(step, interest.solution_interest_id, RULES, context)


def group_deleted(step: Step, interest_id: str, context: Context) -> Step:
    """Every member leaves (reason ``group_deleted``), then the group goes, with its last
    snapshot (``deleted``); its version is kept for a group created again later."""
    group = step.state.groups[interest_id]
    records: list[MembershipChanged] = []
    for person_id in sorted(group.members):
        group, removed = membership_change(
            group,
            person_id=person_id,
            role=None,
            source=Source.SYSTEM,
            reason="group_deleted",
            context=context,
        )
        records.extend(removed)
    group = replace(group, version=group.version + 1, updated_at=context.now)
    lifecycle = _lifecycle(group, LifecycleChange.DELETED, context)
    last = snapshot(group, cause=context.cause, now=context.now, deleted=True)
    state = step.state
    groups = {key: value for key, value in state.groups.items() if key != interest_id}
    retired = {**state.retired_versions, interest_id: group.version}
    state = replace(
        state, groups=MappingProxyType(groups), retired_versions=MappingProxyType(retired)
    )
    return step.then(state, (*records, lifecycle, last))


def _lifecycle(group: BuyingGroup, change: LifecycleChange, context: Context) -> GroupLifecycle:
    return GroupLifecycle(
        **record_header(group, cause=context.cause, now=context.now),
        change=change,
        name=group.name,
        creation_job_id=group.creation_job_id,
    )
