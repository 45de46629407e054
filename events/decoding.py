"""What decoding yields: a `Decoded` record or a `DecodeFailure` value, and the limits it enforces.

Decoding never raises on bad input; a failure is a value the caller dead-letters. Its `kind` is a
short, stable word (for metrics and `DeadLetter.error_kind`), its `message` names the field and
the value (ids and sizes, never personal data).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from events.errors import BadInput
from events.records import InputRecord

R_co = TypeVar("R_co", covariant=True)

MAX_CLOCK_SKEW = timedelta(minutes=5)


class FailureKind(enum.StrEnum):
    TRUNCATED = "truncated"
    BAD_MARKER = "bad_marker"
    UNKNOWN_FINGERPRINT = "unknown_fingerprint"
    UNKNOWN_SCHEMA_ID = "unknown_schema_id"
    SCHEMA_VIOLATION = "schema_violation"
    MISSING_REQUIRED_ID = "missing_required_id"
    WRONG_RECORD_TYPE = "wrong_record_type"
    TOO_LARGE = "too_large"
    CONFIG_BODY_MISMATCH = "config_body_mismatch"
    FUTURE_TIMESTAMP = "future_timestamp"
    INCOMPATIBLE_SCHEMA = "incompatible_schema"  # the writer schema does not resolve to ours
    UNUSABLE_SCHEMA = "unusable_schema"  # a registry schema that cannot be read (references, ...)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds enforced on decode; a value beyond one is a `too_large` failure naming the field."""

    max_bytes: int = 1_048_576
    max_string_chars: int = 4096
    max_map_entries: int = 100
    max_array_items: int = 1000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodeFailure:
    """Why bytes could not be used as a record."""

    kind: FailureKind
    message: str

    def as_error(self) -> BadInput:
        """The failure as an exception, for places that must raise."""
        return BadInput(f"{self.kind}: {self.message}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Decoded(Generic[R_co]):
    """A decoded record and the schema version it was written with (e.g. `...PersonEvent.v1`)."""

    record: R_co
    writer: str


def future_timestamp_failure(
    record: InputRecord, *, now: datetime, tolerance: timedelta = MAX_CLOCK_SKEW
) -> DecodeFailure | None:
    """A failure when `record.occurred_at` is more than `tolerance` after `now`, else None."""
    ahead = record.occurred_at - now
    if ahead <= tolerance:
        return None
    return DecodeFailure(
        kind=FailureKind.FUTURE_TIMESTAMP,
        message=(
            f"{type(record).__name__}.occurred_at: {record.occurred_at.isoformat()} is "
            f"{ahead.total_seconds():.0f}s after now ({now.isoformat()}); "
            f"at most {tolerance.total_seconds():.0f}s is allowed"
        ),
    )
