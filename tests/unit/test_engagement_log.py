"""A person's activity log: de-duplication, daily cap, window, late and early activities."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.errors import BadInput
from state.scoring.activity_log import (
    EMPTY_LOG,
    ActivityLog,
    Ignored,
    IgnoredReason,
    Recorded,
    prune,
    record_activity,
    utc_day,
)
from state.scoring.engagement import DEFAULT_RULES, EngagementRules
from state.scoring.person import decay, person_raw_by_type
from tests.oracles.scores import person_raw_score

TODAY = date(2024, 3, 31)
ALL_100 = EngagementRules(weights={"page_viewed": 100, "email_opened": 100})


def _record(
    log: ActivityLog,
    activity_id: str,
    day: date,
    *,
    today: date = TODAY,
    kind: str = "page_viewed",
    rules: EngagementRules = ALL_100,
) -> tuple[ActivityLog, Recorded | Ignored]:
    return record_activity(
        log, activity_id=activity_id, activity_type=kind, occurred_day=day, today=today, rules=rules
    )


def _log_of(count: int, day: date, today: date = TODAY, prefix: str = "a") -> ActivityLog:
    log = EMPTY_LOG
    for number in range(count):
        log, _ = _record(log, f"{prefix}{number:03}", day, today=today)
    return log


def test_an_activity_is_recorded_on_its_day_and_counts_by_its_weight() -> None:
    log, outcome = _record(EMPTY_LOG, "a1", TODAY, rules=DEFAULT_RULES)
    assert outcome == Recorded(day=TODAY, activity_type="page_viewed")
    assert person_raw_score(log, TODAY, DEFAULT_RULES) == pytest.approx(0.4)
    assert log.buckets[0].count == 1


def test_duplicates_count_once() -> None:
    log, _ = _record(EMPTY_LOG, "a1", TODAY)
    again, outcome = _record(log, "a1", TODAY)
    assert outcome == Ignored(reason=IgnoredReason.DUPLICATE)
    assert again == log
    assert person_raw_score(again, TODAY, ALL_100) == 1.0


def test_the_same_id_on_another_day_or_type_is_still_a_duplicate() -> None:
    log, _ = _record(EMPTY_LOG, "a1", TODAY)
    _, outcome = _record(log, "a1", TODAY - timedelta(days=3), kind="email_opened")
    assert outcome == Ignored(reason=IgnoredReason.DUPLICATE)


def test_at_most_the_daily_cap_counts_per_person_type_and_day() -> None:
    log = _log_of(37, TODAY)
    assert log.buckets[0].count == 20
    assert person_raw_score(log, TODAY, ALL_100) == 20.0
    other_day, outcome = _record(log, "b1", TODAY - timedelta(days=1))
    assert outcome == Recorded(day=TODAY - timedelta(days=1), activity_type="page_viewed")
    assert person_raw_score(other_day, TODAY, ALL_100) == 21.0
    other_type, _ = _record(log, "c1", TODAY, kind="email_opened")
    assert person_raw_score(other_type, TODAY, ALL_100) == 21.0


def test_over_the_cap_the_log_keeps_the_smallest_ids_so_arrival_order_does_not_matter() -> None:
    log = _log_of(20, TODAY, prefix="m")
    smaller, outcome = _record(log, "a", TODAY)
    assert outcome == Ignored(reason=IgnoredReason.OVER_DAILY_CAP)
    assert "a" in smaller.buckets[0].activity_ids
    assert "m019" not in smaller.buckets[0].activity_ids
    assert smaller.buckets[0].count == 20
    unchanged, outcome = _record(smaller, "m019", TODAY)
    assert outcome == Ignored(reason=IgnoredReason.OVER_DAILY_CAP)
    assert unchanged == smaller


def test_unweighted_types_are_not_kept() -> None:
    log, outcome = _record(EMPTY_LOG, "a1", TODAY, kind="webinar_watched", rules=DEFAULT_RULES)
    assert outcome == Ignored(reason=IgnoredReason.UNWEIGHTED)
    assert log == EMPTY_LOG


def test_an_activity_counts_through_day_plus_29_and_not_on_day_plus_30() -> None:
    day = date(2024, 1, 1)
    log, _ = _record(EMPTY_LOG, "a1", day, today=day)
    last = decay(log, day + timedelta(days=29), ALL_100)
    assert not last.changed
    assert person_raw_score(last.log, day + timedelta(days=29), ALL_100) == 1.0
    gone = decay(last.log, day + timedelta(days=30), ALL_100)
    assert gone.changed
    assert (gone.raw_before, gone.raw_after) == (1.0, 0.0)
    assert gone.log == EMPTY_LOG


def test_an_activity_already_outside_the_window_is_ignored() -> None:
    _, outcome = _record(EMPTY_LOG, "a1", TODAY - timedelta(days=30))
    assert outcome == Ignored(reason=IgnoredReason.OUTSIDE_WINDOW)
    log, outcome = _record(EMPTY_LOG, "a2", TODAY - timedelta(days=29))
    assert isinstance(outcome, Recorded)
    assert person_raw_score(log, TODAY, ALL_100) == 1.0


def test_a_late_activity_is_folded_into_its_own_day() -> None:
    log, _ = _record(EMPTY_LOG, "today", TODAY)
    log, outcome = _record(log, "late", TODAY - timedelta(days=5))
    assert outcome == Recorded(day=TODAY - timedelta(days=5), activity_type="page_viewed")
    assert [bucket.day for bucket in log.buckets] == [TODAY - timedelta(days=5), TODAY]
    expired = decay(log, TODAY + timedelta(days=25), ALL_100)
    assert (expired.raw_before, expired.raw_after) == (2.0, 1.0)


def test_an_activity_dated_tomorrow_counts_at_once_and_until_its_own_day_plus_29() -> None:
    tomorrow = TODAY + timedelta(days=1)
    log, outcome = _record(EMPTY_LOG, "early", tomorrow)
    assert outcome == Recorded(day=tomorrow, activity_type="page_viewed")
    assert person_raw_score(log, TODAY, ALL_100) == 1.0
    assert not decay(log, tomorrow, ALL_100).changed
    assert not decay(log, tomorrow + timedelta(days=29), ALL_100).changed
    assert decay(log, tomorrow + timedelta(days=30), ALL_100).changed


def test_an_activity_dated_further_ahead_is_ignored() -> None:
    log, outcome = _record(EMPTY_LOG, "a1", TODAY + timedelta(days=2))
    assert outcome == Ignored(reason=IgnoredReason.IN_FUTURE)
    assert log == EMPTY_LOG


def test_writes_prune_expired_days() -> None:
    old, _ = _record(EMPTY_LOG, "old", TODAY - timedelta(days=29))
    log, _ = _record(old, "new", TODAY + timedelta(days=1), today=TODAY + timedelta(days=1))
    assert [bucket.day for bucket in log.buckets] == [TODAY + timedelta(days=1)]


def test_by_type_breakdown_adds_up_to_the_raw_score() -> None:
    log, _ = _record(EMPTY_LOG, "a1", TODAY, rules=DEFAULT_RULES)
    log, _ = _record(log, "a2", TODAY, kind="email_opened", rules=DEFAULT_RULES)
    by_type = person_raw_by_type(log, TODAY, DEFAULT_RULES)
    assert by_type == {"email_opened": 0.3, "page_viewed": 0.4}
    assert person_raw_score(log, TODAY, DEFAULT_RULES) == pytest.approx(0.7)


def test_a_lowered_cap_or_weight_applies_to_the_days_already_held() -> None:
    log = _log_of(10, TODAY)
    assert person_raw_score(log, TODAY, EngagementRules(weights={"page_viewed": 50})) == 5.0
    lowered = EngagementRules(weights={"page_viewed": 100}, daily_cap=4)
    assert person_raw_score(log, TODAY, lowered) == 4.0


def test_utc_day_needs_an_aware_time_and_converts_to_utc() -> None:
    assert utc_day(datetime(2024, 1, 1, 23, 30, tzinfo=UTC)) == date(2024, 1, 1)
    west = timezone(timedelta(hours=-2))
    assert utc_day(datetime(2024, 1, 1, 23, 30, tzinfo=west)) == date(2024, 1, 2)
    with pytest.raises(BadInput, match="no time zone"):
        utc_day(datetime(2024, 1, 1, 12, 0))  # noqa: DTZ001 - a naive time is the point


def test_days_must_be_dates_not_datetimes() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(BadInput, match="today: expected a date"):
        _record(EMPTY_LOG, "a1", TODAY, today=now)
    with pytest.raises(BadInput, match="occurred_day: expected a date"):
        _record(EMPTY_LOG, "a1", now)


def test_an_empty_activity_id_is_refused() -> None:
    with pytest.raises(BadInput, match="activity_id"):
        _record(EMPTY_LOG, "", TODAY)


# Properties ---------------------------------------------------------------------------------

_KINDS = ("page_viewed", "email_opened", "form_filled", "webinar_watched")
_rules = st.builds(
    EngagementRules,
    weights=st.fixed_dictionaries({kind: st.integers(0, 100) for kind in _KINDS}),
    window_days=st.integers(1, 40),
    daily_cap=st.integers(1, 4),
)
_activities = st.lists(st.tuples(st.sampled_from(_KINDS), st.integers(-45, 3)), max_size=40).map(
    lambda items: [
        (f"id{n:02}", kind, TODAY + timedelta(days=o)) for n, (kind, o) in enumerate(items)
    ]
)

Activity = tuple[str, str, date]


def _log_from(activities: list[Activity], rules: EngagementRules) -> ActivityLog:
    log = EMPTY_LOG
    for activity_id, kind, day in activities:
        log, _ = _record(log, activity_id, day, kind=kind, rules=rules)
    return log


def _score_by_the_spec(activities: list[Activity], rules: EngagementRules) -> float:
    first = TODAY - timedelta(days=rules.window_days - 1)
    counts: dict[tuple[date, str], int] = {}
    for _, kind, day in activities:
        if first <= day <= TODAY + timedelta(days=1):
            counts[day, kind] = counts.get((day, kind), 0) + 1
    return sum(
        min(n, rules.daily_cap) * rules.weight(kind) / 100 for (_, kind), n in counts.items()
    )


@settings(max_examples=60)
@given(activities=_activities, rules=_rules)
def test_the_log_scores_what_the_spec_formula_scores(
    activities: list[Activity], rules: EngagementRules
) -> None:
    log = _log_from(activities, rules)
    raw = person_raw_score(log, TODAY, rules)
    assert raw >= 0
    assert raw == pytest.approx(_score_by_the_spec(activities, rules))


@settings(max_examples=60)
@given(activities=_activities, rules=_rules)
def test_redelivering_any_activity_changes_nothing(
    activities: list[Activity], rules: EngagementRules
) -> None:
    log = _log_from(activities, rules)
    for activity_id, kind, day in activities:
        again, outcome = _record(log, activity_id, day, kind=kind, rules=rules)
        assert isinstance(outcome, Ignored)
        assert again == log


@settings(max_examples=60)
@given(activities=_activities, rules=_rules, data=st.data())
def test_arrival_order_does_not_change_the_log(
    activities: list[Activity], rules: EngagementRules, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(activities))
    assert _log_from(shuffled, rules) == _log_from(activities, rules)


@settings(max_examples=60)
@given(activities=_activities, rules=_rules, later=st.integers(0, 45))
def test_pruning_never_changes_the_score_of_today_or_later(
    activities: list[Activity], rules: EngagementRules, later: int
) -> None:
    log = _log_from(activities, rules)
    pruned = prune(log, TODAY, rules)
    assert person_raw_score(pruned, TODAY, rules) == person_raw_score(log, TODAY, rules)
    day = TODAY + timedelta(days=later)
    assert person_raw_score(pruned, day, rules) == person_raw_score(log, day, rules)
    assert len({bucket.day for bucket in log.buckets}) <= rules.window_days + 1
