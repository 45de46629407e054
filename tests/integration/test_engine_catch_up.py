"""Records the stream never delivers are applied all the same (streams.runtime.catch_up).

The consumer group's committed offsets are moved forward while the worker is stopped, which is
what faust-streaming does when it drops records around a restart: Faust then starts past records
that were never applied. The engine's own ledger notices, reads them from the broker and ends
with the reference model's groups:
- skipped: records arrive after the hole, and the first of them reveals it;
- stalled: the committed offset is at the end, nothing arrives, and the catch-up tick finds it.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from events.records import ConfigRecord, InputRecord
from streams.ops.settings import Settings
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    Outputs,
    chosen_seed,
    facts_diff,
    publish_all,
    reference_world,
    snapshot_facts,
    tenant_history,
    wait_until_processed,
)
from tests.integration.processes import WorkerProcess, http_get
from tests.oracles.reference_model import group_facts
from tests.services import Service

pytestmark = pytest.mark.integration
LAG = re.compile(r'^bg_consumer_lag\{partition="(\d+)",topic="([^"]+)"\} (\S+)$', re.MULTILINE)


async def skip_ahead(settings: Settings, share: float) -> int:
    """Moves the engine's committed offset of every partition of its input topics forward by
    ``share`` of what is left to read there (the worker must be stopped); returns how many
    records were skipped."""
    topics = settings.topics
    names = (topics.persons, topics.activities, topics.audience_memberships)
    consumer = AIOKafkaConsumer(
        **settings.kafka.client_options(), group_id=settings.app_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = [
            TopicPartition(name, partition)
            for name in names
            for partition in range(settings.partitions)
        ]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        moved, skipped = {}, 0
        for tp in tps:
            committed = await consumer.committed(tp) or 0
            moved[tp] = committed + round((ends[tp] - committed) * share)
            skipped += moved[tp] - committed
        await consumer.commit(moved)
        return skipped
    finally:
        await consumer.stop()


async def started(
    settings: Settings, directory: Path, workers: list[WorkerProcess], catch_up_s: str
) -> WorkerProcess:
    worker = engine_worker(settings, directory)
    worker.env["BG_CATCH_UP_INTERVAL_S"] = catch_up_s
    workers.append(worker)
    await worker.ready()
    return worker


async def input_lag(worker: WorkerProcess, settings: Settings, want: int) -> int:
    """The sum of `bg_consumer_lag` over the partitions of the person, activity and audience
    topics, once /metrics reports every one of them and the sum is `want` (or 30 s pass)."""
    topics = settings.topics
    names = (topics.persons, topics.activities, topics.audience_memberships)
    tps = {(name, partition) for name in names for partition in range(settings.partitions)}
    deadline = time.monotonic() + 30.0
    while True:
        try:
            _, metrics = await asyncio.to_thread(http_get, worker, "/metrics")
        except OSError:  # the web server may start listening after the worker is ready
            metrics = ""
        found = {
            (topic, int(partition)): float(value)
            for partition, topic, value in LAG.findall(metrics)
            if (topic, int(partition)) in tps
        }
        total = round(sum(found.values()))
        if (set(found) == tps and total == want) or time.monotonic() > deadline:
            assert set(found) == tps, f"lag reported for {sorted(found)} only"
            return total
        await asyncio.sleep(0.5)


async def groups_become(
    outputs: Outputs, config: Sequence[ConfigRecord], *parts: Sequence[InputRecord]
) -> list[str]:
    """Polls the outputs until the groups are the reference model's (or 60 s pass); returns
    what still differs."""
    want = group_facts(reference_world(config, *parts).groups())
    deadline = time.monotonic() + 60.0
    diff = facts_diff(snapshot_facts(outputs.records), want)
    while diff and time.monotonic() < deadline:
        await outputs.poll()
        diff = facts_diff(snapshot_facts(outputs.records), want)
    return diff


async def test_records_the_stream_skipped_or_stalled_on_are_applied(
    kafka: Service, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_CATCH_UP_SEED"))
    history = tenant_history(rng, accounts=8, people=60, activities=2)
    people = history.people
    third_of = len(people) // 3
    first, second, third = (
        people[:third_of],
        people[third_of : 2 * third_of],
        people[2 * third_of :],
    )
    config = standard_config()
    settings = tenant_settings(kafka.address, partitions=2)
    await publish_all(settings, config)
    outputs = Outputs(settings)
    await outputs.start()
    try:
        worker = await started(settings, tmp_path, workers, catch_up_s="86400")
        await publish_all(settings, history.accounts)  # groups are named after their account
        await wait_until_processed(settings, outputs)
        await publish_all(settings, first)
        await wait_until_processed(settings, outputs)
        worker.stop()

        await publish_all(settings, second)
        assert await skip_ahead(settings, share=0.5) > 0
        worker = await started(settings, tmp_path, workers, catch_up_s="86400")
        await wait_until_processed(settings, outputs)
        diff = await groups_become(outputs, config, history.accounts, first, second)
        assert diff == [], "\n".join(diff[:10])
        assert "skipped records before offset" in worker.log_text()
        worker.stop()

        await publish_all(settings, third)
        assert await skip_ahead(settings, share=1.0) > 0
        # Lag counts records not applied, not records the consumer is past: Faust starts at
        # the end now, and nothing of `third` is applied until the catch-up reads it.
        worker = await started(settings, tmp_path, workers, catch_up_s="86400")
        assert await input_lag(worker, settings, len(third)) == len(third)
        worker.stop()
        worker = await started(settings, tmp_path, workers, catch_up_s="1")
        diff = await groups_become(outputs, config, history.accounts, people)
        assert diff == [], "\n".join(diff[:10])
        assert "stalled at offset" in worker.log_text()
        assert await input_lag(worker, settings, 0) == 0
    finally:
        await outputs.stop()
