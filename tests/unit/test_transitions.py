"""``apply`` itself: the clock, de-duplication keys, causes and the order of records."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from events.errors import BadInput
from events.records import (
    BuyingGroupSnapshot,
    CommandResult,
    GroupLifecycle,
    LifecycleChange,
    MembershipAction,
    MembershipChanged,
)
from state.model.account import RECENT_IDS_PER_GENERATION, RecentIds, new_account_state
from state.model.changes import (
    DOMAIN_TICKS,
    AccountChanged,
    ActivityRecorded,
    PersonChanged,
    Ticked,
    TickKind,
    cause_of,
    input_key,
)
from state.transitions.apply import apply
from tests.unit.catalogue_builders import DM, T0, standard_catalogue
from tests.unit.group_builders import (
    account,
    activity,
    command,
    person,
    started,
)


def test_the_clock_must_be_utc_aware() -> None:
    state = new_account_state("acc-1")
    change = AccountChanged(event=account())
    with pytest.raises(BadInput, match="now"):
        apply(state, change, standard_catalogue(), datetime(2024, 5, 10))  # noqa: DTZ001


def test_activities_are_known_by_activity_id_and_commands_by_command_id() -> None:
    first = activity("p", activity_id="a-1")
    again = replace(first, event_id="another-event")
    assert input_key(ActivityRecorded(event=first)) == input_key(ActivityRecorded(event=again))
    sent = command(MembershipAction.ADD, "p", DM)
    assert input_key(sent) == f"command:{sent.command.command_id}"
    assert cause_of(sent) == sent.command.command_id
    profile = PersonChanged(event=person("p"))
    assert cause_of(profile) == profile.event.event_id


def test_recent_ids_forget_only_after_a_generation() -> None:
    ids = RecentIds()
    for number in range(RECENT_IDS_PER_GENERATION):
        ids = ids.add(f"id-{number}")
    ids = ids.add("next")
    assert "id-0" in ids
    assert "next" in ids
    for number in range(RECENT_IDS_PER_GENERATION):
        ids = ids.add(f"more-{number}")
    assert "id-0" not in ids
    assert "next" in ids


def test_a_command_result_comes_after_the_changes_and_the_snapshot() -> None:
    t = started(standard_catalogue(), person("clerk", job_title="Clerk"))
    outcome = t.send(command(MembershipAction.ADD, "clerk", DM))
    kinds = [type(record).__name__ for record in outcome.records]
    assert kinds == ["MembershipChanged", "ScoreChanged", "BuyingGroupSnapshot", "CommandResult"]
    member, _, snapshot, result = outcome.records
    assert isinstance(member, MembershipChanged)
    assert isinstance(snapshot, BuyingGroupSnapshot)
    assert isinstance(result, CommandResult)
    assert member.cause == snapshot.cause == result.cause == result.command_id
    assert result.version == snapshot.version == t.group().version


def test_deleted_flags_on_changed_inputs_are_honoured() -> None:
    t = started(standard_catalogue(), person("vp", job_title="VP"))
    gone = replace(person("vp", at=T0.replace(hour=13)), deleted=True)
    t.send(PersonChanged(event=gone))
    assert "vp" not in t.state.people
    closed = replace(account(at=T0.replace(hour=14)), deleted=True)
    outcome = t.send(AccountChanged(event=closed))
    lifecycle = [r for r in outcome.records if isinstance(r, GroupLifecycle)]
    assert [r.change for r in lifecycle] == [LifecycleChange.DELETED]
    assert t.state.deleted
    assert t.state.groups == {}


@pytest.mark.parametrize("kind", sorted(set(TickKind) - DOMAIN_TICKS))
def test_a_tick_of_the_runtime_is_refused_by_the_domain(kind: TickKind) -> None:
    """Config, collect, pending and catch-up ticks are the streaming layer's work: a ``Ticked``
    carrying one is refused naming it, never applied as if it were decay."""
    state = new_account_state("acc-1")
    change = Ticked(event_id="t-1", occurred_at=T0, kind=kind)
    with pytest.raises(BadInput, match=f"{kind.value} is not work of the domain"):
        apply(state, change, standard_catalogue(), T0)
