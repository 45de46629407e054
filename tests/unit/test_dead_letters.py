"""Dead letters keep the original bytes and say where they came from and why they failed."""

from __future__ import annotations

from datetime import UTC, datetime

from events.codec import Codec
from events.dead_letters import MAX_MESSAGE_CHARS, dead_letter
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.errors import BadInput
from events.records import DeadLetter

CODEC = Codec()
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_a_decode_failure_becomes_a_dead_letter_with_the_original_bytes() -> None:
    value = b"\xc3\x01\x00\x00"
    failure = CODEC.decode(value)
    assert isinstance(failure, DecodeFailure)
    letter = dead_letter(
        error=failure,
        key=b"p-1",
        value=value,
        topic="bg.persons",
        partition=2,
        offset=99,
        failed_at=NOW,
    )
    assert letter == DeadLetter(
        original_key=b"p-1",
        original_value=value,
        topic="bg.persons",
        partition=2,
        offset=99,
        error_kind="truncated",
        error_message="single-object header needs 10 bytes, got 4",
        failed_at=NOW,
    )


def test_a_bad_input_error_becomes_a_dead_letter() -> None:
    letter = dead_letter(
        error=BadInput("MembershipCommand.source: 'system' is not allowed"),
        key=None,
        value=None,
        topic="bg.commands",
        partition=0,
        offset=0,
        failed_at=NOW,
    )
    assert letter.error_kind == "bad_input"
    assert letter.error_message == "MembershipCommand.source: 'system' is not allowed"
    assert letter.original_key is None


def test_long_messages_are_cut() -> None:
    letter = dead_letter(
        error=BadInput("x" * 5000),
        key=None,
        value=b"",
        topic="bg.config",
        partition=0,
        offset=1,
        failed_at=NOW,
    )
    assert len(letter.error_message) == MAX_MESSAGE_CHARS


def test_a_dead_letter_round_trips_with_its_bytes() -> None:
    letter = dead_letter(
        error=DecodeFailure(kind=FailureKind.BAD_MARKER, message="value starts with 7b 22"),
        key=b"\xff\x00",
        value=b'{"x": 1}',
        topic="bg.activities",
        partition=5,
        offset=2**40,
        failed_at=NOW,
    )
    decoded = CODEC.decode(CODEC.encode(letter))
    assert isinstance(decoded, Decoded)
    assert decoded.record == letter
