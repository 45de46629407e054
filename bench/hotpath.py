"""The engine's hot path in-process, without a broker: what one activity costs `track_groups`.

For each activity the worker reads the account's bytes, decodes them (`state_codec.decode_value`),
applies the rules (`state.transitions.apply`) and encodes the whole account again
(`state_codec.encode_value`). This module builds account states from a generated tenant with the
same pure functions, then times that loop per activity on the last activities of the tenant:
decoding every time, and with two cheap changes (the first is in `streams/track_groups.py`
since commit ccdf828, `DecodedCache`; the second is not in streams/ at the time of writing):

- decoded states kept between events: when the stored bytes equal the bytes last written for the
  account, the state decoded then (immutable) is used again instead of unpickling;
- field names cached per class for pickling: Python's slotted dataclasses call
  `dataclasses.fields()` for every object pickled or unpickled; the same list of values with the
  names looked up once gives byte-identical state (checked here).

`python -m bench.hotpath` prints the result as JSON; `bench.run` adds it to the report.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from bench.tenant import SIZES, Size, grown, tenant_spec
from events.records import AccountEvent, ActivityEvent, PersonEvent
from state.account import AccountState, new_account_state
from state.catalogue import EMPTY_CATALOGUE, Catalogue
from state.changes import Change
from state.config import apply_config_change
from state.config_errors import Invalid
from state.routing import route
from state.transitions import apply
from streams.config_apply import read_config_file
from streams.state_codec import decode_value, encode_value
from streams.tenant import TenantSpec, sample_accounts, sample_activities, sample_people
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


def fast_pickling_classes() -> list[type]:
    """The project's slotted dataclasses whose pickling still goes through `fields()`."""
    found: dict[int, type] = {}  # a class imported into several modules counts once
    for name, module in list(sys.modules.items()):
        if not name.startswith(("state.", "events.", "streams.internal")):
            continue
        for value in vars(module).values():
            getstate = getattr(value, "__getstate__", None)
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and getattr(getstate, "__name__", "") == "_dataclass_getstate"
            ):
                found[id(value)] = value
    return list(found.values())


@contextlib.contextmanager
def cached_field_names() -> Iterator[None]:
    """Pickle the project's dataclasses with field names looked up once per class."""
    saved = []
    for cls in fast_pickling_classes():
        names = tuple(field.name for field in dataclasses.fields(cls))
        saved.append((cls, vars(cls)["__getstate__"], vars(cls)["__setstate__"]))
        setattr(cls, "__getstate__", _getstate(names))  # noqa: B010 - replaced for the probe
        setattr(cls, "__setstate__", _setstate(names))  # noqa: B010
    try:
        yield
    finally:
        for cls, getstate, setstate in reversed(saved):
            setattr(cls, "__getstate__", getstate)  # noqa: B010
            setattr(cls, "__setstate__", setstate)  # noqa: B010


def _getstate(names: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    def getstate(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    return getstate


def _setstate(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def setstate(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return setstate


def time_loop(
    states: dict[str, AccountState],
    changes: list[tuple[str, Change]],
    catalogue: Catalogue,
    now: datetime,
    *,
    cache: bool,
) -> float:
    """Seconds per change of: read bytes, decode (or reuse), apply, encode, store."""
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


def probe(size: Size, catalogue: Catalogue, now: datetime) -> dict[str, Any]:
    spec = tenant_spec(size, now=now, seed=1)
    states, measured = build(spec, catalogue, now)
    sample = next(iter(states.values()))
    plain_bytes = encode_value(sample)
    with cached_field_names():
        identical = encode_value(sample) == plain_bytes
    timings = {"decode every time": time_loop(states, measured, catalogue, now, cache=False)}
    timings["decode cache"] = time_loop(states, measured, catalogue, now, cache=True)
    with cached_field_names():
        timings["cached field names"] = time_loop(states, measured, catalogue, now, cache=False)
        timings["both"] = time_loop(states, measured, catalogue, now, cache=True)
    weighted = [len(encode_value(states[a])) for a, _ in islice(measured, 200) if a in states]
    return {
        "size": dataclasses.asdict(size),
        "people": sum(len(state.people) for state in states.values()),
        "account_bytes_per_activity": sum(weighted) / max(1, len(weighted)),
        "bytes_identical": identical,
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
