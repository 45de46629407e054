"""Completeness: how many of the people a group needs it has, per role and overall.

    role_completeness  = min(assigned, members_required) / members_required * 100
    group_completeness = mean of role_completeness over the roles required for completeness
                         (over all roles when the template marks none as required)

Full precision is kept in state and events; ``display_percent`` gives the whole percentage,
rounded half up, for the places where people read it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from events.records import RoleCompleteness
from state.catalogue.templates import Card


def role_completeness(assigned: int, members_required: int) -> float:
    """``min(assigned, members_required) / members_required * 100``; 0..100.

    Computed as ``min * 100 / members_required``: one rounding, so 2 of 3 is 200 / 3 exactly.
    """
    return min(assigned, members_required) * 100 / members_required


def roles_completeness(
    cards: tuple[Card, ...], assigned: Mapping[str, int]
) -> tuple[RoleCompleteness, ...]:
    """Each role of the template (in card order), with how many members it has and needs."""
    any_required = any(card.required_for_completeness for card in cards)
    return tuple(
        RoleCompleteness(
            role=card.role,
            assigned=assigned.get(card.role, 0),
            required=card.members_required,
            completeness=role_completeness(assigned.get(card.role, 0), card.members_required),
            counts=card.required_for_completeness or not any_required,
        )
        for card in cards
    )


def group_completeness(roles: Iterable[RoleCompleteness]) -> float:
    """The mean completeness of the roles that count; 0 for a template without cards."""
    counted = [role.completeness for role in roles if role.counts]
    return math.fsum(counted) / len(counted) if counted else 0.0


def display_percent(value: float) -> int:
    """``value`` as a whole percentage, rounded half up (66.67 -> 67, 12.5 -> 13)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
