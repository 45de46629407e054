"""`buying-groups tick` against the real broker: the connection options of every command, and the
partition count read from the broker, whatever BG_PARTITIONS says."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from events.topics import InternalTopics
from state.model.changes import TickKind
from streams.ops.settings import KafkaSettings, Settings
from streams.runtime.internal import Tick
from streams.runtime.provision import ensure_topics, partition_counts
from streams.runtime.state_codec import decode_value
from tests.integration.test_config_apply import topic_names
from tests.services import Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def tick(kafka: Service, prefix: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command with a worker's environment that disagrees: other servers, prefix, count."""
    command = [sys.executable, "-m", "streams.cli.main", "tick", *args]
    command += ["--prefix", prefix, "--bootstrap", kafka.address]
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "BG_TOPIC_PREFIX": "elsewhere",
        "BG_PARTITIONS": "5",
    }
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def ticks_on(kafka: Service, topic: str, partitions: int) -> dict[int, list[Tick]]:
    """Every tick on each of the topic's first `partitions` partitions."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.address, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        found: dict[int, list[Tick]] = {tp.partition: [] for tp in assigned}
        for tp in assigned:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                found[tp.partition] += [
                    decode_value(m.value or b"", Tick) for m in batch.get(tp, [])
                ]
        return found
    finally:
        await consumer.stop()


async def test_tick_reaches_every_partition_the_broker_has(kafka: Service) -> None:
    prefix = f"tick{uuid.uuid4().hex[:8]}"
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers=kafka.address), topic_prefix=prefix, partitions=3
    )
    await ensure_topics(settings)  # as a worker with BG_PARTITIONS=3 made them

    done = tick(kafka, prefix, "collect")

    assert done.returncode == 0, done.stderr
    assert "to 3 partitions" in done.stdout
    topic = InternalTopics.with_prefix(prefix).account_ticks
    assert (await partition_counts(settings))[topic] == 3
    found = await ticks_on(kafka, topic, 3)
    assert [[t.kind for t in found[p]] for p in range(3)] == [[TickKind.COLLECT]] * 3


async def test_tick_for_a_prefix_no_worker_started_says_so_and_creates_nothing(
    kafka: Service,
) -> None:
    prefix = f"tick{uuid.uuid4().hex[:8]}"

    done = tick(kafka, prefix, "decay")

    assert done.returncode == 2
    topic = InternalTopics.with_prefix(prefix).account_ticks
    assert f"topic {topic} does not exist" in done.stderr
    assert not [name for name in await topic_names(kafka) if name.startswith(prefix)]
