"""Topic names: defaults `bg.<name>`, with a configurable prefix for shared clusters."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from events.errors import BadInput
from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    CommandResult,
    ConfigRecord,
    DeadLetter,
    GroupLifecycle,
    MembershipChanged,
    MembershipCommand,
    PersonEvent,
    PersonScoreChanged,
    ScoreChanged,
    StageChanged,
    StageCommand,
    TopicRecord,
)

DEFAULT_PREFIX = "bg"
_LEGAL = re.compile(r"^[A-Za-z0-9._-]*$")
_MAX_TOPIC_LENGTH = 249

# Which records each topic carries, by the topic's name without prefix.
RECORDS_BY_BASE_NAME: dict[str, tuple[type[TopicRecord], ...]] = {
    "persons": (PersonEvent,),
    "accounts": (AccountEvent,),
    "activities": (ActivityEvent,),
    "audience-memberships": (AudienceMembershipEvent,),
    "commands": (MembershipCommand, StageCommand),
    "config": (ConfigRecord,),
    "membership-changes": (MembershipChanged,),
    "score-changes": (ScoreChanged,),
    "stage-changes": (StageChanged,),
    "group-lifecycle": (GroupLifecycle,),
    "person-scores": (PersonScoreChanged,),
    "command-results": (CommandResult,),
    "groups": (BuyingGroupSnapshot,),
    "dead-letters": (DeadLetter,),
}
COMPACTED_BASE_NAMES = frozenset({"config", "groups"})


def topic_name(base_name: str, prefix: str = DEFAULT_PREFIX) -> str:
    """`<prefix>.<base_name>`, or `base_name` alone when the prefix is empty."""
    if not _LEGAL.match(prefix):
        raise BadInput(f"topic prefix {prefix!r}: only letters, digits, '.', '_' and '-' allowed")
    name = f"{prefix}.{base_name}" if prefix else base_name
    if len(name) > _MAX_TOPIC_LENGTH:
        raise BadInput(f"topic prefix {prefix[:40]!r}...: topic names are at most 249 characters")
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class Topics:
    """The names of every topic; `Topics()` has the defaults."""

    persons: str = "bg.persons"
    accounts: str = "bg.accounts"
    activities: str = "bg.activities"
    audience_memberships: str = "bg.audience-memberships"
    commands: str = "bg.commands"
    config: str = "bg.config"
    membership_changes: str = "bg.membership-changes"
    score_changes: str = "bg.score-changes"
    stage_changes: str = "bg.stage-changes"
    group_lifecycle: str = "bg.group-lifecycle"
    person_scores: str = "bg.person-scores"
    command_results: str = "bg.command-results"
    groups: str = "bg.groups"
    dead_letters: str = "bg.dead-letters"

    @classmethod
    def with_prefix(cls, prefix: str) -> Topics:
        """Every name as `<prefix>.<name>`; `with_prefix("bg")` gives the defaults."""
        return cls(**{f.name: topic_name(f.name.replace("_", "-"), prefix) for f in fields(cls)})

    def all(self) -> tuple[str, ...]:
        """Every topic name, inputs first."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def records_on(self, topic: str) -> tuple[type[TopicRecord], ...]:
        """The record types `topic` carries; empty for a topic not in this set."""
        for f in fields(self):
            if getattr(self, f.name) == topic:
                return RECORDS_BY_BASE_NAME[f.name.replace("_", "-")]
        return ()

    def compacted(self) -> tuple[str, ...]:
        """The compacted topics (latest value per key): config and group snapshots."""
        return tuple(
            getattr(self, f.name)
            for f in fields(self)
            if f.name.replace("_", "-") in COMPACTED_BASE_NAMES
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InternalTopics:
    """The engine's own topics, read and written by its agents only (records in the engine's
    state codec, never public); `InternalTopics()` has the defaults.

    - `account_changes` (by account): routed person changes and activities;
    - `account_ticks` / `person_ticks` (one record per partition): periodic work and config
      changes; `catch_up_ticks`: looking for records the consumer skipped or stalled on;
    - `calibration` (one partition): each account partition's raw scores for a calibration round;
    - `rerouted_people` / `rerouted_accounts` (by person / by account): input records that arrived
      on another partition than the one their state key belongs to, moved there.
    """

    account_changes: str = "bg.internal.account-changes"
    account_ticks: str = "bg.internal.account-ticks"
    person_ticks: str = "bg.internal.person-ticks"
    catch_up_ticks: str = "bg.internal.catch-up-ticks"
    calibration: str = "bg.internal.calibration"
    rerouted_people: str = "bg.internal.rerouted-people"
    rerouted_accounts: str = "bg.internal.rerouted-accounts"

    @classmethod
    def with_prefix(cls, prefix: str) -> InternalTopics:
        """Every name as `<prefix>.internal.<name>`."""
        return cls(
            **{
                f.name: topic_name(f"internal.{f.name.replace('_', '-')}", prefix)
                for f in fields(cls)
            }
        )

    def all(self) -> tuple[str, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))
