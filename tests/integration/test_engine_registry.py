"""With SCHEMA_REGISTRY_URL set, the worker registers the contract's schemas, reads inputs in
either framing and writes Confluent framing, against the real broker and a real registry."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import (
    AccountEvent,
    AudienceMembershipEvent,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
)
from events.registry_framing import is_registry_framed
from streams.runtime.registry import connect_codec
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import Tenant, engine_worker, tenant_settings
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
    assert [r.name for r in created] == ["Security for Initech"]  # the framed account was read
    joined = [r for r in records if isinstance(r, MembershipChanged)]
    assert [(r.person_id, r.new_role) for r in joined] == [("p-1", "Decision Maker")]


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
