"""Which members of a group moved, and a group rescored from the moved members alone.

A group's raw score and its explanation follow from its role totals (``role_totals``) and from
the members whose parts moved: a member's parts, W(r) * points of each activity type, move only
when their role or their points moved, or when the roles with members changed (then every share
W(r) may have moved). Two ways to find them:

- ``members_moved``: when no membership changed, the people whose points moved are the only
  members that moved, every role keeps its share, and each role total moves by its moved
  members' change (kept exactly). The rescore then costs the moved members and the roles of the
  template, whatever the size of the group.
- ``members_changed``: any change (membership, many people at once: ticks, config): every member
  before and after is compared, and only those whose parts may have moved are explained.

Both give the numbers of the full recomputation from every member (the tests' oracle,
``tests/oracles/scores.py``), to the last bit. The explanation lists the (role, member, activity
type) parts whose group points moved, largest move first; the moves add up to the change of the
group raw score.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from state.catalogue.templates import RolesTemplate
from state.model.account import AccountState, PersonState
from state.model.group import BuyingGroup, Member
from state.scoring.group_raw import (
    RoleTotals,
    group_points,
    role_raws,
    role_share,
    weighted_total,
    with_member_moved,
)

_NO_POINTS: Mapping[str, float] = {}

Part = tuple[str, str, str]  # (role, person_id, activity_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One (role, member, activity type) part of a group raw score that moved.

    ``raw_before`` / ``raw_after`` are group points (W(role) * the member's raw points of that
    type); ``share_before`` / ``share_after`` are W(role), 0 where the role had no members.
    """

    role: str
    person_id: str
    activity_type: str
    share_before: float
    share_after: float
    raw_before: float
    raw_after: float

    @property
    def change(self) -> float:
        return self.raw_after - self.raw_before


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberMoved:
    """A member whose parts of a group raw score may have moved: their role and raw points by
    activity type before and after (role None: not a member on that side)."""

    person_id: str
    role_before: str | None
    role_after: str | None
    before: Mapping[str, float]
    after: Mapping[str, float]


def explain_members_moved(
    moves: Iterable[MemberMoved],
    role_weighting: Mapping[str, int],
    roles_before: Collection[str],
    roles_after: Collection[str],
) -> tuple[Contribution, ...]:
    """``explain_group_change`` of a group whose roles with members went from ``roles_before``
    to ``roles_after``, computed from ``moves`` alone: the parts of any other member must not
    have moved (same role, same points, same total weighting of the roles with members)."""
    total_before = sum(role_weighting[role] for role in roles_before)
    total_after = sum(role_weighting[role] for role in roles_after)
    points_before: dict[Part, float] = {}
    points_after: dict[Part, float] = {}
    for move in moves:
        if move.role_before is not None:
            weighting = role_weighting[move.role_before]
            for kind, raw in move.before.items():
                part = (move.role_before, move.person_id, kind)
                points_before[part] = group_points(weighting, raw, total_before)
        if move.role_after is not None:
            weighting = role_weighting[move.role_after]
            for kind, raw in move.after.items():
                part = (move.role_after, move.person_id, kind)
                points_after[part] = group_points(weighting, raw, total_after)
    shares_before = {role: role_share(role_weighting[role], total_before) for role in roles_before}
    shares_after = {role: role_share(role_weighting[role], total_after) for role in roles_after}
    return moved_parts(points_before, points_after, shares_before, shares_after)


def moved_parts(
    points_before: Mapping[Part, float],
    points_after: Mapping[Part, float],
    shares_before: Mapping[str, float],
    shares_after: Mapping[str, float],
) -> tuple[Contribution, ...]:
    moved = [
        Contribution(
            role=part[0],
            person_id=part[1],
            activity_type=part[2],
            share_before=shares_before.get(part[0], 0.0),
            share_after=shares_after.get(part[0], 0.0),
            raw_before=points_before.get(part, 0.0),
            raw_after=points_after.get(part, 0.0),
        )
        for part in sorted(points_before.keys() | points_after.keys())
        if points_before.get(part, 0.0) != points_after.get(part, 0.0)
    ]
    return tuple(sorted(moved, key=lambda item: -abs(item.change)))


