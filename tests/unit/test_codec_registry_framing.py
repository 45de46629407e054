"""Confluent framing, given the schema ids a registry assigned."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastavro import schemaless_writer

from events import registry_framing
from events.codec import Codec
from events.conversion import to_avro
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.errors import BadInput
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


def _framed_with(
    schema: dict[str, Any], datum: dict[str, Any], schema_id: int
) -> tuple[Codec, bytes]:
    """A codec that knows `schema` as registry id `schema_id`, and `datum` written with it."""
    writer = schema_from_registry(json.dumps(schema), CATALOG)
    buffer = io.BytesIO()
    schemaless_writer(buffer, writer.parsed, datum)
    codec = Codec(registry=RegistryIds().with_schema(schema_id, writer, ours=False))
    return codec, registry_framing.frame(schema_id, buffer.getvalue())


def test_a_writer_schema_missing_a_required_field_is_an_incompatible_schema() -> None:
    current = CATALOG.current["buying_groups.AccountEvent"].schema
    without_name = [f for f in current["fields"] if f["name"] != "account_id"]
    datum = {k: v for k, v in to_avro(SAMPLES["AccountEvent"]).items() if k != "account_id"}
    codec, data = _framed_with({**current, "fields": without_name}, datum, 77)
    failure = codec.decode(data)
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.INCOMPATIBLE_SCHEMA
    assert "registry schema id 77" in failure.message
    assert "AccountEvent.account_id: the writer has no such field" in failure.message
    assert "cannot be read as buying_groups.AccountEvent.v2" in failure.message


def test_a_writer_field_of_another_type_is_an_incompatible_schema_naming_the_field() -> None:
    current = CATALOG.current["buying_groups.AccountEvent"].schema
    fields = [
        {**f, "type": ["null", "int"]} if f["name"] == "name" else f for f in current["fields"]
    ]
    datum = {**to_avro(SAMPLES["AccountEvent"]), "name": 7}
    codec, data = _framed_with({**current, "fields": fields}, datum, 78)
    failure = codec.decode(data)
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.INCOMPATIBLE_SCHEMA
    assert "registry schema id 78" in failure.message
    assert "AccountEvent.name: the writer's int matches no type of the reader's union" in (
        failure.message
    )


def test_a_registry_schema_with_references_is_made_self_contained() -> None:
    command = CATALOG.current["buying_groups.MembershipCommand"].schema
    source = CATALOG.definitions["buying_groups.Source"]
    action = CATALOG.definitions["buying_groups.MembershipAction"]
    referring = {
        **command,
        "fields": [{**f, "type": _named_reference(f["type"])} for f in command["fields"]],
    }
    found = schema_from_registry(
        json.dumps(referring), CATALOG, [json.dumps(source), json.dumps(action)]
    )
    assert found is CATALOG.current["buying_groups.MembershipCommand"]


def test_a_registry_schema_whose_references_are_missing_is_refused_with_the_type() -> None:
    command = CATALOG.current["buying_groups.MembershipCommand"].schema
    referring = {
        **command,
        "fields": [{**f, "type": _named_reference(f["type"])} for f in command["fields"]],
    }
    with pytest.raises(BadInput, match=r"buying_groups\.Source"):
        schema_from_registry(json.dumps(referring), CATALOG)
    with pytest.raises(BadInput, match="not a usable Avro record schema"):
        schema_from_registry("{not json", CATALOG)


def _named_reference(node: object) -> object:
    """A field type with the named types it defines inline replaced by their names."""
    if isinstance(node, dict) and node.get("type") in ("enum", "record"):
        return f"buying_groups.{node['name']}"
    if isinstance(node, list):
        return [_named_reference(branch) for branch in node]
    return node
