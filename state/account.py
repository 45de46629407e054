"""The state of one account: everything the rules need to process an input for it.

State is partitioned by account: the account's attributes, the people currently in it (profile,
activity log, engagement score), its buying groups (one per solution interest), its externally
managed audience memberships, the references its scores use, and the ids of recent inputs (for
de-duplication).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from events.records import AccountEvent, PersonEvent
from state.activity_log import EMPTY_LOG, ActivityLog
from state.calibration import Reference, initial_reference
from state.engagement import DEFAULT_RULES, EngagementRules
from state.group import BuyingGroup

PERSON_REFERENCE_FLOOR = 10.0
GROUP_REFERENCE_FLOOR = 10.0
RECENT_IDS_PER_GENERATION = 512

_NO_POINTS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonState:
    """A person of the account; ``profile`` is None until their profile arrives (an activity may
    come first). ``by_type``, ``raw`` and ``score`` are the engagement as last computed, against
    the reference of version ``reference_version``; ``score_version`` orders PersonScoreChanged."""

    person_id: str
    profile: PersonEvent | None = None
    log: ActivityLog = EMPTY_LOG
    by_type: Mapping[str, float] = field(default_factory=lambda: _NO_POINTS)
    raw: float = 0.0
    score: float = 0.0
    reference_version: int = 0
    score_version: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentIds:
    """The ids of recent inputs, in two generations: remembers at least the last
    ``RECENT_IDS_PER_GENERATION`` ids and at most twice as many."""

    current: frozenset[str] = frozenset()
    previous: frozenset[str] = frozenset()

    def __contains__(self, key: object) -> bool:
        return key in self.current or key in self.previous

    def add(self, key: str) -> RecentIds:
        if len(self.current) >= RECENT_IDS_PER_GENERATION:
            return RecentIds(current=frozenset((key,)), previous=self.current)
        return RecentIds(current=self.current | {key}, previous=self.previous)


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceMark:
    """The latest word of an external segmentation engine on one audience."""

    member: bool
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountState:
    """``groups`` by solution interest id; ``retired_versions`` keeps the last version of deleted
    groups so that a group created again continues its version sequence."""

    account_id: str
    person_reference: Reference
    group_reference: Reference
    profile: AccountEvent | None = None
    people: Mapping[str, PersonState] = field(default_factory=lambda: MappingProxyType({}))
    groups: Mapping[str, BuyingGroup] = field(default_factory=lambda: MappingProxyType({}))
    retired_versions: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    audience_marks: Mapping[str, AudienceMark] = field(default_factory=lambda: MappingProxyType({}))
    engagement_rules: EngagementRules = DEFAULT_RULES
    seen: RecentIds = field(default_factory=RecentIds)

    @property
    def deleted(self) -> bool:
        return self.profile is not None and self.profile.deleted

    @property
    def display_name(self) -> str:
        """The account's name, or its id while no name is known."""
        name = None if self.profile is None else self.profile.name
        return name.strip() if name and name.strip() else self.account_id

    def person_raws(self) -> tuple[float, ...]:
        """Every person's raw engagement (an input of the tenant's calibration)."""
        return tuple(person.raw for person in self.people.values())

    def group_raws(self) -> tuple[float, ...]:
        """Every group's raw engagement (an input of the tenant's calibration)."""
        return tuple(group.engagement_raw for group in self.groups.values())

    def member_candidate(self, person_id: str) -> PersonEvent | None:
        """The profile of ``person_id`` if they currently belong to this account."""
        person = self.people.get(person_id)
        if person is None or person.profile is None:
            return None
        profile = person.profile
        return profile if profile.account_id == self.account_id else None


def new_account_state(
    account_id: str,
    *,
    person_reference: Reference | None = None,
    group_reference: Reference | None = None,
) -> AccountState:
    """The state of an account nothing is known about yet (scores against the given references,
    by default the floors)."""
    return AccountState(
        account_id=account_id,
        person_reference=person_reference or initial_reference(PERSON_REFERENCE_FLOOR),
        group_reference=group_reference or initial_reference(GROUP_REFERENCE_FLOOR),
    )
