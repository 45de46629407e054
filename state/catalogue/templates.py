"""Roles templates: ordered role cards saying which roles a group has and who fills them.

Cards are in priority order: a person who matches several auto-assign cards gets the role of the
first. A template is a draft or live; only live templates can be used, a live template never
changes, and publishing needs at least one card. Validation names the card and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from events.records import ConfigKind, RoleCard, RolesTemplateDefinition
from state.catalogue.errors import ConfigError, ErrorContext, Invalid
from state.catalogue.roles import Role
from state.conditions.attributes import PERSON_ATTRIBUTES
from state.conditions.reading import read_condition
from state.conditions.tree import Condition

MAX_CARDS = 20
MAX_MEMBERS_REQUIRED = 1000
WEIGHTINGS: Mapping[str, int] = MappingProxyType(
    {"trivial": 20, "minor": 40, "normal": 60, "important": 80, "vital": 100}
)
DRAFT, LIVE = "draft", "live"


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """One validated role card; ``weight`` is the weighting's number (20..100)."""

    role: str
    weighting: str
    weight: int
    auto_assign: bool
    condition: Condition | None
    required_for_completeness: bool
    members_required: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RolesTemplate:
    template_id: str
    name: str
    live: bool
    cards: tuple[Card, ...]

    def card(self, role: str) -> Card | None:
        """The card of ``role``, if the template has one."""
        return next((card for card in self.cards if card.role == role), None)

    @property
    def role_weighting(self) -> Mapping[str, int]:
        """Each role of the template with its weighting (for the group engagement score)."""
        return MappingProxyType({card.role: card.weight for card in self.cards})


def read_template(
    template_id: str, body: RolesTemplateDefinition, roles: Mapping[str, Role]
) -> RolesTemplate | Invalid:
    """The template of ``body``, or every error found in it."""
    context = ErrorContext(kind=ConfigKind.ROLES_TEMPLATE, config_id=template_id)
    errors = _template_errors(body, context)
    cards: list[Card] = []
    for position, record in enumerate(body.cards[:MAX_CARDS], start=1):
        card = _read_card(template_id, record, position, roles, body.cards[: position - 1])
        if isinstance(card, Invalid):
            errors.extend(card.errors)
        else:
            cards.append(card)
    if errors:
        return Invalid(errors=tuple(errors))
    return RolesTemplate(
        template_id=template_id,
        name=body.name.strip(),
        live=body.status == LIVE,
        cards=tuple(cards),
    )


def _template_errors(body: RolesTemplateDefinition, context: ErrorContext) -> list[ConfigError]:
    errors: list[ConfigError] = []
    if not body.name.strip():
        errors.append(context.error("name", body.name, "a roles template needs a name"))
    if body.status not in (DRAFT, LIVE):
        errors.append(context.error("status", body.status, "status must be draft or live"))
    if len(body.cards) > MAX_CARDS:
        problem = f"at most {MAX_CARDS} role cards"
        errors.append(context.error("cards", f"{len(body.cards)} cards", problem))
    if body.status == LIVE and not body.cards:
        errors.append(context.error("cards", "[]", "publishing needs at least one role"))
    return errors


def _read_card(
    template_id: str,
    record: RoleCard,
    position: int,
    roles: Mapping[str, Role],
    earlier: tuple[RoleCard, ...],
) -> Card | Invalid:
    context = ErrorContext(
        kind=ConfigKind.ROLES_TEMPLATE,
        config_id=template_id,
        card=position,
        card_role=record.role,
    )
    return _card_or_errors(record, roles, earlier, context, f"cards[{position}]")


def _card_or_errors(
    record: RoleCard,
    roles: Mapping[str, Role],
    earlier: tuple[RoleCard, ...],
    context: ErrorContext,
    path: str,
) -> Card | Invalid:
    errors: list[ConfigError] = []
    if record.role not in roles:
        errors.append(context.error(f"{path}.role", record.role, "unknown role"))
    if any(other.role == record.role for other in earlier):
        errors.append(
            context.error(f"{path}.role", record.role, "a role appears once per template")
        )
    if record.weighting not in WEIGHTINGS:
        problem = f"weighting must be one of {', '.join(WEIGHTINGS)}"
        errors.append(context.error(f"{path}.weighting", record.weighting, problem))
    if not 1 <= record.members_required <= MAX_MEMBERS_REQUIRED:
        problem = f"members_required must be 1..{MAX_MEMBERS_REQUIRED}"
        errors.append(context.error(f"{path}.members_required", record.members_required, problem))
    condition = _card_condition(record, context, path, errors)
    if errors:
        return Invalid(errors=tuple(errors))
    return Card(
        role=record.role,
        weighting=record.weighting,
        weight=WEIGHTINGS[record.weighting],
        auto_assign=record.auto_assign,
        condition=condition,
        required_for_completeness=record.required_for_completeness,
        members_required=record.members_required,
    )


def _card_condition(
    record: RoleCard, context: ErrorContext, path: str, errors: list[ConfigError]
) -> Condition | None:
    if record.conditions is None:
        if record.auto_assign:
            problem = "conditions are required when auto_assign is on"
            errors.append(context.error(f"{path}.conditions", None, problem))
        return None
    read = read_condition(
        record.conditions, known=PERSON_ATTRIBUTES, context=context, path=f"{path}.conditions"
    )
    if isinstance(read, tuple):
        errors.extend(read)
        return None
    return read
