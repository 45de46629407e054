"""Assignment precedence (manual > journey > system): every scenario of the spec, refusals with
their reasons, and the account invariant above all sources."""

from __future__ import annotations

import pytest

from events.records import (
    CommandResult,
    CommandStatus,
    MembershipAction,
    MembershipChange,
    OutputRecord,
    Source,
)
from state.model.changes import PersonChanged, PersonDeleted, PersonLeftAccount, Ticked, TickKind
from tests.unit.catalogue_builders import (
    DM,
    INFLUENCER,
    PRACTITIONER,
    T0,
    catalogue_of,
    interest_record,
    next_id,
    standard_catalogue,
)
from tests.unit.group_builders import (
    Tenant,
    command,
    memberships,
    person,
    snapshots,
    started,
)

ADD, REMOVE, SET_ROLE = MembershipAction.ADD, MembershipAction.REMOVE, MembershipAction.SET_ROLE


def result(records: tuple[OutputRecord, ...]) -> CommandResult:
    (found,) = [record for record in records if isinstance(record, CommandResult)]
    return found


def tenant() -> Tenant:
    return started(
        standard_catalogue(),
        person("vp", job_title="VP Sales"),
        person("eng", job_title="Engineer"),
        person("clerk", job_title="Clerk"),
    )


def reconcile(t: Tenant) -> tuple[OutputRecord, ...]:
    tick = Ticked(event_id=next_id("tick"), occurred_at=T0, kind=TickKind.RECONCILIATION)
    return t.send(tick).records


def test_manual_add_then_maintenance_would_remove_the_person_stays() -> None:
    t = tenant()
    assert result(t.send(command(ADD, "clerk", DM)).records).status is CommandStatus.APPLIED
    t.send(PersonChanged(event=person("clerk", job_title="Intern", at=T0)))
    assert memberships(reconcile(t)) == []
    assert t.roles()["clerk"] == DM
    assert t.group().members["clerk"].source is Source.MANUAL


def test_manual_add_then_a_journey_removes_the_person_stays() -> None:
    t = tenant()
    t.send(command(ADD, "clerk", DM))
    outcome = t.send(command(REMOVE, "clerk", source=Source.JOURNEY))
    refused = result(outcome.records)
    assert (refused.status, refused.reason) == (CommandStatus.REFUSED, "overridden_by_manual")
    assert refused.message is not None
    assert "clerk" in refused.message
    assert outcome.records == (refused,)
    assert t.roles()["clerk"] == DM


def test_journey_add_then_maintenance_would_remove_the_person_stays() -> None:
    t = tenant()
    t.send(command(ADD, "eng", INFLUENCER, source=Source.JOURNEY))
    assert t.roles()["eng"] == INFLUENCER
    t.send(PersonChanged(event=person("eng", job_title="Retired")))
    assert memberships(reconcile(t)) == []
    assert t.roles()["eng"] == INFLUENCER


def test_manual_remove_then_the_person_still_matches_the_system_does_not_re_add() -> None:
    t = tenant()
    assert t.roles()["vp"] == DM
    removed = memberships(t.send(command(REMOVE, "vp")).records)
    assert [(m.change, m.source, m.reason) for m in removed] == [
        (MembershipChange.REMOVED, Source.MANUAL, "manual")
    ]
    t.send(PersonChanged(event=person("vp", job_title="VP Security")))
    reconcile(t)
    assert "vp" not in t.roles()


def test_journey_add_x_then_manual_edit_y_then_journey_assign_x_changes_nothing() -> None:
    t = tenant()
    t.send(command(ADD, "clerk", INFLUENCER, source=Source.JOURNEY))
    edited = t.send(command(SET_ROLE, "clerk", PRACTITIONER))
    assert result(edited.records).status is CommandStatus.APPLIED
    (change,) = memberships(edited.records)
    assert (change.previous_role, change.new_role, change.change) == (
        INFLUENCER,
        PRACTITIONER,
        MembershipChange.ROLE_CHANGED,
    )
    again = t.send(command(ADD, "clerk", INFLUENCER, source=Source.JOURNEY))
    assert result(again.records).reason == "overridden_by_manual"
    assert t.roles()["clerk"] == PRACTITIONER


