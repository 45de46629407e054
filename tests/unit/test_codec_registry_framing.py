"""Confluent framing, given the schema ids a registry assigned."""

from __future__ import annotations

import io
import json

from fastavro import schemaless_writer

from events import registry_framing
from events.codec import Codec
from events.conversion import to_avro
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.registry_framing import RegistryIds, schema_from_registry
from events.schemas import default_catalog
from tests.golden.samples import SAMPLES

CATALOG = default_catalog()
PERSON = CATALOG.current["buying_groups.PersonEvent"]
IDS = RegistryIds().with_schema(41, PERSON, ours=True)


def test_frame_is_magic_byte_big_endian_id_and_body() -> None:
    assert registry_framing.frame(258, b"body") == b"\x00\x00\x00\x01\x02body"
    parts = registry_framing.unframe(b"\x00\x00\x00\x01\x02body")
    assert parts == registry_framing.Framed(schema_id=258, body=b"body")
    assert registry_framing.unframe(b"\x00\x00\x01") is None


def test_records_with_a_registry_id_are_written_with_it() -> None:
    codec = Codec(registry=IDS)
    data = codec.encode(SAMPLES["PersonEvent"])
    assert data[:5] == b"\x00\x00\x00\x00\x29"
    decoded = codec.decode(data)
    assert isinstance(decoded, Decoded)
    assert decoded.record == SAMPLES["PersonEvent"]


def test_records_without_a_registry_id_fall_back_to_single_object() -> None:
    codec = Codec(registry=IDS)
    assert codec.encode(SAMPLES["AccountEvent"])[:2] == b"\xc3\x01"


def test_a_registry_codec_still_reads_single_object_values() -> None:
    data = Codec().encode(SAMPLES["PersonEvent"])
    assert isinstance(Codec(registry=IDS).decode(data), Decoded)


def test_unknown_schema_ids_are_refused() -> None:
    data = Codec(registry=IDS).encode(SAMPLES["PersonEvent"])
    unknown = Codec(registry=RegistryIds()).decode(data)
    assert isinstance(unknown, DecodeFailure)
    assert unknown.kind == FailureKind.UNKNOWN_SCHEMA_ID
    assert unknown.message == "schema id 41 is not known"
    without_registry = Codec().decode(data)
    assert isinstance(without_registry, DecodeFailure)
    assert without_registry.kind == FailureKind.UNKNOWN_SCHEMA_ID


def test_ids_for_reading_only_are_not_used_for_writing() -> None:
    ids = IDS.with_schema(7, CATALOG.current["buying_groups.AccountEvent"], ours=False)
    assert dict(ids.ids_by_name) == {"buying_groups.PersonEvent": 41}
    assert set(ids.schemas_by_id) == {41, 7}


def test_a_schema_text_from_the_registry_is_matched_to_its_version() -> None:
    old = CATALOG.versions("buying_groups.AccountEvent")[0]
    found = schema_from_registry(json.dumps(old.schema), CATALOG)
    assert found.label == "buying_groups.AccountEvent.v1"
    stranger = {**old.schema, "fields": old.schema["fields"][:3]}
    unknown = schema_from_registry(json.dumps(stranger), CATALOG)
    assert unknown.label == "buying_groups.AccountEvent.v0"
    assert unknown.fingerprint not in CATALOG.by_fingerprint


def test_a_newer_producers_schema_fetched_from_the_registry_is_read() -> None:
    current = CATALOG.current["buying_groups.AccountEvent"].schema
    tier = {"name": "tier", "type": ["null", "string"], "default": None, "doc": "Tier."}
    newer = schema_from_registry(
        json.dumps({**current, "fields": [*current["fields"], tier]}), CATALOG
    )
    buffer = io.BytesIO()
    schemaless_writer(buffer, newer.parsed, {**to_avro(SAMPLES["AccountEvent"]), "tier": "gold"})
    codec = Codec(registry=RegistryIds().with_schema(9, newer, ours=False))
    decoded = codec.decode(registry_framing.frame(9, buffer.getvalue()))
    assert isinstance(decoded, Decoded)
    assert decoded.record == SAMPLES["AccountEvent"]
    assert decoded.writer == "buying_groups.AccountEvent.v0"
