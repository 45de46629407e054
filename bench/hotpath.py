"""The engine's hot path in-process, without a broker: what one activity costs `track_groups`.

For each activity the worker loads the account, applies the rules (`state.transitions.apply.apply`)
and stores what changed. This module builds account states from a generated tenant with the same
pure functions, then times that loop per activity on the last activities of the tenant, three
ways:

- whole, decoded every time: the account stored as one value, unpickled and pickled whole for
  every activity;
- whole, decode cache: the same, with the state decoded last kept while the stored bytes are
  the ones last written (the engine's way up to commit 38bc855);
- in parts: `streams.stores.account_store.AccountStore`, the engine's way since then (the account
  without its people, and one value per shard of its people; an activity rewrites its person's
  shard and the head).

`python -m bench.hotpath` prints the result as JSON; `bench.run` adds it to the report.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from bench.tenant import SIZES, Size, grown, tenant_spec
from events.records import AccountEvent, ActivityEvent, PersonEvent
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import apply_config_change
from state.catalogue.errors import Invalid
from state.model.account import AccountState, new_account_state
from state.model.changes import Change
from state.routing.routes import route
from state.transitions.apply import apply
from streams.config_file.apply import read_config_file
from streams.demo.tenant import TenantSpec, sample_accounts, sample_activities, sample_people
from streams.runtime.state_codec import decode_value, encode_value
from streams.stores.account_store import AccountStore
from tests.integration.processes import ROOT

PROBE = Size(name="probe", accounts=20, activities=5_000)
MEASURED = 400  # activities timed per variant, the tenant's last ones


def catalogue_of(path: Path, now: datetime) -> Catalogue:
    records = read_config_file(path, now=now)
    assert isinstance(records, tuple), f"{path} is refused: {records}"
    catalogue = EMPTY_CATALOGUE
    for record in records:
        result = apply_config_change(catalogue, record)
        if not isinstance(result, Invalid):
            catalogue = result
    return catalogue


def changes_of(spec: TenantSpec) -> Iterator[tuple[str, Change]]:
    """(account id, change) of every account, person and activity of the tenant, in order."""
    records: list[AccountEvent | PersonEvent | ActivityEvent] = [
        *sample_accounts(spec),
        *sample_people(spec),
        *(sample.record for sample in sample_activities(spec)),
    ]
    for record in records:
        for delivery in route(record, None).deliveries:
            yield delivery.account_id, delivery.change


def build(
    spec: TenantSpec, catalogue: Catalogue, now: datetime
) -> tuple[dict[str, AccountState], list[tuple[str, Change]]]:
    """The account states after all but the last `MEASURED` changes, and those changes."""
    changes = list(changes_of(spec))
    history, measured = changes[:-MEASURED], changes[-MEASURED:]
    states: dict[str, AccountState] = {}
    for account_id, change in history:
        state = states.get(account_id) or new_account_state(account_id)
        states[account_id] = apply(state, change, catalogue, now).state
    return states, measured


WHOLE, WHOLE_CACHED, IN_PARTS = "whole, decoded every time", "whole, decode cache", "in parts"


def time_loop(
    states: dict[str, AccountState],
    changes: list[tuple[str, Change]],
    catalogue: Catalogue,
    now: datetime,
    *,
    cache: bool,
) -> float:
    """Seconds per change, accounts stored whole: read bytes, decode (or reuse), apply, encode,
    store."""
    table = {key: encode_value(state) for key, state in states.items()}
    decoded: dict[str, tuple[bytes, AccountState]] = {}
    started = time.perf_counter()
    for account_id, change in changes:
        stored = bytes(table.get(account_id) or b"")  # a store hands out a fresh copy
        kept = decoded.get(account_id) if cache else None
        if kept is not None and kept[0] == stored:
            state = kept[1]
        elif stored:
            state = decode_value(stored, AccountState)
        else:
            state = new_account_state(account_id)
        outcome = apply(state, change, catalogue, now)
        table[account_id] = written = encode_value(outcome.state)
        if cache:
            decoded[account_id] = (written, outcome.state)
    return (time.perf_counter() - started) / max(1, len(changes))


class CopyingTable(dict[bytes, bytes]):
    """A dict that hands out fresh copies of its values, as a store does."""

    def get(self, key: bytes, default: Any = None) -> Any:
        value = super().get(key)
        return default if value is None else bytes(value)


def time_in_parts(
    states: dict[str, AccountState],
    changes: list[tuple[str, Change]],
    catalogue: Catalogue,
    now: datetime,
) -> float:
    """Seconds per change with the engine's `AccountStore`: load, apply, store what changed."""
    table = CopyingTable()
    seeding = AccountStore(table)
    for account_id, state in states.items():
        seeding.save(account_id, None, state)
    seeding.flush()
    store = AccountStore(table)
    started = time.perf_counter()
    for account_id, change in changes:
        loaded = store.load(account_id)
        state = new_account_state(account_id) if loaded is None else loaded.state
        outcome = apply(state, change, catalogue, now)
        if outcome.state is not state:
            store.save(account_id, loaded, outcome.state)
            store.flush()  # a batch of one change: the cost of one change's parts
    return (time.perf_counter() - started) / max(1, len(changes))


def probe(size: Size, catalogue: Catalogue, now: datetime) -> dict[str, Any]:
    spec = tenant_spec(size, now=now, seed=1)
    states, measured = build(spec, catalogue, now)
    timings = {
        WHOLE: time_loop(states, measured, catalogue, now, cache=False),
        WHOLE_CACHED: time_loop(states, measured, catalogue, now, cache=True),
        IN_PARTS: time_in_parts(states, measured, catalogue, now),
    }
    weighted = [len(encode_value(states[a])) for a, _ in islice(measured, 200) if a in states]
    return {
        "size": dataclasses.asdict(size),
        "people": sum(len(state.people) for state in states.values()),
        "account_bytes_per_activity": sum(weighted) / max(1, len(weighted)),
        "ms_per_activity": {name: seconds * 1000 for name, seconds in timings.items()},
    }


def hot_path(base: Size = PROBE) -> list[dict[str, Any]]:
    """The base probe, then the same with 10x people per account and 10x activities."""
    now = datetime.now(UTC)
    catalogue = catalogue_of(ROOT / "examples" / "tenant.yaml", now)
    sizes = [base, grown(base, "people"), grown(base, "activities")]
    return [probe(size, catalogue, now) for size in sizes]


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hotpath",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default=None,
        help="base tenant (default: 20 accounts, 10,000 activities)",
    )
    args = parser.parse_args()
    print(json.dumps(hot_path(SIZES[args.size] if args.size else PROBE), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
