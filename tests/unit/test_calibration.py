"""Calibration of the normalisation reference."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.errors import BadInput
from state.scoring.calibration import (
    Reference,
    calibrate,
    first_calibration,
    initial_reference,
    nearest_rank_percentile,
)

START = initial_reference(5.0)


def test_the_initial_reference_is_the_floor_at_version_0() -> None:
    assert initial_reference(5.0) == Reference(value=5.0, version=0)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, 1.0), (2, 2.0), (99, 99.0), (100, 99.0), (101, 100.0), (200, 198.0), (1000, 990.0)],
)
def test_the_99th_percentile_is_taken_by_nearest_rank(count: int, expected: float) -> None:
    ascending = [float(n) for n in range(1, count + 1)]
    assert nearest_rank_percentile(ascending, 99) == expected


def test_calibration_takes_the_99th_percentile_of_non_zero_raws() -> None:
    raws = [0.0] * 5000 + [float(n) for n in range(200, 0, -1)]
    assert calibrate(raws, 1.0, START) == Reference(value=198.0, version=1)


def test_the_floor_keeps_the_reference_from_collapsing() -> None:
    assert calibrate([1.0, 2.0, 3.0], 10.0, Reference(value=50.0, version=4)) == Reference(
        value=10.0, version=5
    )
    assert calibrate([], 10.0, Reference(value=50.0, version=4)) == Reference(value=10.0, version=5)
    assert calibrate([0.0, 0.0], 10.0, Reference(value=50.0, version=4)).value == 10.0


def test_an_unchanged_value_keeps_the_version() -> None:
    previous = Reference(value=3.0, version=7)
    assert calibrate([1.0, 2.0, 3.0], 1.0, previous) is previous
    assert calibrate([], 5.0, START) is START


@pytest.mark.parametrize("raw", [-1.0, math.inf, math.nan])
def test_bad_raws_are_refused(raw: float) -> None:
    with pytest.raises(BadInput, match="raw score"):
        calibrate([1.0, raw], 1.0, START)


@pytest.mark.parametrize("floor", [0.0, -1.0, math.nan])
def test_the_floor_must_be_positive(floor: float) -> None:
    with pytest.raises(BadInput, match="calibration floor"):
        calibrate([1.0], floor, START)


def test_a_reference_must_be_positive_with_a_version() -> None:
    with pytest.raises(BadInput, match="reference value"):
        Reference(value=0.0, version=1)
    with pytest.raises(BadInput, match="reference version"):
        Reference(value=1.0, version=-1)


@given(
    raws=st.lists(st.floats(min_value=0, max_value=1e6), max_size=300),
    floor=st.floats(min_value=1e-3, max_value=100),
)
def test_the_reference_covers_99_percent_and_is_at_least_the_floor(
    raws: list[float], floor: float
) -> None:
    reference = calibrate(raws, floor, START)
    assert reference.value >= floor
    assert reference.version in {START.version, START.version + 1}
    non_zero = [raw for raw in raws if raw > 0]
    if non_zero:
        covered = sum(1 for raw in non_zero if raw <= reference.value)
        assert covered * 100 >= 99 * len(non_zero)
        assert reference.value == floor or reference.value in non_zero


def test_a_first_calibration_waits_for_enough_non_zero_raws() -> None:
    assert first_calibration([0.0, 0.0, 4.0], 1.0, START, minimum=2) is START
    assert first_calibration([0.0, 3.0, 4.0], 1.0, START, minimum=2) == Reference(
        value=4.0, version=1
    )


def test_a_first_calibration_leaves_a_calibrated_reference_alone() -> None:
    calibrated = Reference(value=4.0, version=1)
    assert first_calibration([9.0] * 50, 1.0, calibrated, minimum=2) is calibrated


def test_a_first_calibration_needs_a_minimum_of_at_least_one() -> None:
    with pytest.raises(BadInput, match="first calibration minimum: must be at least 1, got 0"):
        first_calibration([1.0], 1.0, START, minimum=0)
