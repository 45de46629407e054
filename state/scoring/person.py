"""A person's engagement: raw score by activity type, decay, normalisation, and why it moved.

    person_raw(p, t) = sum over days d in the window ending at t, types k:
                       min(count(p, k, d), daily_cap) * weight(k) / 100
    score            = min(100, 100 * sqrt(raw) / sqrt(reference))

A person's raw score is kept split by activity type, so that every move can be explained: the
types whose points moved, with their points before and after.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
class ActivityContribution:
    """One activity type's part of a person's raw score that moved."""

    activity_type: str
    raw_before: float
    raw_after: float

    @property
    def change(self) -> float:
        return self.raw_after - self.raw_before


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


def normalised_score(raw: float, reference: float) -> float:
    """``min(100, 100 * sqrt(raw) / sqrt(reference))``: 0 for raw 0, 100 at or above reference."""
    check_raw("raw", raw)
    if not math.isfinite(reference) or reference <= 0:
        raise BadInput(f"reference: must be a positive number, got {reference!r}")
    if raw == 0:
        return 0.0
    return min(100.0, 100 * math.sqrt(raw) / math.sqrt(reference))


def check_raw(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise BadInput(f"{name}: must be a finite number >= 0, got {value!r}")
