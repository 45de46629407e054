"""The configuration records: ConfigRecord and the bodies nested in ConfigRecord.body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TypeAlias

from events.enums import ConfigKind


def _no_ints() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A node of a condition tree: `all` / `any` over children, or a `leaf` predicate."""

    node: str
    children: tuple[Condition, ...] = ()
    attribute: str | None = None
    operator: str | None = None
    values: tuple[str, ...] = ()


AccountCondition: TypeAlias = Condition  # an audience rule: the same shape over account attributes


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleCard:
    role: str
    weighting: str
    auto_assign: bool
    conditions: Condition | None = None
    required_for_completeness: bool = True
    members_required: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleDefinition:
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RolesTemplateDefinition:
    name: str
    status: str
    cards: tuple[RoleCard, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SolutionInterestDefinition:
    name: str
    roles_template_id: str
    stage_model_id: str | None = None
    update_existing_groups: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StageDefinition:
    name: str
    description: str | None = None
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StageTransition:
    from_stage: str
    to_stage: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StageModelDefinition:
    name: str
    status: str
    stages: tuple[StageDefinition, ...] = ()
    transitions: tuple[StageTransition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightingModelDefinition:
    name: str
    weights: Mapping[str, int] = field(default_factory=_no_ints)
    window_days: int = 30
    daily_cap: int = 20
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceDefinition:
    name: str
    managed: str
    rule: Condition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreationJobDefinition:
    solution_interest_id: str
    audience_id: str


ConfigBody: TypeAlias = (
    RoleDefinition
    | RolesTemplateDefinition
    | SolutionInterestDefinition
    | StageModelDefinition
    | WeightingModelDefinition
    | AudienceDefinition
    | CreationJobDefinition
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigRecord:
    """Key on Kafka: f"{kind}:{id}"; a tombstone (null value) deletes."""

    event_id: str
    occurred_at: datetime
    kind: ConfigKind
    id: str
    body: ConfigBody
