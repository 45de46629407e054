"""Why a score moved: the parts of a raw score that changed, with their points before and after.

A group's raw score is split into (role, member, activity type) parts, each in group points
(after the role's share W(r)); a person's raw score is split by activity type. An explanation
lists the parts whose points moved, largest move first, and leaves out those that did not.
The moves of a group explanation add up to the change of the group raw score.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from state.scoring.person import GroupRaw, group_points, role_share

_Part = tuple[str, str, str]  # (role, person_id, activity_type)


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
class ActivityContribution:
    """One activity type's part of a person's raw score that moved."""

    activity_type: str
    raw_before: float
    raw_after: float

    @property
    def change(self) -> float:
        return self.raw_after - self.raw_before


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleShareChange:
    """A role whose share W(r) moved (0 where the role had, or has, no members)."""

    role: str
    share_before: float
    share_after: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberMoved:
    """A member whose parts of a group raw score may have moved: their role and raw points by
    activity type before and after (role None: not a member on that side)."""

    person_id: str
    role_before: str | None
    role_after: str | None
    before: Mapping[str, float]
    after: Mapping[str, float]


def explain_group_change(before: GroupRaw, after: GroupRaw) -> tuple[Contribution, ...]:
    """The parts of the group raw score that moved, by absolute change, largest first."""
    points_before, points_after = _group_parts(before), _group_parts(after)
    return _contributions(points_before, points_after, _shares(before), _shares(after))


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
    points_before: dict[_Part, float] = {}
    points_after: dict[_Part, float] = {}
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
    return _contributions(points_before, points_after, shares_before, shares_after)


def _contributions(
    points_before: Mapping[_Part, float],
    points_after: Mapping[_Part, float],
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


def role_share_changes(before: GroupRaw, after: GroupRaw) -> tuple[RoleShareChange, ...]:
    """The roles whose share W(r) moved, sorted by role."""
    shares_before, shares_after = _shares(before), _shares(after)
    return tuple(
        RoleShareChange(
            role=role,
            share_before=shares_before.get(role, 0.0),
            share_after=shares_after.get(role, 0.0),
        )
        for role in sorted(shares_before.keys() | shares_after.keys())
        if shares_before.get(role, 0.0) != shares_after.get(role, 0.0)
    )


def explain_person_change(
    before_by_type: Mapping[str, float], after_by_type: Mapping[str, float]
) -> tuple[ActivityContribution, ...]:
    """The activity types whose raw points moved, by absolute change, largest first."""
    moved = [
        ActivityContribution(
            activity_type=kind,
            raw_before=before_by_type.get(kind, 0.0),
            raw_after=after_by_type.get(kind, 0.0),
        )
        for kind in sorted(before_by_type.keys() | after_by_type.keys())
        if before_by_type.get(kind, 0.0) != after_by_type.get(kind, 0.0)
    ]
    return tuple(sorted(moved, key=lambda item: -abs(item.change)))


def _group_parts(group: GroupRaw) -> dict[_Part, float]:
    return {
        (member.role, member.person_id, kind): points
        for member in group.members
        for kind, points in member.by_type.items()
    }


def _shares(group: GroupRaw) -> dict[str, float]:
    return {role.role: role.share for role in group.roles}
