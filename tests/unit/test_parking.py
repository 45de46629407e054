"""Activities wait a bounded time for their person, then are given up on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.records import ActivityEvent
from state.routing.parking import (
    MAX_PARKED_PER_PERSON,
    NOTHING_PARKED,
    ParkedActivity,
    expired,
    park,
)

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def item(activity_id: str, at: datetime = T0) -> ParkedActivity:
    activity = ActivityEvent(
        event_id=f"ev-{activity_id}",
        occurred_at=at,
        activity_id=activity_id,
        person_id="p-1",
        activity_type="page_viewed",
    )
    return ParkedActivity(
        activity=activity, parked_at=at, topic="bg.activities", partition=0, offset=1,
        key=b"p-1", value=b"bytes",
    )  # fmt: skip


def test_parked_until_expired() -> None:
    parked, overflow = park(NOTHING_PARKED, item("a1"))
    parked, _ = park(parked, item("a2", T0 + timedelta(seconds=50)))
    assert overflow is None

    kept, gone = expired(parked, T0 + timedelta(seconds=61), timedelta(seconds=60))

    assert [p.activity.activity_id for p in gone] == ["a1"]
    assert [p.activity.activity_id for p in kept.activities] == ["a2"]


def test_same_activity_parks_once() -> None:
    parked, _ = park(NOTHING_PARKED, item("a1"))
    again, overflow = park(parked, item("a1"))
    assert again == parked
    assert overflow is None


def test_bound_per_person() -> None:
    parked = NOTHING_PARKED
    for n in range(MAX_PARKED_PER_PERSON):
        parked, overflow = park(parked, item(f"a{n}"))
        assert overflow is None
    full, overflow = park(parked, item("one-too-many"))
    assert overflow is not None
    assert overflow.activity.activity_id == "one-too-many"
    assert len(full.activities) == MAX_PARKED_PER_PERSON
