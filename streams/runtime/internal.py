"""Records on the engine's internal topics (encoded with streams.runtime.state_codec, never public).

- `account-changes` (key account_id): a routed input for one account, as the domain's `Change`.
- `account-ticks` / `person-ticks` (one record per partition): periodic work and config changes,
  handled by the partition's agent inside its stream, where table writes are allowed.
- `calibration` (one partition): each account partition's raw scores for one calibration round.
- `rerouted-people` / `rerouted-accounts` (key: the state key): an input record that arrived on
  another partition than its state key's (see streams.runtime.rerouting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from state.model.changes import Change, TickKind
from state.scoring.calibration import Reference


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutedChange:
    account_id: str
    change: Change


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    """Work for every key of one partition, at `at` (the injected clock of tests, else now).

    CONFIG names the config record (topic offset) that changed; CALIBRATION carries the new
    references; COLLECT asks for raw scores for calibration round `tick_id`, FIRST_COLLECT for a
    first-calibration round (answered with no raws by a partition whose references are calibrated).
    """

    tick_id: str
    kind: TickKind
    at: datetime
    config_offset: int | None = None
    person_reference: Reference | None = None
    group_reference: Reference | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rerouted:
    """An input record moved to the partition its state key belongs to, with where it was read
    (for dead letters) and its broker append time (its time of processing)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    appended_s: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationSample:
    round_id: str
    partition: int
    partitions: int
    at: datetime
    person_raws: tuple[float, ...]
    group_raws: tuple[float, ...]
    first: bool = False  # a first-calibration round (FIRST_COLLECT)

    def __setstate__(self, state: Sequence[object]) -> None:
        """Loads a sample stored before ``first`` existed (a scheduled round's)."""
        values = (*state, False) if len(state) == len(fields(self)) - 1 else tuple(state)
        for item, value in zip(fields(self), values, strict=True):
            object.__setattr__(self, item.name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationRound:
    """The samples of one round so far, and the references in force."""

    round_id: str
    samples: tuple[CalibrationSample, ...] = ()
