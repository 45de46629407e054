"""A small vocabulary for end-to-end scenarios: one account, its people, commands and barriers.

Inputs reach the engine by two paths (person events and activities through the person
partitions; account events and commands directly), so a scenario waits for what it needs
before its next step, and uses barriers to know that the engine has processed everything sent
on one path: a barrier is an input on the same topic partition whose own output can be seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    CommandResult,
    MembershipAction,
    MembershipChanged,
    MembershipCommand,
    OutputRecord,
    PersonEvent,
    Source,
    StageCommand,
    group_id_for,
)
from streams.runtime.partitioning import partition_of
from tests.integration.engine_harness import Tenant

INTEREST = "si-1"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Scenario:
    """One fresh account (in audience aud-1 when `in_audience`) of a running engine."""

    tenant: Tenant
    account: str = field(default_factory=lambda: new_id("acc"))
    name: str = "Initech"

    @property
    def group_id(self) -> str:
        return group_id_for(self.account, INTEREST)

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def open_account(self, *, in_audience: bool = True) -> None:
        await self.tenant.publish(
            AccountEvent(
                event_id=new_id("ev"),
                occurred_at=self.now(),
                account_id=self.account,
                name=self.name,
            )
        )
        if in_audience:
            await self.enter_audience()

    async def enter_audience(self) -> None:
        await self.tenant.publish(
            AudienceMembershipEvent(
                event_id=new_id("ev"),
                occurred_at=self.now(),
                audience_id="aud-1",
                account_id=self.account,
                member=True,
            )
        )

    def profile(
        self,
        person_id: str,
        title: str,
        *,
        country: str = "US",
        account: str | None = None,
        at: datetime | None = None,
        deleted: bool = False,
    ) -> PersonEvent:
        return PersonEvent(
            event_id=new_id("ev"),
            occurred_at=at or self.now(),
            person_id=person_id,
            account_id=account or self.account,
            job_title=title,
            country=country,
            deleted=deleted,
        )

    async def person(self, person_id: str, title: str, **options: object) -> PersonEvent:
        event = self.profile(person_id, title, **options)  # type: ignore[arg-type]
        await self.tenant.publish(event)
        return event

    async def activity(
        self, person_id: str, kind: str = "event_attended", *, at: datetime | None = None
    ) -> ActivityEvent:
        event = ActivityEvent(
            event_id=new_id("ev"),
            occurred_at=at or self.now(),
            activity_id=new_id("act"),
            person_id=person_id,
            activity_type=kind,
        )
        await self.tenant.publish(event)
        return event

    async def command(
        self, source: Source, action: MembershipAction, person_id: str, role: str | None = None
    ) -> CommandResult:
        command = MembershipCommand(
            event_id=new_id("ev"),
            occurred_at=self.now(),
            command_id=new_id("cmd"),
            source=source,
            actor="sales-user-7" if source is Source.MANUAL else "journey-42",
            action=action,
            account_id=self.account,
            solution_interest_id=INTEREST,
            person_id=person_id,
            role=role,
        )
        await self.tenant.publish(command)
        return await self.result_of(command.command_id)

    async def stage(
        self, stage: str | None = None, status: str | None = None, source: Source = Source.JOURNEY
    ) -> CommandResult:
        command = StageCommand(
            event_id=new_id("ev"),
            occurred_at=self.now(),
            command_id=new_id("cmd"),
            source=source,
            actor="journey-42",
            account_id=self.account,
            solution_interest_id=INTEREST,
            stage=stage,
            status=status,
        )
        await self.tenant.publish(command)
        return await self.result_of(command.command_id)

    async def result_of(self, command_id: str) -> CommandResult:
        outputs = await self.tenant.wait_for(
            lambda out: any(
                isinstance(r, CommandResult) and r.command_id == command_id for r in out
            )
        )
        return next(
            r for r in outputs if isinstance(r, CommandResult) and r.command_id == command_id
        )

    async def person_barrier(self, person_id: str) -> None:
        """Wait until everything sent for `person_id` on the persons topic has been applied:
        a new engineer on the same persons partition joins the group, after all of it."""
        partitions = self.tenant.settings.partitions
        target = partition_of(person_id.encode(), partitions)
        barrier = new_id("barrier")
        while partition_of(barrier.encode(), partitions) != target:
            barrier = new_id("barrier")
        await self.person(barrier, "Barrier Engineer")
        await self.wait_for_member(barrier)

    async def wait_for(self, check: Callable[[list[OutputRecord]], bool]) -> list[OutputRecord]:
        return await self.tenant.wait_for(check)

    async def wait_for_member(self, person_id: str) -> MembershipChanged:
        def found(out: list[OutputRecord]) -> bool:
            return any(self._joined(r, person_id) for r in out)

        outputs = await self.wait_for(found)
        return next(r for r in outputs if self._joined(r, person_id))  # type: ignore[return-value]

    def _joined(self, record: OutputRecord, person_id: str) -> bool:
        return (
            isinstance(record, MembershipChanged)
            and record.group_id == self.group_id
            and record.person_id == person_id
        )

    def membership_changes(self, person_id: str) -> list[MembershipChanged]:
        return [
            r
            for r in self.tenant.outputs
            if isinstance(r, MembershipChanged)
            and r.group_id == self.group_id
            and r.person_id == person_id
        ]

    def snapshot(self) -> BuyingGroupSnapshot:
        """The latest snapshot of this scenario's group seen so far."""
        snapshots = [
            r
            for r in self.tenant.outputs
            if isinstance(r, BuyingGroupSnapshot) and r.group_id == self.group_id
        ]
        assert snapshots, f"no snapshot of {self.group_id} yet"
        return max(snapshots, key=lambda r: r.version)

    def latest_version(self) -> int:
        """The highest group version any record seen so far names."""
        versions = [
            getattr(r, "version", None) or 0
            for r in self.tenant.outputs
            if getattr(r, "group_id", None) == self.group_id
        ]
        return max(versions, default=0)

    async def roles(self) -> dict[str, tuple[str, Source]]:
        """Members by person, from the snapshot of the latest version seen on any topic."""
        version = self.latest_version()

        def caught_up(out: list[OutputRecord]) -> bool:
            return any(
                isinstance(r, BuyingGroupSnapshot)
                and r.group_id == self.group_id
                and r.version >= version
                for r in out
            )

        await self.wait_for(caught_up)
        return {m.person_id: (m.role, m.source) for m in self.snapshot().members}


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
