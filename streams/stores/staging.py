"""A table's writes during one batch, held in memory and stored once per key.

Each `table[key] = value` on a Faust table sends its own changelog record (about 0.2 ms each), so
an agent that wrote every key it touched for every input paid that once per input and per key.
An agent's tables are wrapped in a `StagedTable` instead: reads see the batch's own writes first,
and `store` writes each key once, with the last value the batch gave it.

Which partition a write belongs to is explicit. A Faust table takes the partition of a write (its
changelog partition and its RocksDB instance) from the stream's current event, which only exists
while an agent iterates its stream; the batch is stored later, outside that iteration. So the
agent skeleton sets `partition` to the partition of the input it is about to handle (an agent's
tables are partitioned like its inputs), each write records it, and `store` makes an input of that
same partition the current event while it writes the key (`stored_by`).

A write goes to the table's RocksDB store and its
changelog record straight to the worker's producer, as Faust's own table write does but without
its per-record `Topic.publish_message` (about 0.2 ms each); the record's acknowledgement notes
the changelog offset in the store, as Faust's does, for recovery to resume from.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from faust.streams import _current_event

DELETED = None


@dataclass
class Changelog:
    """A Faust table's changelog, written through the worker's producer."""

    producer: Any
    table: Any
    _unacknowledged: list[Awaitable[Any]] = field(default_factory=list)

    @property
    def topic(self) -> str:
        return str(self.table.changelog_topic.get_topic_name())

    async def write(self, partition: int, key: bytes, value: bytes | None) -> None:
        sent = await self.producer.send(self.topic, key, value, partition, None, None)
        sent.add_done_callback(self._noted)
        self._unacknowledged.append(sent)

    async def acknowledged(self) -> None:
        """Waits until the broker has every record written so far (a failure raises)."""
        sent, self._unacknowledged = self._unacknowledged, []
        if sent:
            await asyncio.gather(*sent)

    def _noted(self, sent: Any) -> None:
        if sent.cancelled() or sent.exception() is not None:
            return  # `acknowledged` raises it
        written = sent.result()
        self.table.data.set_persisted_offset(written.topic_partition, written.offset)


class StagedTable:
    """A Faust table (or any mapping of bytes) with the writes of the batch in progress."""

    def __init__(self, table: Any, changelog: Changelog) -> None:
        self.table = table
        self.changelog = changelog
        self.partition: int | None = None
        self._writes: dict[bytes, tuple[int, bytes | None]] = {}

    def __len__(self) -> int:
        """How many keys the batch has written."""
        return len(self._writes)

    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:
        staged = self._writes.get(key)
        if staged is not None:
            value = staged[1]
            return default if value is DELETED else value
        stored: bytes | None = self.table.get(key)
        return default if stored is None else stored

    def stored(self, key: bytes) -> bytes | None:
        """The value stored before this batch (what a restart would find)."""
        value: bytes | None = self.table.get(key)
        return value

    def __getitem__(self, key: bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self.get(key) is not None

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._writes[key] = (self._partition(key), value)

    def put(self, key: bytes, value: bytes, partition: int) -> None:
        """A write of `partition`'s, made after that partition's input was handled."""
        self._writes[key] = (partition, value)

    def __delitem__(self, key: bytes) -> None:
        self._writes[key] = (self._partition(key), DELETED)

    def keys(self) -> Iterator[bytes]:
        """Every key, the batch's writes included and its deletions left out."""
        for key in self.table.keys():  # noqa: SIM118 - a Faust table, not a dict
            if key not in self._writes:
                yield key
        for key, (_, value) in self._writes.items():
            if value is not DELETED:
                yield key

    async def store(self, stored_by: Mapping[int, Any]) -> int:
        """Writes every staged key once, each as the current event of its partition
        (`stored_by`: a Faust event of each partition the batch read); returns how many keys."""
        writes, self._writes = self._writes, {}
        # The current event is put back afterwards: a batch may be stored in the middle of an
        # input's handling (before a catch-up tick), whose reads go to its own partition.
        handled = _current_event.set(None)
        try:
            for key, (partition, value) in writes.items():
                _current_event.set(weakref.ref(stored_by[partition]))
                if self._write_store(key, value):
                    await self.changelog.write(partition, key, value)
        finally:
            _current_event.reset(handled)
        return len(writes)

    def _write_store(self, key: bytes, value: bytes | None) -> bool:
        """Whether the store changed (a key written, or one it held deleted)."""
        store = self.table.data
        if value is not DELETED:
            store[key] = value
            return True
        if key in store:
            del store[key]
            return True
        return False

    def discard(self) -> None:
        """Forgets the batch's writes (the batch is being applied again from the stored state)."""
        self._writes.clear()

    def _partition(self, key: bytes) -> int:
        if self.partition is None:
            raise RuntimeError(f"table write of {key[:40]!r} outside of an input's handling")
        return self.partition
