"""Output and profile records for the read model's tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from events.records import (
    AccountEvent,
    BuyingGroupSnapshot,
    CommandResult,
    CommandStatus,
    GroupMember,
    MembershipChange,
    MembershipChanged,
    PersonEvent,
    PersonScoreChanged,
    RoleCompleteness,
    ScoreChanged,
    ScoreContribution,
    Source,
    StageChanged,
    StageChangeKind,
    group_id_for,
)

AT = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
ROLES = ("Decision Maker", "Influencer", "Practitioner")


def snapshot(
    account_id: str = "acc-1",
    interest: str = "si-1",
    *,
    version: int = 1,
    members: tuple[tuple[str, str], ...] = (),
    engagement: float = 10.0,
    stage: str | None = None,
    status: str | None = None,
    deleted: bool = False,
) -> BuyingGroupSnapshot:
    """A group whose completeness follows its members (one required per role)."""
    roles = tuple(
        RoleCompleteness(
            role=role,
            assigned=sum(1 for _p, r in members if r == role),
            required=1,
            completeness=100.0 if any(r == role for _p, r in members) else 0.0,
            counts=True,
        )
        for role in ROLES
    )
    return BuyingGroupSnapshot(
        group_id=group_id_for(account_id, interest),
        account_id=account_id,
        solution_interest_id=interest,
        name=f"{interest} for {account_id}",
        version=version,
        members=tuple(
            GroupMember(person_id=p, role=r, source=Source.SYSTEM, since=AT) for p, r in members
        ),
        role_completeness=roles,
        completeness=sum(r.completeness for r in roles) / len(roles),
        engagement_raw=engagement / 2,
        engagement=engagement,
        reference_version=1,
        stage=stage,
        stage_entered_at=AT if stage else None,
        status=status,
        time_in_stage_ms={stage: 1000} if stage else {},
        created_at=AT,
        updated_at=AT + timedelta(minutes=version),
        cause=f"ev-{version}",
        emitted_at=AT + timedelta(minutes=version),
        deleted=deleted,
    )


def added(snap: BuyingGroupSnapshot, person_id: str, role: str) -> MembershipChanged:
    return MembershipChanged(
        group_id=snap.group_id,
        account_id=snap.account_id,
        solution_interest_id=snap.solution_interest_id,
        version=snap.version,
        cause=snap.cause,
        emitted_at=snap.emitted_at,
        person_id=person_id,
        change=MembershipChange.ADDED,
        new_role=role,
        source=Source.SYSTEM,
        reason="rule_match",
    )


def scored(snap: BuyingGroupSnapshot, person_id: str) -> ScoreChanged:
    return ScoreChanged(
        group_id=snap.group_id,
        account_id=snap.account_id,
        solution_interest_id=snap.solution_interest_id,
        version=snap.version,
        cause=snap.cause,
        emitted_at=snap.emitted_at,
        completeness_previous=0.0,
        completeness=snap.completeness,
        engagement_raw_previous=0.0,
        engagement_raw=snap.engagement_raw,
        engagement_previous=0.0,
        engagement=snap.engagement,
        reference=25.0,
        reference_version=1,
        trigger="activity",
        contributions=(
            ScoreContribution(
                person_id=person_id, role=ROLES[0], activity_type="page_viewed",
                weight=1.0, raw_before=0.0, raw_after=snap.engagement_raw,
            ),
        ),
    )  # fmt: skip


def person(
    person_id: str, *, at: datetime = AT, title: str = "VP Security", deleted: bool = False
) -> PersonEvent:
    return PersonEvent(
        event_id=f"pe-{person_id}-{at.timestamp()}",
        occurred_at=at,
        person_id=person_id,
        account_id="acc-1",
        email=f"{person_id}@example.com",
        phone="+1 555 0100",
        mobile_phone="+1 555 0199",
        first_name="Ada",
        last_name=f"Lovelace-{person_id}",
        job_title=title,
        deleted=deleted,
    )


def account(
    account_id: str, *, at: datetime = AT, industry: str = "Software", region: str = "EMEA"
) -> AccountEvent:
    return AccountEvent(
        event_id=f"ae-{account_id}-{at.timestamp()}",
        occurred_at=at,
        account_id=account_id,
        name=f"Name of {account_id}",
        industry=industry,
        region=region,
    )


def person_score(person_id: str, version: int, score: float) -> PersonScoreChanged:
    return PersonScoreChanged(
        person_id=person_id,
        account_id="acc-1",
        version=version,
        cause=f"act-{version}",
        emitted_at=AT,
        raw_previous=0.0,
        raw=score / 4,
        score_previous=0.0,
        score=score,
        reference=25.0,
        reference_version=1,
    )


def result(command_id: str, snap: BuyingGroupSnapshot) -> CommandResult:
    return CommandResult(
        command_id=command_id,
        account_id=snap.account_id,
        solution_interest_id=snap.solution_interest_id,
        group_id=snap.group_id,
        person_id="p-1",
        source=Source.MANUAL,
        status=CommandStatus.APPLIED,
        version=snap.version,
        cause=command_id,
        emitted_at=AT,
    )


def later(snap: BuyingGroupSnapshot, **changes: object) -> BuyingGroupSnapshot:
    return replace(snap, version=snap.version + 1, **changes)  # type: ignore[arg-type]


def moved(snap: BuyingGroupSnapshot, stage: str, previous: str | None = None) -> StageChanged:
    return StageChanged(
        group_id=snap.group_id,
        account_id=snap.account_id,
        solution_interest_id=snap.solution_interest_id,
        version=snap.version,
        cause=snap.cause,
        emitted_at=snap.emitted_at,
        kind=StageChangeKind.STAGE,
        previous_stage=previous,
        stage=stage,
        source=Source.MANUAL,
        actor="user-1",
    )