@dataclass(frozen=True, slots=True, kw_only=True)
class MembersMoved:
    """A group's engagement after the points of ``moves`` moved (no membership did): its new
    role totals and raw score, and the template its shares come from."""

    totals: RoleTotals
    raw: float
    moves: tuple[MemberMoved, ...]
    template: RolesTemplate

    def explained(self) -> tuple[Contribution, ...]:
        """The parts of the group raw score that moved (as ``explain_group_change`` says)."""
        weighting = self.template.role_weighting
        roles = role_raws(self.totals, weighting).keys()
        return explain_members_moved(self.moves, weighting, roles, roles)


def members_moved(
    before: AccountState,
    state: AccountState,
    group: BuyingGroup,
    template: RolesTemplate | None,
    engaged: Iterable[str],
) -> MembersMoved | None:
    """``group``'s engagement in ``state`` from the people of ``engaged`` alone (the people whose
    points moved since ``before``), or None when the group must be rescored in full: its
    membership changed since ``before``, it has no template or no role totals yet, or its
    totals do not account for every member or for its last raw score."""
    totals = group.role_totals
    if template is None or totals is None or not totals_hold(before, group, template, totals):
        return None
    moves: list[MemberMoved] = []
    weighting = template.role_weighting
    for person_id in sorted(engaged):
        member = group.members.get(person_id)
        if member is None:
            continue
        was, now = before.people.get(person_id), state.people.get(person_id)
        if was is None or now is None:
            return None
        moved = with_member_moved(totals, member.role, was.raw, now.raw)
        if moved is None:
            return None
        totals = moved
        role = member.role if member.role in weighting else None
        moves.append(_moved(person_id, (role, was), (role, now)))
    raw = weighted_total(role_raws(totals, weighting), weighting)
    return MembersMoved(totals=totals, raw=raw, moves=tuple(moves), template=template)


def totals_hold(
    before: AccountState, group: BuyingGroup, template: RolesTemplate, totals: RoleTotals
) -> bool:
    """Whether ``totals`` describe ``group`` as it is in ``before`` (same members, same raw)."""
    if before.groups.get(group.solution_interest_id) is not group:
        return False
    if sum(total.members for total in totals) != len(group.members):
        return False
    weighting = template.role_weighting
    return weighted_total(role_raws(totals, weighting), weighting) == group.engagement_raw


def members_changed(
    previous: tuple[Mapping[str, Member], AccountState],
    current: tuple[Mapping[str, Member], AccountState],
    role_weighting: Mapping[str, int],
    *,
    shares_moved: bool,
) -> list[MemberMoved]:
    """The members, before (members and state) or after, whose parts may have moved: all of
    them if ``shares_moved`` (the total weighting of the roles with members changed), else
    those whose counted role or points changed."""
    (old, before), (new, state) = previous, current
    found: list[MemberMoved] = []
    for person_id in old.keys() | new.keys():
        member = old.get(person_id)
        if (
            not shares_moved
            and member is new.get(person_id)
            and _same_person(person_id, before, state)
        ):
            continue
        was = _counted(member, before, role_weighting)
        now = _counted(new.get(person_id), state, role_weighting)
        if shares_moved or was[0] != now[0] or not _same_points(was[1], now[1]):
            found.append(_moved(person_id, was, now))
    return found


_Counted = tuple[str | None, PersonState | None]


def _counted(
    member: Member | None, state: AccountState, role_weighting: Mapping[str, int]
) -> _Counted:
    """The member's role and person when they count towards the group raw score."""
    if member is None or member.role not in role_weighting:
        return (None, None)
    person = state.people.get(member.person_id)
    return (None, None) if person is None else (member.role, person)


def _same_person(person_id: str, before: AccountState, state: AccountState) -> bool:
    return before.people.get(person_id) is state.people.get(person_id)


def _same_points(was: PersonState | None, now: PersonState | None) -> bool:
    if was is now:
        return True
    points_before = _NO_POINTS if was is None else was.by_type
    points_after = _NO_POINTS if now is None else now.by_type
    return points_before == points_after


def _moved(person_id: str, was: _Counted, now: _Counted) -> MemberMoved:
    return MemberMoved(
        person_id=person_id,
        role_before=was[0],
        role_after=now[0],
        before=_NO_POINTS if was[1] is None else was[1].by_type,
        after=_NO_POINTS if now[1] is None else now[1].by_type,
    )
