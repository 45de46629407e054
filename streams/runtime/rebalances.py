"""Two repairs to faust-streaming's consumer bookkeeping around rebalances and broker outages.

Rebalances wait only for the records an agent has begun.

At a rebalance Faust clears the agents' buffers, then waits until every record it handed to an
agent is acknowledged. A record cleared from a buffer is never acknowledged: Faust counts on it
being garbage-collected out of its set of unacknowledged records, but its fetch loop keeps the
last record it read alive. A rebalance that starts while that record waits in a buffer therefore
waits for it forever, and the worker stays up with every partition stopped (seen when a broker
comes back after a SIGKILL and the group rebalances while an agent is still busy).

The engine tracks the records its agents have begun and, whenever the buffers are cleared,
forgets every other unacknowledged record. Nothing is lost: such a record was not applied, its
offset is not committed, and the stream reads it again from the committed offset once the
rebalance is over (the input ledger ignores what was applied already).

Committed offsets follow the input ledger. Faust commits an input partition up to its first
offset that no agent acknowledged. Two of its paths leave such a hole for good: a commit that
fails (the broker is away) has already taken its offsets off the acknowledged list, and after a
rebalance the fetch loop can set the partition's read position back to a record it read before
the rebalance, so the records re-read below it are dropped unacknowledged. The engine applied
those records (its ledger says so, and read any it had not from the broker), but the committed
offset, which SREs watch as lag and which a restart resumes from, would never move again. On each
catch-up tick every agent checks its partitions, and when a hole has stayed at the same committed
offset for a catch-up interval, commits, through Faust's own commit path, up to the first
acknowledged offset or the ledger's next offset, whichever comes first. (Marking the offsets as
acknowledged instead is not enough: Faust folds its own gap records into the same list, and the
duplicates then let its commit move one offset per commit interval.)
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from faust.types import TP


class InFlight:
    """The records the engine's agents have begun and not yet finished: one being handled, or
    applied into a batch that is not stored yet (held)."""

    def __init__(self) -> None:
        self._begun: dict[int, Any] = {}
        self._held: dict[int, tuple[Any, int]] = {}
        # Records held when the buffers were cleared, and how many of their copies (one per
        # agent reading the topic) were cleared with them.
        self._orphans: dict[int, int] = {}
        self._installed_on: Any = None
        self.forgotten = 0
        self.on_forgotten: Callable[[int], None] | None = None

    def __len__(self) -> int:
        return len(self._begun.keys() | self._held.keys())

    def begun(self, message: Any) -> bool:
        return id(message) in self._begun or id(message) in self._held

    def hold(self, message: Any) -> None:
        """Counts `message` as begun until `release`: a record applied into a batch that is not
        stored yet (a rebalance waits for the batch)."""
        _, holders = self._held.get(id(message), (message, 0))
        self._held[id(message)] = (message, holders + 1)

    def release(self, message: Any) -> int:
        """Ends one agent's hold of `message`; returns, once no agent holds it any more, how
        many of its copies were cleared from other agents' buffers meanwhile (references
        the caller drops, or the record would wait for acknowledgements that never come)."""
        key = id(message)
        _, holders = self._held.get(key, (message, 1))
        if holders > 1:
            self._held[key] = (message, holders - 1)
            return 0
        self._held.pop(key, None)
        return self._orphans.pop(key, 0)

    async def events(self, stream: Any) -> AsyncIterator[Any]:
        """`stream.events()`, each event's record counted as begun while the agent handles it."""
        self.install(stream.app)
        async for event in stream.events():
            message = event.message
            self._begun[id(message)] = message
            try:
                yield event
            finally:
                self._begun.pop(id(message), None)

    def forget_unbegun(self, unacked: Any) -> int:
        """Drops from Faust's set of unacknowledged records every record no agent has begun, and
        notes of each held record the copies that other agents will now never see; returns how
        many records were dropped."""
        dropped = [m for m in list(unacked) if not m.acked and not self.begun(m)]
        for message in dropped:
            unacked.discard(message)
        for message in list(unacked):
            key = id(message)
            if message.acked or not self.begun(message):
                continue
            holders = max(self._held.get(key, (message, 0))[1], 1 if key in self._begun else 0)
            if message.refcount > holders:
                self._orphans[key] = message.refcount - holders
        self.forgotten += len(dropped)
        if dropped and self.on_forgotten is not None:
            self.on_forgotten(len(dropped))
        return len(dropped)

    def install(self, app: Any) -> None:
        """Makes `app`'s buffer clearing forget the records it clears (once per app; done when
        the first agent starts, so the flow control is the running app's)."""
        if self._installed_on is app:
            return
        self._installed_on = app
        flow = app.flow_control
        clear: Callable[[], None] = flow.clear

        def clear_and_forget() -> None:
            clear()
            self.forget_unbegun(app.consumer._unacked_messages)

        flow.clear = clear_and_forget


def hole_at(consumer: Any, topic: str, partition: int, applied_up_to: int) -> int | None:
    """The committed offset of `topic`/`partition` when it is unacknowledged although the input
    ledger has applied it (`applied_up_to`: the ledger's next offset due), 0 for a partition
    never committed of which nothing is acknowledged; else None."""
    tp = TP(topic, partition)
    committed: int | None = consumer._committed_offset.get(tp)
    if committed is None:
        # Never committed: Faust commits from the first record it sees acknowledged, so only a
        # partition of which nothing is acknowledged stays uncommitted for good (its records
        # were applied and stored before a crash, and the stream drops them as read already).
        return 0 if applied_up_to > 0 and not consumer._acked_index[tp] else None
    if committed >= applied_up_to or committed in consumer._acked_index[tp]:
        return None
    return committed


class CommitHoles:
    """Commits past a partition's hole once checks have found it at the same offset for
    `min_age_s` (catch-up ticks can arrive in a burst after an outage, so a count of checks
    would not do; a commit in flight has taken its offsets off the list before it lands)."""

    def __init__(self, min_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.min_age_s = min_age_s
        self._clock = clock
        self._seen: dict[tuple[str, int], tuple[int, float]] = {}

    async def settle(self, consumer: Any, topic: str, partition: int, applied_up_to: int) -> int:
        """How many offsets were committed past a hole (see `commit_applied`)."""
        key = (topic, partition)
        hole = hole_at(consumer, topic, partition, applied_up_to)
        if hole is None:
            self._seen.pop(key, None)
            return 0
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None or seen[0] != hole:
            self._seen[key] = (hole, now)
            return 0
        if now - seen[1] < self.min_age_s:
            return 0
        del self._seen[key]
        return await commit_applied(consumer, topic, partition, applied_up_to)


async def commit_applied(consumer: Any, topic: str, partition: int, applied_up_to: int) -> int:
    """Commits `topic`/`partition` through `consumer`'s own commit path up to the first
    acknowledged offset or `applied_up_to` (the input ledger's next offset due), whichever comes
    first, and drops the acknowledgements below it from `consumer`'s books; returns how many
    offsets the commit moved past. Nothing is committed when the partition has no committed
    offset yet, its head is acknowledged already, or the commit does not land."""
    committed = hole_at(consumer, topic, partition, applied_up_to)
    if committed is None:
        return 0
    tp = TP(topic, partition)
    acked: list[int] = consumer._acked[tp]
    end = min([applied_up_to, *(o for o in acked if o >= committed)])
    if end <= committed or not await consumer._commit_offsets({tp: end}):
        return 0
    acked[:] = [o for o in acked if o >= end]
    index: set[int] = consumer._acked_index[tp]
    index.difference_update([o for o in index if o < end])
    return end - committed
