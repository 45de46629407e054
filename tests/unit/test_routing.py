"""Routing inputs to accounts, as the streaming layer and the reference model both do."""

from __future__ import annotations

from dataclasses import replace

from events.records import MembershipAction, MembershipCommand, Source
from state.model.changes import (
    AccountChanged,
    AccountDeleted,
    ActivityRecorded,
    MembershipCommandReceived,
    PersonChanged,
    PersonDeleted,
    PersonLeftAccount,
)
from state.routing.routes import Delivery, PersonRoute, route, routing_person
from tests.unit.catalogue_builders import (
    T0,
)
from tests.unit.group_builders import (
    account,
    activity,
    person,
)


def targets(routed: object) -> list[tuple[str, str]]:
    deliveries = routed.deliveries  # type: ignore[attr-defined]
    return [(d.account_id, type(d.change).__name__) for d in deliveries]


def test_a_person_event_goes_to_the_account_it_names() -> None:
    event = person("p", account_id="a")
    routed = route(event, None)
    assert targets(routed) == [("a", "PersonChanged")]
    assert routed.person_route == PersonRoute(account_id="a", occurred_at=T0)


def test_a_move_tells_the_old_account_first() -> None:
    prior = PersonRoute(account_id="a", occurred_at=T0)
    later = T0.replace(hour=13)
    routed = route(person("p", account_id="b", at=later), prior)
    assert targets(routed) == [("a", "PersonLeftAccount"), ("b", "PersonChanged")]
    left = routed.deliveries[0].change
    assert isinstance(left, PersonLeftAccount)
    assert (left.person_id, left.new_account_id) == ("p", "b")


def test_a_person_without_account_leaves_and_goes_nowhere() -> None:
    prior = PersonRoute(account_id="a", occurred_at=T0)
    routed = route(person("p", account_id=None), prior)
    assert targets(routed) == [("a", "PersonLeftAccount")]
    assert routed.person_route is not None
    assert routed.person_route.account_id is None


def test_a_stale_profile_is_ignored() -> None:
    prior = PersonRoute(account_id="a", occurred_at=T0.replace(hour=13))
    routed = route(person("p", account_id="b"), prior)
    assert (routed.deliveries, routed.person_route, routed.ignored) == ((), None, "stale")


def test_a_deletion_goes_to_the_persons_account_and_leaves_a_tombstone() -> None:
    prior = PersonRoute(account_id="a", occurred_at=T0)
    gone = replace(person("p", account_id=None, at=T0.replace(hour=13)), deleted=True)
    routed = route(gone, prior)
    assert targets(routed) == [("a", "PersonDeleted")]
    assert isinstance(routed.deliveries[0].change, PersonDeleted)
    assert routed.person_route is not None
    assert routed.person_route.deleted
    assert route(activity("p"), routed.person_route).ignored == "person_deleted"


def test_activities_follow_the_person() -> None:
    prior = PersonRoute(account_id="a", occurred_at=T0)
    routed = route(activity("p"), prior)
    assert targets(routed) == [("a", "ActivityRecorded")]
    assert isinstance(routed.deliveries[0].change, ActivityRecorded)
    assert routed.person_route is None


def test_an_activity_of_an_unknown_person_uses_the_hint_provisionally() -> None:
    hinted = replace(activity("p"), account_id="h")
    routed = route(hinted, None)
    assert targets(routed) == [("h", "ActivityRecorded")]
    assert routed.person_route is not None
    assert routed.person_route.provisional
    moved = route(person("p", account_id="b", at=T0.replace(year=2000)), routed.person_route)
    assert targets(moved) == [("h", "PersonLeftAccount"), ("b", "PersonChanged")]
    assert route(activity("p"), None).ignored == "unknown_person"
    homeless = PersonRoute(account_id=None, occurred_at=T0)
    assert route(activity("p"), homeless).ignored == "person_without_account"


def test_accounts_and_commands_are_keyed_by_account() -> None:
    assert targets(route(account("a"), None)) == [("a", "AccountChanged")]
    deleted = route(replace(account("a"), deleted=True), None)
    assert isinstance(deleted.deliveries[0].change, AccountDeleted)
    assert isinstance(route(account("a"), None).deliveries[0].change, AccountChanged)
    command = MembershipCommand(
        event_id="e",
        occurred_at=T0,
        command_id="c",
        source=Source.MANUAL,
        actor="u",
        action=MembershipAction.ADD,
        account_id="a",
        solution_interest_id="si",
        person_id="p",
        role="Champion",
    )
    assert routing_person(command) == "p"
    routed = route(command, PersonRoute(account_id="b", occurred_at=T0))
    assert routed.deliveries == (
        Delivery(account_id="a", change=MembershipCommandReceived(command=command)),
    )


def test_person_changed_wraps_the_event() -> None:
    event = person("p", account_id="a")
    change = route(event, None).deliveries[0].change
    assert change == PersonChanged(event=event)
