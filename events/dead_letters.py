"""Dead letters: an unusable input, with its original bytes, where it was read and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from events.decoding import DecodeFailure
from events.errors import BadInput
from events.records import DeadLetter

MAX_MESSAGE_CHARS = 1000


class DeadLetterKind(StrEnum):
    """Why an input was dead-lettered, beside the decoding failures (``FailureKind``)."""

    BAD_INPUT = "bad_input"
    PROCESSING_ERROR = "processing_error"
    PARKING_FULL = "parking_full"
    UNKNOWN_PERSON = "unknown_person"
    PERSON_DELETED = "person_deleted"
    PERSON_WITHOUT_ACCOUNT = "person_without_account"
    CONFIG_REFUSED = "config_refused"
    BAD_KEY = "bad_key"


def dead_letter(
    *,
    error: DecodeFailure | BadInput,
    key: bytes | None,
    value: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    failed_at: datetime,
) -> DeadLetter:
    """The dead letter of the input at `topic`/`partition`/`offset` that failed with `error`.

    Its Kafka key is the original key. The error message is cut to `MAX_MESSAGE_CHARS`.
    """
    if isinstance(error, DecodeFailure):
        kind, message = str(error.kind), error.message
    else:
        kind, message = str(DeadLetterKind.BAD_INPUT), str(error)
    return DeadLetter(
        original_key=key,
        original_value=value,
        topic=topic,
        partition=partition,
        offset=offset,
        error_kind=kind,
        error_message=message[:MAX_MESSAGE_CHARS],
        failed_at=failed_at,
    )
