"""Builders for inputs in the buying-group unit tests, and a one-account harness."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    ConfigKind,
    MembershipAction,
    MembershipChanged,
    MembershipCommand,
    OutputRecord,
    PersonEvent,
    Source,
    StageCommand,
)
from state.catalogue.catalogue import Catalogue
from state.model.account import AccountState, new_account_state
from state.model.changes import (
    AccountChanged,
    ActivityRecorded,
    AudienceMembershipChanged,
    Change,
    ConfigChanged,
    MembershipCommandReceived,
    PersonChanged,
    StageCommandReceived,
)
from state.model.group import BuyingGroup
from state.model.outcome import Outcome
from state.transitions.apply import apply
from tests.unit.catalogue_builders import ACCOUNT, INTEREST, T0, next_id


def person(
    person_id: str,
    *,
    account_id: str | None = ACCOUNT,
    at: datetime = T0,
    job_title: str | None = None,
    country: str | None = "US",
    **attributes: str,
) -> PersonEvent:
    return PersonEvent(
        event_id=next_id("pe"),
        occurred_at=at,
        person_id=person_id,
        account_id=account_id,
        job_title=job_title,
        country=country,
        attributes=attributes,
    )


def account(account_id: str = ACCOUNT, *, at: datetime = T0, **fields: str) -> AccountEvent:
    return AccountEvent(
        event_id=next_id("ae"),
        occurred_at=at,
        account_id=account_id,
        name=fields.pop("name", "Acme"),
        industry=fields.pop("industry", None),
        region=fields.pop("region", None),
        attributes=fields,
    )


def activity(
    person_id: str,
    activity_type: str = "page_viewed",
    *,
    at: datetime = T0,
    activity_id: str | None = None,
) -> ActivityEvent:
    return ActivityEvent(
        event_id=next_id("ev"),
        occurred_at=at,
        activity_id=activity_id or next_id("act"),
        person_id=person_id,
        activity_type=activity_type,
    )


def joined(audience_id: str = "aud-1", account_id: str = ACCOUNT, *, member: bool = True) -> Change:
    event = AudienceMembershipEvent(
        event_id=next_id("am"),
        occurred_at=T0,
        audience_id=audience_id,
        account_id=account_id,
        member=member,
    )
    return AudienceMembershipChanged(event=event)


def command(
    action: MembershipAction,
    person_id: str,
    role: str | None = None,
    *,
    source: Source = Source.MANUAL,
    interest_id: str = INTEREST,
    account_id: str = ACCOUNT,
) -> MembershipCommandReceived:
    record = MembershipCommand(
        event_id=next_id("ce"),
        occurred_at=T0,
        command_id=next_id("cmd"),
        source=source,
        actor="user-7",
        action=action,
        account_id=account_id,
        solution_interest_id=interest_id,
        person_id=person_id,
        role=role,
    )
    return MembershipCommandReceived(command=record)


def stage_command(
    stage: str | None = None,
    status: str | None = None,
    *,
    source: Source = Source.JOURNEY,
    interest_id: str = INTEREST,
) -> StageCommandReceived:
    record = StageCommand(
        event_id=next_id("se"),
        occurred_at=T0,
        command_id=next_id("scmd"),
        source=source,
        actor="journey-3",
        account_id=ACCOUNT,
        solution_interest_id=interest_id,
        stage=stage,
        status=status,
    )
    return StageCommandReceived(command=record)


def config_changed(kind: ConfigKind, key: str) -> ConfigChanged:
    return ConfigChanged(event_id=next_id("cc"), occurred_at=T0, kind=kind, id=key)


class Tenant:
    """One account driven through ``apply``, remembering every record (a test harness)."""

    def __init__(self, catalogue: Catalogue, account_id: str = ACCOUNT) -> None:
        self.catalogue = catalogue
        self.state: AccountState = new_account_state(account_id)
        self.records: list[OutputRecord] = []
        self.now = T0

    def send(self, change: Change, *, now: datetime | None = None) -> Outcome:
        self.now = now or self.now
        outcome = apply(self.state, change, self.catalogue, self.now)
        self.state = outcome.state
        self.records.extend(outcome.records)
        return outcome

    def later(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def group(self, interest_id: str = INTEREST) -> BuyingGroup:
        return self.state.groups[interest_id]

    def roles(self, interest_id: str = INTEREST) -> dict[str, str]:
        return {pid: m.role for pid, m in self.group(interest_id).members.items()}


def started(catalogue: Catalogue, *people: PersonEvent) -> Tenant:
    """A tenant whose account exists, holds ``people``, and has joined audience aud-1."""
    tenant = Tenant(catalogue)
    tenant.send(AccountChanged(event=account()))
    for profile in people:
        tenant.send(PersonChanged(event=profile))
    tenant.send(joined())
    return tenant


def memberships(records: Iterable[OutputRecord]) -> list[MembershipChanged]:
    return [record for record in records if isinstance(record, MembershipChanged)]


def snapshots(records: Iterable[OutputRecord]) -> list[BuyingGroupSnapshot]:
    return [record for record in records if isinstance(record, BuyingGroupSnapshot)]


def send_activity(
    tenant: Tenant, person_id: str, activity_type: str, *, at: datetime = T0
) -> Outcome:
    return tenant.send(ActivityRecorded(event=activity(person_id, activity_type, at=at)))
