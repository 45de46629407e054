"""The one loop every agent of the engine runs: inputs in batches, published before stored.

An agent module holds only its handlers; `AgentLoop` owns what they share:

- waiting for the configuration to be read before the first input (`waits_for_config`);
- the input's order and completeness (`handle` is an agent's `OrderedInputs.handle`, which
  reads skipped and stalled records from the broker and keeps the input ledger, or a guarded
  handler for agents without a table);
- guarding: a bad record is dead-lettered by `guarded` and the batch goes on; an infrastructure
  failure stops the worker (`App.crash`), never a restarted agent that would acknowledge a
  half-done batch;
- batching. Faust hands the agent one event at a time (its per-event cost stays); the loop
  applies each into the batch in memory, and stores the batch
  when it holds `batch_max` records, when the agent's buffer has no more records waiting, or
  `batch_wait_s` after the batch's first record, whichever comes first. Storing a batch: every
  record the batch sent is acknowledged by the broker (one `Emitter.settle`), then the stores
  encode what changed (each key once), then the staged tables write each key once (its
  partition explicit, see streams.stores.staging; first waiting for the changelog records of
  the batch before, below), then the batch's events are acknowledged to Faust so its offsets
  can be committed. A worker killed before the tables are written
  applies the batch again from the stored state and emits the same records with the same
  versions; one killed after it finds the batch's inputs in the ledger.
- metrics: records per batch and the time to store one.

Why the changelog records are awaited: a table's local RocksDB is written at once, its changelog
through Faust's producer buffer, and a restarted worker replays the changelog records after the
last one acknowledged over its local store. A store many writes ahead of its changelog (a batch
writes hundreds of keys at once) would then have older records of a key replayed over newer local
values of the same account's parts, mixing versions. So a batch's tables are written only once
the changelog records of the batch before are acknowledged (by then they mostly are: the batch's
own outputs took a round trip): the changelog is at most the batch being written behind its local
store, and replaying it writes the same values again. Its inputs may be committed before its
changelog is acknowledged: the input ledger travels in the same changelog, so a worker that
restores the tables without the batch also finds its inputs not applied, and applies them.

Acknowledgements are the loop's own (`Stream.enable_acks` off, as in Faust's `take()`), and a
record of a batch not yet stored counts as begun for the rebalance (`InFlight.hold`), so that a
rebalance waits for the batch instead of revoking its partitions under it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from streams.runtime.outputs import Emitter, InputMessage
from streams.runtime.rebalances import InFlight
from streams.stores.staging import StagedTable

Handler = Callable[[InputMessage], Awaitable[None]]


class BatchStore(Protocol):
    """What keeps decoded state across a batch and encodes it once when the batch is stored."""

    def flush(self) -> None: ...

    def discard(self) -> None: ...


@dataclass
class AgentLoop:
    """One agent's loop over its Faust stream (see the module's docstring)."""

    name: str
    handle: Handler
    emitter: Emitter
    in_flight: InFlight
    crash: Callable[[BaseException], Awaitable[None]]
    batch_max: int
    batch_wait_s: float
    # Waits until the changelog records of the tables' writes are acknowledged (see `_store`).
    changelogs_written: Callable[[], Awaitable[None]] | None = None
    tables: Sequence[StagedTable] = ()
    stores: Sequence[BatchStore] = ()
    # What the handlers held back until the batch ends (the latest snapshot of each group).
    before_settle: Sequence[Callable[[], Awaitable[None]]] = ()
    config_ready: asyncio.Event | None = None
    # Inputs of this topic are handled after the batch before them is stored (catch-up ticks
    # compare the stored ledger with the broker and move the consumer).
    store_before: str | None = None
    observe: Callable[[str, int, float], None] | None = None
    _events: list[Any] = field(default_factory=list)
    _by_partition: dict[int, Any] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _timer: asyncio.Task[None] | None = None
    _changelog_behind: bool = False
    _stream: Any = None

    async def run(self, stream: Any) -> None:
        """The agent's body: every event of `stream`, in batches, until the stream ends."""
        if self.config_ready is not None:
            await self.config_ready.wait()
        self._stream = stream
        stream.enable_acks = False  # acknowledged per batch, once stored (see `store`)
        queue = getattr(stream.channel, "queue", None)
        async for event in self.in_flight.events(stream):
            async with self._lock:
                await self._apply(event)
                if len(self._events) >= self.batch_max or queue is None or queue.empty():
                    await self._store()
                elif self._timer is None:
                    self._timer = asyncio.create_task(self._store_later())

    async def _apply(self, event: Any) -> None:
        message = InputMessage.of(event)
        if message.topic == self.store_before and self._events:
            await self._store()
        self.in_flight.hold(event.message)
        self._events.append(event)
        self._by_partition[message.partition] = event
        for table in self.tables:
            table.partition = message.partition
        await self.handle(message)

    async def _store_later(self) -> None:
        await asyncio.sleep(self.batch_wait_s)
        async with self._lock:
            self._timer = None
            if self._events:
                await self._store()

    async def _store(self) -> None:
        """Publishes, then stores, then acknowledges the batch (see the module's docstring)."""
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None
        events, self._events = self._events, []
        by_partition, self._by_partition = self._by_partition, {}
        started = time.perf_counter()
        try:
            for last_sends in self.before_settle:
                await last_sends()
            await self.emitter.settle()
            for store in self.stores:
                store.flush()
            if self._changelog_behind and self.changelogs_written is not None:
                await self.changelogs_written()  # the last batch's, acknowledged meanwhile
            written = 0
            for table in self.tables:
                written += await table.store(by_partition)
            self._changelog_behind = written > 0
        except BaseException as exc:
            # The batch is not stored: the worker stops (or is stopping), and its inputs are
            # applied again after the restart (nothing of it is acknowledged).
            for store in self.stores:
                store.discard()
            for table in self.tables:
                table.discard()
            if not isinstance(exc, asyncio.CancelledError):
                await self.crash(exc)
            raise
        for event in events:
            orphans = self.in_flight.release(event.message)
            if orphans:
                event.message.decref(orphans)
            await self._stream.ack(event)
        if self.observe is not None:
            self.observe(self.name, len(events), time.perf_counter() - started)
