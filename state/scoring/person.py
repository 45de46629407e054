"""Engagement scores: a person's raw score, a group's raw score, decay and normalisation.

    person_raw(p, t) = sum over days d in the window ending at t, types k:
                       min(count(p, k, d), daily_cap) * weight(k) / 100
    W(r)             = weighting(r) / sum of weighting(r') over roles r' with members
    group_raw(g, t)  = sum over roles r with members: W(r) * sum of person_raw over members of r
    score            = min(100, 100 * sqrt(raw) / sqrt(reference))

Per-type and per-member parts are kept so that every change can be explained.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from events.errors import BadInput
from state.scoring.activity_log import ActivityLog, Entry, counting_days, prune
from state.scoring.engagement import EngagementRules

_NO_POINTS: Mapping[str, float] = MappingProxyType({})


def person_raw_by_type(
    log: ActivityLog, today: date, rules: EngagementRules
) -> Mapping[str, float]:
    """Raw points per activity type in the window ending with ``today`` (types with points only)."""
    days = counting_days(today, rules)
    return _points_by_type((entry for entry in log.entries if entry[0] in days), rules)


def person_raw_score(log: ActivityLog, today: date, rules: EngagementRules) -> float:
    """The person's raw score in the window ending with ``today``; never negative."""
    return raw_total(person_raw_by_type(log, today, rules))


def raw_total(by_type: Mapping[str, float]) -> float:
    """The raw score that a per-type breakdown adds up to (the one summation used everywhere)."""
    return math.fsum(by_type.values())


def _points_by_type(entries: Iterable[Entry], rules: EngagementRules) -> Mapping[str, float]:
    hundredths: defaultdict[str, int] = defaultdict(int)
    for _, kind, ids in entries:
        weight = rules.weight(kind)
        if weight > 0:
            hundredths[kind] += min(len(ids), rules.daily_cap) * weight
    return MappingProxyType({kind: hundredths[kind] / 100 for kind in sorted(hundredths)})


@dataclass(frozen=True, slots=True, kw_only=True)
class Decayed:
    """A log after its expired days were dropped, with the per-type points before and after."""

    log: ActivityLog
    by_type_before: Mapping[str, float]
    by_type_after: Mapping[str, float]

    @property
    def raw_before(self) -> float:
        return raw_total(self.by_type_before)

    @property
    def raw_after(self) -> float:
        return raw_total(self.by_type_after)

    @property
    def changed(self) -> bool:
        return self.by_type_before != self.by_type_after


def decay(log: ActivityLog, today: date, rules: EngagementRules) -> Decayed:
    """Move a log to a new ``today``: prune it, and say whether the person's raw score fell.

    "Before" counts every day the log holds (the score as of its last write or tick, since
    each write and tick prunes); "after" is the score in the window ending with ``today``.
    """
    pruned = prune(log, today, rules)
    return Decayed(
        log=pruned,
        by_type_before=_points_by_type(log.entries, rules),
        by_type_after=person_raw_by_type(pruned, today, rules),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberScore:
    """One member of a group, with their raw points per activity type; ``raw`` is their sum."""

    person_id: str
    role: str
    by_type: Mapping[str, float] = field(default_factory=lambda: _NO_POINTS)

    def __post_init__(self) -> None:
        for kind, points in self.by_type.items():
            _check_raw(f"member {self.person_id!r}: points of {kind!r}", points)
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


def role_share(weighting: int, total_weighting: int) -> float:
    """W(r): a role's weighting over the total weighting of the roles with members."""
    return weighting / total_weighting


def group_points(weighting: int, raw: float, total_weighting: int) -> float:
    """Raw points as group points, ``W(r) * raw``, computed as ``weighting * raw / total``."""
    return weighting * raw / total_weighting


def weighted_total(role_raws: Mapping[str, float], role_weighting: Mapping[str, int]) -> float:
    """The group raw score from the raw score of each role with members (0 without any)."""
    if not role_raws:
        return 0.0
    total_weighting = sum(role_weighting[role] for role in role_raws)
    weighted = math.fsum(role_weighting[role] * raw for role, raw in role_raws.items())
    return weighted / total_weighting


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


def normalised_score(raw: float, reference: float) -> float:
    """``min(100, 100 * sqrt(raw) / sqrt(reference))``: 0 for raw 0, 100 at or above reference."""
    _check_raw("raw", raw)
    if not math.isfinite(reference) or reference <= 0:
        raise BadInput(f"reference: must be a positive number, got {reference!r}")
    if raw == 0:
        return 0.0
    return min(100.0, 100 * math.sqrt(raw) / math.sqrt(reference))


def _check_raw(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise BadInput(f"{name}: must be a finite number >= 0, got {value!r}")
