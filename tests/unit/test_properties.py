"""Properties over random histories: redelivery changes nothing, scores and completeness stay
in range, versions strictly increase, a lower source never overrides a higher one, and the
order in which independent accounts' inputs interleave does not matter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from events.records import (
    BuyingGroupSnapshot,
    CommandResult,
    CommandStatus,
    GroupLifecycle,
    MembershipChanged,
    PersonScoreChanged,
    ScoreChanged,
    Source,
    StageChanged,
)
from state.membership.precedence import rank
from state.model.account import RecentIds, new_account_state
from state.model.changes import PersonChanged, PersonDeleted, PersonLeftAccount, Ticked, TickKind
from state.transitions.apply import apply
from tests.oracles.reference_model import HistoryItem, replay
from tests.unit.group_histories import (
    CATALOGUE,
    CONFIG,
    Op,
    changes_of,
    contested,
    histories,
    records_of,
    run,
)

SETTINGS = settings(max_examples=40, deadline=None)
CHANGE_RECORDS = (MembershipChanged, ScoreChanged, StageChanged, GroupLifecycle, PersonScoreChanged)
GROUP_RECORDS = (MembershipChanged, ScoreChanged, StageChanged, GroupLifecycle)
SYSTEM_REASONS = {"rule_match", "rule_no_longer_matches", "reconciliation", "template_changed"}


@SETTINGS
@given(ops=histories, pick=st.integers(0, 10_000))
def test_redelivering_any_input_changes_nothing_and_emits_nothing(ops: list[Op], pick: int) -> None:
    inputs = changes_of(ops)
    state, _ = run(inputs)
    now, again = inputs[pick % len(inputs)]
    outcome = apply(state, again, CATALOGUE, now)
    assert outcome.records == ()
    assert outcome.state == state


@SETTINGS
@given(ops=histories, pick=st.integers(0, 10_000))
def test_applying_an_input_twice_even_once_forgotten_changes_nothing_more(
    ops: list[Op], pick: int
) -> None:
    """Idempotence beyond the de-duplication memory: profiles (by time), activities (by id in
    the log), commands and ticks (by state) all settle on their first application; and on a
    correct system (decay has run for the current time, as it does at least hourly) a
    reconciliation right after any input finds nothing to fix."""
    inputs = changes_of(ops)
    upto = pick % len(inputs)
    state, _ = run(inputs[: upto + 1])
    now, again = inputs[upto]
    outcome = apply(replace(state, seen=RecentIds()), again, CATALOGUE, now)
    assert [r for r in outcome.records if isinstance(r, CHANGE_RECORDS)] == []
    assert outcome.state.groups == state.groups
    decay = Ticked(event_id="decay", occurred_at=now, kind=TickKind.DECAY)
    decayed = apply(state, decay, CATALOGUE, now).state
    tick = Ticked(event_id="reconcile", occurred_at=now, kind=TickKind.RECONCILIATION)
    reconciled = apply(decayed, tick, CATALOGUE, now)
    assert [r for r in reconciled.records if isinstance(r, CHANGE_RECORDS)] == []


@SETTINGS
@given(ops=histories)
def test_scores_and_completeness_stay_within_0_and_100(ops: list[Op]) -> None:
    state, records = run(changes_of(ops))
    for record in records:
        if isinstance(record, ScoreChanged):
            values = (record.completeness, record.completeness_previous, record.engagement)
            assert all(0 <= value <= 100 for value in values)
            assert record.engagement_raw >= 0
            assert all(0 <= role.completeness <= 100 for role in record.role_completeness)
        if isinstance(record, PersonScoreChanged):
            assert 0 <= record.score <= 100
            assert record.raw >= 0
        if isinstance(record, BuyingGroupSnapshot):
            assert 0 <= record.completeness <= 100
            assert 0 <= record.engagement <= 100
    assert all(0 <= person.score <= 100 for person in state.people.values())


@SETTINGS
@given(ops=histories)
def test_versions_strictly_increase_per_group(ops: list[Op]) -> None:
    _, records = run(changes_of(ops))
    last: dict[str, int] = {}
    for record in records:
        if isinstance(record, GROUP_RECORDS):
            assert record.version > last.get(record.group_id, 0)
            last[record.group_id] = record.version
        elif isinstance(record, BuyingGroupSnapshot | CommandResult) and record.group_id:
            assert record.version == last[record.group_id]


@SETTINGS
@given(ops=st.one_of(histories, contested))
def test_a_lower_source_never_overrides_a_higher_one(ops: list[Op]) -> None:
    state = new_account_state("acc-1")
    highest: dict[str, Source] = {}
    for now, change in changes_of(ops):
        outcome = apply(state, change, CATALOGUE, now)
        for record in outcome.records:
            if isinstance(record, MembershipChanged) and record.reason in SYSTEM_REASONS:
                assert record.person_id not in highest
            if isinstance(record, CommandResult) and record.person_id is not None:
                _check_result(record, highest)
        if isinstance(change, PersonLeftAccount):
            highest.pop(change.person_id, None)
        elif isinstance(change, PersonChanged | PersonDeleted) and (
            outcome.state.member_candidate(change.event.person_id) is None
        ):
            highest.pop(change.event.person_id, None)
        state = outcome.state


def _check_result(record: CommandResult, highest: dict[str, Source]) -> None:
    assert record.person_id is not None
    held = highest.get(record.person_id)
    if record.reason is not None and record.reason.startswith("overridden_by_"):
        assert held is not None
        assert rank(record.source) < rank(held)
        assert record.reason == f"overridden_by_{held.value}"
    elif record.status is not CommandStatus.REFUSED:
        assert held is None or rank(record.source) >= rank(held)
        highest[record.person_id] = record.source


@settings(max_examples=25, deadline=None)
@given(first=histories, second=histories, order=st.lists(st.booleans(), max_size=100))
def test_independent_accounts_give_the_same_result_in_any_interleaving(
    first: list[Op], second: list[Op], order: list[bool]
) -> None:
    a, b = records_of("acc-a", first), records_of("acc-b", second)
    config: list[HistoryItem] = list(CONFIG)
    whole: list[HistoryItem | tuple[datetime, HistoryItem]] = [*config, *a, *b]
    one_after_other = replay(whole)
    merged: list[HistoryItem | tuple[datetime, HistoryItem]] = list(config)
    queues = [list(a), list(b)]
    for pick_b in order:
        queue = queues[1] if pick_b and queues[1] else queues[0] or queues[1]
        if queue:
            merged.append(queue.pop(0))
    merged += queues[0] + queues[1]
    interleaved = replay(merged)
    assert interleaved.accounts == one_after_other.accounts
    assert interleaved.groups() == one_after_other.groups()
