"""`track_groups`' accounts in its table, stored in parts (see state.people_storage).

Keys: the account id for the head (the account without its people), the account id followed by
`\\x00people:<shard>` for each shard of its people. Keys that hold a NUL byte are never account
ids: the ledger and the calibration references start with one. A head stored before parts
existed holds a whole `AccountState`; it loads as it is, and its first change stores it in
parts. Decoded accounts of recently used accounts are kept while their head's bytes stay the same
(a head changes with every change of the account, since it holds the version of each shard).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from events.errors import BadInput
from state.account import AccountState
from state.people_storage import AccountHead, PeopleShard, Stored, joined, split
from streams.state_codec import decode_value, encode_value

PEOPLE_SHARD = b"\x00people:"


def shard_key(key: bytes, index: int) -> bytes:
    return key + PEOPLE_SHARD + str(index).encode()


def is_account_key(key: bytes) -> bool:
    return b"\x00" not in key


class AccountStore:
    """Loads and stores accounts in `table` (a Faust table, or any mapping of bytes)."""

    def __init__(self, table: Any, capacity: int = 4096) -> None:
        self.table = table
        self.capacity = capacity
        self._decoded: OrderedDict[bytes, tuple[bytes, Stored]] = OrderedDict()

    def load(self, account_id: str) -> Stored | None:
        """The account, or None when it was never stored; raises BadInput when its stored parts
        do not belong together."""
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
        """Stores `after`, the state that followed `before` (as `load` gave it): the people
        shards it changed, then its head."""
        key = account_id.encode()
        parts = split(before, after)
        for index, shard in parts.shards.items():
            self.table[shard_key(key, index)] = encode_value(shard)
        head = encode_value(parts.head)
        self.table[key] = head
        self._remember(key, head, parts.stored)

    def account_ids(self) -> Iterator[str]:
        """Every account stored in the table (on every partition this worker holds)."""
        for key in self.table.keys():  # noqa: SIM118 - a Faust table, not a dict
            if is_account_key(key):
                yield key.decode()

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
