"""Catching up on records the stream did not deliver.

faust-streaming 0.15.3 can skip input records around a restart or a rebalance: a record
fetched while the partition was being recovered is later dropped as already read, and the
consumer's commit can then move past it (see the README's reliability section). The engine does
not rely on the framework's offsets for completeness. Each table-writing agent keeps, in its own
table (so it is restored with the state, by whichever worker owns the partition), the next offset
it expects on every input topic-partition:

- a record further on than expected means records were skipped: the agent reads the missing
  range straight from the broker and applies it first, in order;
- a partition that three catch-up ticks in a row find behind the broker, with its expected offset
  unmoved while nothing else of its topic moved either, has stalled: the agent reads and applies
  what is there.

Records read this way that the stream does deliver later are duplicates, which the domain
ignores by their ids. Offsets that do not exist (transaction markers, compaction) yield no
record and cost one read.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from events.errors import Unavailable
from streams.runtime.outputs import InputMessage
from streams.stores.staging import StagedTable

log = logging.getLogger(__name__)

LEDGER_PREFIX = b"\x00next-offset:"
EMPTY_READS_ALLOWED = 5
STALLED_AFTER_CHECKS = 3
BATCH = 500


def ledger_key(topic: str, partition: int) -> bytes:
    return LEDGER_PREFIX + f"{topic}:{partition}".encode()


def missing_range(expected: int, offset: int) -> tuple[int, int] | None:
    """The offsets skipped before ``offset`` when ``expected`` was the next one due."""
    if offset <= expected:
        return None
    return expected, offset


def lagging_checks(expected: int, end: int | None, last: tuple[int, int] | None) -> int:
    """How many checks in a row, this one included, found records up to ``end`` beyond an
    ``expected`` offset that did not move, given the last check's offset and count."""
    if end is None or end <= expected:
        return 0
    if last is not None and last[0] == expected:
        return last[1] + 1
    return 1


def stalled_range(expected: int, lagging: int, end: int | None) -> tuple[int, int] | None:
    """The offsets to read for a partition that ``lagging`` checks in a row found stuck at
    ``expected`` with records up to ``end``."""
    if end is None or lagging < STALLED_AFTER_CHECKS or end <= expected:
        return None
    return expected, end


class RecordReader:
    """Reads offset ranges of single topic-partitions straight from the broker, with a consumer
    of its own (no group, no commits)."""

    def __init__(self, client_options: dict[str, object]) -> None:
        self._options = client_options
        self._consumer: Any = None
        self._lock = asyncio.Lock()

    async def _started(self) -> Any:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                **self._options,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",  # a range below the log start begins at the start
            )
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def read(self, topic: str, partition: int, start: int, end: int) -> list[InputMessage]:
        """Every record of ``topic``/``partition`` with ``start <= offset < end``."""
        async with self._lock:
            consumer = await self._started()
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, start)
            found: list[InputMessage] = []
            empty_reads = 0
            while await consumer.position(tp) < end:
                batch = await consumer.getmany(tp, timeout_ms=1000, max_records=BATCH)
                records = batch.get(tp, [])
                empty_reads = 0 if records else empty_reads + 1
                if empty_reads > EMPTY_READS_ALLOWED:
                    raise Unavailable(f"{topic}[{partition}]: offsets {start}..{end} unreadable")
                found.extend(_message(topic, partition, r) for r in records if r.offset < end)
            return found

    async def end_offset(self, topic: str, partition: int) -> int:
        """The partition's end offset, asked of the broker."""
        async with self._lock:
            consumer = await self._started()
            tp = TopicPartition(topic, partition)
            ends = await consumer.end_offsets([tp])
            return int(ends[tp])

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None


def _message(topic: str, partition: int, record: Any) -> InputMessage:
    return InputMessage(
        topic=topic,
        partition=partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        appended_s=record.timestamp / 1000 if record.timestamp else None,
    )


@dataclass
class InputLedger:
    """The next offset one agent expects on each input topic-partition, kept in its table."""

    table: Any
    reader: RecordReader
    _checked: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)

    def expected(self, topic: str, partition: int) -> int:
        """The next offset due; 0 when the agent has applied nothing of the partition (the ledger
        is restored with the table, so an absent entry means that nothing was applied)."""
        stored = self.table.get(ledger_key(topic, partition))
        return 0 if stored is None else int(stored)

    def stored_expected(self, topic: str, partition: int) -> int:
        """The next offset due as stored, the batch in progress left out (what a restarted
        worker would find): commits may go up to it and no further."""
        key = ledger_key(topic, partition)
        stored = (
            self.table.stored(key) if isinstance(self.table, StagedTable) else self.table.get(key)
        )
        return 0 if stored is None else int(stored)

    def passed(self, message: InputMessage, expected: int | None = None) -> None:
        """Records that ``message`` is applied (a re-delivered older record moves nothing);
        ``expected``: the next offset due, when the caller has just read it."""
        if expected is None:
            expected = self.expected(message.topic, message.partition)
        if message.offset + 1 > expected:
            self.table[ledger_key(message.topic, message.partition)] = str(
                message.offset + 1
            ).encode()

    async def skipped_before(self, message: InputMessage, expected: int) -> list[InputMessage]:
        """The records of ``message``'s partition that the stream skipped before it, ``expected``
        being the next offset due."""
        missing = missing_range(expected, message.offset)
        if missing is None:
            return []
        records = await self.reader.read(message.topic, message.partition, *missing)
        if records:
            log.warning(
                "%s[%d]: %d skipped records before offset %d read again from the broker",
                message.topic, message.partition, len(records), message.offset,
            )  # fmt: skip
        return records

    async def stalled(self, topic: str, partition: int, end: int | None) -> list[InputMessage]:
        """Records of a partition that made no progress over the last checks although the broker
        has more: up to ``end``, the partition's end offset as the worker's consumer last saw it
        (None: unknown, nothing to do)."""
        expected = self.expected(topic, partition)
        lagging = lagging_checks(expected, end, self._checked.get((topic, partition)))
        self._checked[(topic, partition)] = (expected, lagging)
        stalled = stalled_range(expected, lagging, end)
        if stalled is None:
            return []
        records = await self.reader.read(topic, partition, *stalled)
        if records:
            log.warning(
                "%s[%d]: stalled at offset %d; %d records read straight from the broker",
                topic, partition, expected, len(records),
            )  # fmt: skip
        return records
