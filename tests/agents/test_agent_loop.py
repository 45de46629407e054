"""The one agent loop (streams.runtime.skeleton) over in-memory twins of a Faust stream, a
table and an emitter: a batch is published, then stored (each key once, in its own partition),
then acknowledged; a poison record in the middle is dead-lettered and the batch goes on; an
infrastructure failure stores and acknowledges nothing and stops the worker."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from events.errors import Unavailable
from streams.runtime.engine import guarded
from streams.runtime.outputs import InputMessage
from streams.runtime.rebalances import InFlight
from streams.runtime.skeleton import AgentLoop, Handler
from streams.stores.staging import Changelog, StagedTable
from tests.agents.twins import (
    Event,
    PartitionedTable,
    Producer,
    RecordingEmitter,
    Stream,
    message,
)

TOPIC = "bg.persons"
CATCH_UP = "bg.internal.catch-up-ticks"


class World:
    """One agent's loop over a stream of `events`, a counting handler and a staged table."""

    def __init__(self, events: list[Event], *, batch_max: int = 100, wait_s: float = 0.01):
        self.log: list[str] = []
        self.crashes: list[BaseException] = []
        self.emitter = RecordingEmitter(self.log)
        table = PartitionedTable(self.log)
        self.table = StagedTable(table, Changelog(producer=Producer(self.log), table=table))
        self.stream = Stream(events, self.log)
        self.in_flight = InFlight()
        self.engine = SimpleNamespace(app=SimpleNamespace(crash=self.crash))

        async def count(message: InputMessage) -> None:
            """Counts inputs per key; `poison` fails like a bad record, `down` like Kafka."""
            if message.value == b"poison":
                raise ValueError("field 'x': not a number, got 'poison'")
            if message.value == b"down":
                raise Unavailable("kafka: the broker does not answer")
            key = message.key or b""
            seen = int(self.table.get(key) or b"0")
            self.table[key] = str(seen + 1).encode()
            self.table[f"p{message.partition}".encode()] = str(message.offset).encode()
            await self.emitter.send("bg.out", key, message.value or b"")

        async def handle(message: InputMessage) -> None:
            await guarded(self.engine, "count", message, count, self.emitter)  # type: ignore[arg-type]

        self.loop = AgentLoop(
            name="count",
            handle=handle,
            emitter=self.emitter,
            in_flight=self.in_flight,
            crash=self.crash,
            batch_max=batch_max,
            batch_wait_s=wait_s,
            tables=(self.table,),
            store_before=CATCH_UP,
            changelogs_written=self.changelogs_written,
        )

    async def crash(self, exc: BaseException) -> None:
        self.crashes.append(exc)

    async def changelogs_written(self) -> None:
        self.log.append("changelogs acknowledged")

    @property
    def stored(self) -> dict[bytes, bytes]:
        return dict(self.table.table)


def keyed(partition: int, offset: int, key: bytes, value: bytes = b"v") -> Event:
    record = message(TOPIC, partition, offset, value)
    record.key = key
    return Event(record)


def test_a_handler_is_one_coroutine_per_input() -> None:
    handler: Handler = World([]).loop.handle
    assert asyncio.iscoroutinefunction(handler)


async def test_a_batch_is_published_then_stored_each_key_once_then_acknowledged() -> None:
    events = [keyed(0, n, b"a" if n % 2 else b"b") for n in range(6)]
    world = World(events)
    await world.loop.run(world.stream)

    assert world.log == [
        "settle 6",
        "write b@0",
        "write p0@0",
        "write a@0",
        *(f"ack 0:{n}" for n in range(6)),
    ]
    assert world.stored == {b"a": b"3", b"b": b"3", b"p0": b"5"}
    assert world.stream.enable_acks is False, "the loop acknowledges, not Faust"


async def test_a_batch_is_written_once_the_changelog_of_the_batch_before_is_acknowledged() -> None:
    world = World([keyed(0, n, b"a") for n in range(4)], batch_max=2)
    await world.loop.run(world.stream)
    assert world.log == [
        "settle 2",
        "write a@0",
        "write p0@0",
        "ack 0:0",
        "ack 0:1",
        "settle 2",
        "changelogs acknowledged",
        "write a@0",
        "write p0@0",
        "ack 0:2",
        "ack 0:3",
    ]


