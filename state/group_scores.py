"""A group's scores (completeness and engagement) recomputed after an input, and the
ScoreChanged record that says what moved and why.

Every input ends here: each group the input may have moved (its members or their engagement
changed, or the input concerns every group: ticks and config) is rescored from its members and
their current engagement; a group whose scores moved emits one ScoreChanged (previous and new
values, the reference used, the trigger, and the (role, member, activity type) parts that moved
with their raw points before and after). Then every group whose version moved emits its snapshot.
"""

from __future__ import annotations

from dataclasses import replace

from events.records import ScoreChanged, ScoreContribution
from state.account import AccountState
from state.completeness import group_completeness, roles_completeness
from state.evaluation import with_group
from state.explanation import explain_group_change
from state.group import BuyingGroup, snapshot
from state.outcome import Context, Outcome, Step
from state.scores import EMPTY_GROUP_RAW, GroupRaw, MemberScore, group_raw_score, normalised_score
from state.templates import RolesTemplate

BROAD_TRIGGERS = frozenset({"decay", "calibration", "config", "reconciliation"})


def group_raw(group: BuyingGroup, state: AccountState, template: RolesTemplate | None) -> GroupRaw:
    """The group's raw engagement from its members' current raw points."""
    if template is None:
        return EMPTY_GROUP_RAW
    weighting = template.role_weighting
    members = [
        MemberScore(person_id=person_id, role=member.role, by_type=state.people[person_id].by_type)
        for person_id, member in sorted(group.members.items())
        if member.role in weighting and person_id in state.people
    ]
    return group_raw_score(members, weighting)


def finish(before: AccountState, step: Step, trigger: str, context: Context) -> Outcome:
    """Rescore the groups the input may have moved, then emit the snapshot of every group whose
    version moved."""
    everything = trigger in BROAD_TRIGGERS or before.group_reference != step.state.group_reference
    engaged = step.engaged
    for interest_id in sorted(step.state.groups):
        group = step.state.groups[interest_id]
        touched = everything or _moved(before.groups.get(interest_id), group)
        if not touched and engaged.isdisjoint(group.members):
            continue
        rescored, records = rescore(before, step.state, group, trigger, context)
        if records:
            step = step.then(with_group(step.state, rescored), records)
    snapshots = tuple(
        snapshot(group, cause=context.cause, now=context.now)
        for interest_id, group in sorted(step.state.groups.items())
        if _moved(before.groups.get(interest_id), group)
    )
    return Outcome(state=step.state, records=step.records + snapshots)


def _moved(previous: BuyingGroup | None, group: BuyingGroup) -> bool:
    return previous is None or previous.version != group.version


def rescore(
    before: AccountState,
    state: AccountState,
    group: BuyingGroup,
    trigger: str,
    context: Context,
) -> tuple[BuyingGroup, tuple[ScoreChanged, ...]]:
    """``group`` with its scores recomputed, and a ScoreChanged if any of them moved."""
    template = context.catalogue.templates.get(group.template_id)
    roles = roles_completeness(template.cards if template else (), group.assigned())
    raw_after = group_raw(group, state, template)
    reference = state.group_reference
    rescored = replace(
        group,
        role_completeness=roles,
        completeness=group_completeness(roles),
        engagement_raw=raw_after.total,
        engagement=normalised_score(raw_after.total, reference.value),
        reference_version=reference.version,
    )
    if _scores(rescored) == _scores(group):
        return group, ()
    previous = before.groups.get(group.solution_interest_id)
    raw_before = EMPTY_GROUP_RAW if previous is None else group_raw(previous, before, template)
    rescored = replace(rescored, version=group.version + 1, updated_at=context.now)
    parts = (raw_before, raw_after)
    return rescored, (
        _score_changed(
            group,
            group=rescored,
            parts=parts,
            reference=reference.value,
            trigger=trigger,
            context=context,
        ),
    )


def _scores(group: BuyingGroup) -> tuple[object, ...]:
    """What a ScoreChanged reports; a new reference alone (the score did not move) is not a
    change: the group keeps the reference version its score was last emitted with."""
    return (
        group.role_completeness,
        group.completeness,
        group.engagement_raw,
        group.engagement,
    )


def _score_changed(
    previous: BuyingGroup,
    *,
    group: BuyingGroup,
    parts: tuple[GroupRaw, GroupRaw],
    reference: float,
    trigger: str,
    context: Context,
) -> ScoreChanged:
    contributions = tuple(
        ScoreContribution(
            role=part.role,
            person_id=part.person_id,
            activity_type=part.activity_type,
            weight=part.share_after,
            raw_before=part.raw_before,
            raw_after=part.raw_after,
        )
        for part in explain_group_change(*parts)
    )
    return ScoreChanged(
        group_id=group.group_id,
        account_id=group.account_id,
        solution_interest_id=group.solution_interest_id,
        version=group.version,
        cause=context.cause,
        emitted_at=context.now,
        completeness_previous=previous.completeness,
        completeness=group.completeness,
        role_completeness=group.role_completeness,
        role_completeness_previous=previous.role_completeness,
        engagement_raw_previous=previous.engagement_raw,
        engagement_raw=group.engagement_raw,
        engagement_previous=previous.engagement,
        engagement=group.engagement,
        reference=reference,
        reference_version=group.reference_version,
        trigger=trigger,
        contributions=contributions,
    )
