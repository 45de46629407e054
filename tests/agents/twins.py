"""In-memory twins of what an agent loop touches: a Faust stream, a table, an emitter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from weakref import WeakSet

from faust.streams import current_event
from faust.types.tuples import Message
from mode.utils.queues import FlowControlEvent

from events.codec import Codec
from events.topics import DEFAULT_PREFIX, Topics
from streams.ops.metrics import Metrics
from streams.runtime.outputs import Emitter


def message(topic: str, partition: int, offset: int, value: bytes = b"v") -> Message:
    return Message(topic, partition, offset, 0.0, 0, {}, b"k", value, None)


class Event:
    """A stream event: its message, acknowledged through the stream."""

    def __init__(self, message: Message) -> None:
        self.message = message


@dataclass
class Stream:
    """The part of a Faust stream an agent loop uses. Events are handed out one at a time;
    `waiting` says how many more the buffer holds after the current one (`queue.empty()`)."""

    events_in: list[Event]
    log: list[str]
    enable_acks: bool = True
    acked: list[Event] = field(default_factory=list)
    app: Any = field(
        default_factory=lambda: SimpleNamespace(
            flow_control=FlowControlEvent(),
            consumer=SimpleNamespace(_unacked_messages=WeakSet()),
        )
    )
    pause: asyncio.Event | None = None  # set: the stream waits here before its last event
    _next: int = 0

    @property
    def channel(self) -> Any:
        return SimpleNamespace(queue=SimpleNamespace(empty=self._empty))

    def _empty(self) -> bool:
        return self._next >= len(self.events_in)

    async def events(self) -> AsyncIterator[Event]:
        while self._next < len(self.events_in):
            if self.pause is not None and self._next == len(self.events_in) - 1:
                await self.pause.wait()
            event = self.events_in[self._next]
            self._next += 1
            yield event

    async def ack(self, event: Event) -> bool:
        self.log.append(f"ack {event.message.partition}:{event.message.offset}")
        self.acked.append(event)
        return True


class PartitionedTable(dict[bytes, bytes]):
    """A table that, like a Faust table, takes the partition of each write from the current
    event, and records it."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log
        self.partitions: dict[bytes, int] = {}
        self.persisted: dict[int, int] = {}
        self.changelog_topic = SimpleNamespace(get_topic_name=lambda: "changelog")

    @property
    def data(self) -> PartitionedTable:
        """The table's store: here the table itself (Faust's tables keep a RocksDB store)."""
        return self

    def set_persisted_offset(self, tp: Any, offset: int) -> None:
        self.persisted[tp.partition] = offset

    def __setitem__(self, key: bytes, value: bytes) -> None:
        event = current_event()
        assert event is not None, "a table write outside of stream iteration"
        self.partitions[key] = event.message.partition
        self.log.append(f"write {key.decode()}@{event.message.partition}")
        super().__setitem__(key, value)

    def __delitem__(self, key: bytes) -> None:
        event = current_event()
        assert event is not None, "a table delete outside of stream iteration"
        self.log.append(f"delete {key.decode()}@{event.message.partition}")
        super().__delitem__(key)


class RecordingEmitter(Emitter):
    """An emitter whose producer is a list: `send` keeps the record, `settle` logs, and fails
    when `fail_settle` is set."""

    def __init__(self, log: list[str]) -> None:
        super().__init__(
            app=None,  # type: ignore[arg-type]  # no producer: `send` keeps the records
            topics=Topics.with_prefix(DEFAULT_PREFIX),
            codec=Codec(),
            metrics=Metrics(),
        )
        self.log = log
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.fail_settle: BaseException | None = None

    async def send(
        self, topic: str, key: bytes | None, value: bytes, partition: int | None = None
    ) -> Any:
        self.sent.append((topic, key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        self._unsettled.append(done)
        return done

    def for_agent(self) -> Emitter:
        return self

    async def settle(self) -> int:
        if self.fail_settle is not None:
            raise self.fail_settle
        settled = await super().settle()
        self.log.append(f"settle {settled}")
        return settled


class Producer:
    """The worker's producer as table changelogs use it: each record is acknowledged at once."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.sent: list[tuple[str, bytes | None, bytes | None, int | None]] = []

    async def send(  # noqa: PLR0917 - Faust's `Producer.send`, positional as the engine calls it
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: Any,
    ) -> asyncio.Future[Any]:
        self.sent.append((topic, key, value, partition))
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        written = SimpleNamespace(
            topic_partition=SimpleNamespace(topic=topic, partition=partition),
            offset=len(self.sent) - 1,
        )
        done.set_result(written)
        return done


class App:
    """The part of a Faust app an engine's agents use while they are built: tables (in memory,
    partitioned like Faust's), topics and agents (kept, not run)."""

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.tables: dict[str, PartitionedTable] = {}
        self.crashes: list[BaseException] = []
        self.consumer = SimpleNamespace(_unacked_messages=WeakSet())
        self.flow_control = FlowControlEvent()
        self.producer = Producer(log)

    def Table(self, name: str, **_: Any) -> PartitionedTable:  # noqa: N802 - Faust's name
        table = self.tables[name] = PartitionedTable(self.log)
        return table

    def topic(self, *names: str, **_: Any) -> tuple[str, ...]:
        return names

    def agent(self, *_: Any, **__: Any) -> Any:
        return lambda body: body

    async def crash(self, exc: BaseException) -> None:
        self.crashes.append(exc)
