"""`buying-groups read-model rebuild`: fill an empty (or stale) Redis from the topics.

Reads, with no consumer group (the engine and the projection's offsets are untouched), every
record up to the end offsets as of the start: accounts and people first (the indexes need an
account's industry and region), then the compacted snapshots, then the change topics. Every write
goes through the projection's scripts, so running it on a Redis that already holds data changes
only what is older there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from tqdm import tqdm

from events.codec import Codec
from events.decoding import DecodeFailure
from events.errors import BadInput
from streams.ops.settings import Settings
from streams.read.keys import Keys
from streams.read.projection import PROJECTED
from streams.read.redis_model import ReadModel, connect
from streams.runtime.registry import RegistryCodec, connect_codec


@dataclass
class RebuildReport:
    read: int = 0
    written: int = 0
    undecodable: int = 0


def phases(settings: Settings) -> list[tuple[str, ...]]:
    t = settings.topics
    return [
        (t.accounts, t.persons),
        (t.groups,),
        (t.membership_changes, t.score_changes, t.stage_changes, t.group_lifecycle,
         t.person_scores, t.command_results),
    ]  # fmt: skip


class Rebuild:
    def __init__(self, settings: Settings, model: ReadModel) -> None:
        self.settings = settings
        self.model = model
        self.codec = Codec(limits=settings.input_limits)
        self.registry: RegistryCodec | None = None
        self.report = RebuildReport()

    async def run(self, progress: Callable[[int], object]) -> None:
        if self.settings.schema_registry_url:
            self.registry = await connect_codec(
                self.settings.schema_registry_url, self.settings.topics, self.codec
            )
        for topics in phases(self.settings):
            await self._phase(topics, progress)

    async def _phase(self, topics: Sequence[str], progress: Callable[[int], object]) -> None:
        consumer = AIOKafkaConsumer(
            **self.settings.kafka.client_options(), group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        try:
            tps = await partitions(self.settings, topics)
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            starts = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
            left = {tp for tp in tps if ends[tp] > starts[tp]}
            while left:
                batch = await consumer.getmany(*left, timeout_ms=500)
                for tp, messages in batch.items():
                    for message in messages:
                        if message.offset < ends[tp]:
                            await self._apply(message.value or b"")
                            progress(1)
                    if await consumer.position(tp) >= ends[tp]:
                        left.discard(tp)
        finally:
            await consumer.stop()

    async def _apply(self, data: bytes) -> None:
        self.report.read += 1
        if self.registry is not None:
            decoded = await self.registry.decode(data, PROJECTED)
        else:
            decoded = self.codec.decode(data, PROJECTED)
        if isinstance(decoded, DecodeFailure):
            self.report.undecodable += 1
            return
        if await self.model.write(decoded.record):
            self.report.written += 1


async def partitions(settings: Settings, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition of `topics`, from the broker's metadata."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    ]


async def total_records(settings: Settings) -> int:
    consumer = AIOKafkaConsumer(**settings.kafka.client_options(), group_id=None)
    await consumer.start()
    try:
        tps = await partitions(settings, [t for topics in phases(settings) for t in topics])
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()
    return sum(ends[tp] - starts[tp] for tp in tps)


async def rebuild(settings: Settings, *, show_progress: bool = True) -> RebuildReport:
    """Apply every record of the read side's topics to the Redis at REDIS_URL."""
    if not settings.redis_url:
        raise BadInput("environment variable REDIS_URL: the read model needs Redis, got nothing")
    redis = connect(settings.redis_url)
    model = ReadModel(
        redis, Keys.for_tenant(settings.topic_prefix), settings.read_model.command_ttl_s
    )
    job = Rebuild(settings, model)
    try:
        with tqdm(
            total=await total_records(settings), unit="rec", disable=not show_progress
        ) as bar:
            await job.run(bar.update)
    finally:
        await redis.aclose()
    return job.report
