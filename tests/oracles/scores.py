"""The full recomputation of scores and explanations, from every member: the oracle that the
engine's incremental rescoring (``state.scoring.group_moves``) must equal to the last bit.

Production never calls this: the engine keeps role totals and rescores from the members that
moved. Tests compute the same numbers here the long way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from events.errors import BadInput
from state.scoring.activity_log import ActivityLog
from state.scoring.engagement import EngagementRules
from state.scoring.group_moves import Contribution, Part, moved_parts
from state.scoring.group_raw import group_points, role_share, weighted_total
from state.scoring.person import check_raw, person_raw_by_type, raw_total

_NO_POINTS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberScore:
    """One member of a group, with their raw points per activity type; ``raw`` is their sum."""

    person_id: str
    role: str
    by_type: Mapping[str, float] = field(default_factory=lambda: _NO_POINTS)

    def __post_init__(self) -> None:
        for kind, points in self.by_type.items():
            check_raw(f"member {self.person_id!r}: points of {kind!r}", points)
        object.__setattr__(self, "by_type", MappingProxyType(dict(sorted(self.by_type.items()))))

    @property
    def raw(self) -> float:
        return raw_total(self.by_type)


def member_score(
    person_id: str, role: str, log: ActivityLog, today: date, rules: EngagementRules
) -> MemberScore:
    """A member's score from their activity log, in the window ending with ``today``."""
    return MemberScore(
        person_id=person_id, role=role, by_type=person_raw_by_type(log, today, rules)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleRaw:
    """One role with members: its weighting, share W(r), members' raw sum, group points."""

    role: str
    weighting: int
    share: float
    raw: float
    points: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRaw:
    """One member's part of the group raw score: ``points`` = W(role) * ``raw``.

    ``by_type`` holds the same points split by activity type (group points, after W(role)).
    """

    person_id: str
    role: str
    share: float
    raw: float
    points: float
    by_type: Mapping[str, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRaw:
    """A group's raw score and its parts; roles sorted by name, members by (role, person)."""

    total: float = 0.0
    roles: tuple[RoleRaw, ...] = ()
    members: tuple[MemberRaw, ...] = ()


EMPTY_GROUP_RAW = GroupRaw()


def group_raw_score(members: Iterable[MemberScore], role_weighting: Mapping[str, int]) -> GroupRaw:
    """The group raw score; ``role_weighting`` maps each role of the template to its weighting.

    Roles without members take no share. A person may appear once; every member's role must
    have a positive weighting.
    """
    by_role = _members_by_role(members, role_weighting)
    total_weighting = sum(role_weighting[role] for role in by_role)
    roles: list[RoleRaw] = []
    parts: list[MemberRaw] = []
    for role in sorted(by_role):
        weighting = role_weighting[role]
        role_members = sorted(by_role[role], key=lambda member: member.person_id)
        raw = math.fsum(member.raw for member in role_members)
        share = role_share(weighting, total_weighting)
        points = group_points(weighting, raw, total_weighting)
        roles.append(RoleRaw(role=role, weighting=weighting, share=share, raw=raw, points=points))
        parts.extend(_member_raw(member, weighting, total_weighting) for member in role_members)
    if not roles:
        return EMPTY_GROUP_RAW
    total = weighted_total({role.role: role.raw for role in roles}, role_weighting)
    return GroupRaw(total=total, roles=tuple(roles), members=tuple(parts))


def _members_by_role(
    members: Iterable[MemberScore], role_weighting: Mapping[str, int]
) -> dict[str, list[MemberScore]]:
    by_role: dict[str, list[MemberScore]] = defaultdict(list)
    seen: set[str] = set()
    for member in members:
        if member.person_id in seen:
            raise BadInput(f"member {member.person_id!r}: appears twice in one group")
        seen.add(member.person_id)
        weighting = role_weighting.get(member.role)
        if weighting is None or weighting <= 0:
            raise BadInput(
                f"member {member.person_id!r}: role {member.role!r} has weighting {weighting!r}; "
                "expected a positive weighting from the roles template"
            )
        by_role[member.role].append(member)
    return by_role


def _member_raw(member: MemberScore, weighting: int, total_weighting: int) -> MemberRaw:
    return MemberRaw(
        person_id=member.person_id,
        role=member.role,
        share=role_share(weighting, total_weighting),
        raw=member.raw,
        points=group_points(weighting, member.raw, total_weighting),
        by_type=MappingProxyType(
            {
                kind: group_points(weighting, raw, total_weighting)
                for kind, raw in member.by_type.items()
            }
        ),
    )


def person_raw_score(log: ActivityLog, today: date, rules: EngagementRules) -> float:
    """The person's raw score in the window ending with ``today``; never negative."""
    return raw_total(person_raw_by_type(log, today, rules))


def explain_group_change(before: GroupRaw, after: GroupRaw) -> tuple[Contribution, ...]:
    """The parts of the group raw score that moved, by absolute change, largest first."""
    points_before, points_after = _group_parts(before), _group_parts(after)
    return moved_parts(points_before, points_after, _shares(before), _shares(after))


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleShareChange:
    """A role whose share W(r) moved (0 where the role had, or has, no members)."""

    role: str
    share_before: float
    share_after: float


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


def _group_parts(group: GroupRaw) -> dict[Part, float]:
    return {
        (member.role, member.person_id, kind): points
        for member in group.members
        for kind, points in member.by_type.items()
    }


def _shares(group: GroupRaw) -> dict[str, float]:
    return {role.role: role.share for role in group.roles}
