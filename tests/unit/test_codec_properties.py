"""Properties of the codec over generated records and bytes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.records import TOPIC_RECORD_TYPES
from events.registry_framing import RegistryIds
from events.schemas import default_catalog, full_name
from tests.unit.record_strategies import records

CODEC = Codec()
CATALOG = default_catalog()
REGISTRY = Codec(
    registry=RegistryIds(
        ids_by_name={name: i + 1 for i, name in enumerate(CATALOG.current)},
        schemas_by_id={i + 1: ws for i, ws in enumerate(CATALOG.current.values())},
    )
)
ANY_RECORD = st.one_of([records(cls) for cls in TOPIC_RECORD_TYPES])


@pytest.mark.parametrize("cls", TOPIC_RECORD_TYPES, ids=lambda cls: cls.__name__)
@settings(max_examples=60)
@given(data=st.data())
def test_every_record_round_trips(cls: type[Any], data: st.DataObject) -> None:
    record = data.draw(records(cls))
    decoded = CODEC.decode(CODEC.encode(record))
    assert isinstance(decoded, Decoded), decoded
    assert decoded.record == record
    assert decoded.writer == CATALOG.current[full_name(cls.__name__)].label


@given(record=ANY_RECORD)
def test_every_record_round_trips_through_registry_framing(record: Any) -> None:
    data = REGISTRY.encode(record)
    assert data[0] == 0
    decoded = REGISTRY.decode(data)
    assert isinstance(decoded, Decoded)
    assert decoded.record == record


@given(data=st.binary(max_size=200))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = REGISTRY.decode(data)
    assert isinstance(result, (Decoded, DecodeFailure))


@given(body=st.binary(max_size=200), index=st.integers(0, len(CATALOG.current) - 1))
def test_random_bodies_behind_a_valid_header_never_raise(body: bytes, index: int) -> None:
    writer = list(CATALOG.current.values())[index]
    result = CODEC.decode(b"\xc3\x01" + writer.fingerprint + body)
    assert isinstance(result, (Decoded, DecodeFailure))


@given(record=ANY_RECORD, data=st.data())
def test_any_cut_of_an_encoding_is_a_truncation(record: Any, data: st.DataObject) -> None:
    encoded = CODEC.encode(record)
    cut = data.draw(st.integers(0, len(encoded) - 1))
    failure = CODEC.decode(encoded[:cut])
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.TRUNCATED


@given(record=ANY_RECORD, data=st.data())
def test_flipped_bytes_never_raise(record: Any, data: st.DataObject) -> None:
    encoded = bytearray(CODEC.encode(record))
    index = data.draw(st.integers(0, len(encoded) - 1))
    encoded[index] ^= data.draw(st.integers(1, 255))
    result = CODEC.decode(bytes(encoded))
    assert isinstance(result, (Decoded, DecodeFailure))
