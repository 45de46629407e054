"""What the benchmark asks the broker: offsets, consumer-group positions, topic contents and sizes,
and removing the topics a run created (so that the broker's disk does not fill)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata

from streams.ops.settings import KafkaSettings

FETCH_BYTES = 64 * 1024 * 1024
SKIP_ATTEMPTS = 90  # seconds to wait for a stopped group to be empty


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    partition: int
    offset: int
    appended_at: float  # broker append time, seconds
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSize:
    """Bytes of keys and values appended to a topic, and of the latest value of each key;
    `bytes_since`: those appended at or after the offsets `Broker.size` was given."""

    records: int
    bytes: int
    keys: int
    live_bytes: int
    bytes_since: int = 0


class Broker:
    """One admin client and one group-less consumer over the broker of `kafka`."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka
        self.admin = AIOKafkaAdminClient(**kafka.client_options())
        self.consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)

    async def __aenter__(self) -> Broker:
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def partitions(self, topic: str) -> list[TopicPartition]:
        described = await self.admin.describe_topics([topic])
        return sorted(
            TopicPartition(topic, entry["partition"])
            for item in described
            if not item.get("error_code")
            for entry in item["partitions"]
        )

    async def end_offsets(self, topic: str) -> dict[int, int]:
        partitions = await self.partitions(topic)
        ends = await self.consumer.end_offsets(partitions) if partitions else {}
        return {tp.partition: offset for tp, offset in ends.items()}

    async def records_in(self, topic: str) -> int:
        return sum((await self.end_offsets(topic)).values())

    async def committed(self, group: str, topic: str) -> int:
        """How far `group` has committed on `topic`, summed over partitions."""
        offsets = await self.admin.list_consumer_group_offsets(group)
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)

    async def skip_to_end(self, group: str, topics: Iterable[str]) -> None:
        """Commit the end of `topics` for `group` (which must have no member now)."""
        ends: dict[TopicPartition, OffsetAndMetadata] = {}
        for topic in topics:
            for partition, offset in (await self.end_offsets(topic)).items():
                ends[TopicPartition(topic, partition)] = OffsetAndMetadata(offset, "")
        for _ in range(SKIP_ATTEMPTS):
            if await self.group_state(group) in ("Empty", "Dead"):
                try:
                    await self._commit(group, ends)
                    return
                except CommitFailedError:
                    pass  # a member that was leaving had not yet left
            await asyncio.sleep(1.0)
        raise RuntimeError(f"consumer group {group} never became empty; offsets not moved")

    async def group_state(self, group: str) -> str:
        described = await self.admin.describe_consumer_groups([group])
        for response in described:
            for entry in getattr(response, "groups", ()):
                return str(entry[2])
        return "unknown"

    async def _commit(self, group: str, ends: dict[TopicPartition, OffsetAndMetadata]) -> None:
        committer = AIOKafkaConsumer(
            **self.kafka.client_options(), group_id=group, enable_auto_commit=False
        )
        await committer.start()
        try:
            committer.assign(list(ends))
            await committer.commit(ends)
        finally:
            await committer.stop()

    async def scan(
        self,
        topic: str,
        visit: Callable[[Message], None],
        start: dict[int, int] | None = None,
    ) -> int:
        """Call `visit` on every record of `topic` from `start` (partition -> offset; default the
        beginning) to the end offsets as of now; returns the records visited."""
        reader = AIOKafkaConsumer(
            **self.kafka.client_options(),
            enable_auto_commit=False,
            fetch_max_bytes=FETCH_BYTES,
            max_partition_fetch_bytes=FETCH_BYTES,
        )
        await reader.start()
        try:
            return await _scan(reader, await self.partitions(topic), visit, start or {})
        finally:
            await reader.stop()

    async def size(self, topic: str, since: dict[int, int] | None = None) -> TopicSize:
        """What `topic` holds (one scan); with `since` (partition -> offset), also the bytes
        appended from those offsets on."""
        latest: dict[bytes | None, int] = {}
        totals = [0, 0, 0]
        marks = since or {}

        def visit(message: Message) -> None:
            size = len(message.key or b"") + len(message.value or b"")
            totals[0] += 1
            totals[1] += size
            if since is not None and message.offset >= marks.get(message.partition, 0):
                totals[2] += size
            latest[message.key] = size if message.value is not None else 0

        await self.scan(topic, visit)
        return TopicSize(
            records=totals[0],
            bytes=totals[1],
            keys=len(latest),
            live_bytes=sum(latest.values()),
            bytes_since=totals[2],
        )

    async def delete_topics(self, prefixes: Iterable[str]) -> list[str]:
        """Delete every topic whose name starts with one of `prefixes`; the names deleted."""
        wanted = tuple(prefixes)
        names = [name for name in await self.admin.list_topics() if name.startswith(wanted)]
        if names:
            await self.admin.delete_topics(names)
        return sorted(names)


async def _scan(
    reader: AIOKafkaConsumer,
    partitions: list[TopicPartition],
    visit: Callable[[Message], None],
    start: dict[int, int],
) -> int:
    if not partitions:
        return 0
    reader.assign(partitions)
    ends = await reader.end_offsets(partitions)
    for tp in partitions:
        reader.seek(tp, start.get(tp.partition, 0))
    remaining = {tp for tp in partitions if start.get(tp.partition, 0) < ends[tp]}
    visited = 0
    while remaining:
        batch = await reader.getmany(*remaining, timeout_ms=1000, max_records=50_000)
        for tp, messages in batch.items():
            for record in messages:
                if record.offset < ends[tp]:
                    visited += 1
                    visit(_message(tp.partition, record))
        for tp in list(remaining):
            if await reader.position(tp) >= ends[tp]:
                remaining.discard(tp)
    return visited


def _message(partition: int, record: object) -> Message:
    return Message(
        partition=partition,
        offset=record.offset,  # type: ignore[attr-defined]
        appended_at=record.timestamp / 1000.0,  # type: ignore[attr-defined]
        key=record.key,  # type: ignore[attr-defined]
        value=record.value,  # type: ignore[attr-defined]
    )
