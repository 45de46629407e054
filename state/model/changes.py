"""The inputs of ``state.transitions.apply.apply``: facts about one account.

Most wrap an input record as it arrived; the routing layer (``state.routing.routes``) turns records
into these, adding what only it knows (a person who moved away, the account a person is in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    ConfigKind,
    MembershipCommand,
    PersonEvent,
    StageCommand,
)
from state.scoring.calibration import Reference


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonChanged:
    """A person of this account was created or updated (``event.account_id`` is this account)."""

    event: PersonEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonDeleted:
    event: PersonEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonLeftAccount:
    """The person's profile now names another account (or none): they leave this one."""

    event_id: str
    occurred_at: datetime
    person_id: str
    new_account_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountChanged:
    event: AccountEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountDeleted:
    event: AccountEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceMembershipChanged:
    event: AudienceMembershipEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityRecorded:
    event: ActivityEvent

    @property
    def event_id(self) -> str:
        return self.event.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class MembershipCommandReceived:
    command: MembershipCommand

    @property
    def event_id(self) -> str:
        return self.command.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class StageCommandReceived:
    command: StageCommand

    @property
    def event_id(self) -> str:
        return self.command.event_id


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigChanged:
    """The catalogue changed (``kind:id`` was accepted); ``apply`` receives the new catalogue."""

    event_id: str
    occurred_at: datetime
    kind: ConfigKind
    id: str


class TickKind(StrEnum):
    """Periodic and internal work, as tick records carry it to every partition.

    The domain applies the first three (a ``Ticked`` change); the streaming layer turns a CONFIG
    tick into a ``ConfigChanged`` and handles COLLECT (raw scores for a calibration round),
    FIRST_COLLECT (the same, for a first calibration, while a reference is still at its floor),
    PENDING (parked activities that waited too long) and CATCH_UP (records the consumer skipped)
    itself.
    """

    DECAY = "decay"
    CALIBRATION = "calibration"
    RECONCILIATION = "reconciliation"
    CONFIG = "config"
    COLLECT = "collect"
    FIRST_COLLECT = "first-collect"
    PENDING = "pending"
    CATCH_UP = "catch-up"


DOMAIN_TICKS = frozenset({TickKind.DECAY, TickKind.CALIBRATION, TickKind.RECONCILIATION})


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticked:
    """Periodic work. A calibration carries the new references (None: keep the current one)."""

    event_id: str
    occurred_at: datetime
    kind: TickKind
    person_reference: Reference | None = None
    group_reference: Reference | None = None


Change: TypeAlias = (
    PersonChanged
    | PersonDeleted
    | PersonLeftAccount
    | AccountChanged
    | AccountDeleted
    | AudienceMembershipChanged
    | ActivityRecorded
    | MembershipCommandReceived
    | StageCommandReceived
    | ConfigChanged
    | Ticked
)


def input_key(change: Change) -> str:
    """The de-duplication key of ``change``: a second input with the same key changes nothing.

    Activities are known by ``activity_id``, commands by ``command_id``, the rest by event id.
    """
    match change:
        case ActivityRecorded(event=activity):
            return f"activity:{activity.activity_id}"
        case MembershipCommandReceived(command=command) | StageCommandReceived(command=command):
            return f"command:{command.command_id}"
        case _:
            return f"{type(change).__name__}:{change.event_id}"


def cause_of(change: Change) -> str:
    """The id output records name as their cause: the command id, or else the event id."""
    match change:
        case MembershipCommandReceived(command=command) | StageCommandReceived(command=command):
            return command.command_id
        case _:
            return change.event_id