def test_a_manual_remove_of_a_non_member_still_keeps_the_system_away() -> None:
    t = tenant()
    t.send(command(REMOVE, "eng"))  # eng is a Practitioner by rule: removed
    outcome = t.send(command(REMOVE, "clerk"))
    assert result(outcome.records).status is CommandStatus.UNCHANGED
    t.send(PersonChanged(event=person("clerk", job_title="Engineer")))
    assert "clerk" not in t.roles()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (Source.JOURNEY, Source.JOURNEY),
        (Source.JOURNEY, Source.MANUAL),
        (Source.MANUAL, Source.MANUAL),
    ],
)
def test_the_same_or_a_higher_source_may_always_act(first: Source, second: Source) -> None:
    t = tenant()
    t.send(command(ADD, "clerk", INFLUENCER, source=first))
    outcome = t.send(command(REMOVE, "clerk", source=second))
    assert result(outcome.records).status is CommandStatus.APPLIED
    assert "clerk" not in t.roles()


def test_a_journey_may_remove_what_the_system_added_and_the_system_then_stays_away() -> None:
    t = tenant()
    outcome = t.send(command(REMOVE, "vp", source=Source.JOURNEY))
    assert result(outcome.records).status is CommandStatus.APPLIED
    reconcile(t)
    assert "vp" not in t.roles()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (None, Source.JOURNEY),
        (None, Source.MANUAL),
        (Source.JOURNEY, Source.MANUAL),
    ],
)
def test_a_higher_source_adding_a_member_in_the_same_role_shows_the_protection(
    first: Source | None, second: Source
) -> None:
    t = tenant()  # vp is a Decision Maker by rule (system)
    if first is not None:
        t.send(command(ADD, "vp", DM, source=first))
    before = t.group().version
    outcome = t.send(command(ADD, "vp", DM, source=second))
    assert result(outcome.records).status is CommandStatus.APPLIED
    (change,) = memberships(outcome.records)
    assert (change.change, change.previous_role, change.new_role) == (
        MembershipChange.ROLE_CHANGED,
        DM,
        DM,
    )
    assert (change.source, change.reason, change.version) == (second, second.value, before + 1)
    (snapshot,) = snapshots(outcome.records)
    assert [(m.person_id, m.role, m.source) for m in snapshot.members if m.person_id == "vp"] == [
        ("vp", DM, second)
    ]
    assert t.group().members["vp"].since == T0
    t.send(PersonChanged(event=person("vp", job_title="Intern")))
    assert t.roles()["vp"] == DM


def test_a_set_role_to_the_same_role_also_shows_the_protection() -> None:
    t = tenant()
    outcome = t.send(command(SET_ROLE, "vp", DM, source=Source.JOURNEY))
    assert result(outcome.records).status is CommandStatus.APPLIED
    assert t.group().members["vp"].source is Source.JOURNEY


@pytest.mark.parametrize("action", [ADD, SET_ROLE])
def test_the_same_source_in_the_same_role_again_is_unchanged(action: MembershipAction) -> None:
    t = tenant()
    t.send(command(ADD, "vp", DM, source=Source.JOURNEY))
    outcome = t.send(command(action, "vp", DM, source=Source.JOURNEY))
    assert result(outcome.records).status is CommandStatus.UNCHANGED
    assert memberships(outcome.records) == []
    assert t.group().members["vp"].source is Source.JOURNEY


def test_one_role_per_person_an_add_with_another_role_changes_it() -> None:
    t = tenant()
    outcome = t.send(command(ADD, "vp", INFLUENCER))
    (change,) = memberships(outcome.records)
    assert (change.change, change.previous_role, change.new_role) == (
        MembershipChange.ROLE_CHANGED,
        DM,
        INFLUENCER,
    )
    assert list(t.roles().values()).count(INFLUENCER) == 1


