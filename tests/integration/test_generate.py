"""`buying-groups generate` against the real broker: a tiny tenant, read back with aiokafka."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from events.codec import Codec
from events.decoding import Decoded
from events.records import AccountEvent, ActivityEvent, PersonEvent
from streams.demo.generate import publish_tenant
from streams.demo.tenant import (
    TenantSpec,
    contract_key,
    people_counts,
    sample_accounts,
    sample_activities,
    sample_people,
)
from streams.ops.settings import KafkaSettings, Settings
from tests.services import Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CODEC = Codec()
Event = AccountEvent | PersonEvent | ActivityEvent


async def partitions_of(kafka: Service, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, item["partition"]) for item in description["partitions"]]


async def read_topic(kafka: Service, topic: str) -> list[tuple[int, str, Event]]:
    """(partition, key, record) of every record on `topic`."""
    partitions = await partitions_of(kafka, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.address, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[tuple[int, str, Event]] = []
        while any([await consumer.position(p) < ends[p] for p in partitions]):
            batch = await consumer.getmany(timeout_ms=1000)
            for partition, messages in batch.items():
                for message in messages:
                    assert message.key is not None
                    assert message.value is not None
                    decoded = CODEC.decode(message.value)
                    assert isinstance(decoded, Decoded), decoded
                    record = decoded.record
                    assert isinstance(record, AccountEvent | PersonEvent | ActivityEvent)
                    found.append((partition.partition, message.key.decode(), record))
        return found
    finally:
        await consumer.stop()


def test_generate_publishes_a_tiny_tenant_keyed_per_the_contract(kafka: Service) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    command = [sys.executable, "-m", "streams.cli.main", "generate", "--accounts", "6"]
    command += [
        "--activities",
        "400",
        "--seed",
        "11",
        "--prefix",
        prefix,
        "--bootstrap",
        kafka.address,
    ]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    spec = TenantSpec(now=datetime.now(UTC), seed=11, accounts=6, activities=400)
    people = sum(people_counts(spec))
    assert f"Published 6 accounts to {prefix}.accounts, {people:,} people" in result.stdout
    assert "400 activities" in result.stdout
    assert f"{prefix}.activities: 100%" in result.stderr  # the progress bar

    accounts = asyncio.run(read_topic(kafka, f"{prefix}.accounts"))
    persons = asyncio.run(read_topic(kafka, f"{prefix}.persons"))
    activities = asyncio.run(read_topic(kafka, f"{prefix}.activities"))
    assert sorted(r.account_id for _, _, r in accounts if isinstance(r, AccountEvent)) == sorted(
        a.account_id for a in sample_accounts(spec)
    )
    assert sorted(r.person_id for _, _, r in persons if isinstance(r, PersonEvent)) == sorted(
        p.person_id for p in sample_people(spec)
    )
    expected = Counter(a.record.activity_id for a in sample_activities(spec))
    found = Counter(r.activity_id for _, _, r in activities if isinstance(r, ActivityEvent))
    assert found == expected
    assert max(found.values()) == 2  # a re-sent activity arrives twice
    for _, key, record in accounts + persons + activities:
        assert key == contract_key(record)
    partition_of_person = {key: partition for partition, key, _ in persons}
    assert all(partition_of_person[key] == partition for partition, key, _ in activities)


async def test_activities_are_paced_at_the_rate(kafka: Service) -> None:
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers=kafka.address),
        topic_prefix=f"t{uuid.uuid4().hex[:10]}",
    )
    spec = TenantSpec(now=datetime.now(UTC), seed=5, accounts=2, activities=60)
    started = time.monotonic()
    totals = await publish_tenant(settings, spec, rate=100.0, progress=False)
    assert totals.activities == 60
    assert time.monotonic() - started >= 59 / 100.0
    assert totals.accounts == 2
    assert totals.people == sum(people_counts(spec))
