"""Applying one table-writing agent's inputs in offset order, with nothing skipped.

The mechanism is in streams.runtime.catch_up; this is its use inside a Faust agent. It needs only
the Faust app (its consumer and its crash), so that any Faust agent with a table can use it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import faust
from aiokafka.errors import KafkaError
from faust.exceptions import PartitionsMismatch
from faust.types import TP

from events.errors import Unavailable
from streams.runtime.catch_up import InputLedger
from streams.runtime.outputs import InputMessage
from streams.runtime.rebalances import CommitHoles

# Failures of the infrastructure, not of the input: the worker stops instead of dead-lettering.
# PartitionsMismatch is Faust's check that a table's changelog is partitioned like its source
# topic; it also fires while the consumer knows a changelog without its partitions.
INFRASTRUCTURE_ERRORS = (
    KafkaError,
    Unavailable,
    OSError,
    asyncio.TimeoutError,
    PartitionsMismatch,
)

Handler = Callable[[InputMessage], Awaitable[None]]
Counted = Callable[[InputMessage, str], None]


@dataclass
class OrderedInputs:
    """One table-writing agent's inputs (`topics`), applied in offset order with nothing skipped:
    records the stream skipped are read from the broker before the record that reveals them, and
    each record of `catch_up_topic` (a tick per partition, every `interval_s`) reads the records
    the stream stalled on in that partition of `topics`.

    `handler` handles one record, and `counted(message, why)` is told of every record caught up
    ("skipped" or "stalled"). With `enabled` false the consumer's offsets are trusted."""

    app: faust.App
    ledger: InputLedger
    handler: Handler
    topics: tuple[str, ...]
    catch_up_topic: str
    interval_s: float
    enabled: bool = True
    counted: Counted | None = None
    settled: Callable[[str, int], None] | None = None
    _holes: CommitHoles = field(init=False)
    _last_applied: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._holes = CommitHoles(min_age_s=self.interval_s)

    @property
    def subscribed(self) -> tuple[str, ...]:
        """Every topic the agent reads: its inputs and the catch-up ticks."""
        return (*self.topics, self.catch_up_topic)

    async def handle(self, message: InputMessage) -> None:
        """`message`, after the records the stream skipped before it; or, for a catch-up tick,
        the records its partition stalled on."""
        try:
            if message.topic == self.catch_up_topic:
                if self.enabled:
                    await self._catch_up(message.partition)
                return
            expected = self.ledger.expected(message.topic, message.partition)
            skipped = await self.ledger.skipped_before(message, expected) if self.enabled else []
        except INFRASTRUCTURE_ERRORS as exc:
            await self.app.crash(exc)
            raise
        await self._applied(skipped, "skipped")
        await self.handler(message)
        # One ledger read per input: the skipped records only moved it up to `message.offset`.
        self.ledger.passed(message, expected)
        self._last_applied[message.topic] = time.monotonic()

    async def _catch_up(self, partition: int) -> None:
        """Only a topic that the stream left alone for a whole catch-up interval is checked: a
        partition of a busy topic is more likely waiting its turn in a backlog than stalled
        (and the next record to reach it reveals what was skipped). The stream is sent back to
        the first stalled record once they are applied, so that Faust reads them again
        (duplicates, which change nothing) and its committed offset, which SREs watch as lag,
        moves on."""
        quiet_since = time.monotonic() - self.interval_s
        for topic in self.topics:
            busy = self._last_applied.get(topic, quiet_since) > quiet_since
            end = None if busy else await self._end_offset(topic, partition)
            stalled = await self.ledger.stalled(topic, partition, end)
            await self._applied(stalled, "stalled")
            if stalled:
                await self.app.consumer.seek(TP(topic, partition), stalled[0].offset)
            applied_up_to = self.ledger.stored_expected(topic, partition)
            settled = await self._holes.settle(self.app.consumer, topic, partition, applied_up_to)
            if settled and self.settled is not None:
                self.settled(topic, settled)

    async def _end_offset(self, topic: str, partition: int) -> int | None:
        """The partition's end offset from the consumer's last fetch; asked of the broker while
        the consumer has not fetched the partition (after a rebalance, say), so that a partition
        the stream never resumed is found stalled too."""
        try:
            end = self.app.consumer.highwater(TP(topic, partition))
        except Exception:
            end = None
        if isinstance(end, int):
            return end
        try:
            return await self.ledger.reader.end_offset(topic, partition)
        except (KafkaError, OSError, TimeoutError):
            return None  # the broker is away: the next tick asks again

    async def _applied(self, messages: list[InputMessage], why: str) -> None:
        for message in messages:
            if self.counted is not None:
                self.counted(message, why)
            await self.handler(message)
            self.ledger.passed(message)
