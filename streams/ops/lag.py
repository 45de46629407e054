"""`buying-groups lag`: the engine's consumer group, partition by partition, like
`kafka-consumer-groups --describe`: committed offset, end offset and lag."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.cli.options import add_kafka_options, connected_settings
from streams.ops.settings import Settings


@dataclass(frozen=True, slots=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)


def lag_table(rows: list[PartitionLag]) -> str:
    """The rows as a table, sorted by topic and partition, with the total lag last."""
    ordered = sorted(rows, key=lambda r: (r.topic, r.partition))
    width = max([len("TOPIC"), *(len(r.topic) for r in ordered)])
    lines = [f"{'TOPIC':<{width}}  PARTITION  COMMITTED        END        LAG"]
    lines += [
        f"{r.topic:<{width}}  {r.partition:>9}  {r.committed:>9}  {r.end:>9}  {r.lag:>9}"
        for r in ordered
    ]
    lines.append(f"total lag: {sum(r.lag for r in ordered)}")
    return "\n".join(lines)


async def group_lag(settings: Settings, group_id: str) -> list[PartitionLag]:
    options = settings.kafka.client_options()
    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    partitions = [TopicPartition(tp.topic, tp.partition) for tp in committed]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(**options, group_id=None)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return [
        PartitionLag(tp.topic, tp.partition, max(0, meta.offset), ends[tp])
        for tp, meta in committed.items()
    ]


def run_lag(args: argparse.Namespace) -> int:
    settings = connected_settings(args)
    rows = asyncio.run(group_lag(settings, args.group or settings.app_id))
    if not rows:
        print(f"consumer group {args.group or settings.app_id!r} has no committed offsets")
        return 1
    print(lag_table(rows))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("lag", help="consumer lag per partition of the engine's group")
    parser.add_argument("--group", help="consumer group (default: BG_APP_ID, the engine's)")
    add_kafka_options(parser)
    parser.set_defaults(func=run_lag)
