"""The codec: round trips, framing, and every kind of bad input as a DecodeFailure value."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer

from events import single_object
from events.codec import Codec
from events.conversion import to_avro
from events.decoding import Decoded, DecodeFailure, FailureKind, Limits, future_timestamp_failure
from events.errors import BadInput
from events.records import (
    AccountEvent,
    ActivityEvent,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    MembershipCommand,
    PersonEvent,
    SolutionInterestDefinition,
    StageCommand,
    TopicRecord,
)
from events.schemas import default_catalog
from tests.golden.samples import AT, PERSON, SAMPLES

CODEC = Codec()


def _failure(data: bytes, codec: Codec = CODEC) -> DecodeFailure:
    decoded = codec.decode(data)
    assert isinstance(decoded, DecodeFailure), decoded
    return decoded


def _body(record: TopicRecord) -> bytes:
    return CODEC.encode(record)[single_object.HEADER_SIZE :]


def _frame_as(name: str, body: bytes) -> bytes:
    return single_object.frame(default_catalog().current[name].fingerprint, body)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_round_trips(name: str) -> None:
    decoded = CODEC.decode(CODEC.encode(SAMPLES[name]))
    assert isinstance(decoded, Decoded)
    assert decoded.record == SAMPLES[name]
    assert type(decoded.record) is type(SAMPLES[name])


def test_encoding_is_single_object_with_the_current_fingerprint() -> None:
    data = CODEC.encode(PERSON)
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == default_catalog().current["buying_groups.PersonEvent"].fingerprint


def test_decode_as_narrows_to_the_expected_type() -> None:
    decoded = CODEC.decode_as(CODEC.encode(PERSON), PersonEvent)
    assert isinstance(decoded, Decoded)
    assert decoded.record.person_id == "p-1"
    assert decoded.writer == "buying_groups.PersonEvent.v1"


def test_a_record_of_another_type_is_refused_naming_both() -> None:
    failure = CODEC.decode_as(CODEC.encode(PERSON), AccountEvent)
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.WRONG_RECORD_TYPE
    assert failure.message == "expected AccountEvent, got buying_groups.PersonEvent.v1"
    commands = CODEC.decode(
        CODEC.encode(SAMPLES["StageCommand"]), (MembershipCommand, StageCommand)
    )
    assert isinstance(commands, Decoded)


def test_every_prefix_of_a_record_is_truncated() -> None:
    data = CODEC.encode(SAMPLES["ConfigRecord-roles_template"])
    for length in range(len(data)):
        failure = _failure(data[:length])
        assert failure.kind == FailureKind.TRUNCATED, (length, failure)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", FailureKind.TRUNCATED),
        (b"\xc3", FailureKind.TRUNCATED),
        (b"\x00\x00\x01", FailureKind.TRUNCATED),
        (b'{"person_id": 1}', FailureKind.BAD_MARKER),
        (b"\xc3\x02" + b"\x00" * 20, FailureKind.BAD_MARKER),
    ],
)
def test_headers_that_are_short_or_unknown_are_refused(data: bytes, kind: FailureKind) -> None:
    assert _failure(data).kind == kind


def test_wrong_marker_names_the_bytes_found() -> None:
    failure = _failure(b"\x7b\x22rest")
    assert failure.kind == FailureKind.BAD_MARKER
    assert "7b 22" in failure.message


def test_unknown_fingerprint_is_refused() -> None:
    data = CODEC.encode(PERSON)
    failure = _failure(data[:2] + b"\x01" * 8 + data[10:])
    assert failure.kind == FailureKind.UNKNOWN_FINGERPRINT
    assert "0101010101010101" in failure.message


def _person_schema_with_int_person_id() -> dict[str, Any]:
    schema = default_catalog().current["buying_groups.PersonEvent"].schema
    fields = [
        {**field, "type": "int"} if field["name"] == "person_id" else field
        for field in schema["fields"]
    ]
    return {**schema, "fields": fields}


def test_a_record_written_with_a_different_schema_is_refused() -> None:
    foreign = _person_schema_with_int_person_id()
    datum = {**to_avro(PERSON), "person_id": 1_000_000}
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(foreign), datum)
    # Framed honestly, the schema is unknown.
    honest = _failure(single_object.frame(b"\x11" * 8, buffer.getvalue()))
    assert honest.kind == FailureKind.UNKNOWN_FINGERPRINT
    # Framed as if it were a PersonEvent, the body does not read as one.
    lying = _failure(_frame_as("buying_groups.PersonEvent", buffer.getvalue()))
    assert lying.kind in (FailureKind.TRUNCATED, FailureKind.SCHEMA_VIOLATION)
    assert "buying_groups.PersonEvent.v1" in lying.message


def test_an_enum_index_out_of_range_is_a_schema_violation() -> None:
    body = bytearray(_body(SAMPLES["ConfigRecord-role"]))
    kind_at = 1 + len("evt-1") + 6  # event_id, then occurred_at as a 6-byte varint
    assert body[kind_at] == 0  # the index of 'role'
    body[kind_at] = 2 * 40  # index 40, zig-zag encoded
    failure = _failure(_frame_as("buying_groups.ConfigRecord", bytes(body)))
    assert failure.kind == FailureKind.SCHEMA_VIOLATION


def test_invalid_utf8_is_a_schema_violation() -> None:
    body = bytearray(_body(PERSON))
    body[1] = 0xFF  # first character of event_id
    failure = _failure(_frame_as("buying_groups.PersonEvent", bytes(body)))
    assert failure.kind == FailureKind.SCHEMA_VIOLATION
    assert "UnicodeDecodeError" in failure.message


def test_bytes_after_the_record_are_a_schema_violation() -> None:
    failure = _failure(CODEC.encode(PERSON) + b"\x00\x00")
    assert failure.kind == FailureKind.SCHEMA_VIOLATION
    assert "2 bytes left" in failure.message


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (dataclasses.replace(PERSON, event_id=""), "PersonEvent.event_id"),
        (dataclasses.replace(PERSON, person_id="  "), "PersonEvent.person_id"),
        (
            ActivityEvent(
                event_id="e", occurred_at=AT, activity_id="", person_id="p", activity_type="x"
            ),
            "ActivityEvent.activity_id",
        ),
        (
            ConfigRecord(
                event_id="e",
                occurred_at=AT,
                kind=ConfigKind.SOLUTION_INTEREST,
                id="si-1",
                body=SolutionInterestDefinition(name="n", roles_template_id=""),
            ),
            "ConfigRecord.body.roles_template_id",
        ),
    ],
)
def test_missing_required_ids_are_refused_naming_the_field(record: TopicRecord, path: str) -> None:
    failure = _failure(CODEC.encode(record))
    assert failure.kind == FailureKind.MISSING_REQUIRED_ID
    assert failure.message.startswith(f"{path}: required id is empty")


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (dataclasses.replace(PERSON, person_id="p\x00people:1"), "PersonEvent.person_id"),
        (dataclasses.replace(PERSON, account_id="a\x00"), "PersonEvent.account_id"),
    ],
)
def test_ids_holding_a_nul_character_are_refused_naming_the_field(
    record: TopicRecord, path: str
) -> None:
    failure = _failure(CODEC.encode(record))
    assert failure.kind == FailureKind.SCHEMA_VIOLATION
    assert failure.message.startswith(f"{path}: id holds a NUL character")


def test_optional_ids_may_be_absent() -> None:
    record = dataclasses.replace(PERSON, account_id=None)
    assert isinstance(CODEC.decode(CODEC.encode(record)), Decoded)


LIMITS = Limits(max_bytes=2000, max_string_chars=50, max_map_entries=3, max_array_items=2)
SMALL = Codec(limits=LIMITS)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            dataclasses.replace(PERSON, job_title="x" * 51),
            "PersonEvent.job_title: 51 characters, at most 50 allowed",
        ),
        (
            dataclasses.replace(PERSON, attributes={"a": "x" * 60}),
            "PersonEvent.attributes['a']: 60 characters, at most 50 allowed",
        ),
        (
            dataclasses.replace(PERSON, attributes={"k" * 51: "v"}),
            f"PersonEvent.attributes[{'k' * 40!r}]: 51 characters, at most 50 allowed",
        ),
        (
            dataclasses.replace(PERSON, attributes={str(i): "v" for i in range(4)}),
            "PersonEvent.attributes: 4 entries, at most 3 allowed",
        ),
    ],
)
def test_values_beyond_the_limits_are_refused_naming_the_field(
    record: TopicRecord, message: str
) -> None:
    failure = _failure(CODEC.encode(record), SMALL)
    assert failure.kind == FailureKind.TOO_LARGE
    assert failure.message == message


def test_values_at_the_limits_are_accepted() -> None:
    record = dataclasses.replace(PERSON, attributes={str(i): "v" * 50 for i in range(3)})
    decoded = SMALL.decode(CODEC.encode(record))
    assert isinstance(decoded, Decoded)
    assert decoded.record == record


def test_arrays_beyond_the_limit_are_refused() -> None:
    record = SAMPLES["ScoreChanged"]
    tiny = Codec(limits=Limits(max_array_items=1))
    failure = tiny.decode(CODEC.encode(record))
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.TOO_LARGE
    assert failure.message == "ScoreChanged.role_completeness: 2 items, at most 1 allowed"


def test_values_beyond_the_byte_limit_are_refused_before_reading() -> None:
    data = CODEC.encode(dataclasses.replace(PERSON, attributes={"a": "x" * 3000}))
    failure = _failure(data, SMALL)
    assert failure.kind == FailureKind.TOO_LARGE
    assert failure.message == f"value of {len(data)} bytes, at most 2000 allowed"


def test_a_config_body_that_does_not_match_its_kind_is_refused() -> None:
    record = ConfigRecord(
        event_id="e",
        occurred_at=AT,
        kind=ConfigKind.AUDIENCE,
        id="aud-1",
        body=CreationJobDefinition(solution_interest_id="si-1", audience_id="aud-1"),
    )
    failure = _failure(CODEC.encode(record))
    assert failure.kind == FailureKind.CONFIG_BODY_MISMATCH
    assert failure.message == (
        "ConfigRecord.body: kind 'audience' (aud-1) needs a AudienceDefinition, "
        "got a CreationJobDefinition"
    )


def test_failures_never_carry_personal_data() -> None:
    record = dataclasses.replace(PERSON, person_id="", email="secret@example.com")
    failure = _failure(CODEC.encode(record))
    assert "secret" not in failure.message
    body = bytearray(_body(dataclasses.replace(PERSON, first_name="Zoé")))
    index = bytes(body).index("é".encode())
    body[index] = 0xFF
    broken = _failure(_frame_as("buying_groups.PersonEvent", bytes(body)))
    assert "Zo" not in broken.message


def test_a_failure_becomes_a_bad_input_error() -> None:
    failure = DecodeFailure(kind=FailureKind.TRUNCATED, message="value is empty")
    error = failure.as_error()
    assert isinstance(error, BadInput)
    assert str(error) == "truncated: value is empty"


def test_future_timestamps_beyond_five_minutes_are_refused() -> None:
    now = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    close = dataclasses.replace(PERSON, occurred_at=now + timedelta(minutes=5))
    far = dataclasses.replace(PERSON, occurred_at=now + timedelta(minutes=5, seconds=1))
    assert future_timestamp_failure(close, now=now) is None
    failure = future_timestamp_failure(far, now=now)
    assert failure is not None
    assert failure.kind == FailureKind.FUTURE_TIMESTAMP
    assert failure.message.startswith("PersonEvent.occurred_at: 2024-03-01T09:35:01+00:00 is 301s")


def test_a_symbol_the_record_does_not_know_is_a_schema_violation() -> None:
    current = default_catalog().current["buying_groups.MembershipCommand"]
    source = {"type": "enum", "name": "Source", "symbols": ["manual", "journey", "system", "api"]}
    schema = {
        **current.schema,
        "fields": [
            {**f, "type": source} if f["name"] == "source" else f for f in current.schema["fields"]
        ],
    }
    writer = dataclasses.replace(current, parsed=parse_schema(schema))
    catalog = dataclasses.replace(
        default_catalog(),
        current={**default_catalog().current, current.name: writer},
        by_fingerprint={current.fingerprint: writer},
    )
    buffer = io.BytesIO()
    datum = {**to_avro(SAMPLES["MembershipCommand"]), "source": "api"}
    schemaless_writer(buffer, writer.parsed, datum)
    failure = _failure(
        single_object.frame(current.fingerprint, buffer.getvalue()), Codec(catalog=catalog)
    )
    assert failure.kind == FailureKind.SCHEMA_VIOLATION
    assert "not a MembershipCommand: ValueError" in failure.message
