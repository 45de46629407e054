"""A buying group: the people of one account who matter for one solution interest.

The group is identified by (account, solution interest). It holds its members (person, role,
source, since), the precedence memory (the highest source that acted on each person), its scores
as last emitted, its stage, and a version that grows by one with every change record it emits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from events.records import BuyingGroupSnapshot, GroupMember, RoleCompleteness, Source

_NO_MEMBERS: Mapping[str, Member] = MappingProxyType({})
_NO_SOURCES: Mapping[str, Source] = MappingProxyType({})
_NO_TIMES: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    person_id: str
    role: str
    source: Source
    since: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StageState:
    """The current stage (None: not started), since when, the free-text status, and the time
    spent in each stage over the visits that have ended (ms by stage name)."""

    stage: str | None = None
    entered_at: datetime | None = None
    status: str | None = None
    time_in_stage_ms: Mapping[str, int] = field(default_factory=lambda: _NO_TIMES)


NO_STAGE = StageState()


@dataclass(frozen=True, slots=True, kw_only=True)
class BuyingGroup:
    """``acted`` holds, per person, the highest of manual / journey that acted on them here
    (absent: only the system did, or nobody); it survives a removal, so that a manual remove
    keeps the system from adding the person back."""

    group_id: str
    account_id: str
    solution_interest_id: str
    name: str
    version: int
    template_id: str
    stage_model_id: str | None
    creation_job_id: str | None
    created_at: datetime
    updated_at: datetime
    members: Mapping[str, Member] = field(default_factory=lambda: _NO_MEMBERS)
    acted: Mapping[str, Source] = field(default_factory=lambda: _NO_SOURCES)
    role_completeness: tuple[RoleCompleteness, ...] = ()
    completeness: float = 0.0
    engagement_raw: float = 0.0
    engagement: float = 0.0
    reference_version: int = 0
    stage: StageState = NO_STAGE

    def role_of(self, person_id: str) -> str | None:
        member = self.members.get(person_id)
        return None if member is None else member.role

    def assigned(self) -> Mapping[str, int]:
        """How many members hold each role."""
        counts: dict[str, int] = {}
        for member in self.members.values():
            counts[member.role] = counts.get(member.role, 0) + 1
        return counts


def snapshot(
    group: BuyingGroup, *, cause: str, now: datetime, deleted: bool = False
) -> BuyingGroupSnapshot:
    """The full state of ``group`` as the compacted ``bg.groups`` topic carries it."""
    members = (
        ()
        if deleted
        else tuple(
            GroupMember(person_id=m.person_id, role=m.role, source=m.source, since=m.since)
            for _, m in sorted(group.members.items())
        )
    )
    return BuyingGroupSnapshot(
        group_id=group.group_id,
        account_id=group.account_id,
        solution_interest_id=group.solution_interest_id,
        name=group.name,
        version=group.version,
        members=members,
        role_completeness=group.role_completeness,
        completeness=group.completeness,
        engagement_raw=group.engagement_raw,
        engagement=group.engagement,
        reference_version=group.reference_version,
        stage=group.stage.stage,
        stage_entered_at=group.stage.entered_at,
        status=group.stage.status,
        time_in_stage_ms=group.stage.time_in_stage_ms,
        created_at=group.created_at,
        updated_at=group.updated_at,
        cause=cause,
        emitted_at=now,
        deleted=deleted,
    )
