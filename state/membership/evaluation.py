"""Re-evaluating people against the groups of their account.

A person change re-evaluates that person in every group of the account; a sweep re-evaluates
every person of the account in one group. The account invariant removes a person who left the
account, or was deleted, from every group, whatever the source of their membership.
"""

from __future__ import annotations

from dataclasses import replace

from events.records import Source
from state.conditions.attributes import person_lookup
from state.membership.assignment import (
    SystemReasons,
    forgetting,
    membership_change,
    system_assignment,
)
from state.model.account import AccountState
from state.model.group import BuyingGroup
from state.model.outcome import Context, Step
from state.model.read_only import with_entry


def with_group(state: AccountState, group: BuyingGroup) -> AccountState:
    """``state`` holding ``group`` (new or replaced)."""
    return replace(state, groups=with_entry(state.groups, group.solution_interest_id, group))


def reevaluate_person(step: Step, person_id: str, reasons: SystemReasons, context: Context) -> Step:
    """The system's rules applied to ``person_id`` in every group of the account."""
    for interest_id in sorted(step.state.groups):
        step = reevaluate_in_group(step, interest_id, person_id, reasons, context)
    return step


def reevaluate_group(
    step: Step, interest_id: str, reasons: SystemReasons, context: Context
) -> Step:
    """The system's rules applied to every person of the account in one group."""
    for person_id in sorted(step.state.people):
        step = reevaluate_in_group(step, interest_id, person_id, reasons, context)
    return step


def reevaluate_in_group(
    step: Step, interest_id: str, person_id: str, reasons: SystemReasons, context: Context
) -> Step:
    state = step.state
    profile = state.member_candidate(person_id)
    if profile is None:
        return step
    group = state.groups[interest_id]
    lookup = person_lookup(profile, state.people[person_id].score)
    template = context.catalogue.templates.get(group.template_id)
    changed, records = system_assignment(
        group, template, person_id=person_id, lookup=lookup, reasons=reasons, context=context
    )
    return step if changed is group else step.then(with_group(state, changed), records)


def remove_everywhere(step: Step, person_id: str, reason: str, context: Context) -> Step:
    """The account invariant: ``person_id`` leaves every group of the account and every group
    forgets what any source decided about them."""
    for interest_id in sorted(step.state.groups):
        group = step.state.groups[interest_id]
        changed, records = membership_change(
            group,
            person_id=person_id,
            role=None,
            source=Source.SYSTEM,
            reason=reason,
            context=context,
        )
        changed = forgetting(changed, person_id)
        if changed is not group:
            step = step.then(with_group(step.state, changed), records)
    return step
