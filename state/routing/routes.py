"""Routing: which account(s) an input record concerns, as the streaming layer and the reference
model both do it.

State is partitioned by account, but person events and activities are keyed by person. The
router keeps, per person, the account their latest profile names (``PersonRoute``):
- a person event goes to the account it names; if that is not the account the person was in,
  the old account first receives ``PersonLeftAccount``; a profile older than the route's is
  ignored (``stale``); a deletion goes to the person's account and leaves a tombstone route;
- an activity goes to the person's account; for a person not yet known, to the account the
  activity hints at (remembered provisionally, so that the person's first profile moves them
  out of it if it names another account); otherwise it cannot be routed;
- account events, audience memberships and commands are keyed by account already.
Where a record's state lives is decided by ``state_key``, from the record alone.
Config records and ticks concern every account; the caller broadcasts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeAlias, assert_never

from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    MembershipCommand,
    PersonEvent,
    StageCommand,
)
from state.model.changes import (
    AccountChanged,
    AccountDeleted,
    ActivityRecorded,
    AudienceMembershipChanged,
    Change,
    MembershipCommandReceived,
    PersonChanged,
    PersonDeleted,
    PersonLeftAccount,
    StageCommandReceived,
)

_LONG_AGO = datetime.min.replace(tzinfo=UTC)

RoutedRecord: TypeAlias = (
    PersonEvent
    | AccountEvent
    | ActivityEvent
    | AudienceMembershipEvent
    | MembershipCommand
    | StageCommand
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonRoute:
    """Where a person is: ``account_id`` (None: no account), as of the profile of
    ``occurred_at``; ``provisional`` when only an activity's hint said so."""

    account_id: str | None
    occurred_at: datetime
    deleted: bool = False
    provisional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    account_id: str
    change: Change


class NotRouted(StrEnum):
    """Why a record goes to no account."""

    STALE = "stale"
    UNKNOWN_PERSON = "unknown_person"
    PERSON_DELETED = "person_deleted"
    PERSON_WITHOUT_ACCOUNT = "person_without_account"


@dataclass(frozen=True, slots=True, kw_only=True)
class Routed:
    """Where the record goes; ``person_route``: the person's new route, to store (None: keep
    the old one); ``ignored``: why it goes nowhere."""

    deliveries: tuple[Delivery, ...] = ()
    person_route: PersonRoute | None = None
    ignored: NotRouted | None = None


def state_key(record: RoutedRecord) -> str:
    """The id that decides where ``record``'s state lives, taken from the record itself (never
    from its Kafka key or partition): the person for profiles and activities, the account for
    account events, audience memberships and commands."""
    if isinstance(record, PersonEvent | ActivityEvent):
        return record.person_id
    return record.account_id


def routing_person(record: RoutedRecord) -> str | None:
    """The person whose route routing ``record`` needs, if any."""
    if isinstance(record, PersonEvent | ActivityEvent | MembershipCommand):
        return record.person_id
    return None


def route(record: RoutedRecord, prior: PersonRoute | None) -> Routed:
    """Where ``record`` goes; ``prior`` is the route of ``routing_person(record)`` (None when
    unknown or not needed)."""
    match record:
        case PersonEvent():
            return route_person(record, prior)
        case ActivityEvent():
            return route_activity(record, prior)
        case AccountEvent():
            deleted = record.deleted
            change = AccountDeleted(event=record) if deleted else AccountChanged(event=record)
            return _to(record.account_id, change)
        case AudienceMembershipEvent():
            return _to(record.account_id, AudienceMembershipChanged(event=record))
        case MembershipCommand():
            return _to(record.account_id, MembershipCommandReceived(command=record))
        case StageCommand():
            return _to(record.account_id, StageCommandReceived(command=record))
        case _:
            assert_never(record)


def route_person(event: PersonEvent, prior: PersonRoute | None) -> Routed:
    if prior is not None and not prior.provisional and event.occurred_at < prior.occurred_at:
        return Routed(ignored=NotRouted.STALE)
    was = None if prior is None or prior.deleted else prior.account_id
    if event.deleted:
        target = was or event.account_id
        tombstone = PersonRoute(account_id=None, occurred_at=event.occurred_at, deleted=True)
        if target is None:
            return Routed(person_route=tombstone)
        delivery = Delivery(account_id=target, change=PersonDeleted(event=event))
        return Routed(deliveries=(delivery,), person_route=tombstone)
    deliveries: tuple[Delivery, ...] = ()
    if was is not None and was != event.account_id:
        left = PersonLeftAccount(
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            person_id=event.person_id,
            new_account_id=event.account_id,
        )
        deliveries = (Delivery(account_id=was, change=left),)
    if event.account_id is not None:
        changed = Delivery(account_id=event.account_id, change=PersonChanged(event=event))
        deliveries = (*deliveries, changed)
    current = PersonRoute(account_id=event.account_id, occurred_at=event.occurred_at)
    return Routed(deliveries=deliveries, person_route=current)


def route_activity(event: ActivityEvent, prior: PersonRoute | None) -> Routed:
    change = ActivityRecorded(event=event)
    if prior is not None:
        if prior.deleted:
            return Routed(ignored=NotRouted.PERSON_DELETED)
        if prior.account_id is None:
            return Routed(ignored=NotRouted.PERSON_WITHOUT_ACCOUNT)
        return _to(prior.account_id, change)
    if event.account_id is None:
        return Routed(ignored=NotRouted.UNKNOWN_PERSON)
    hinted = PersonRoute(account_id=event.account_id, occurred_at=_LONG_AGO, provisional=True)
    delivery = Delivery(account_id=event.account_id, change=change)
    return Routed(deliveries=(delivery,), person_route=hinted)


def _to(account_id: str, change: Change) -> Routed:
    return Routed(deliveries=(Delivery(account_id=account_id, change=change),))
