"""Deleting from the catalogue, refused while something still uses what is deleted.

- a default role never; a custom role not while a roles template uses it;
- a live roles template not while a solution interest uses it (a draft always);
- a solution interest not while a creation job or a live group uses it;
- a stage model not while a solution interest uses it;
- an audience not while a creation job uses it;
- weighting models and creation jobs always (deleting the active model falls back to the default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TypeVar, assert_never

from events.records import ConfigKind
from state.catalogue.catalogue import Catalogue
from state.catalogue.errors import ErrorContext, Invalid
from state.catalogue.roles import role_deletion

_V = TypeVar("_V")


def catalogue_without(  # noqa: PLR0911 - one return per kind of config reads best as a match
    catalogue: Catalogue, kind: ConfigKind, key: str, interests_with_groups: frozenset[str]
) -> Catalogue | Invalid:
    """The catalogue without ``kind:key``, or why it must stay."""
    context = ErrorContext(kind=kind, config_id=key)
    match kind:
        case ConfigKind.ROLE:
            if key not in catalogue.roles:
                return catalogue
            roles = role_deletion(key, catalogue.roles, catalogue.templates_using_role(key))
            return roles if isinstance(roles, Invalid) else replace(catalogue, roles=roles)
        case ConfigKind.ROLES_TEMPLATE:
            return _without_template(catalogue, key, context)
        case ConfigKind.SOLUTION_INTEREST:
            return _without_interest(catalogue, key, interests_with_groups, context)
        case ConfigKind.STAGE_MODEL:
            users = catalogue.interests_using_stage_model(key)
            if users:
                return _in_use(context, "solution interest(s)", users)
            return replace(catalogue, stage_models=_without(catalogue.stage_models, key))
        case ConfigKind.WEIGHTING_MODEL:
            active = catalogue.active_weighting_model_id
            models = _without(catalogue.weighting_models, key)
            active = None if active == key else active
            return replace(catalogue, weighting_models=models, active_weighting_model_id=active)
        case ConfigKind.AUDIENCE:
            jobs = catalogue.jobs_using(audience_id=key)
            if jobs:
                return _in_use(context, "creation job(s)", jobs)
            return replace(catalogue, audiences=_without(catalogue.audiences, key))
        case ConfigKind.CREATION_JOB:
            return replace(catalogue, creation_jobs=_without(catalogue.creation_jobs, key))
        case _:
            assert_never(kind)


def _without_template(catalogue: Catalogue, key: str, context: ErrorContext) -> Catalogue | Invalid:
    template = catalogue.templates.get(key)
    users = catalogue.interests_using_template(key)
    if template is not None and template.live and users:
        return _in_use(context, "solution interest(s)", users)
    return replace(catalogue, templates=_without(catalogue.templates, key))


def _without_interest(
    catalogue: Catalogue, key: str, interests_with_groups: frozenset[str], context: ErrorContext
) -> Catalogue | Invalid:
    jobs = catalogue.jobs_using(solution_interest_id=key)
    if jobs:
        return _in_use(context, "creation job(s)", jobs)
    if key in interests_with_groups:
        return _in_use(context, "live buying group(s)", ("of this solution interest",))
    interests = _without(catalogue.solution_interests, key)
    return replace(catalogue, solution_interests=interests)


def _in_use(context: ErrorContext, users: str, ids: tuple[str, ...]) -> Invalid:
    problem = f"cannot be deleted while {users} {', '.join(ids)} use it"
    return Invalid(errors=(context.error("id", context.config_id, problem),))


def _without(mapping: Mapping[str, _V], key: str) -> Mapping[str, _V]:
    if key not in mapping:
        return mapping
    return MappingProxyType({name: value for name, value in mapping.items() if name != key})
