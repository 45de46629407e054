"""The state of one account: everything the rules need to process an input for it.

State is partitioned by account: the account's attributes, the people currently in it (profile,
activity log, engagement score), its buying groups (one per solution interest), its externally
managed audience memberships, the references its scores use, and the ids of recent inputs (for
de-duplication).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from events.records import AccountEvent, PersonEvent
from state.model.group import BuyingGroup
from state.model.shards import sharded
from state.scoring.activity_log import EMPTY_LOG, ActivityLog, Entry
from state.scoring.calibration import Reference, initial_reference
from state.scoring.engagement import DEFAULT_RULES, EngagementRules

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

    def __reduce__(self) -> tuple[Callable[[PersonFields], PersonState], tuple[PersonFields]]:
        """Pickles as one call with primitives: an account's state holds thousands of people
        and is written after every input (its profile, log and points become plain tuples)."""
        profile = self.profile
        return (
            restored_person,
            (
                (
                    self.person_id,
                    None if profile is None else _profile_values(profile),
                    None if profile is None else tuple(profile.attributes.items()),
                    self.log.entries,
                    tuple(self.by_type.items()),
                    self.raw,
                    self.score,
                    self.reference_version,
                    self.score_version,
                ),
            ),
        )


_PROFILE_FIELDS = tuple(item.name for item in fields(PersonEvent) if item.name != "attributes")
_profile_values = attrgetter(*_PROFILE_FIELDS)


PersonFields = tuple[
    str,  # person_id
    tuple[Any, ...] | None,  # the profile's fields but attributes, in _PROFILE_FIELDS order
    tuple[tuple[str, str], ...] | None,  # the profile's attributes
    tuple[Entry, ...],  # the activity log's entries
    tuple[tuple[str, float], ...],  # by_type
    float,  # raw
    float,  # score
    int,  # reference_version
    int,  # score_version
]


def restored_person(person: PersonFields) -> PersonState:
    """The person that ``PersonState.__reduce__`` took apart."""
    person_id, profile, attributes, entries, by_type, raw, score, reference, version = person
    return PersonState(
        person_id=person_id,
        profile=None
        if profile is None
        else PersonEvent(
            **dict(zip(_PROFILE_FIELDS, profile, strict=False)),
            attributes=MappingProxyType(dict(attributes or ())),
        ),
        log=ActivityLog(entries=entries) if entries else EMPTY_LOG,
        by_type=MappingProxyType(dict(by_type)),
        raw=raw,
        score=score,
        reference_version=reference,
        score_version=version,
    )


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
    """``people`` by person id (sharded: see ``state.model.shards``); ``groups`` by solution
    interest id; ``retired_versions`` keeps the last version of deleted groups so that a group
    created again continues its version sequence; ``departed``: the ids of people who left this
    account for another one (or none) and have not come back, so that a command naming one is
    refused as ``person_not_in_account`` rather than ``unknown_person``."""

    account_id: str
    person_reference: Reference
    group_reference: Reference
    profile: AccountEvent | None = None
    people: Mapping[str, PersonState] = field(default_factory=lambda: sharded(()))
    groups: Mapping[str, BuyingGroup] = field(default_factory=lambda: MappingProxyType({}))
    retired_versions: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    audience_marks: Mapping[str, AudienceMark] = field(default_factory=lambda: MappingProxyType({}))
    engagement_rules: EngagementRules = DEFAULT_RULES
    seen: RecentIds = field(default_factory=RecentIds)
    departed: frozenset[str] = frozenset()

    def __setstate__(self, state: Sequence[object]) -> None:
        """Loads a state pickled field by field, also one stored before ``departed`` existed
        (it loads empty)."""
        names = [item.name for item in fields(self)]
        if len(state) not in (len(names), len(names) - 1):
            raise TypeError(f"account state: expected {len(names)} fields, got {len(state)}")
        for name, value in zip(names, (*state, frozenset()), strict=False):
            object.__setattr__(self, name, value)

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
