"""The engine's repairs to Faust's consumer books."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any
from weakref import WeakSet

import pytest
from faust.transport.consumer import Consumer
from faust.types import TP
from faust.types.tuples import Message
from intervaltree import IntervalTree  # type: ignore[import-untyped]
from mode.utils.queues import FlowControlEvent

from streams.runtime.rebalances import CommitHoles, InFlight, commit_applied

TOPIC = "bg.persons"


class Books:
    """Faust's consumer bookkeeping (acknowledgement and commit arithmetic are Faust's own
    methods) without the consumer's Kafka client and threads: a commit lands in `commits` (or
    does not, with `lands` False) and moves the committed offset as Faust's commit path does."""

    ack = Consumer.ack
    _new_offset = Consumer._new_offset

    def __init__(self) -> None:
        self.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda _t: True))
        self._committed_offset: dict[TP, int | None] = defaultdict(lambda: None)
        self._acked: dict[TP, list[int]] = defaultdict(list)
        self._acked_index: dict[TP, set[int]] = defaultdict(set)
        self._gap: dict[TP, IntervalTree] = defaultdict(IntervalTree)
        self._unacked_messages: WeakSet[Message] = WeakSet()
        self._waiting_for_ack = None
        self._n_acked = 0
        self.commits: list[dict[TP, int]] = []
        self.lands = True

    async def _commit_offsets(self, offsets: dict[TP, int]) -> bool:
        if self.lands:
            self.commits.append(dict(offsets))
            self._committed_offset.update(offsets)
        return self.lands


@pytest.fixture
def consumer() -> Books:
    return Books()


def record(offset: int, partition: int = 1) -> Message:
    return Message(TOPIC, partition, offset, 0.0, 0, {}, b"k", b"v", None)


async def test_a_hole_at_the_head_stops_the_commit_and_the_ledger_commits_past_it(
    consumer: Any,
) -> None:
    tp = TP(TOPIC, 1)
    consumer._committed_offset[tp] = 6
    for offset in range(8, 69):  # 6 and 7 were applied but their acknowledgement was lost
        assert consumer.ack(record(offset))
    assert consumer._new_offset(tp) is None

    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=69) == 2
    assert consumer.commits == [{tp: 8}]
    assert consumer._new_offset(tp) == 69  # Faust's own commit goes on from there


async def test_the_commit_stops_at_the_ledger_when_the_ledger_is_behind_the_acknowledged(
    consumer: Any,
) -> None:
    tp = TP(TOPIC, 1)
    consumer._committed_offset[tp] = 10
    consumer.ack(record(20))
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=15) == 5
    assert consumer.commits == [{tp: 15}]
    assert consumer._new_offset(tp) is None  # 15..19 are not applied: the commit waits


async def test_nothing_is_committed_without_a_hole_a_commit_or_a_landing(consumer: Any) -> None:
    tp = TP(TOPIC, 1)
    consumer.ack(record(2))
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=5) == 0  # Faust commits it
    consumer._acked_index[tp].clear()
    consumer._acked[tp].clear()
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=0) == 0  # nothing applied
    consumer._committed_offset[tp] = 3
    consumer.ack(record(3))
    consumer.ack(record(4))
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=9) == 0  # head acknowledged
    assert consumer._new_offset(tp) == 5
    consumer._committed_offset[tp] = 9
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=9) == 0  # up to the ledger
    consumer._committed_offset[tp] = 6
    consumer.lands = False
    assert await commit_applied(consumer, TOPIC, 1, applied_up_to=9) == 0  # broker away
    assert consumer.commits == []
    assert consumer._committed_offset[tp] == 6


async def test_a_partition_never_committed_nor_acknowledged_is_committed_up_to_the_ledger(
    consumer: Any,
) -> None:
    """A worker applied and stored a partition's records and died before its first commit; its
    successor's stream drops the records as read already, so none is ever acknowledged."""
    tp = TP(TOPIC, 4)
    assert await commit_applied(consumer, TOPIC, 4, applied_up_to=120) == 120
    assert consumer.commits == [{tp: 120}]
    assert consumer._committed_offset[tp] == 120


