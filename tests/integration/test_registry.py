"""Our schemas in a real Confluent-compatible registry (Apicurio); records through its framing."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import uuid
from typing import Any

import httpx
import pytest
from fastavro import parse_schema, schemaless_writer
from fastavro.schema import to_parsing_canonical_form

from events import registry_framing
from events.codec import Codec
from events.conversion import to_avro
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.errors import BadInput, Unavailable
from events.records import AccountEvent
from events.schemas import default_catalog, fingerprint
from events.topics import Topics
from streams.runtime.registry import (
    RegistryCodec,
    SchemaRegistry,
    connect_codec,
    register_schemas,
    subjects,
)
from tests.golden.samples import SAMPLES

pytestmark = pytest.mark.integration
CATALOG = default_catalog()


def _topics() -> Topics:
    return Topics.with_prefix(f"it-{uuid.uuid4().hex[:8]}")


async def test_every_top_level_schema_is_registered_under_its_subject(
    schema_registry_url: str,
) -> None:
    topics = _topics()
    ids = await register_schemas(SchemaRegistry(schema_registry_url), topics, CATALOG)
    assert set(ids.ids_by_name) == set(CATALOG.current)
    async with httpx.AsyncClient(base_url=schema_registry_url) as client:
        registered = set((await client.get("/subjects")).json())
        for name, subject in subjects(topics).items():
            assert subject in registered
            latest = (await client.get(f"/subjects/{subject}/versions/latest")).json()
            assert latest["id"] == ids.ids_by_name[name]
            stored = CATALOG.current[name]
            assert _fingerprint_of(latest["schema"]) == stored.fingerprint
    assert subjects(topics)["buying_groups.PersonEvent"] == f"{topics.persons}-value"
    assert subjects(topics)["buying_groups.StageCommand"] == (
        f"{topics.commands}-buying_groups.StageCommand"
    )


async def test_registering_twice_gives_the_same_ids(schema_registry_url: str) -> None:
    topics = _topics()
    registry = SchemaRegistry(schema_registry_url)
    first = await register_schemas(registry, topics, CATALOG)
    again = await register_schemas(SchemaRegistry(schema_registry_url), topics, CATALOG)
    assert dict(first.ids_by_name) == dict(again.ids_by_name)


async def test_every_sample_round_trips_through_confluent_framing(
    schema_registry_url: str,
) -> None:
    writer = await connect_codec(schema_registry_url, _topics(), Codec())
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    for name, sample in SAMPLES.items():
        data = writer.encode(sample)
        assert data[0] == 0, name
        schema_id = int.from_bytes(data[1:5], "big")
        assert writer.codec.registry is not None
        assert schema_id in writer.codec.registry.schemas_by_id
        decoded = await reader.decode(data)
        assert isinstance(decoded, Decoded), (name, decoded)
        assert decoded.record == sample


async def test_an_older_version_registered_by_another_producer_is_read(
    schema_registry_url: str,
) -> None:
    registry = SchemaRegistry(schema_registry_url)
    old = CATALOG.versions("buying_groups.AccountEvent")[0]
    subject = f"{_topics().accounts}-value"
    old_id = await registry.register(subject, old)
    buffer = io.BytesIO()
    schemaless_writer(buffer, old.parsed, to_avro(SAMPLES["AccountEvent"]))
    data = registry_framing.frame(old_id, buffer.getvalue())

    assert isinstance(Codec().decode(data), DecodeFailure)
    reader = RegistryCodec(registry=registry, codec=Codec())
    decoded = await reader.decode(data)
    assert isinstance(decoded, Decoded)
    assert decoded.writer == "buying_groups.AccountEvent.v1"
    sample = SAMPLES["AccountEvent"]
    assert isinstance(sample, AccountEvent)
    assert decoded.record == dataclasses.replace(sample, parent_account_id=None)


async def test_an_id_the_registry_does_not_have_stays_a_failure(schema_registry_url: str) -> None:
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    data = registry_framing.frame(2_000_000_000, b"\x02x")
    for _ in range(2):
        failure = await reader.decode(data)
        assert isinstance(failure, DecodeFailure)
        assert failure.kind == FailureKind.UNKNOWN_SCHEMA_ID
    assert reader.unknown_ids == {2_000_000_000}


async def test_an_incompatible_schema_is_refused_as_bad_input(schema_registry_url: str) -> None:
    registry = SchemaRegistry(schema_registry_url)
    subject = f"{_topics().accounts}-value"
    current = CATALOG.current["buying_groups.AccountEvent"]
    await registry.register(subject, current)  # sets the subject's compatibility: BACKWARD
    tier = {"name": "tier", "type": "string", "doc": "A new field without default."}
    broken = {**current.schema, "fields": [*current.schema["fields"], tier]}
    with pytest.raises(BadInput, match="refused"):
        await registry.register(subject, dataclasses.replace(current, schema=broken))


async def test_an_unreachable_registry_is_unavailable() -> None:
    registry = SchemaRegistry("http://127.0.0.1:9/apis/ccompat/v7", timeout_s=2.0)
    with pytest.raises(Unavailable, match="schema registry"):
        await register_schemas(registry, Topics(), CATALOG)
    with pytest.raises(Unavailable):
        await registry.fetch(1, CATALOG)


async def test_every_subject_is_registered_with_backward_compatibility(
    schema_registry_url: str,
) -> None:
    topics = _topics()
    stricter = subjects(topics)["buying_groups.ConfigRecord"]
    async with httpx.AsyncClient(base_url=schema_registry_url) as client:
        response = await client.put(f"/config/{stricter}", json={"compatibility": "FULL"})
        assert response.is_success, response.text
        await register_schemas(SchemaRegistry(schema_registry_url), topics, CATALOG)
        for subject in subjects(topics).values():
            level = (await client.get(f"/config/{subject}")).json()["compatibilityLevel"]
            assert level == ("FULL" if subject == stricter else "BACKWARD"), subject


async def test_two_processes_registering_at_once_both_succeed(schema_registry_url: str) -> None:
    """Two workers (or a worker and `config apply`) set a new subject's compatibility at the same
    moment: Apicurio refuses the second rule (409); it is read again, not an error."""
    for _ in range(3):
        topics = _topics()
        first, second = await asyncio.gather(
            register_schemas(SchemaRegistry(schema_registry_url), topics, CATALOG),
            register_schemas(SchemaRegistry(schema_registry_url), topics, CATALOG),
        )
        assert dict(first.ids_by_name) == dict(second.ids_by_name)
        registry = SchemaRegistry(schema_registry_url)
        for subject in subjects(topics).values():
            assert await registry.compatibility(subject) == "BACKWARD"


async def _register_raw(url: str, subject: str, body: dict[str, Any]) -> int:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(f"/subjects/{subject}/versions", json=body)
        assert response.is_success, response.text
        schema_id: int = response.json()["id"]
        return schema_id


def _written_with(schema: dict[str, Any], datum: dict[str, Any], schema_id: int) -> bytes:
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(schema, named_schemas={}), datum)
    return registry_framing.frame(schema_id, buffer.getvalue())


async def test_a_schema_with_references_is_read_as_the_version_it_is(
    schema_registry_url: str,
) -> None:
    prefix = _topics().commands
    command = CATALOG.current["buying_groups.MembershipCommand"].schema
    references = []
    fields = []
    for field in command["fields"]:
        kind = field["type"]
        if isinstance(kind, dict) and kind.get("type") == "enum":
            name = f"buying_groups.{kind['name']}"
            subject = f"{prefix}-{name}"
            await _register_raw(schema_registry_url, subject, {"schema": json.dumps(kind)})
            references.append({"name": name, "subject": subject, "version": 1})
            field = {**field, "type": name}  # noqa: PLW2901 (the field as registered)
        fields.append(field)
    assert len(references) == 2  # Source, MembershipAction
    referring = {**command, "fields": fields}
    schema_id = await _register_raw(
        schema_registry_url,
        f"{prefix}-buying_groups.MembershipCommand",
        {"schema": json.dumps(referring), "references": references},
    )
    data = _written_with(command, to_avro(SAMPLES["MembershipCommand"]), schema_id)
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    decoded = await reader.decode(data)
    assert isinstance(decoded, Decoded), decoded
    assert decoded.record == SAMPLES["MembershipCommand"]
    assert decoded.writer == CATALOG.current["buying_groups.MembershipCommand"].label


async def test_a_schema_that_cannot_be_used_is_refused_with_its_reason(
    schema_registry_url: str,
) -> None:
    subject = f"{_topics().accounts}-value"
    json_schema = {"type": "object", "properties": {"account_id": {"type": "string"}}}
    schema_id = await _register_raw(
        schema_registry_url, subject, {"schemaType": "JSON", "schema": json.dumps(json_schema)}
    )
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    for _ in range(2):  # the second time from what the codec remembers
        failure = await reader.decode(registry_framing.frame(schema_id, b"\x02x"))
        assert isinstance(failure, DecodeFailure)
        assert failure.kind == FailureKind.UNUSABLE_SCHEMA
        assert failure.message == (
            f"registry schema id {schema_id} cannot be used: a JSON schema, not Avro"
        )


async def test_a_writer_schema_that_does_not_resolve_is_named_by_id_and_field(
    schema_registry_url: str,
) -> None:
    current = CATALOG.current["buying_groups.AccountEvent"].schema
    fields = [f for f in current["fields"] if f["name"] != "account_id"]
    stranger = {**current, "fields": fields}
    subject = f"{_topics().accounts}-value"
    schema_id = await _register_raw(schema_registry_url, subject, {"schema": json.dumps(stranger)})
    datum = {k: v for k, v in to_avro(SAMPLES["AccountEvent"]).items() if k != "account_id"}
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    failure = await reader.decode(_written_with(stranger, datum, schema_id))
    assert isinstance(failure, DecodeFailure)
    assert failure.kind == FailureKind.INCOMPATIBLE_SCHEMA
    assert failure.message == (
        f"registry schema id {schema_id} (buying_groups.AccountEvent, a version not in avro/) "
        "cannot be read as buying_groups.AccountEvent.v2: AccountEvent.account_id: the writer "
        "has no such field and the reader's has no default"
    )


def _fingerprint_of(schema_text: str) -> bytes:
    return fingerprint(to_parsing_canonical_form(json.loads(schema_text)))
