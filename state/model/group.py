"""A buying group: the people of one account who matter for one solution interest.

The group is identified by (account, solution interest). It holds its members (person, role,
source, since), the precedence memory (the highest source that acted on each person), its scores
as last emitted, its stage, and a version that grows by one with every change record it emits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Any, TypedDict

from events.records import BuyingGroupSnapshot, GroupMember, RoleCompleteness, Source
from state.scoring.group_raw import RoleTotals

Member = GroupMember
"""A member (person, role, source, since) is kept as the record its group's snapshots carry."""

_NO_MEMBERS: Mapping[str, Member] = MappingProxyType({})
_NO_SOURCES: Mapping[str, Source] = MappingProxyType({})
_NO_TIMES: Mapping[str, int] = MappingProxyType({})


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
    keeps the system from adding the person back. ``role_totals`` adds up the members' raw
    scores per role as of the last rescore (None until the first one)."""

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
    role_totals: RoleTotals | None = None

    def __reduce__(self) -> tuple[Callable[..., BuyingGroup], tuple[object, ...]]:
        """Pickles as one call: the other fields in order, and the members as (person, role,
        source, since) tuples of primitives (a group may hold thousands)."""
        members = tuple(
            (member.person_id, member.role, member.source.value, member.since)
            for member in self.members.values()
        )
        return (restored_group, (_other_fields(self), members))

    def __setstate__(self, state: Sequence[object]) -> None:
        """Loads a group pickled in the first state format, also one stored before
        ``role_totals`` existed (it loads with None: its next rescore is a full one)."""
        names = [item.name for item in fields(self)]
        if len(state) not in (len(names), len(names) - 1):
            raise TypeError(f"buying group: expected {len(names)} fields, got {len(state)}")
        for name, value in zip(names, (*state, None), strict=False):
            object.__setattr__(self, name, value)

    def role_of(self, person_id: str) -> str | None:
        member = self.members.get(person_id)
        return None if member is None else member.role

    def assigned(self) -> Mapping[str, int]:
        """How many members hold each role."""
        counts: dict[str, int] = {}
        for member in self.members.values():
            counts[member.role] = counts.get(member.role, 0) + 1
        return counts


_OTHER_FIELDS = tuple(item.name for item in fields(BuyingGroup) if item.name != "members")
_other_fields = attrgetter(*_OTHER_FIELDS)


def restored_group(
    values: tuple[Any, ...], members: tuple[tuple[str, str, str, datetime], ...]
) -> BuyingGroup:
    """The group that ``BuyingGroup.__reduce__`` took apart."""
    return BuyingGroup(
        **dict(zip(_OTHER_FIELDS, values, strict=False)),
        members=MappingProxyType(
            {
                person_id: Member(
                    person_id=person_id, role=role, source=Source(source), since=since
                )
                for person_id, role, source, since in members
            }
        ),
    )


def members_by_person(members: Mapping[str, Member]) -> tuple[Member, ...]:
    """The members sorted by person id (the order membership changes keep them in)."""
    order = sorted(members)
    if order == list(members):
        return tuple(members.values())
    return tuple(members[person_id] for person_id in order)


class RecordHeader(TypedDict):
    """The fields every output record about a group starts with: which group, its version after
    the change, the input that caused it and when it was emitted."""

    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime


def record_header(
    group: BuyingGroup, *, cause: str, now: datetime, version: int | None = None
) -> RecordHeader:
    """The header of a record about ``group`` (at its own version unless ``version`` says)."""
    return RecordHeader(
        group_id=group.group_id,
        account_id=group.account_id,
        solution_interest_id=group.solution_interest_id,
        version=group.version if version is None else version,
        cause=cause,
        emitted_at=now,
    )


def snapshot(
    group: BuyingGroup, *, cause: str, now: datetime, deleted: bool = False
) -> BuyingGroupSnapshot:
    """The full state of ``group`` as the compacted ``bg.groups`` topic carries it."""
    members = () if deleted else members_by_person(group.members)
    return BuyingGroupSnapshot(
        **record_header(group, cause=cause, now=now),
        name=group.name,
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
        deleted=deleted,
    )