@pytest.mark.parametrize(
    ("reason", "leave"),
    [
        ("left_account", "moved"),
        ("person_deleted", "deleted"),
    ],
)
def test_leaving_the_account_ends_every_membership_whatever_its_source(
    reason: str, leave: str
) -> None:
    t = tenant()
    t.send(command(ADD, "clerk", INFLUENCER))
    if leave == "moved":
        change: PersonLeftAccount | PersonDeleted = PersonLeftAccount(
            event_id="move", occurred_at=T0, person_id="clerk", new_account_id="acc-2"
        )
    else:
        gone = person("clerk")
        change = PersonDeleted(event=gone)
    (removed,) = memberships(t.send(change).records)
    assert (removed.reason, removed.source, removed.previous_role) == (
        reason,
        Source.SYSTEM,
        INFLUENCER,
    )
    assert "clerk" not in t.state.people
    assert "clerk" not in t.group().acted


def test_a_profile_naming_another_account_also_leaves() -> None:
    t = tenant()
    t.send(command(ADD, "clerk", INFLUENCER))
    (removed,) = memberships(t.send(PersonChanged(event=person("clerk", account_id="x"))).records)
    assert removed.reason == "left_account"


def test_a_person_who_comes_back_starts_afresh() -> None:
    t = tenant()
    t.send(command(REMOVE, "vp"))
    t.send(PersonLeftAccount(event_id="m1", occurred_at=T0, person_id="vp", new_account_id=None))
    t.send(PersonChanged(event=person("vp", job_title="VP Sales")))
    assert t.roles()["vp"] == DM


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: command(ADD, "clerk", DM, source=Source.SYSTEM), "invalid_source"),
        (lambda: command(ADD, "clerk", DM, interest_id="si-x"), "unknown_solution_interest"),
        (lambda: command(ADD, "nobody", DM), "unknown_person"),
        (lambda: command(ADD, "clerk", "Champion"), "unknown_role"),
        (lambda: command(ADD, "clerk", "Board"), "unknown_role"),
        (lambda: command(ADD, "clerk"), "role_required"),
        (lambda: command(SET_ROLE, "clerk", DM), "not_a_member"),
    ],
)
def test_refusals_name_their_reason_and_change_nothing(build: object, reason: str) -> None:
    t = tenant()
    before = t.state
    assert callable(build)
    outcome = t.send(build())
    refused = result(outcome.records)
    assert (refused.status, refused.reason) == (CommandStatus.REFUSED, reason)
    assert outcome.records == (refused,)
    assert outcome.state.groups == before.groups


def test_a_person_who_moved_away_is_not_in_this_account_until_they_come_back() -> None:
    t = tenant()
    t.send(PersonChanged(event=person("mover", job_title="Clerk")))
    t.send(PersonLeftAccount(event_id="m2", occurred_at=T0, person_id="mover", new_account_id="a9"))
    refused = result(t.send(command(ADD, "mover", DM)).records)
    assert (refused.status, refused.reason) == (CommandStatus.REFUSED, "person_not_in_account")
    t.send(PersonChanged(event=person("mover", job_title="Clerk")))
    assert result(t.send(command(ADD, "mover", DM)).records).status is CommandStatus.APPLIED


def test_commands_to_an_unknown_account_or_a_missing_group() -> None:
    t = Tenant(standard_catalogue())
    assert result(t.send(command(ADD, "p", DM)).records).reason == "unknown_account"
    t2 = started(standard_catalogue(), person("p", job_title="VP"))
    t2.catalogue = catalogue_of([interest_record("si-2", "t-1")], t2.catalogue)
    assert result(t2.send(command(ADD, "p", DM, interest_id="si-2")).records).reason == (
        "unknown_group"
    )


def test_a_redelivered_command_changes_nothing_and_emits_nothing() -> None:
    t = tenant()
    sent = command(ADD, "clerk", DM)
    first = t.send(sent)
    assert result(first.records).status is CommandStatus.APPLIED
    again = t.send(sent)
    assert again.records == ()
    assert again.state == first.state
