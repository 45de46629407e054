"""Changing the catalogue: one config record (or tombstone) at a time, validated first.

``apply_config_change`` returns the new catalogue, or ``Invalid`` with every error (kind, id,
card, field, value); a refused record leaves the catalogue as it was. Deleting something that
does not exist is accepted and changes nothing (tombstones are redelivered and replayed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

from events.records import (
    AudienceDefinition,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleDefinition,
    RolesTemplateDefinition,
    SolutionInterestDefinition,
    StageModelDefinition,
    WeightingModelDefinition,
)
from state.catalogue.audiences import read_audience, read_creation_job
from state.catalogue.catalogue import Catalogue
from state.catalogue.deletions import catalogue_without
from state.catalogue.errors import ConfigError, ErrorContext, Invalid
from state.catalogue.roles import role_upsert
from state.catalogue.solution_interests import read_solution_interest
from state.catalogue.stage_models import read_stage_model, stage_model_update_errors
from state.catalogue.templates import read_template
from state.catalogue.weighting_models import read_weighting_model

_V = TypeVar("_V")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigTombstone:
    """A config record was deleted (a Kafka tombstone for the key ``kind:id``)."""

    event_id: str
    occurred_at: datetime
    kind: ConfigKind
    id: str


ConfigInput = ConfigRecord | ConfigTombstone


def apply_config_change(
    catalogue: Catalogue,
    change: ConfigInput,
    *,
    interests_with_groups: frozenset[str] = frozenset(),
) -> Catalogue | Invalid:
    """The catalogue after ``change``, or why ``change`` is refused.

    ``interests_with_groups``: the solution interests that live groups use (only the caller can
    know it); such a solution interest cannot be deleted.
    """
    if not change.id.strip():
        context = ErrorContext(kind=change.kind, config_id=change.id)
        return Invalid(errors=(context.error("id", change.id, "a config record needs an id"),))
    if isinstance(change, ConfigTombstone):
        return catalogue_without(catalogue, change.kind, change.id, interests_with_groups)
    return _upsert(catalogue, change)


def _upsert(  # noqa: PLR0911 - one return per kind of config reads best as a match
    catalogue: Catalogue, record: ConfigRecord
) -> Catalogue | Invalid:
    body, key = record.body, record.id
    match body:
        case RoleDefinition() if record.kind is ConfigKind.ROLE:
            roles = role_upsert(key, body, catalogue.roles)
            return roles if isinstance(roles, Invalid) else replace(catalogue, roles=roles)
        case RolesTemplateDefinition() if record.kind is ConfigKind.ROLES_TEMPLATE:
            return _upsert_template(catalogue, key, body)
        case SolutionInterestDefinition() if record.kind is ConfigKind.SOLUTION_INTEREST:
            return _upsert_interest(catalogue, key, body)
        case StageModelDefinition() if record.kind is ConfigKind.STAGE_MODEL:
            return _upsert_stage_model(catalogue, key, body)
        case WeightingModelDefinition() if record.kind is ConfigKind.WEIGHTING_MODEL:
            return _upsert_weighting_model(catalogue, key, body)
        case AudienceDefinition() if record.kind is ConfigKind.AUDIENCE:
            audience = read_audience(key, body)
            if isinstance(audience, Invalid):
                return audience
            return replace(catalogue, audiences=_with(catalogue.audiences, key, audience))
        case CreationJobDefinition() if record.kind is ConfigKind.CREATION_JOB:
            return _upsert_job(catalogue, key, body)
        case _:
            context = ErrorContext(kind=record.kind, config_id=key)
            problem = f"a {record.kind.value} record needs a matching body"
            return Invalid(errors=(context.error("body", type(body).__name__, problem),))


def _with(mapping: Mapping[str, _V], key: str, value: _V) -> Mapping[str, _V]:
    return MappingProxyType({**mapping, key: value})


def _upsert_template(
    catalogue: Catalogue, key: str, body: RolesTemplateDefinition
) -> Catalogue | Invalid:
    template = read_template(key, body, catalogue.roles)
    if isinstance(template, Invalid):
        return template
    previous = catalogue.templates.get(key)
    if previous is not None and previous.live and template != previous:
        context = ErrorContext(kind=ConfigKind.ROLES_TEMPLATE, config_id=key)
        error = context.error("status", body.status, "a live roles template cannot change")
        return Invalid(errors=(error,))
    return replace(catalogue, templates=_with(catalogue.templates, key, template))


def _upsert_interest(
    catalogue: Catalogue, key: str, body: SolutionInterestDefinition
) -> Catalogue | Invalid:
    interest = read_solution_interest(key, body)
    context = ErrorContext(kind=ConfigKind.SOLUTION_INTEREST, config_id=key)
    errors: list[ConfigError] = []
    if not interest.name:
        errors.append(context.error("name", body.name, "a solution interest needs a name"))
    template = catalogue.templates.get(interest.roles_template_id)
    if template is None or not template.live:
        problem = "needs a live roles template" + ("" if template else " (no such template)")
        errors.append(context.error("roles_template_id", body.roles_template_id, problem))
    previous = catalogue.solution_interests.get(key)
    if previous is not None and previous.roles_template_id != interest.roles_template_id:
        problem = f"the roles template ({previous.roles_template_id}) can never change"
        errors.append(context.error("roles_template_id", body.roles_template_id, problem))
    if interest.stage_model_id is not None:
        model = catalogue.stage_models.get(interest.stage_model_id)
        if model is None or not model.live:
            problem = "needs a live stage model" + ("" if model else " (no such stage model)")
            errors.append(context.error("stage_model_id", interest.stage_model_id, problem))
    if errors:
        return Invalid(errors=tuple(errors))
    interests = _with(catalogue.solution_interests, key, interest)
    return replace(catalogue, solution_interests=interests)


def _upsert_stage_model(
    catalogue: Catalogue, key: str, body: StageModelDefinition
) -> Catalogue | Invalid:
    model = read_stage_model(key, body)
    if isinstance(model, Invalid):
        return model
    previous = catalogue.stage_models.get(key)
    errors = () if previous is None else stage_model_update_errors(previous, model)
    if errors:
        return Invalid(errors=errors)
    return replace(catalogue, stage_models=_with(catalogue.stage_models, key, model))


def _upsert_weighting_model(
    catalogue: Catalogue, key: str, body: WeightingModelDefinition
) -> Catalogue | Invalid:
    model = read_weighting_model(key, body)
    if isinstance(model, Invalid):
        return model
    active = catalogue.active_weighting_model_id
    if model.active:
        active = key
    elif active == key:
        active = None
    models = _with(catalogue.weighting_models, key, model)
    return replace(catalogue, weighting_models=models, active_weighting_model_id=active)


def _upsert_job(catalogue: Catalogue, key: str, body: CreationJobDefinition) -> Catalogue | Invalid:
    context = ErrorContext(kind=ConfigKind.CREATION_JOB, config_id=key)
    errors: list[ConfigError] = []
    if body.solution_interest_id not in catalogue.solution_interests:
        field, value = "solution_interest_id", body.solution_interest_id
        errors.append(context.error(field, value, "no such solution interest"))
    if body.audience_id not in catalogue.audiences:
        errors.append(context.error("audience_id", body.audience_id, "no such audience"))
    if errors:
        return Invalid(errors=tuple(errors))
    jobs = _with(catalogue.creation_jobs, key, read_creation_job(key, body))
    return replace(catalogue, creation_jobs=jobs)