async def test_an_empty_acknowledged_list_is_committed_up_to_the_ledger(consumer: Any) -> None:
    tp = TP(TOPIC, 2)
    consumer._committed_offset[tp] = 6
    assert await commit_applied(consumer, TOPIC, 2, applied_up_to=41) == 35
    assert consumer._committed_offset[tp] == 41


async def test_a_hole_is_committed_past_only_once_it_has_stood_for_the_interval(
    consumer: Any,
) -> None:
    tp = TP(TOPIC, 3)
    now = [100.0]
    holes = CommitHoles(min_age_s=15.0, clock=lambda: now[0])
    consumer._committed_offset[tp] = 4
    consumer.ack(record(9, partition=3))
    for _ in range(5):  # a burst of catch-up ticks after an outage: one moment, no commit
        assert await holes.settle(consumer, TOPIC, 3, applied_up_to=10) == 0
    now[0] += 10.0
    consumer._committed_offset[tp] = 6  # a commit landed: a new hole, timed afresh
    assert await holes.settle(consumer, TOPIC, 3, applied_up_to=10) == 0
    now[0] += 14.0
    assert await holes.settle(consumer, TOPIC, 3, applied_up_to=10) == 0
    now[0] += 1.0
    assert await holes.settle(consumer, TOPIC, 3, applied_up_to=10) == 3  # 6, 7, 8
    assert consumer.commits == [{tp: 9}]
    assert consumer._new_offset(tp) == 10


class Stream:
    """A stream's `events()` over given events (the agent-facing part of a Faust stream)."""

    def __init__(self, app: Any, events: list[Any]) -> None:
        self.app = app
        self._events = events

    async def events(self) -> Any:
        for event in self._events:
            yield event


class Event:
    def __init__(self, message: Message) -> None:
        self.message = message


async def test_clearing_the_buffers_forgets_only_the_records_no_agent_began(consumer: Any) -> None:
    app = SimpleNamespace(consumer=consumer, flow_control=FlowControlEvent())
    in_flight = InFlight()
    forgotten: list[int] = []
    in_flight.on_forgotten = forgotten.append
    begun, buffered, done = record(1), record(2), record(3)
    unacked = consumer._unacked_messages
    for message in (begun, buffered, done):
        unacked.add(message)
    consumer.ack(done)

    events = in_flight.events(Stream(app, [Event(begun)]))
    event = await events.__anext__()  # the agent handles `begun` now
    assert event.message is begun
    app.flow_control.clear()

    assert set(unacked) == {begun}
    assert forgotten == [1]
    assert in_flight.forgotten == 1
    with pytest.raises(StopAsyncIteration):
        await events.__anext__()
    assert not in_flight.begun(begun)


def test_a_record_held_by_one_agent_whose_copy_another_agent_lost_is_acknowledged_once_stored(
    consumer: Any,
) -> None:
    """Catch-up ticks are read by two agents: each holds a reference to the record. When the
    buffers are cleared while one agent holds it in a batch not yet stored, the other copy is
    gone with the buffer; the holder's acknowledgement must then be the last one, or the
    rebalance would wait for it forever."""
    app = SimpleNamespace(consumer=consumer, flow_control=FlowControlEvent())
    in_flight = InFlight()
    in_flight.install(app)
    tick = record(5)
    tick.incref(2)  # two agents read the topic
    consumer._unacked_messages.add(tick)
    in_flight.hold(tick)  # the first agent applied it into its batch

    app.flow_control.clear()  # the second agent's copy is cleared from its buffer

    assert set(consumer._unacked_messages) == {tick}, "the held record is waited for"
    orphans = in_flight.release(tick)
    assert orphans == 1
    tick.decref(orphans)
    assert tick.ack(consumer), "the holder's acknowledgement is the last"
    assert not in_flight.begun(tick)


def test_a_record_two_agents_hold_is_released_by_the_last_of_them(consumer: Any) -> None:
    app = SimpleNamespace(consumer=consumer, flow_control=FlowControlEvent())
    in_flight = InFlight()
    in_flight.install(app)
    tick = record(6)
    tick.incref(2)
    consumer._unacked_messages.add(tick)
    in_flight.hold(tick)
    in_flight.hold(tick)

    app.flow_control.clear()

    assert in_flight.release(tick) == 0
    assert in_flight.begun(tick), "the second agent still holds it"
    assert in_flight.release(tick) == 0, "no copy was lost"
    assert not in_flight.begun(tick)
