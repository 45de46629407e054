"""One person's activity log: what counts towards their engagement score, by UTC day and type.

The log keeps, per (UTC day, activity type), the ids of the activities that count. Its size is
bounded: only days inside the look-back window are kept, only weighted types are kept, and at most
``daily_cap`` ids per day and type are kept (more could never count).

Decisions where the domain spec is silent:

- De-duplication: an activity id already held on any day is a duplicate.
- Daily cap: when a (day, type) already holds ``daily_cap`` ids, the log keeps the ``daily_cap``
  smallest ids it has seen (a newcomer with a smaller id replaces the largest). The score is the
  same either way; keeping the smallest makes the final log independent of arrival order, and a
  redelivered id is still recognised (it is held, or it is larger than every held id). Raising the
  cap in a new model therefore counts more from then on; days already full are not re-counted.
- Unweighted types (weight 0, including custom types no model names) are not kept: they count
  from the moment a model weights them, not retroactively.
- Future days: the contract lets ``occurred_at`` run up to 5 minutes ahead of the clock, so just
  before midnight an activity can be dated tomorrow. Such an activity is kept on its own day and
  counts from its arrival (a person's score never waits for the clock), until the end of
  day + window_days - 1 like any other. Anything dated more than one day ahead is ignored.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from operator import itemgetter

from events.errors import BadInput
from state.scoring.engagement import EngagementRules

MAX_DAYS_AHEAD = 1

Entry = tuple[int, str, frozenset[str]]
"""One (UTC day as ``date.toordinal()``, activity type, ids of its counting activities)."""

_day_of = itemgetter(0)
_key_of = itemgetter(0, 1)


class IgnoredReason(StrEnum):
    """Why an activity changed nothing."""

    DUPLICATE = "duplicate"
    OUTSIDE_WINDOW = "outside_window"
    IN_FUTURE = "in_future"
    OVER_DAILY_CAP = "over_daily_cap"
    UNWEIGHTED = "unweighted"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayActivities:
    """The ids of the counting activities of one type on one UTC day (never empty in a log)."""

    day: date
    activity_type: str
    activity_ids: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.activity_ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityLog:
    """A person's log: ``entries`` are sorted by (day, activity_type), one per pair.

    Entries are plain tuples (see ``Entry``) so that the logs of thousands of people pickle as
    primitives; ``buckets`` shows them as ``DayActivities``.
    """

    entries: tuple[Entry, ...] = ()

    @property
    def buckets(self) -> tuple[DayActivities, ...]:
        return tuple(
            DayActivities(day=date.fromordinal(day), activity_type=kind, activity_ids=ids)
            for day, kind, ids in self.entries
        )

    def __setstate__(self, state: Sequence[object]) -> None:
        """Loads a pickled log, also one of the first state format (a tuple of DayActivities)."""
        (held,) = state
        if not isinstance(held, tuple):
            raise TypeError(f"activity log: expected a tuple of entries, got {type(held)}")
        object.__setattr__(self, "entries", tuple(_entry(item) for item in held))


def _entry(item: object) -> Entry:
    if isinstance(item, DayActivities):
        return (item.day.toordinal(), item.activity_type, item.activity_ids)
    if not isinstance(item, tuple) or len(item) != 3:
        raise TypeError(f"activity log: expected an entry, got {type(item)}")
    return (int(item[0]), str(item[1]), frozenset(item[2]))


EMPTY_LOG = ActivityLog()


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """The activity counts: the person's raw score rose by its weight / 100."""

    day: date
    activity_type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ignored:
    """The activity does not change the score (the log may still have changed: store it)."""

    reason: IgnoredReason


def utc_day(at: datetime) -> date:
    """The UTC calendar day of ``at``, which must carry a time zone."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise BadInput(f"time {at.isoformat()!r} has no time zone; expected UTC-aware")
    return at.astimezone(UTC).date()


def window_start(today: date, rules: EngagementRules) -> date:
    """The first day of the window ending with ``today``."""
    return _day(today, "today") - timedelta(days=rules.window_days - 1)


def counting_days(today: date, rules: EngagementRules) -> range:
    """The days (as ``date.toordinal()``) whose activities count in the window ending ``today``."""
    return range(window_start(today, rules).toordinal(), today.toordinal() + MAX_DAYS_AHEAD + 1)


def prune(log: ActivityLog, today: date, rules: EngagementRules) -> ActivityLog:
    """Drop the days that have left the window ending with ``today`` (same log if none did)."""
    start = bisect.bisect_left(log.entries, window_start(today, rules).toordinal(), key=_day_of)
    return log if start == 0 else ActivityLog(entries=log.entries[start:])


def record_activity(
    log: ActivityLog,
    *,
    activity_id: str,
    activity_type: str,
    occurred_day: date,
    today: date,
    rules: EngagementRules,
) -> tuple[ActivityLog, Recorded | Ignored]:
    """Fold one activity into its own day; returns the new (pruned) log and what happened.

    Late and out-of-order activities land on their own day. Always store the returned log, even
    when the outcome is ``Ignored``: pruning or the daily-cap bookkeeping may have changed it.
    """
    if not activity_id:
        raise BadInput("activity_id: must not be empty, got ''")
    _day(occurred_day, "occurred_day")
    log = prune(log, today, rules)
    reason = _reason_to_ignore(
        log,
        activity_id=activity_id,
        activity_type=activity_type,
        occurred_day=occurred_day,
        today=today,
        rules=rules,
    )
    if reason is not None:
        return log, Ignored(reason=reason)
    return _add(log, activity_id, activity_type, occurred_day, rules.daily_cap)


def _reason_to_ignore(
    log: ActivityLog,
    *,
    activity_id: str,
    activity_type: str,
    occurred_day: date,
    today: date,
    rules: EngagementRules,
) -> IgnoredReason | None:
    if any(activity_id in ids for _, _, ids in log.entries):
        return IgnoredReason.DUPLICATE
    if occurred_day < window_start(today, rules):
        return IgnoredReason.OUTSIDE_WINDOW
    if occurred_day > today + timedelta(days=MAX_DAYS_AHEAD):
        return IgnoredReason.IN_FUTURE
    if rules.weight(activity_type) == 0:
        return IgnoredReason.UNWEIGHTED
    return None


def _add(
    log: ActivityLog, activity_id: str, activity_type: str, day: date, cap: int
) -> tuple[ActivityLog, Recorded | Ignored]:
    key = (day.toordinal(), activity_type)
    index = bisect.bisect_left(log.entries, key, key=_key_of)
    found = index < len(log.entries) and _key_of(log.entries[index]) == key
    held = log.entries[index][2] if found else frozenset[str]()
    over_cap = Ignored(reason=IgnoredReason.OVER_DAILY_CAP)
    outcome: Recorded | Ignored
    if len(held) < cap:
        ids, outcome = held | {activity_id}, Recorded(day=day, activity_type=activity_type)
    elif activity_id < max(held):
        ids, outcome = (held - {max(held)}) | {activity_id}, over_cap
    else:
        return log, over_cap
    after = index + 1 if found else index
    entries = (*log.entries[:index], (*key, ids), *log.entries[after:])
    return ActivityLog(entries=entries), outcome


def _day(value: date, name: str) -> date:
    if isinstance(value, datetime):
        raise BadInput(f"{name}: expected a date, got the datetime {value.isoformat()!r}")
    return value
