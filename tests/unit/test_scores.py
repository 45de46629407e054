"""Person and group raw scores, and normalisation."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import BadInput
from state.scoring.activity_log import EMPTY_LOG, ActivityLog, record_activity
from state.scoring.engagement import DEFAULT_WEIGHTS, EngagementRules
from state.scoring.person import normalised_score
from tests.oracles.scores import (
    EMPTY_GROUP_RAW,
    MemberScore,
    group_raw_score,
    member_score,
    person_raw_score,
)

TODAY = date(2024, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)
ALL_100 = EngagementRules(weights=dict.fromkeys(DEFAULT_WEIGHTS, 100))
WEIGHTING = {"Decision Maker": 100, "Influencer": 80, "Practitioner": 60, "Champion": 40}

# The spec's worked example, as activities: (role, person, type, day, how many).
WORKED_EXAMPLE = (
    ("Decision Maker", "adam", "page_viewed", YESTERDAY, 37),
    ("Decision Maker", "adam", "page_viewed", TODAY, 15),
    ("Decision Maker", "adam", "email_opened", YESTERDAY, 1),
    ("Decision Maker", "adam", "email_opened", TODAY, 1),
    ("Decision Maker", "mark", "page_viewed", YESTERDAY, 8),
    ("Decision Maker", "mark", "email_clicked", YESTERDAY, 2),
    ("Decision Maker", "mark", "page_viewed", TODAY, 5),
    ("Influencer", "john", "page_viewed", YESTERDAY, 19),
    ("Influencer", "john", "page_viewed", TODAY, 9),
    ("Practitioner", "bob", "email_opened", TODAY, 2),
    ("Practitioner", "paul", "email_opened", YESTERDAY, 2),
    ("Practitioner", "calvin", "email_opened", YESTERDAY, 2),
    ("Practitioner", "calvin", "page_viewed", TODAY, 8),
    ("Practitioner", "calvin", "form_filled", TODAY, 3),
)


def _worked_example_logs() -> dict[tuple[str, str], ActivityLog]:
    logs: dict[tuple[str, str], ActivityLog] = {}
    for role, person, kind, day, count in WORKED_EXAMPLE:
        log = logs.get((role, person), EMPTY_LOG)
        for number in range(count):
            log, _ = record_activity(
                log,
                activity_id=f"{person}-{kind}-{day}-{number}",
                activity_type=kind,
                occurred_day=day,
                today=TODAY,
                rules=ALL_100,
            )
        logs[role, person] = log
    return logs


def test_worked_example_from_the_spec_scores_exactly_35_25() -> None:
    members = [
        member_score(person, role, log, TODAY, ALL_100)
        for (role, person), log in _worked_example_logs().items()
    ]
    raws = {member.person_id: member.raw for member in members}
    assert raws == {"adam": 37, "mark": 15, "john": 28, "bob": 2, "paul": 2, "calvin": 13}
    group = group_raw_score(members, WEIGHTING)
    assert group.total == 35.25
    roles = {role.role: role for role in group.roles}
    assert {name: role.raw for name, role in roles.items()} == {
        "Decision Maker": 52,
        "Influencer": 28,
        "Practitioner": 17,
    }
    assert roles["Decision Maker"].share == pytest.approx(0.4167, abs=1e-4)
    assert roles["Influencer"].share == pytest.approx(0.3333, abs=1e-4)
    assert roles["Practitioner"].share == 0.25
    assert math.fsum(member.points for member in group.members) == pytest.approx(35.25)


def test_roles_without_members_take_no_share() -> None:
    members = [MemberScore(person_id="p1", role="Influencer", by_type={"page_viewed": 10.0})]
    group = group_raw_score(members, WEIGHTING)
    assert group.total == 10.0
    assert [(role.role, role.share) for role in group.roles] == [("Influencer", 1.0)]


def test_a_member_without_activity_still_gives_the_role_a_share() -> None:
    members = [
        MemberScore(person_id="p1", role="Influencer", by_type={"page_viewed": 10.0}),
        MemberScore(person_id="p2", role="Champion"),
    ]
    group = group_raw_score(members, WEIGHTING)
    assert group.total == pytest.approx(10.0 * 80 / 120)
    assert group.members[0].role == "Champion"
    assert group.members[0].points == 0.0


def test_a_group_without_members_scores_zero() -> None:
    assert group_raw_score([], WEIGHTING) == EMPTY_GROUP_RAW
    assert EMPTY_GROUP_RAW.total == 0.0


def test_member_points_split_by_type_carry_the_role_share() -> None:
    members = [
        MemberScore(person_id="p1", role="Decision Maker", by_type={"a": 3.0, "b": 1.0}),
        MemberScore(person_id="p2", role="Practitioner", by_type={"a": 2.0}),
    ]
    group = group_raw_score(members, WEIGHTING)
    first = group.members[0]
    assert (first.person_id, first.raw, first.share) == ("p1", 4.0, 0.625)
    assert dict(first.by_type) == {"a": 3.0 * 0.625, "b": 1.0 * 0.625}


def test_a_role_without_weighting_is_refused() -> None:
    members = [MemberScore(person_id="p1", role="Buyer")]
    with pytest.raises(BadInput, match="member 'p1': role 'Buyer' has weighting None"):
        group_raw_score(members, WEIGHTING)


def test_a_person_may_appear_once() -> None:
    members = [
        MemberScore(person_id="p1", role="Influencer"),
        MemberScore(person_id="p1", role="Champion"),
    ]
    with pytest.raises(BadInput, match="member 'p1': appears twice"):
        group_raw_score(members, WEIGHTING)


def test_negative_points_are_refused() -> None:
    with pytest.raises(BadInput, match="points of 'a'"):
        MemberScore(person_id="p1", role="Influencer", by_type={"a": -1.0})


def test_person_raw_score_of_an_empty_log_is_zero() -> None:
    assert person_raw_score(EMPTY_LOG, TODAY, ALL_100) == 0.0


@pytest.mark.parametrize(
    ("raw", "reference", "expected"),
    [(0.0, 10.0, 0.0), (10.0, 10.0, 100.0), (2.5, 10.0, 50.0), (1000.0, 10.0, 100.0)],
)
def test_normalised_score(raw: float, reference: float, expected: float) -> None:
    assert normalised_score(raw, reference) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "reference", "field"),
    [
        (-1.0, 10.0, "raw"),
        (math.nan, 10.0, "raw"),
        (1.0, 0.0, "reference"),
        (1.0, -2.0, "reference"),
    ],
)
def test_normalised_score_refuses_bad_numbers(raw: float, reference: float, field: str) -> None:
    with pytest.raises(BadInput, match=f"^{field}: "):
        normalised_score(raw, reference)


@given(
    raw=st.floats(min_value=0, max_value=1e9),
    reference=st.floats(min_value=1e-6, max_value=1e9),
)
def test_normalised_scores_stay_within_0_and_100(raw: float, reference: float) -> None:
    score = normalised_score(raw, reference)
    assert 0.0 <= score <= 100.0
    assert (score > 0.0) == (raw > 0.0)


_members = st.dictionaries(
    st.sampled_from(["p1", "p2", "p3", "p4", "p5"]),
    st.tuples(
        st.sampled_from(sorted(WEIGHTING)),
        st.dictionaries(
            st.sampled_from(["a", "b", "c"]), st.integers(0, 5000).map(lambda n: n / 100)
        ),
    ),
).map(
    lambda drawn: [
        MemberScore(person_id=person, role=role, by_type=by_type)
        for person, (role, by_type) in drawn.items()
    ]
)


@given(members=_members)
def test_group_raw_is_a_weighted_mean_of_role_raws(members: list[MemberScore]) -> None:
    group = group_raw_score(members, WEIGHTING)
    assert group.total >= 0
    role_raws = [role.raw for role in group.roles]
    assert min(role_raws, default=0.0) - 1e-9 <= group.total <= max(role_raws, default=0.0) + 1e-9
    assert math.fsum(role.points for role in group.roles) == pytest.approx(group.total)
    assert math.fsum(role.share for role in group.roles) == pytest.approx(1.0 if members else 0.0)
