"""Why a group's engagement is what it is now: its raw score part by part. Pure, no I/O.

The engine's score changes list every (role, member, activity type) part of the group raw score
that moved, with its group points after the move (W(role) * the member's points of that type).
The projection folds them, in version order, into the group's parts hash
(`Keys.score_parts`): what it holds are the parts of the current raw score. This module turns
that hash into the API's breakdown: the parts, and their sums per member, per role and per
activity type, which add up to the raw score of the latest score change.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The parts and the raw score are summed in different orders: they agree to about 1e-12.
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Part:
    role: str
    person_id: str
    activity_type: str
    points: float


def parts_of(stored: Mapping[str, str]) -> list[Part]:
    """The parts in a group's parts hash, largest first (then by role, member, type)."""
    parts = []
    for field, points in stored.items():
        role, person_id, activity_type = json.loads(field)
        parts.append(Part(role, person_id, activity_type, float(points)))
    return sorted(parts, key=lambda p: (-p.points, p.role, p.person_id, p.activity_type))


def adds_up(total: float, raw: float) -> bool:
    return abs(total - raw) <= TOLERANCE * max(1.0, abs(raw))


def _sums(parts: Iterable[Part], key: Callable[[Part], str]) -> list[tuple[str, float]]:
    by: dict[str, list[float]] = defaultdict(list)
    for part in parts:
        by[key(part)].append(part.points)
    sums = [(name, math.fsum(points)) for name, points in by.items()]
    return sorted(sums, key=lambda item: (-item[1], item[0]))


def engagement_breakdown(
    stored: Mapping[str, str], latest: Mapping[str, Any] | None, names: Mapping[str, str | None]
) -> dict[str, Any] | None:
    """The breakdown of the current raw score, as of the latest score change (`latest`, the
    stored explanation); None before the group's first score change. `adds_up` is False when
    the parts do not give that raw score (for example after a rebuild from change topics whose
    oldest records were already deleted)."""
    if latest is None:
        return None
    parts = parts_of(stored)
    total = math.fsum(part.points for part in parts)
    raw = float(latest["engagement_raw"])
    roles_of: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        roles_of[part.person_id].add(part.role)
    return {
        "version": latest["version"],
        "engagement_raw": raw,
        "total": total,
        "adds_up": adds_up(total, raw),
        "parts": [_part(p, names) for p in parts],
        "by_member": [
            {
                "person_id": person_id,
                "name": names.get(person_id),
                "roles": sorted(roles_of[person_id]),
                "points": points,
            }
            for person_id, points in _sums(parts, lambda p: p.person_id)
        ],
        "by_role": [{"role": r, "points": points} for r, points in _sums(parts, lambda p: p.role)],
        "by_activity_type": [
            {"activity_type": kind, "points": points}
            for kind, points in _sums(parts, lambda p: p.activity_type)
        ],
    }


def _part(part: Part, names: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "role": part.role,
        "person_id": part.person_id,
        "name": names.get(part.person_id),
        "activity_type": part.activity_type,
        "points": part.points,
    }
