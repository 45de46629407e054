"""Completeness per role and per group, exactly as the spec's formula and tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state.catalogue.templates import Card
from state.scoring.completeness import (
    display_percent,
    group_completeness,
    role_completeness,
    roles_completeness,
)

SETTINGS = settings(max_examples=60, deadline=None)


def a_card(role: str, members_required: int = 1, *, required: bool = True) -> Card:
    return Card(
        role=role,
        weighting="normal",
        weight=60,
        auto_assign=False,
        condition=None,
        required_for_completeness=required,
        members_required=members_required,
    )


@pytest.mark.parametrize(
    ("assigned", "expected"),
    [(0, 0.0), (1, 100 / 3), (2, 200 / 3), (3, 100.0), (4, 100.0)],
)
def test_decision_maker_needing_three(assigned: int, expected: float) -> None:
    assert role_completeness(assigned, 3) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("assigned", "expected"), [(1, 20), (2, 40), (3, 60), (4, 80), (5, 100), (6, 100)]
)
def test_influencer_needing_five(assigned: int, expected: int) -> None:
    assert role_completeness(assigned, 5) == pytest.approx(expected)


def test_the_spec_table_as_people_read_it() -> None:
    shown = [display_percent(role_completeness(n, 3)) for n in range(5)]
    assert shown == [0, 33, 67, 100, 100]


def test_not_the_typo_formula() -> None:
    # (assigned - threshold) / threshold would give -33.33 for one member of three.
    assert role_completeness(1, 3) > 0


def test_four_required_roles_three_filled_is_seventy_five_percent() -> None:
    cards = tuple(a_card(role) for role in ("A", "B", "C", "D"))
    roles = roles_completeness(cards, {"A": 1, "B": 1, "C": 1})
    assert group_completeness(roles) == 75.0
    assert [role.completeness for role in roles] == [100.0, 100.0, 100.0, 0.0]


def test_only_required_roles_count() -> None:
    cards = (a_card("A"), a_card("B", required=False))
    roles = roles_completeness(cards, {"B": 1})
    assert [role.counts for role in roles] == [True, False]
    assert group_completeness(roles) == 0.0


def test_when_no_role_is_required_all_count() -> None:
    cards = (a_card("A", required=False), a_card("B", 2, required=False))
    roles = roles_completeness(cards, {"A": 1, "B": 1})
    assert all(role.counts for role in roles)
    assert group_completeness(roles) == 75.0


def test_full_precision_is_kept() -> None:
    cards = (a_card("A", 3),)
    assert group_completeness(roles_completeness(cards, {"A": 2})) == 200 / 3


@pytest.mark.parametrize(
    ("value", "shown"),
    [(66.67, 67), (66.66666666666667, 67), (12.5, 13), (33.333, 33), (0.5, 1), (99.49, 99)],
)
def test_display_percent_rounds_half_up(value: float, shown: int) -> None:
    assert display_percent(value) == shown


@SETTINGS
@given(
    requirements=st.lists(
        st.tuples(st.integers(1, 10), st.integers(0, 15), st.booleans()), min_size=1, max_size=8
    )
)
def test_completeness_stays_within_0_and_100(requirements: list[tuple[int, int, bool]]) -> None:
    cards = tuple(
        a_card(f"r{n}", required_count, required=required)
        for n, (required_count, _, required) in enumerate(requirements)
    )
    assigned = {f"r{n}": count for n, (_, count, _) in enumerate(requirements)}
    roles = roles_completeness(cards, assigned)
    assert all(0 <= role.completeness <= 100 for role in roles)
    assert 0 <= group_completeness(roles) <= 100
