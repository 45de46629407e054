"""The records on the topics: one frozen dataclass per Avro record, field names as in `avro/`.

Import every record from here. Times are UTC-aware `datetime` values (milliseconds on the wire),
optional fields default to None, maps are read-only `Mapping`s, arrays are tuples and enums are
`StrEnum`s whose values are the Avro symbols. The `.avsc` files in `avro/` document every field.
The definitions live in `events.enums`, `events.input_records`, `events.config_records` and
`events.output_records`, grouped by concern to keep modules small.
"""

from __future__ import annotations

from typing import TypeAlias

from events.config_records import (
    AccountCondition,
    AudienceDefinition,
    Condition,
    ConfigBody,
    ConfigRecord,
    CreationJobDefinition,
    RoleCard,
    RoleDefinition,
    RolesTemplateDefinition,
    SolutionInterestDefinition,
    StageDefinition,
    StageModelDefinition,
    StageTransition,
    WeightingModelDefinition,
)
from events.enums import (
    CommandStatus,
    ConfigKind,
    LifecycleChange,
    MembershipAction,
    MembershipChange,
    Source,
    StageChangeKind,
)
from events.input_records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    MembershipCommand,
    PersonEvent,
    StageCommand,
)
from events.output_records import (
    ActivityContribution,
    BuyingGroupSnapshot,
    CommandResult,
    DeadLetter,
    GroupLifecycle,
    GroupMember,
    MembershipChanged,
    PersonScoreChanged,
    RoleCompleteness,
    ScoreChanged,
    ScoreContribution,
    StageChanged,
)

__all__ = [
    "TOPIC_RECORD_TYPES",
    "AccountCondition",
    "AccountEvent",
    "ActivityContribution",
    "ActivityEvent",
    "AudienceDefinition",
    "AudienceMembershipEvent",
    "BuyingGroupSnapshot",
    "CommandResult",
    "CommandStatus",
    "Condition",
    "ConfigBody",
    "ConfigKind",
    "ConfigRecord",
    "CreationJobDefinition",
    "DeadLetter",
    "GroupLifecycle",
    "GroupMember",
    "InputRecord",
    "LifecycleChange",
    "MembershipAction",
    "MembershipChange",
    "MembershipChanged",
    "MembershipCommand",
    "OutputRecord",
    "PersonEvent",
    "PersonScoreChanged",
    "RoleCard",
    "RoleCompleteness",
    "RoleDefinition",
    "RolesTemplateDefinition",
    "ScoreChanged",
    "ScoreContribution",
    "SolutionInterestDefinition",
    "Source",
    "StageChangeKind",
    "StageChanged",
    "StageCommand",
    "StageDefinition",
    "StageModelDefinition",
    "StageTransition",
    "TopicRecord",
    "WeightingModelDefinition",
    "config_key_for",
    "group_id_for",
]


def group_id_for(account_id: str, solution_interest_id: str) -> str:
    """The id of the buying group of `account_id` for `solution_interest_id`."""
    return f"{account_id}/{solution_interest_id}"


def config_key_for(kind: ConfigKind, id: str) -> str:
    """The Kafka key of a config record: `<kind>:<id>`."""
    return f"{kind.value}:{id}"


InputRecord: TypeAlias = (
    PersonEvent
    | AccountEvent
    | ActivityEvent
    | AudienceMembershipEvent
    | MembershipCommand
    | StageCommand
    | ConfigRecord
)
OutputRecord: TypeAlias = (
    MembershipChanged
    | ScoreChanged
    | StageChanged
    | GroupLifecycle
    | PersonScoreChanged
    | CommandResult
    | BuyingGroupSnapshot
)
TopicRecord: TypeAlias = InputRecord | OutputRecord | DeadLetter

# Every record written to a topic, in the order of the contract.
TOPIC_RECORD_TYPES: tuple[type[TopicRecord], ...] = (
    PersonEvent,
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    MembershipCommand,
    StageCommand,
    ConfigRecord,
    MembershipChanged,
    ScoreChanged,
    StageChanged,
    GroupLifecycle,
    PersonScoreChanged,
    CommandResult,
    BuyingGroupSnapshot,
    DeadLetter,
)
