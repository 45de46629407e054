"""Accounts stored in parts: they load as they were stored, a change rewrites only the shards it
touched, and a change whose head was never stored is applied again to the state it first met."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.errors import BadInput
from events.records import ActivityEvent, PersonEvent
from state.model.account import AccountState, new_account_state
from state.model.changes import ActivityRecorded, Change, PersonChanged
from state.model.shards import SHARDS, shard_of
from state.transitions.apply import apply
from streams.runtime.state_codec import decode_value, encode_value
from streams.stores.account_store import (
    AccountHead,
    AccountStore,
    PeopleShard,
    Stored,
    shard_key,
    split,
)
from tests.unit.group_histories import CATALOGUE, changes_of, histories, run

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ACCOUNT = "acc-1"


class CountingTable(dict[bytes, bytes]):
    """A table that counts the values written to it."""

    writes: list[bytes]

    def __init__(self) -> None:
        super().__init__()
        self.writes = []

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.writes.append(key)
        super().__setitem__(key, value)


def step(store: AccountStore, change: Change, now: datetime, *, flush: bool = True) -> AccountState:
    """Applies `change` as track_groups does; `flush`: the batch ends with it."""
    stored = store.load(ACCOUNT)
    state = new_account_state(ACCOUNT) if stored is None else stored.state
    outcome = apply(state, change, CATALOGUE, now)
    if outcome.state is not state:
        store.save(ACCOUNT, stored, outcome.state)
    if flush:
        store.flush()
    return outcome.state


def profile(person: str, at: datetime) -> PersonChanged:
    return PersonChanged(
        event=PersonEvent(
            event_id=f"e-{person}", occurred_at=at, person_id=person, account_id=ACCOUNT
        )
    )


def activity(person: str, at: datetime, n: int = 0) -> ActivityRecorded:
    return ActivityRecorded(
        event=ActivityEvent(
            event_id=f"a-{person}-{n}",
            occurred_at=at,
            activity_id=f"a-{person}-{n}",
            person_id=person,
            account_id=ACCOUNT,
            activity_type="page_viewed",
        )
    )


def loaded_afresh(table: dict[bytes, bytes]) -> AccountState:
    """The account as a restarted worker (no decoded cache) loads it."""
    stored = AccountStore(table).load(ACCOUNT)
    assert stored is not None
    return stored.state


@settings(max_examples=40, deadline=None)
@given(histories)
def test_any_history_loads_as_it_was_applied(ops: list[Any]) -> None:
    table: dict[bytes, bytes] = {}
    store = AccountStore(table)
    changes = changes_of(ops, ACCOUNT)
    for now, change in changes:
        step(store, change, now)
    expected, _ = run(changes)
    assert loaded_afresh(table) == expected
    cached = store.load(ACCOUNT)
    assert cached is not None
    assert cached.state == expected


@settings(max_examples=40, deadline=None)
@given(histories, st.data())
def test_a_change_whose_head_was_lost_is_applied_again_to_the_state_it_met(
    ops: list[Any], data: st.DataObject
) -> None:
    """A worker dies after storing a change's shards and before its head; its replacement
    applies the change again (at-least-once) and must reach the state of one application."""
    table: dict[bytes, bytes] = {}
    store = AccountStore(table)
    changes = changes_of(ops, ACCOUNT)
    for now, change in changes:
        stored = store.load(ACCOUNT)
        state = new_account_state(ACCOUNT) if stored is None else stored.state
        outcome = apply(state, change, CATALOGUE, now)
        if outcome.state is not state and data.draw(st.booleans(), label="dies mid-store"):
            for index, shard in split(stored, outcome.state).shards.items():
                table[shard_key(ACCOUNT.encode(), index)] = encode_value(shard)
            store = AccountStore(table)  # restarted: the change comes again
        step(store, change, now)
    expected, _ = run(changes)
    assert loaded_afresh(table) == expected


@settings(max_examples=40, deadline=None)
@given(histories, st.data())
def test_a_history_applied_in_batches_writes_each_part_once_per_batch(
    ops: list[Any], data: st.DataObject
) -> None:
    table = CountingTable()
    store = AccountStore(table)
    changes = changes_of(ops, ACCOUNT)
    for now, change in changes:
        step(store, change, now, flush=False)
        if data.draw(st.booleans(), label="the batch ends"):
            table.writes.clear()
            store.flush()
            assert len(table.writes) == len(set(table.writes)), "each key once per batch"
    store.flush()
    expected, _ = run(changes)
    assert loaded_afresh(table) == expected


@settings(max_examples=40, deadline=None)
@given(histories, st.data())
def test_a_batch_whose_head_was_lost_is_applied_again_to_the_state_it_met(
    ops: list[Any], data: st.DataObject
) -> None:
    """A worker dies in the middle of storing a batch (its shards written, its head not); its
    replacement applies the whole batch again and must reach the state of one application."""
    table: dict[bytes, bytes] = {}
    store = AccountStore(table)
    batch: list[tuple[datetime, Change]] = []
    changes = changes_of(ops, ACCOUNT)
    for now, change in changes:
        after = step(store, change, now, flush=False)
        batch.append((now, change))
        if not data.draw(st.booleans(), label="the batch ends"):
            continue
        if data.draw(st.booleans(), label="dies mid-store"):
            before = AccountStore(table).load(ACCOUNT)  # what the batch started from
            for index, shard in split(before, after).shards.items():
                table[shard_key(ACCOUNT.encode(), index)] = encode_value(shard)
            store = AccountStore(table)  # restarted: the batch comes again
            for again_at, again in batch:
                step(store, again, again_at, flush=False)
        store.flush()
        batch = []
    store.flush()
    expected, _ = run(changes)
    assert loaded_afresh(table) == expected


def test_an_activity_rewrites_its_person_s_shard_and_the_head_only() -> None:
    table = CountingTable()
    store = AccountStore(table)
    people = [f"person-{n}" for n in range(500)]
    for n, person in enumerate(people):
        step(store, profile(person, NOW + timedelta(seconds=n)), NOW + timedelta(seconds=n))
    assert len({key for key in table if key != ACCOUNT.encode()}) == SHARDS
    table.writes.clear()

    later = NOW + timedelta(hours=1)
    after = step(store, activity("person-7", later), later)

    shard = shard_key(ACCOUNT.encode(), shard_of("person-7"))
    assert sorted(table.writes) == sorted([shard, ACCOUNT.encode()])
    head = decode_value(table[ACCOUNT.encode()], AccountHead)
    assert not head.state.people, "the head holds no people"
    assert loaded_afresh(table) == after
    assert len(after.people) == 500


def test_an_account_stored_whole_loads_and_is_then_stored_in_parts() -> None:
    whole = new_account_state(ACCOUNT)
    for n in range(40):
        whole = apply(whole, profile(f"p{n}", NOW), CATALOGUE, NOW).state
    table: dict[bytes, bytes] = {ACCOUNT.encode(): encode_value(whole)}
    store = AccountStore(table)
    assert loaded_afresh(table) == whole

    after = step(store, activity("p3", NOW), NOW)
    assert isinstance(decode_value(table[ACCOUNT.encode()], object), AccountHead)
    stored_people = {
        person
        for key, value in table.items()
        if key != ACCOUNT.encode()
        for person in decode_value(value, PeopleShard).people
    }
    assert stored_people == {f"p{n}" for n in range(40)}
    assert loaded_afresh(table) == after


def test_parts_that_do_not_belong_together_are_refused_naming_the_account_and_shard() -> None:
    table: dict[bytes, bytes] = {}
    store = AccountStore(table)
    step(store, profile("p1", NOW), NOW)
    key = shard_key(ACCOUNT.encode(), shard_of("p1"))
    shard = decode_value(table[key], PeopleShard)
    table[key] = encode_value(PeopleShard(version=shard.version + 2, people={}, previous={}))
    with pytest.raises(BadInput, match=rf"account acc-1: people shard {shard_of('p1')} at version"):
        AccountStore(table).load(ACCOUNT)
    del table[key]
    with pytest.raises(BadInput, match="missing"):
        AccountStore(table).load(ACCOUNT)


def test_shards_do_not_depend_on_the_process() -> None:
    """Stored layouts outlive processes and Python versions: an id's shard is fixed (CRC-32 of
    its UTF-8 bytes, not the per-process hash()); these values are part of the stored format."""
    assert [shard_of(person) for person in ("p0", "person-7", "Zoë")] == [37, 49, 42]


def test_a_stored_account_keeps_its_versions() -> None:
    stored = Stored(state=new_account_state(ACCOUNT))
    parts = split(stored, apply(stored.state, profile("p1", NOW), CATALOGUE, NOW).state)
    assert list(parts.shards) == [shard_of("p1")]
    assert parts.head.versions[shard_of("p1")] == 1
    assert sum(parts.head.versions) == 1


PARTS_FIRST_FORMAT = Path(__file__).with_name("account_parts_v1.json")


def test_an_account_stored_in_parts_before_the_stores_moved_still_loads() -> None:
    """`account_parts_v1.json`: an account of three people as the engine stored it when its
    parts were classes of `streams.runtime.account_store` (hex keys and values, written once)."""
    stored = json.loads(PARTS_FIRST_FORMAT.read_text())
    table = CountingTable()
    table.update({bytes.fromhex(k): bytes.fromhex(v) for k, v in stored.items()})
    store = AccountStore(table)
    loaded = store.load(ACCOUNT)
    assert loaded is not None
    assert sorted(loaded.state.people) == ["p0", "p1", "p2"]
    assert {p.profile.job_title for p in loaded.state.people.values() if p.profile} == {
        "VP Engineering"
    }
    after = step(store, activity("p1", NOW), NOW)
    assert loaded_afresh(table) == after
