"""Activities that arrive before their person: parked for a bounded time, then released or
given up on.

An activity names a person; its account comes from the person's profile. When no profile (and
no account hint) is known yet, the activity waits. The person's first profile releases every
waiting activity; one that waited longer than the allowed time is given up on (the caller
dead-letters it with its reason), and so is one beyond the per-person bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from events.records import ActivityEvent

MAX_PARKED_PER_PERSON = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class ParkedActivity:
    """A waiting activity with where it was read, so it can be dead-lettered as it arrived."""

    activity: ActivityEvent
    parked_at: datetime
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Parked:
    """The activities waiting for one person, oldest first."""

    activities: tuple[ParkedActivity, ...] = ()


NOTHING_PARKED = Parked()


def park(parked: Parked, item: ParkedActivity) -> tuple[Parked, ParkedActivity | None]:
    """`parked` with `item` added; the second value is `item` itself when the bound is reached
    (or the same activity id already waits: then nothing is added and nothing is returned)."""
    if any(p.activity.activity_id == item.activity.activity_id for p in parked.activities):
        return parked, None
    if len(parked.activities) >= MAX_PARKED_PER_PERSON:
        return parked, item
    return Parked(activities=(*parked.activities, item)), None


def expired(
    parked: Parked, now: datetime, ttl: timedelta
) -> tuple[Parked, tuple[ParkedActivity, ...]]:
    """What still waits at `now`, and what waited longer than `ttl`."""
    keep = tuple(p for p in parked.activities if now - p.parked_at <= ttl)
    gone = tuple(p for p in parked.activities if now - p.parked_at > ttl)
    return Parked(activities=keep), gone
