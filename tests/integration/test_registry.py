"""Our schemas in a real Confluent-compatible registry (Apicurio); records through its framing."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid

import httpx
import pytest
from fastavro import schemaless_writer
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
    await registry.register(subject, current)
    async with httpx.AsyncClient(base_url=schema_registry_url) as client:
        response = await client.put(f"/config/{subject}", json={"compatibility": "BACKWARD"})
        assert response.is_success, response.text
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


def _fingerprint_of(schema_text: str) -> bytes:
    return fingerprint(to_parsing_canonical_form(json.loads(schema_text)))
