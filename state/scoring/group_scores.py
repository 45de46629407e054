"""A group's scores (completeness and engagement) recomputed after an input, and the
ScoreChanged record that says what moved and why.

Every input ends here: each group the input may have moved (its members or their engagement
changed, or the input concerns every group: ticks and config) is rescored. A group whose members
changed, and every group on a tick, a config change or a new reference, is rescored in full from
its members and their current engagement; a group where only some members' points moved (an
activity) is rescored from those members alone (``group_moves``), with the same numbers. A group
whose scores moved emits one ScoreChanged (previous and new values, the reference used, the
trigger, and the (role, member, activity type) parts that moved with their raw points before and
after). Then every group whose version moved emits its snapshot.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from events.records import RoleCompleteness, ScoreChanged, ScoreContribution
from state.catalogue.templates import RolesTemplate
from state.membership.evaluation import with_group
from state.model.account import AccountState
from state.model.group import BuyingGroup, record_header, snapshot
from state.model.outcome import Context, Outcome, Step
from state.scoring.calibration import Reference
from state.scoring.completeness import group_completeness, roles_completeness
from state.scoring.group_moves import (
    Contribution,
    MembersMoved,
    explain_members_moved,
    members_changed,
    members_moved,
    totals_hold,
)
from state.scoring.group_raw import (
    RoleTotals,
    assigned_by_role,
    role_raws,
    role_totals,
    weighted_total,
)
from state.scoring.person import normalised_score

BROAD_TRIGGERS = frozenset({"decay", "calibration", "config", "reconciliation"})


class Trigger(StrEnum):
    """What made a group's scores move (``ScoreChanged.trigger``)."""

    ACTIVITY = "activity"
    MEMBERSHIP = "membership"
    CONFIG = "config"
    DECAY = "decay"
    CALIBRATION = "calibration"
    RECONCILIATION = "reconciliation"


def group_role_totals(group: BuyingGroup, state: AccountState) -> RoleTotals:
    """The group's members (people of the account) added up per role, from every member."""
    people = state.people
    return role_totals(
        (member.role, person.raw)
        for member in group.members.values()
        if (person := people.get(member.person_id)) is not None
    )


def finish(before: AccountState, step: Step, trigger: Trigger, context: Context) -> Outcome:
    """Rescore the groups the input may have moved, then emit the snapshot of every group whose
    version moved."""
    everything = trigger in BROAD_TRIGGERS or before.group_reference != step.state.group_reference
    engaged = step.engaged
    for interest_id in sorted(step.state.groups):
        group = step.state.groups[interest_id]
        full = everything or _moved(before.groups.get(interest_id), group)
        if not full and not any(person_id in group.members for person_id in engaged):
            continue
        moved = None if full else engaged
        rescored, records = rescore(before, step.state, group, trigger, context, moved=moved)
        if rescored is not group:
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
    trigger: Trigger,
    context: Context,
    *,
    moved: frozenset[str] | None = None,
) -> tuple[BuyingGroup, tuple[ScoreChanged, ...]]:
    """``group`` with its scores recomputed, and a ScoreChanged if any of them moved.

    ``moved``: the people whose points moved, when nothing else about the group may have (its
    engagement then follows from theirs, see ``group_moves``); None rescores it in full.
    """
    template = context.catalogue.templates.get(group.template_id)
    quick = None if moved is None else members_moved(before, state, group, template, moved)
    totals, raw, roles = _recomputed(group, state, template, quick)
    rescored = _with_scores(group, roles, raw, totals, state.group_reference)
    if _scores(rescored) == _scores(group):
        unchanged = group if group.role_totals == totals else replace(group, role_totals=totals)
        return unchanged, ()
    if quick is not None:
        contributions = quick.explained()
    else:
        contributions = _explained_in_full(before, (group, state), template, totals)
    rescored = replace(rescored, version=group.version + 1, updated_at=context.now)
    changed = _score_changed(
        group,
        group=rescored,
        contributions=contributions,
        reference=state.group_reference.value,
        trigger=trigger,
        context=context,
    )
    return rescored, (changed,)


def _recomputed(
    group: BuyingGroup,
    state: AccountState,
    template: RolesTemplate | None,
    quick: MembersMoved | None,
) -> tuple[RoleTotals, float, tuple[RoleCompleteness, ...]]:
    """The group's role totals, raw score and role completeness: from its moved members when
    ``quick`` has them, else from every member."""
    if quick is not None:
        assigned = assigned_by_role(quick.totals)
        return quick.totals, quick.raw, roles_completeness(quick.template.cards, assigned)
    totals = group_role_totals(group, state)
    weighting = {} if template is None else template.role_weighting
    raw = weighted_total(role_raws(totals, weighting), weighting)
    return totals, raw, roles_completeness(template.cards if template else (), group.assigned())


def _explained_in_full(
    before: AccountState,
    after: tuple[BuyingGroup, AccountState],
    template: RolesTemplate | None,
    totals: RoleTotals,
) -> tuple[Contribution, ...]:
    """The parts that moved since ``before``, every member of the group compared."""
    group, state = after
    if template is None:
        return ()
    weighting = template.role_weighting
    previous = before.groups.get(group.solution_interest_id)
    if previous is None:
        previous_totals: RoleTotals = ()
    elif previous.role_totals is not None and totals_hold(
        before, previous, template, previous.role_totals
    ):
        previous_totals = previous.role_totals
    else:
        previous_totals = group_role_totals(previous, before)
    roles_before = role_raws(previous_totals, weighting).keys()
    roles_after = role_raws(totals, weighting).keys()
    shares_moved = sum(weighting[r] for r in roles_before) != sum(weighting[r] for r in roles_after)
    old = {} if previous is None else previous.members
    moves = members_changed(
        (old, before), (group.members, state), weighting, shares_moved=shares_moved
    )
    return explain_members_moved(moves, weighting, roles_before, roles_after)


def _with_scores(
    group: BuyingGroup,
    roles: tuple[RoleCompleteness, ...],
    raw: float,
    totals: RoleTotals,
    reference: Reference,
) -> BuyingGroup:
    return replace(
        group,
        role_completeness=roles,
        completeness=group_completeness(roles),
        engagement_raw=raw,
        engagement=normalised_score(raw, reference.value),
        reference_version=reference.version,
        role_totals=totals,
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
    contributions: tuple[Contribution, ...],
    reference: float,
    trigger: Trigger,
    context: Context,
) -> ScoreChanged:
    parts = tuple(
        ScoreContribution(
            role=part.role,
            person_id=part.person_id,
            activity_type=part.activity_type,
            weight=part.share_after,
            raw_before=part.raw_before,
            raw_after=part.raw_after,
        )
        for part in contributions
    )
    return ScoreChanged(
        **record_header(group, cause=context.cause, now=context.now),
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
        contributions=parts,
    )
