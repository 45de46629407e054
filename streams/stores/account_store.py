"""`track_groups`' accounts in its table, stored in parts: the account without its people (the
head), and one part per shard of its people (``state.model.shards``), so that a change rewrites
the shards it touched and not every person of the account.

Keys: the account id for the head, the account id followed by `\\x00people:<shard>` for each
shard of its people. Keys that hold a NUL byte are never account ids: the ledger and the
calibration references start with one. A head stored before parts existed holds a whole
`AccountState`; it loads as it is, and its first change stores it in parts. Decoded accounts of
recently used accounts are kept while their head's bytes stay the same (a head changes with every
change of the account, since it holds the version of each shard).

Storing one value per account cost, for every person event, the encoding of the whole account:
quadratic in the people of an account while its profiles load; and at 275 to 490 bytes per
person, an account of 2,000 to 4,000 people would outgrow the producer's 1 MiB record limit on
its changelog.

The parts of one change are stored one after the other, shards first, head last. A worker that
dies in between leaves shards one version ahead of the head, whose change is then applied again
(at-least-once). Each shard therefore keeps the people it had before its last change, and loading
takes that version back, so the change is applied again to the state it was first applied to.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from events.errors import BadInput
from state.model.account import AccountState, PersonState
from state.model.shards import SHARDS, Sharded, from_shards, sharded
from streams.runtime.state_codec import decode_value, encode_value
from streams.stores.staging import StagedTable

EMPTY: Mapping[str, PersonState] = MappingProxyType({})
NO_VERSIONS = (0,) * SHARDS


@dataclass(frozen=True, slots=True)
class PeopleShard:
    """The people of one shard at ``version``, and those it had at ``version - 1``."""

    version: int
    people: Mapping[str, PersonState]
    previous: Mapping[str, PersonState]


@dataclass(frozen=True, slots=True)
class AccountHead:
    """An account's state with no people, and the version each of its people shards is at
    (0: the shard was never stored)."""

    state: AccountState
    versions: tuple[int, ...] = NO_VERSIONS


@dataclass(frozen=True, slots=True)
class Stored:
    """An account as loaded: its state and the versions its shards are at."""

    state: AccountState
    versions: tuple[int, ...] = NO_VERSIONS


@dataclass(frozen=True, slots=True)
class Parts:
    """What to store for a change: the shards it touched (by index), then the head; and the
    account as it will load (to compare the next change against)."""

    shards: Mapping[int, PeopleShard]
    head: AccountHead
    stored: Stored


def split(before: Stored | None, after: AccountState) -> Parts:
    """The parts that store ``after``, the state that followed ``before`` (None: a new account).
    A stored shard is rewritten when its mapping is not the very object it was in ``before``
    (the domain copies only the shards it changes); a shard never stored is written once it
    has people (so an account stored whole, before parts existed, is written in full)."""
    people = _as_sharded(after.people)
    old_people = _as_sharded(before.state.people) if before is not None else None
    versions = list(before.versions if before is not None else NO_VERSIONS)
    changed: dict[int, PeopleShard] = {}
    for index, shard in enumerate(people.shards):
        old = old_people.shards[index] if old_people is not None else EMPTY
        kept = versions[index] > 0 and shard is old
        if kept or (versions[index] == 0 and not shard):
            continue
        versions[index] += 1
        changed[index] = PeopleShard(version=versions[index], people=shard, previous=old)
    head = AccountHead(state=replace(after, people=sharded(())), versions=tuple(versions))
    stored = Stored(state=replace(after, people=people), versions=head.versions)
    return Parts(shards=changed, head=head, stored=stored)


def joined(account_id: str, head: AccountHead, shards: Mapping[int, PeopleShard]) -> Stored:
    """The account that ``head`` and its stored ``shards`` (by index) make. A shard one version
    ahead of the head is from a change whose head was never stored: its previous people are
    taken. Raises BadInput when the parts do not belong together."""
    if len(head.versions) != SHARDS:
        raise BadInput(f"account {account_id}: {len(head.versions)} shard versions stored")
    parts: list[Mapping[str, PersonState]] = []
    for index, version in enumerate(head.versions):
        shard = shards.get(index)
        if version == 0:
            parts.append(EMPTY)
        elif shard is None:
            raise BadInput(f"account {account_id}: people shard {index} missing (v{version})")
        elif shard.version == version:
            parts.append(shard.people)
        elif shard.version == version + 1:
            parts.append(shard.previous)
        else:
            raise BadInput(
                f"account {account_id}: people shard {index} at version {shard.version},"
                f" the account expects {version}"
            )
    return Stored(state=replace(head.state, people=from_shards(parts)), versions=head.versions)


def _as_sharded(people: Mapping[str, PersonState]) -> Sharded[PersonState]:
    return people if isinstance(people, Sharded) else sharded(people.items())


PEOPLE_SHARD = b"\x00people:"


def shard_key(key: bytes, index: int) -> bytes:
    return key + PEOPLE_SHARD + str(index).encode()


def is_account_key(key: bytes) -> bool:
    return b"\x00" not in key


class AccountStore:
    """Loads and stores accounts in `table` (a staged Faust table, or any mapping of bytes).

    Within a batch an account is decoded once and encoded once: `save` keeps the state in
    memory, and `flush` (when the batch is stored) splits and encodes each changed account
    against the state the batch first loaded."""

    def __init__(self, table: Any, capacity: int = 4096) -> None:
        self.table = table
        self.capacity = capacity
        self._decoded: OrderedDict[bytes, tuple[bytes, Stored]] = OrderedDict()
        # account id -> (the account as the batch first loaded it, its latest state, and the
        # partition of the input that changed it: the partition its parts are written to)
        self._changed: dict[str, tuple[Stored | None, AccountState, int | None]] = {}

    def load(self, account_id: str) -> Stored | None:
        """The account, or None when it was never stored; raises BadInput when its stored parts
        do not belong together."""
        changed = self._changed.get(account_id)
        if changed is not None:
            before, state, _ = changed
            return Stored(state=state, versions=NO_VERSIONS if before is None else before.versions)
        key = account_id.encode()
        head = self.table.get(key)
        if head is None:
            return None
        entry = self._decoded.get(key)
        if entry is not None and entry[0] == head:
            self._decoded.move_to_end(key)
            return entry[1]
        stored = self._decode(account_id, key, head)
        self._remember(key, head, stored)
        return stored

    def save(self, account_id: str, before: Stored | None, after: AccountState) -> None:
        """Keeps `after`, the state that followed `before` (as `load` gave it), until `flush`."""
        changed = self._changed.get(account_id)
        first = before if changed is None else changed[0]
        partition = self.table.partition if isinstance(self.table, StagedTable) else None
        self._changed[account_id] = (first, after, partition)

    def flush(self) -> None:
        """Writes every account the batch changed: the people shards that differ from the
        state the batch first loaded, then its head."""
        for account_id, (before, after, partition) in self._changed.items():
            self._write(account_id, before, after, partition)
        self._changed.clear()

    def discard(self) -> None:
        """Forgets the batch's changes (it is being applied again from the stored state)."""
        self._changed.clear()
        self._decoded.clear()

    def _write(
        self, account_id: str, before: Stored | None, after: AccountState, partition: int | None
    ) -> None:
        key = account_id.encode()
        parts = split(before, after)
        for index, shard in parts.shards.items():
            self._put(shard_key(key, index), encode_value(shard), partition)
        head = encode_value(parts.head)
        self._put(key, head, partition)
        self._remember(key, head, parts.stored)

    def _put(self, key: bytes, value: bytes, partition: int | None) -> None:
        if partition is None:
            self.table[key] = value
        else:
            self.table.put(key, value, partition)

    def account_ids(self) -> Iterator[str]:
        """Every account stored in the table (on every partition this worker holds) or created
        by the batch in progress."""
        seen = set()
        for key in self.table.keys():  # noqa: SIM118 - a Faust table, not a dict
            if is_account_key(key):
                seen.add(key)
                yield key.decode()
        for account_id in list(self._changed):
            if account_id.encode() not in seen:
                yield account_id

    def _decode(self, account_id: str, key: bytes, data: bytes) -> Stored:
        value = decode_value(data, object)
        if isinstance(value, AccountState):
            return Stored(state=value)
        if not isinstance(value, AccountHead):
            raise BadInput(f"account {account_id}: stored as a {type(value).__name__}")
        shards: dict[int, PeopleShard] = {}
        for index, version in enumerate(value.versions):
            stored = self.table.get(shard_key(key, index)) if version > 0 else None
            if stored is not None:
                shards[index] = decode_value(stored, PeopleShard)
        return joined(account_id, value, shards)

    def _remember(self, key: bytes, head: bytes, stored: Stored) -> None:
        self._decoded[key] = (head, stored)
        self._decoded.move_to_end(key)
        if len(self._decoded) > self.capacity:
            self._decoded.popitem(last=False)
