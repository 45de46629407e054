"""Roles: the parts people play in a buying group.

Six default roles always exist and can be neither renamed nor deleted; their ids are their names.
Custom roles can be added, renamed and deleted (not while a template uses them). At most
``MAX_ROLES`` roles in total, defaults included; names are unique, ignoring case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from events.records import ConfigKind, RoleDefinition
from state.catalogue.errors import ConfigError, ErrorContext, Invalid

MAX_ROLES = 20
MAX_NAME_LENGTH = 100
DEFAULT_ROLE_NAMES = (
    "Decision Maker",
    "Influencer",
    "Practitioner",
    "Executive Steering Committee",
    "Champion",
    "Other",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    role_id: str
    name: str
    default: bool = False


DEFAULT_ROLES: Mapping[str, Role] = MappingProxyType(
    {name: Role(role_id=name, name=name, default=True) for name in DEFAULT_ROLE_NAMES}
)


def role_upsert(
    role_id: str, body: RoleDefinition, roles: Mapping[str, Role]
) -> Mapping[str, Role] | Invalid:
    """``roles`` with ``role_id`` added or renamed, or why not."""
    context = ErrorContext(kind=ConfigKind.ROLE, config_id=role_id)
    errors = _name_errors(role_id, body.name.strip(), roles, context)
    existing = roles.get(role_id)
    if existing is not None and existing.default and body.name.strip() != existing.name:
        errors.append(context.error("name", body.name, "a default role cannot be renamed"))
    if existing is None and len(roles) >= MAX_ROLES:
        errors.append(context.error("id", role_id, f"at most {MAX_ROLES} roles exist in total"))
    if errors:
        return Invalid(errors=tuple(errors))
    role = Role(
        role_id=role_id, name=body.name.strip(), default=existing is not None and existing.default
    )
    return MappingProxyType({**roles, role_id: role})


def role_deletion(
    role_id: str, roles: Mapping[str, Role], used_by_templates: tuple[str, ...]
) -> Mapping[str, Role] | Invalid:
    """``roles`` without ``role_id``, or why not (a default role, or one a template uses)."""
    context = ErrorContext(kind=ConfigKind.ROLE, config_id=role_id)
    role = roles.get(role_id)
    if role is None:
        return Invalid(errors=(context.error("id", role_id, "no such role"),))
    if role.default:
        return Invalid(errors=(context.error("id", role_id, "a default role cannot be deleted"),))
    if used_by_templates:
        problem = f"used by roles template(s) {', '.join(sorted(used_by_templates))}"
        return Invalid(errors=(context.error("id", role_id, problem),))
    return MappingProxyType({key: value for key, value in roles.items() if key != role_id})


def _name_errors(
    role_id: str, name: str, roles: Mapping[str, Role], context: ErrorContext
) -> list[ConfigError]:
    if not role_id.strip():
        return [context.error("id", role_id, "a role needs an id")]
    if not name:
        return [context.error("name", name, "a role needs a name")]
    if len(name) > MAX_NAME_LENGTH:
        return [context.error("name", name, f"at most {MAX_NAME_LENGTH} characters")]
    clash = [
        other.role_id
        for other in roles.values()
        if other.role_id != role_id and other.name.casefold() == name.casefold()
    ]
    if clash:
        return [context.error("name", name, f"role {clash[0]!r} already has this name")]
    return []
