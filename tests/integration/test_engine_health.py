"""What SREs get from a running worker: liveness, readiness and Prometheus metrics with lag."""

from __future__ import annotations

import asyncio
import re

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from events.records import MembershipAction, Source
from streams.ops.lag import PartitionLag, group_lag, lag_table
from streams.ops.settings import Settings
from tests.integration.engine_harness import Tenant
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.scenario import Scenario, new_id

pytestmark = pytest.mark.integration


async def test_health_readiness_and_metrics(tenant: Tenant, running_engine: WorkerProcess) -> None:
    scenario = Scenario(tenant)  # no account: the command is refused, and counted
    await scenario.command(Source.MANUAL, MembershipAction.ADD, "p-1", "Influencer")

    alive = await asyncio.to_thread(http_get, running_engine, "/healthz")
    ready = await asyncio.to_thread(http_get, running_engine, "/readyz")
    status, metrics = await asyncio.to_thread(http_get, running_engine, "/metrics")

    assert alive[0] == 200
    assert ready == (200, '{"status":"ready"}')
    assert status == 200
    commands = tenant.settings.topics.commands
    assert f'bg_records_consumed_total{{topic="{commands}"}}' in metrics
    assert 'bg_command_refusals_total{reason="unknown_account"}' in metrics
    assert f'bg_consumer_lag{{partition="0",topic="{commands}"}}' in metrics
    assert "bg_processing_seconds_bucket" in metrics
    assert (await asyncio.to_thread(http_get, running_engine, "/table"))[0] == 404


async def test_lag_per_partition_of_the_engine_group(
    tenant: Tenant, running_engine: WorkerProcess
) -> None:
    scenario = Scenario(tenant)
    await scenario.stage(status="Watching")  # something to consume and commit

    async def committed() -> list[PartitionLag]:
        for _ in range(50):
            rows = await group_lag(tenant.settings, tenant.settings.app_id)
            if any(r.topic == tenant.settings.topics.commands and r.committed > 0 for r in rows):
                return rows
            await asyncio.sleep(0.2)
        raise AssertionError("the engine never committed an offset on the commands topic")

    rows = await committed()
    table = lag_table(rows)
    assert tenant.settings.topics.commands in table
    assert table.splitlines()[0].split() == ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"]
    assert all(r.end >= r.committed for r in rows)


async def kafka_lag(settings: Settings) -> dict[tuple[str, int], int]:
    """End offset minus committed offset of every partition the engine's group committed, read
    as Kafka's own consumer-group tool reads them (OffsetFetch, then ListOffsets)."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    ends = await end_offsets(settings, [(tp.topic, tp.partition) for tp in committed])
    return {(tp.topic, tp.partition): ends[tp.topic, tp.partition] - meta.offset
            for tp, meta in committed.items()}  # fmt: skip


async def end_offsets(
    settings: Settings, partitions: list[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(**settings.kafka.client_options(), group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(*tp) for tp in partitions])
    finally:
        await consumer.stop()
    return {(tp.topic, tp.partition): end for tp, end in ends.items()}


def metric_lag(metrics: str) -> dict[tuple[str, int], int]:
    found = {}
    for line in metrics.splitlines():
        matched = LAG_LINE.fullmatch(line)
        if matched:
            partition, topic, value = matched.groups()
            found[(topic, int(partition))] = int(float(value))
    return found


LAG_LINE = re.compile(r'bg_consumer_lag\{partition="(\d+)",topic="([^"]+)"\} (\S+)')


async def test_idle_lag_on_metrics_matches_the_groups_committed_offsets(
    tenant: Tenant, running_engine: WorkerProcess
) -> None:
    """Once the worker is idle, `bg_consumer_lag` shows Kafka's figure (0) for every partition
    the group committed; its other series are input partitions that never held a record (Kafka
    shows no offset for them), never table changelogs or Faust's leader topic, which the worker
    reads but never commits. Person and catch-up ticks arrive every second or two: left out."""
    scenario = Scenario(tenant)
    await scenario.open_account()
    for title in ("VP Security", "Security Engineer", "Clerk"):
        await scenario.person(new_id("p"), title)
    await scenario.stage(status="Watching")  # its result: everything before it is applied
    internal = tenant.settings.internal_topics
    ticking = {internal.person_ticks, internal.catch_up_ticks}
    kafka: dict[tuple[str, int], int] = {}
    metric: dict[tuple[str, int], int] = {}
    for _ in range(40):
        kafka = {
            tp: n for tp, n in (await kafka_lag(tenant.settings)).items() if tp[0] not in ticking
        }
        _, text = await asyncio.to_thread(http_get, running_engine, "/metrics")
        metric = {tp: n for tp, n in metric_lag(text).items() if tp[0] not in ticking}
        others = sorted(set(metric) - set(kafka))
        held = {tp: n for tp, n in (await end_offsets(tenant.settings, others)).items() if n}
        agreed = {tp: metric.get(tp) for tp in kafka} == kafka and not any(kafka.values())
        if kafka and agreed and not held:  # a partition's first commit may be seconds away
            break
        await asyncio.sleep(0.5)
    unread = sorted(tp for tp in metric if tp[0].endswith("-changelog") or "__assignor" in tp[0])
    assert not unread, f"lag reported on partitions the group never commits: {unread}"
    assert {tp: metric.get(tp) for tp in kafka} == kafka
    assert not any(kafka.values())
    others = sorted(set(metric) - set(kafka))
    assert {tp: metric[tp] for tp in others} == dict.fromkeys(others, 0)
    assert set((await end_offsets(tenant.settings, others)).values()) <= {0}
