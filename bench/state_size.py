"""The engine's state on disk, read from a stopped worker's RocksDB tables (read-only).

The `accounts` table holds each account in parts (the account with its buying groups, and its
people with their activity logs in shards; see streams.stores.account_store); `person-routes` one
small value per person. Per person and per group, the share of the
account values is measured by encoding each part alone with the engine's own state codec.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rocksdict import AccessType, Options, Rdict

from streams.runtime.state_codec import HEADER, encode_value
from streams.stores.account_store import AccountStore


@dataclass(frozen=True, slots=True, kw_only=True)
class StateSize:
    accounts: int
    people: int
    groups: int
    account_bytes: int  # every value of the accounts table
    people_bytes: int  # the people of every account, each encoded alone
    group_bytes: int  # the buying groups, each encoded alone
    route_bytes: int  # every value of the person-routes table
    disk_bytes: dict[str, int]  # RocksDB files on disk, by table


def disk_bytes(tables: Path) -> dict[str, int]:
    """Bytes of files under each `<table>-<partition>.db` directory, summed by table."""
    sizes: dict[str, int] = {}
    for directory in sorted(tables.glob("*-*.db")):
        table = directory.name.rsplit("-", 1)[0]
        files = (path.stat().st_size for path in directory.rglob("*") if path.is_file())
        sizes[table] = sizes.get(table, 0) + sum(files)
    return sizes


def table_values(tables: Path, table: str) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) of every entry of `table`'s partitions, engine values only."""
    for directory in sorted(tables.glob(f"{table}-*.db")):
        db = Rdict(
            str(directory), options=Options(raw_mode=True), access_type=AccessType.read_only()
        )
        try:
            for key, value in db.items():
                if isinstance(key, bytes) and isinstance(value, bytes) and value.startswith(HEADER):
                    yield key, value
        finally:
            db.close()


def state_size(tables: Path) -> StateSize:
    """What the tables under `tables` (a worker's `<data dir>/v1/tables`) hold."""
    accounts = people = groups = people_bytes = group_bytes = 0
    table = dict(table_values(tables, "accounts"))  # heads and people shards
    store = AccountStore(table, capacity=1)
    for account_id in store.account_ids():
        stored = store.load(account_id)
        assert stored is not None
        state = stored.state
        accounts += 1
        people += len(state.people)
        groups += len(state.groups)
        people_bytes += sum(len(encode_value(person)) for person in state.people.values())
        group_bytes += sum(len(encode_value(group)) for group in state.groups.values())
    account_bytes = sum(len(value) for key, value in table.items() if not key.startswith(b"\x00"))
    route_bytes = sum(len(value) for _, value in table_values(tables, "person-routes"))
    return StateSize(
        accounts=accounts,
        people=people,
        groups=groups,
        account_bytes=account_bytes,
        people_bytes=people_bytes,
        group_bytes=group_bytes,
        route_bytes=route_bytes,
        disk_bytes=disk_bytes(tables),
    )
