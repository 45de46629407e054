"""Explanations: which members, roles and activity types moved a score, and by how much."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from state.scoring.group_moves import Contribution
from state.scoring.person import ActivityContribution, explain_person_change
from tests.oracles.scores import (
    EMPTY_GROUP_RAW,
    GroupRaw,
    MemberScore,
    explain_group_change,
    group_raw_score,
    role_share_changes,
)

WEIGHTING = {"Decision Maker": 100, "Influencer": 80, "Practitioner": 60}


def _member(person_id: str, role: str, **by_type: float) -> MemberScore:
    return MemberScore(person_id=person_id, role=role, by_type=by_type)


def test_an_activity_moves_one_part_of_the_group() -> None:
    before = group_raw_score(
        [_member("p1", "Influencer", page_viewed=2.0), _member("p2", "Influencer", email_opened=1)],
        WEIGHTING,
    )
    after = group_raw_score(
        [_member("p1", "Influencer", page_viewed=3.0), _member("p2", "Influencer", email_opened=1)],
        WEIGHTING,
    )
    assert explain_group_change(before, after) == (
        Contribution(
            role="Influencer",
            person_id="p1",
            activity_type="page_viewed",
            share_before=1.0,
            share_after=1.0,
            raw_before=2.0,
            raw_after=3.0,
        ),
    )
    assert role_share_changes(before, after) == ()


def test_a_new_role_dilutes_the_others_and_the_explanation_says_so() -> None:
    before = group_raw_score([_member("p1", "Influencer", page_viewed=8.0)], WEIGHTING)
    after = group_raw_score(
        [
            _member("p1", "Influencer", page_viewed=8.0),
            _member("p2", "Decision Maker", form_filled=4),
        ],
        WEIGHTING,
    )
    contributions = explain_group_change(before, after)
    assert [item.person_id for item in contributions] == ["p1", "p2"]
    assert [item.raw_before for item in contributions] == [8.0, 0.0]
    assert [item.raw_after for item in contributions] == pytest.approx(
        [8 * 80 / 180, 4 * 100 / 180]
    )
    assert contributions[0].share_before == 1.0
    assert contributions[0].share_after == pytest.approx(80 / 180)
    shares = role_share_changes(before, after)
    assert [(item.role, item.share_before) for item in shares] == [
        ("Decision Maker", 0.0),
        ("Influencer", 1.0),
    ]


def test_a_role_change_moves_points_from_one_role_to_the_other() -> None:
    before = group_raw_score(
        [_member("p1", "Influencer", a=6.0), _member("p2", "Practitioner", a=6.0)], WEIGHTING
    )
    after = group_raw_score(
        [_member("p1", "Practitioner", a=6.0), _member("p2", "Practitioner", a=6.0)], WEIGHTING
    )
    parts = {
        (item.role, item.person_id): item.change for item in explain_group_change(before, after)
    }
    assert parts.keys() == {("Influencer", "p1"), ("Practitioner", "p1"), ("Practitioner", "p2")}
    assert math.fsum(parts.values()) == pytest.approx(after.total - before.total)


def test_nothing_moved_explains_nothing() -> None:
    group = group_raw_score([_member("p1", "Influencer", a=1.0)], WEIGHTING)
    assert explain_group_change(group, group) == ()
    assert explain_group_change(EMPTY_GROUP_RAW, EMPTY_GROUP_RAW) == ()


def test_person_change_lists_moved_types_largest_first() -> None:
    before = {"page_viewed": 4.0, "email_opened": 0.3, "form_filled": 0.4}
    after = {"page_viewed": 0.4, "email_opened": 0.6, "form_filled": 0.4}
    assert explain_person_change(before, after) == (
        ActivityContribution(activity_type="page_viewed", raw_before=4.0, raw_after=0.4),
        ActivityContribution(activity_type="email_opened", raw_before=0.3, raw_after=0.6),
    )
    appeared = explain_person_change({}, {"link_clicked": 0.4})
    assert appeared == (
        ActivityContribution(activity_type="link_clicked", raw_before=0.0, raw_after=0.4),
    )


_groups = (
    st.dictionaries(
        st.sampled_from(["p1", "p2", "p3", "p4"]),
        st.tuples(
            st.sampled_from(sorted(WEIGHTING)),
            st.dictionaries(
                st.sampled_from(["a", "b"]), st.integers(0, 5000).map(lambda n: n / 100)
            ),
        ),
    )
    .map(
        lambda drawn: [
            MemberScore(person_id=person, role=role, by_type=by_type)
            for person, (role, by_type) in drawn.items()
        ]
    )
    .map(lambda members: group_raw_score(members, WEIGHTING))
)


@given(before=_groups, after=_groups)
def test_contributions_add_up_to_the_group_change(before: GroupRaw, after: GroupRaw) -> None:
    contributions = explain_group_change(before, after)
    delta = math.fsum(item.change for item in contributions)
    assert delta == pytest.approx(after.total - before.total, abs=1e-9)
    assert all(item.raw_before != item.raw_after for item in contributions)
    changes = [abs(item.change) for item in contributions]
    assert changes == sorted(changes, reverse=True)
