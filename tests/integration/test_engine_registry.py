"""With SCHEMA_REGISTRY_URL set, the worker registers the contract's schemas, reads inputs in
either framing and writes Confluent framing, against the real broker and a real registry."""

from __future__ import annotations

import io
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from fastavro import parse_schema, schemaless_writer

from events import registry_framing
from events.codec import Codec
from events.conversion import to_avro
from events.decoding import Decoded, DecodeFailure
from events.records import (
    AccountEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
)
from events.registry_framing import is_registry_framed
from events.schemas import default_catalog
from streams.ops.settings import Settings
from streams.runtime.registry import RegistryCodec, SchemaRegistry, connect_codec
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import (
    Tenant,
    dead_letter_of,
    engine_worker,
    tenant_settings,
)
from tests.services import Service

pytestmark = pytest.mark.integration


async def test_registry_framed_inputs_are_read_and_outputs_are_registry_framed(
    kafka: Service, schema_registry_url: str, tmp_path: Path
) -> None:
    settings = tenant_settings(kafka.address)
    tenant = Tenant(settings)
    await tenant.start()
    worker = engine_worker(settings, tmp_path)
    worker.env["SCHEMA_REGISTRY_URL"] = schema_registry_url
    try:
        await tenant.publish(*standard_config())
        await worker.ready()
        upstream = await connect_codec(schema_registry_url, settings.topics, Codec())
        now = datetime.now(UTC)
        account = AccountEvent(event_id="ae-1", occurred_at=now, account_id="acc-1", name="Initech")
        framed = upstream.encode(account)
        assert is_registry_framed(framed)
        await tenant.publish_raw(settings.topics.accounts, b"acc-1", framed)
        await tenant.publish(
            AudienceMembershipEvent(
                event_id="am-1", occurred_at=now, audience_id="aud-1", account_id="acc-1",
                member=True,
            ),
            PersonEvent(
                event_id="pe-1", occurred_at=now, person_id="p-1", account_id="acc-1",
                job_title="VP Security", country="US",
            ),
        )  # fmt: skip
        raw = await raw_values(settings.kafka.bootstrap_servers, settings.topics.group_lifecycle)
        raw += await raw_values(
            settings.kafka.bootstrap_servers, settings.topics.membership_changes
        )
        # the framed account was read: the group takes its name (at creation, or by a later
        # snapshot when the audience record was applied first; the topics have no common order)
        named = await snapshot_named(
            settings, schema_registry_url, "Security for Initech", seconds=60.0
        )
    finally:
        worker.stop()
        await tenant.stop()
    assert raw, "no output"
    assert all(is_registry_framed(value) for value in raw)
    reader = await connect_codec(schema_registry_url, settings.topics, Codec())
    decoded = [await reader.decode(value) for value in raw]
    assert not [d for d in decoded if isinstance(d, DecodeFailure)]
    records = [d.record for d in decoded if not isinstance(d, DecodeFailure)]
    created = [r for r in records if isinstance(r, GroupLifecycle)]
    assert [(r.account_id, r.solution_interest_id) for r in created] == [("acc-1", "si-1")]
    assert named, "no snapshot of the group carries the framed account's name"
    joined = [r for r in records if isinstance(r, MembershipChanged)]
    assert [(r.person_id, r.new_role) for r in joined] == [("p-1", "Decision Maker")]


async def snapshot_named(settings: Settings, registry_url: str, name: str, seconds: float) -> bool:
    """Whether a snapshot on the groups topic carries `name` within `seconds`."""
    reader = RegistryCodec(registry=SchemaRegistry(registry_url), codec=Codec())
    consumer = AIOKafkaConsumer(
        settings.topics.groups, **settings.kafka.client_options(), group_id=None,
        auto_offset_reset="earliest",
    )  # fmt: skip
    await consumer.start()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for value in (m.value for ms in batch.values() for m in ms if m.value is not None):
                decoded = await reader.decode_as(value, BuyingGroupSnapshot)
                if isinstance(decoded, Decoded) and decoded.record.name == name:
                    return True
        return False
    finally:
        await consumer.stop()


async def raw_values(bootstrap: str, topic: str, seconds: float = 60.0) -> list[bytes]:
    """The values of ``topic`` once at least one arrived (then one more second of polling)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
        client_id=f"raw-{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    await consumer.start()
    values: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        while not values and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            values += [m.value for ms in batch.values() for m in ms if m.value is not None]
        batch = await consumer.getmany(timeout_ms=1000)
        values += [m.value for ms in batch.values() for m in ms if m.value is not None]
    finally:
        await consumer.stop()
    return values


async def test_framed_config_is_read_and_an_unresolvable_writer_schema_is_dead_lettered(
    kafka: Service, schema_registry_url: str, tmp_path: Path
) -> None:
    settings = tenant_settings(kafka.address)
    upstream = await connect_codec(schema_registry_url, settings.topics, Codec())
    tenant = Tenant(settings, codec=upstream.codec)  # writes and reads Confluent framing
    await tenant.start()
    worker = engine_worker(settings, tmp_path)
    worker.env["SCHEMA_REGISTRY_URL"] = schema_registry_url
    now = datetime.now(UTC)
    account = AccountEvent(event_id="ae-1", occurred_at=now, account_id="acc-1", name="Initech")
    current = default_catalog().current["buying_groups.AccountEvent"].schema
    stranger = {**current, "fields": [f for f in current["fields"] if f["name"] != "account_id"]}
    async with httpx.AsyncClient(base_url=schema_registry_url) as client:
        response = await client.post(
            f"/subjects/{settings.topic_prefix}.other-value/versions",
            json={"schema": json.dumps(stranger)},
        )
        assert response.is_success, response.text
        stranger_id: int = response.json()["id"]
    buffer = io.BytesIO()
    datum = {k: v for k, v in to_avro(account).items() if k != "account_id"}
    schemaless_writer(buffer, parse_schema(stranger, named_schemas={}), datum)
    unresolvable = registry_framing.frame(stranger_id, buffer.getvalue())
    try:
        await tenant.publish(*standard_config())  # the config topic in Confluent framing
        await worker.ready()
        await tenant.publish_raw(settings.topics.accounts, b"acc-2", unresolvable)
        await tenant.publish(
            account,
            AudienceMembershipEvent(
                event_id="am-1", occurred_at=now, audience_id="aud-1", account_id="acc-1",
                member=True,
            ),
        )  # fmt: skip
        letter = await dead_letter_of(tenant, unresolvable, b"acc-2")
        await tenant.wait_for(lambda out: any(isinstance(r, GroupLifecycle) for r in out))
    finally:
        worker.stop()
        await tenant.stop()
    assert letter.error_kind == "incompatible_schema"
    assert letter.error_message.startswith(f"registry schema id {stranger_id} ")
    assert "AccountEvent.account_id: the writer has no such field" in letter.error_message
    assert not tenant.failures
    created = [r for r in tenant.of_type(GroupLifecycle) if isinstance(r, GroupLifecycle)]
    # the framed config was read: the creation job made the group
    assert [(r.account_id, r.solution_interest_id) for r in created] == [("acc-1", "si-1")]