async def test_each_write_goes_to_the_partition_of_the_input_that_made_it() -> None:
    """The batch is stored after the loop has moved on to other partitions' inputs: each key
    is still written as an input of its own partition (its changelog partition, its RocksDB)."""
    events = [keyed(2, 10, b"x"), keyed(0, 3, b"y"), keyed(2, 11, b"x"), keyed(1, 7, b"z")]
    world = World(events)
    await world.loop.run(world.stream)

    table = world.table.table
    assert isinstance(table, PartitionedTable)
    assert table.partitions == {b"x": 2, b"p2": 2, b"y": 0, b"p0": 0, b"z": 1, b"p1": 1}
    assert world.stored[b"x"] == b"2"


async def test_a_poison_record_in_the_middle_is_dead_lettered_and_the_batch_goes_on() -> None:
    events = [keyed(0, 0, b"a"), keyed(0, 1, b"a", b"poison"), keyed(0, 2, b"a")]
    world = World(events)
    await world.loop.run(world.stream)

    assert world.crashes == []
    assert world.stored == {b"a": b"2", b"p0": b"2"}
    dead = [sent for sent in world.emitter.sent if sent[0] == "bg.dead-letters"]
    assert len(dead) == 1, "the poison record is dead-lettered with the batch"
    assert [e.message.offset for e in world.stream.acked] == [0, 1, 2]
    assert world.log[0] == "settle 3", "two outputs and the dead letter, acknowledged at once"


async def test_an_infrastructure_failure_stores_and_acknowledges_nothing() -> None:
    events = [keyed(0, 0, b"a"), keyed(0, 1, b"a", b"down")]
    world = World(events)
    with pytest.raises(Unavailable):
        await world.loop.run(world.stream)

    assert [type(exc) for exc in world.crashes] == [Unavailable], "the worker stops"
    assert world.stored == {}
    assert world.stream.acked == []


async def test_a_failed_acknowledgement_from_the_broker_stores_nothing() -> None:
    world = World([keyed(0, 0, b"a"), keyed(0, 1, b"b")])
    world.emitter.fail_settle = Unavailable("kafka: produce request timed out")
    with pytest.raises(Unavailable):
        await world.loop.run(world.stream)

    assert len(world.crashes) == 1
    assert world.stored == {}
    assert world.stream.acked == []
    assert len(world.table) == 0, "the batch's writes are forgotten, to be applied again"


async def test_a_batch_holds_at_most_batch_max_records() -> None:
    world = World([keyed(0, n, b"a") for n in range(7)], batch_max=3)
    await world.loop.run(world.stream)
    assert [line for line in world.log if line.startswith("settle")] == [
        "settle 3",
        "settle 3",
        "settle 1",
    ]
    assert world.stored[b"a"] == b"7"


async def test_a_partial_batch_is_stored_after_the_wait_while_the_stream_is_idle() -> None:
    """The stream holds more records than it hands out and then waits: the batch so far must
    not wait for it (a rebalance waits for the records of a batch)."""
    pause = asyncio.Event()
    world = World([keyed(0, n, b"a") for n in range(3)], wait_s=0.01)
    world.stream.pause = pause
    running = asyncio.create_task(world.loop.run(world.stream))
    await asyncio.sleep(0.2)
    assert world.stored[b"a"] == b"2", "the first two records, stored by the wait"
    assert not world.in_flight.begun(world.stream.events_in[0].message)
    pause.set()
    await running
    assert world.stored[b"a"] == b"3"


async def test_records_of_a_batch_count_as_begun_until_it_is_stored() -> None:
    pause = asyncio.Event()
    world = World([keyed(0, n, b"a") for n in range(3)], wait_s=30.0)
    world.stream.pause = pause
    running = asyncio.create_task(world.loop.run(world.stream))
    await asyncio.sleep(0.05)
    held = [event.message for event in world.stream.events_in[:2]]
    assert all(world.in_flight.begun(m) for m in held), "a rebalance waits for them"
    pause.set()
    await running
    assert not any(world.in_flight.begun(m) for m in held)


async def test_a_catch_up_tick_is_handled_after_the_batch_before_it_is_stored() -> None:
    tick = Event(message(CATCH_UP, 0, 0, b"tick"))
    world = World([keyed(0, 0, b"a"), tick, keyed(0, 1, b"a")])
    seen: list[bytes | None] = []
    handle = world.loop.handle

    async def watching(message: InputMessage) -> None:
        if message.topic == CATCH_UP:
            seen.append(world.table.stored(b"a"))
            return
        await handle(message)

    world.loop.handle = watching
    await world.loop.run(world.stream)
    assert seen == [b"1"], "the tick finds the record before it stored"
    assert world.stored[b"a"] == b"2"
