"""Engine state bytes: every domain value round-trips; nothing outside the allow-list loads."""

from __future__ import annotations

import os
import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from events.errors import BadInput
from state.account import AccountState
from state.parking import Parked, ParkedActivity
from state.routing import PersonRoute
from streams.internal import Tick, TickWork
from streams.state_codec import HEADER, decode_value, encode_value
from tests.unit.group_histories import Op, changes_of, histories, run

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@settings(max_examples=40, deadline=None)
@given(histories)
def test_any_account_state_round_trips(ops: list[Op]) -> None:
    state, _ = run(changes_of(ops))
    assert state.groups, "every history joins the audience, so the group exists"
    assert decode_value(encode_value(state), AccountState) == state


def test_internal_records_round_trip() -> None:
    tick = Tick(tick_id="t1", work=TickWork.DECAY, at=NOW)
    route = PersonRoute(account_id="a1", occurred_at=NOW - timedelta(days=1))
    assert decode_value(encode_value(tick), Tick) == tick
    assert decode_value(encode_value(route), PersonRoute) == route
    assert decode_value(encode_value(Parked()), Parked) == Parked()


def test_foreign_classes_are_refused() -> None:
    payload = HEADER + pickle.dumps(os.system)
    with pytest.raises(BadInput, match=r"posix\.system is not allowed"):
        decode_value(payload, AccountState)


def test_wrong_type_and_header_are_refused() -> None:
    tick = encode_value(Tick(tick_id="t1", work=TickWork.DECAY, at=NOW))
    with pytest.raises(BadInput, match="expected ParkedActivity, got Tick"):
        decode_value(tick, ParkedActivity)
    with pytest.raises(BadInput, match="unknown header"):
        decode_value(b"{json}", Tick)
