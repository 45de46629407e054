"""Calibration of the reference that normalises raw scores into 0..100.

The reference is the 99th percentile of the tenant's non-zero raw scores, by the nearest-rank
method: sort the n non-zero values ascending and take the one at rank ceil(99 * n / 100)
(1-based). It is never below a configured floor, so an empty or quiet tenant cannot collapse it.

Each reference carries a version. A calibration that yields the same value returns the previous
reference unchanged (same version): nothing was recalibrated, so no score needs re-emitting.
People and groups each have their own reference.

The first calibration need not wait for the schedule: until a reference is calibrated (version 0,
at its floor, where every score above the floor reads 100), ``first_calibration`` calibrates it
as soon as at least a minimum number of non-zero raws exist, and leaves a calibrated one alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from events.errors import BadInput

PERCENTILE = 99


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """A calibrated reference: ``value`` > 0, ``version`` >= 0 (0: the floor, never calibrated)."""

    value: float
    version: int

    def __post_init__(self) -> None:
        _check_positive("reference value", self.value)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            raise BadInput(f"reference version: must be an integer >= 0, got {self.version!r}")


def initial_reference(floor: float) -> Reference:
    """The reference before any calibration: the floor, version 0."""
    return Reference(value=floor, version=0)


def nearest_rank_percentile(ascending: Sequence[float], percentile: int) -> float:
    """The value at rank ceil(percentile * n / 100) of ``ascending`` (sorted, non-empty)."""
    if not ascending:
        raise BadInput("percentile: needs at least one value, got none")
    if not 0 < percentile <= 100:
        raise BadInput(f"percentile: must be 1..100, got {percentile!r}")
    rank = -(-percentile * len(ascending) // 100)
    return ascending[rank - 1]


def calibrate(raws: Iterable[float], floor: float, previous: Reference) -> Reference:
    """A new reference from the current raw scores; ``previous`` itself if the value is the same.

    Zero raws are left out; a negative or non-finite raw is refused (raw scores never are).
    """
    _check_positive("calibration floor", floor)
    non_zero = sorted(_checked(raws))
    value = max(nearest_rank_percentile(non_zero, PERCENTILE), floor) if non_zero else floor
    if value == previous.value:
        return previous
    return Reference(value=value, version=previous.version + 1)


def first_calibration(
    raws: Iterable[float], floor: float, previous: Reference, minimum: int
) -> Reference:
    """``calibrate`` for a reference still at its floor (version 0) once ``raws`` hold at least
    ``minimum`` non-zero values; ``previous`` itself otherwise (too few, or calibrated already)."""
    if minimum < 1:
        raise BadInput(f"first calibration minimum: must be at least 1, got {minimum!r}")
    if previous.version > 0:
        return previous
    non_zero = list(_checked(raws))
    if len(non_zero) < minimum:
        return previous
    return calibrate(non_zero, floor, previous)


def _checked(raws: Iterable[float]) -> Iterable[float]:
    for raw in raws:
        if not math.isfinite(raw) or raw < 0:
            raise BadInput(f"raw score: must be a finite number >= 0, got {raw!r}")
        if raw > 0:
            yield raw


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise BadInput(f"{name}: must be a positive number, got {value!r}")
