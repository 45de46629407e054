"""Engagement through ``apply``: activities arriving for members of a group, the spec's 35.25
example, de-duplication, late activities, decay, calibration, explanations, and the person
engagement score feeding role conditions in one pass."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from events.records import (
    ConfigKind,
    MembershipChange,
    PersonScoreChanged,
    ScoreChanged,
)
from state.model.changes import ActivityRecorded, PersonChanged, Ticked, TickKind
from state.scoring.calibration import Reference
from tests.unit.catalogue_builders import (
    DM,
    DM_RULE,
    INFLUENCER,
    INFLUENCER_RULE,
    PRACTITIONER,
    PRACTITIONER_RULE,
    T0,
    card,
    catalogue_of,
    leaf,
    next_id,
    standard_catalogue,
    weighting_record,
)
from tests.unit.group_builders import (
    Tenant,
    activity,
    config_changed,
    memberships,
    person,
    send_activity,
    started,
)

TODAY = T0
YESTERDAY = T0 - timedelta(days=1)
ALL_COUNT_ONE = weighting_record(
    "flat", {"page_viewed": 100, "email_opened": 100, "form_filled": 100}
)


def score_changes(records: Sequence[object]) -> list[ScoreChanged]:
    return [record for record in records if isinstance(record, ScoreChanged)]


def person_scores(records: Sequence[object]) -> list[PersonScoreChanged]:
    return [record for record in records if isinstance(record, PersonScoreChanged)]


def example_tenant() -> Tenant:
    catalogue = standard_catalogue(
        card(DM, DM_RULE, weighting="vital"),
        card(INFLUENCER, INFLUENCER_RULE, weighting="important"),
        card(PRACTITIONER, PRACTITIONER_RULE, weighting="normal"),
        card("Champion", leaf("job_title", "is", "Champion"), weighting="trivial"),
        extra=[ALL_COUNT_ONE],
    )
    return started(
        catalogue,
        person("adam", job_title="VP Marketing"),
        person("mark", job_title="Director IT"),
        person("john", job_title="IT Manager"),
        person("bob", job_title="Engineer"),
        person("paul", job_title="Engineer"),
        person("calvin", job_title="Engineer"),
    )


def send_many(t: Tenant, person_id: str, activity_type: str, count: int, day: datetime) -> None:
    for _ in range(count):
        send_activity(t, person_id, activity_type, at=day)


def test_the_spec_worked_example_gives_35_25() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 37, YESTERDAY)
    send_many(t, "adam", "page_viewed", 15, TODAY)
    send_many(t, "adam", "email_opened", 1, YESTERDAY)
    send_many(t, "adam", "email_opened", 1, TODAY)
    send_many(t, "mark", "page_viewed", 8, YESTERDAY)
    send_many(t, "mark", "page_viewed", 2, TODAY)
    send_many(t, "mark", "email_opened", 5, TODAY)
    send_many(t, "john", "page_viewed", 19, YESTERDAY)
    send_many(t, "john", "page_viewed", 9, TODAY)
    send_many(t, "bob", "page_viewed", 2, TODAY)
    send_many(t, "paul", "email_opened", 2, TODAY)
    send_many(t, "calvin", "page_viewed", 2, YESTERDAY)
    send_many(t, "calvin", "email_opened", 8, TODAY)
    send_many(t, "calvin", "form_filled", 3, TODAY)
    raws = {
        pid: t.state.people[pid].raw for pid in ("adam", "mark", "john", "bob", "paul", "calvin")
    }
    assert raws == {"adam": 37, "mark": 15, "john": 28, "bob": 2, "paul": 2, "calvin": 13}
    group = t.group()
    assert group.engagement_raw == pytest.approx(35.25, abs=1e-9)
    assert group.engagement == pytest.approx(100.0)  # far above the floor reference of 10
    last = score_changes(t.records)[-1]
    assert last.engagement_raw == group.engagement_raw
    assert last.trigger == "activity"
    (part,) = last.contributions
    assert (part.role, part.person_id, part.activity_type) == (
        PRACTITIONER,
        "calvin",
        "form_filled",
    )
    assert part.weight == pytest.approx(60 / 240)  # the empty Champion role takes no share
    assert part.raw_after - part.raw_before == pytest.approx(0.25)


def test_each_score_change_explains_the_move() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 3, TODAY)
    send_many(t, "john", "page_viewed", 2, TODAY)
    changes = score_changes(t.records)
    for change in changes:
        moved = math.fsum(part.raw_after - part.raw_before for part in change.contributions)
        assert moved == pytest.approx(change.engagement_raw - change.engagement_raw_previous)
    shares = {part.role: part.weight for part in changes[-1].contributions}
    assert shares == {INFLUENCER: pytest.approx(80 / 240)}  # roles with members, raw or not


def test_a_duplicate_activity_counts_once_and_emits_nothing() -> None:
    t = example_tenant()
    event = activity("adam", "page_viewed", activity_id="a-1")
    first = t.send(ActivityRecorded(event=event))
    assert person_scores(first.records)
    again = t.send(ActivityRecorded(event=event))
    assert again.records == ()
    replayed = activity("adam", "page_viewed", activity_id="a-1", at=YESTERDAY)
    assert t.send(ActivityRecorded(event=replayed)).records == ()
    assert t.state.people["adam"].raw == 1


def test_the_daily_cap_is_per_type_and_day() -> None:
    t = example_tenant()
    send_many(t, "bob", "page_viewed", 25, TODAY)
    send_many(t, "bob", "email_opened", 3, TODAY)
    send_many(t, "bob", "page_viewed", 4, YESTERDAY)
    assert t.state.people["bob"].raw == 27


def test_late_and_out_of_order_activities_land_on_their_own_day() -> None:
    t = example_tenant()
    send_activity(t, "bob", "page_viewed", at=TODAY)
    send_activity(t, "bob", "page_viewed", at=TODAY - timedelta(days=29))
    send_activity(t, "bob", "page_viewed", at=TODAY - timedelta(days=30))
    assert t.state.people["bob"].raw == 2
    t.later(days=1)
    t.send(Ticked(event_id=next_id("tick"), occurred_at=t.now, kind=TickKind.DECAY))
    assert t.state.people["bob"].raw == 1


def test_decay_on_tick_emits_what_left_the_window() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 4, TODAY)
    send_many(t, "adam", "email_opened", 2, TODAY - timedelta(days=20))
    t.later(days=10)
    tick = Ticked(event_id=next_id("tick"), occurred_at=t.now, kind=TickKind.DECAY)
    outcome = t.send(tick)
    (person_change,) = person_scores(outcome.records)
    assert (person_change.raw_previous, person_change.raw) == (6, 4)
    (contribution,) = person_change.contributions
    assert (contribution.activity_type, contribution.raw_before, contribution.raw_after) == (
        "email_opened",
        2,
        0,
    )
    (group_change,) = score_changes(outcome.records)
    assert group_change.trigger == "decay"
    assert group_change.engagement_raw < group_change.engagement_raw_previous
    assert (
        t.send(Ticked(event_id=next_id("tick"), occurred_at=t.now, kind=TickKind.DECAY)).records
        == ()
    )


def test_a_calibration_emits_every_score_it_changes_once() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 4, TODAY)
    before = t.state.people["adam"].score
    assert before == pytest.approx(100 * math.sqrt(4) / math.sqrt(10))
    tick = Ticked(
        event_id=next_id("tick"),
        occurred_at=t.now,
        kind=TickKind.CALIBRATION,
        person_reference=Reference(value=16.0, version=1),
        group_reference=Reference(value=4.0, version=1),
    )
    outcome = t.send(tick)
    (person_change,) = person_scores(outcome.records)
    assert (person_change.score, person_change.reference, person_change.reference_version) == (
        50.0,
        16.0,
        1,
    )
    (group_change,) = score_changes(outcome.records)
    assert group_change.trigger == "calibration"
    assert group_change.reference_version == 1
    assert group_change.engagement_raw == group_change.engagement_raw_previous
    assert group_change.engagement == pytest.approx(100 * math.sqrt(4 * 100 / 240) / math.sqrt(4))
    again = Ticked(
        event_id=next_id("tick"),
        occurred_at=t.now,
        kind=TickKind.CALIBRATION,
        person_reference=Reference(value=16.0, version=1),
        group_reference=Reference(value=4.0, version=1),
    )
    assert t.send(again).records == ()


def test_the_person_engagement_score_feeds_role_conditions_in_one_pass() -> None:
    engaged = leaf("person_engagement_score", "gte", "50")
    catalogue = standard_catalogue(
        card("Champion", engaged, weighting="vital"),
        card(PRACTITIONER, PRACTITIONER_RULE),
        extra=[ALL_COUNT_ONE],
    )
    t = started(catalogue, person("bob", job_title="Engineer"))
    assert t.roles() == {"bob": PRACTITIONER}
    send_many(t, "bob", "page_viewed", 2, TODAY)  # score 100*sqrt(2)/sqrt(10) = 44.7
    assert t.roles() == {"bob": PRACTITIONER}
    outcome = send_activity(t, "bob", "page_viewed", at=TODAY)  # 54.8
    kinds = [type(record).__name__ for record in outcome.records]
    assert kinds == [
        "PersonScoreChanged",
        "MembershipChanged",
        "ScoreChanged",
        "BuyingGroupSnapshot",
    ]
    (change,) = memberships(outcome.records)
    assert (change.change, change.new_role, change.reason) == (
        MembershipChange.ROLE_CHANGED,
        "Champion",
        "rule_match",
    )
    assert score_changes(outcome.records)[0].trigger == "activity"
    t.later(days=30)
    decayed = t.send(Ticked(event_id=next_id("tick"), occurred_at=t.now, kind=TickKind.DECAY))
    assert [m.new_role for m in memberships(decayed.records)] == [PRACTITIONER]


def test_a_new_weighting_model_rescores_everyone() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 2, TODAY)
    t.catalogue = catalogue_of([weighting_record("half", {"page_viewed": 50})], t.catalogue)
    outcome = t.send(config_changed(ConfigKind.WEIGHTING_MODEL, "half"))
    (person_change,) = person_scores(outcome.records)
    assert (person_change.raw_previous, person_change.raw) == (2, 1)
    (group_change,) = score_changes(outcome.records)
    assert group_change.trigger == "config"
    assert t.state.engagement_rules == t.catalogue.engagement_rules


def test_activities_of_people_outside_groups_still_score_the_person() -> None:
    t = started(standard_catalogue(), person("clerk", job_title="Clerk"))
    outcome = send_activity(t, "clerk", "form_filled")
    (change,) = person_scores(outcome.records)
    assert change.raw == pytest.approx(0.4)
    assert score_changes(outcome.records) == []


def test_an_unweighted_activity_type_changes_nothing() -> None:
    t = example_tenant()
    outcome = send_activity(t, "adam", "webinar_watched")
    assert outcome.records == ()


def test_an_activity_before_the_profile_scores_the_person_who_joins_later() -> None:
    t = Tenant(standard_catalogue(extra=[ALL_COUNT_ONE]))
    send_many(t, "late", "page_viewed", 3, TODAY)
    assert t.state.people["late"].raw == 3
    assert t.state.people["late"].profile is None
    t.send(PersonChanged(event=person("late")))
    assert t.state.people["late"].raw == 3


def test_person_score_versions_increase() -> None:
    t = example_tenant()
    send_many(t, "adam", "page_viewed", 3, TODAY)
    t.later(seconds=1)
    send_many(t, "adam", "page_viewed", 2, TODAY)
    versions = [record.version for record in person_scores(t.records)]
    assert versions == sorted(set(versions))


def test_a_calibration_leaves_groups_without_engagement_alone() -> None:
    t = example_tenant()
    tick = Ticked(
        event_id=next_id("tick"),
        occurred_at=t.now,
        kind=TickKind.CALIBRATION,
        person_reference=Reference(value=16.0, version=1),
        group_reference=Reference(value=4.0, version=1),
    )
    assert t.send(tick).records == ()
    assert t.state.group_reference.version == 1
    assert t.group().reference_version == 0  # its score (0) was last emitted against version 0
