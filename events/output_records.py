"""The output records: the changes the engine emits, snapshots and dead letters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from events.enums import CommandStatus, LifecycleChange, MembershipChange, Source, StageChangeKind


def _no_ints() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleCompleteness:
    role: str
    assigned: int
    required: int
    completeness: float
    counts: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreContribution:
    role: str | None = None
    person_id: str | None = None
    activity_type: str | None = None
    weight: float
    raw_before: float
    raw_after: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityContribution:
    activity_type: str
    raw_before: float
    raw_after: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMember:
    person_id: str
    role: str
    source: Source
    since: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MembershipChanged:
    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime
    person_id: str
    change: MembershipChange
    previous_role: str | None = None
    new_role: str | None = None
    source: Source
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreChanged:
    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime
    completeness_previous: float
    completeness: float
    role_completeness: tuple[RoleCompleteness, ...] = ()
    role_completeness_previous: tuple[RoleCompleteness, ...] = ()
    engagement_raw_previous: float
    engagement_raw: float
    engagement_previous: float
    engagement: float
    reference: float
    reference_version: int
    trigger: str
    contributions: tuple[ScoreContribution, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StageChanged:
    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime
    kind: StageChangeKind
    previous_stage: str | None = None
    stage: str | None = None
    previous_status: str | None = None
    status: str | None = None
    source: Source
    actor: str | None = None
    time_in_previous_stage_ms: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupLifecycle:
    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime
    change: LifecycleChange
    name: str
    creation_job_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonScoreChanged:
    person_id: str
    account_id: str | None = None
    version: int
    cause: str
    emitted_at: datetime
    raw_previous: float
    raw: float
    score_previous: float
    score: float
    reference: float
    reference_version: int
    contributions: tuple[ActivityContribution, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandResult:
    command_id: str
    account_id: str
    solution_interest_id: str
    group_id: str | None = None
    person_id: str | None = None
    source: Source
    status: CommandStatus
    reason: str | None = None
    message: str | None = None
    version: int | None = None
    cause: str
    emitted_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyingGroupSnapshot:
    group_id: str
    account_id: str
    solution_interest_id: str
    name: str
    version: int
    members: tuple[GroupMember, ...] = ()
    role_completeness: tuple[RoleCompleteness, ...] = ()
    completeness: float
    engagement_raw: float
    engagement: float
    reference_version: int
    stage: str | None = None
    stage_entered_at: datetime | None = None
    status: str | None = None
    time_in_stage_ms: Mapping[str, int] = field(default_factory=_no_ints)
    created_at: datetime
    updated_at: datetime
    cause: str
    emitted_at: datetime
    deleted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    original_key: bytes | None = None
    original_value: bytes | None = None
    topic: str
    partition: int
    offset: int
    error_kind: str
    error_message: str
    failed_at: datetime
