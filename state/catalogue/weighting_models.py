"""Engagement weighting models: which activity types count how much, the window and the cap.

A model is read into the engagement rules (``state.scoring.engagement.EngagementRules``) after its
values are checked here, so that a refusal names the model, the field and the value. One model is
active at a time: activating a model makes it the active one; when none is active (never set,
switched off or deleted), the built-in default applies (the spec's weights, 30 days, 20 a day).
"""

from __future__ import annotations

from dataclasses import dataclass

from events.records import ConfigKind, WeightingModelDefinition
from state.catalogue.errors import ConfigError, ErrorContext, Invalid
from state.scoring.engagement import (
    DEFAULT_RULES,
    MAX_DAILY_CAP,
    MAX_WEIGHT,
    MAX_WINDOW_DAYS,
    EngagementRules,
)

DEFAULT_MODEL_ID = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightingModel:
    model_id: str
    name: str
    rules: EngagementRules
    active: bool


DEFAULT_MODEL = WeightingModel(
    model_id=DEFAULT_MODEL_ID, name="default", rules=DEFAULT_RULES, active=True
)


def read_weighting_model(model_id: str, body: WeightingModelDefinition) -> WeightingModel | Invalid:
    """The model of ``body``, or every value out of range."""
    context = ErrorContext(kind=ConfigKind.WEIGHTING_MODEL, config_id=model_id)
    errors: list[ConfigError] = []
    if not body.name.strip():
        errors.append(context.error("name", body.name, "a weighting model needs a name"))
    for activity_type, weight in body.weights.items():
        if not activity_type.strip():
            errors.append(context.error("weights", activity_type, "activity types need a name"))
        if not 0 <= weight <= MAX_WEIGHT:
            field = f"weights[{activity_type}]"
            errors.append(context.error(field, weight, f"weights are 0..{MAX_WEIGHT}"))
    if not 1 <= body.window_days <= MAX_WINDOW_DAYS:
        problem = f"window_days must be 1..{MAX_WINDOW_DAYS}"
        errors.append(context.error("window_days", body.window_days, problem))
    if not 1 <= body.daily_cap <= MAX_DAILY_CAP:
        problem = f"daily_cap must be 1..{MAX_DAILY_CAP}"
        errors.append(context.error("daily_cap", body.daily_cap, problem))
    if errors:
        return Invalid(errors=tuple(errors))
    rules = EngagementRules(
        weights=dict(body.weights), window_days=body.window_days, daily_cap=body.daily_cap
    )
    return WeightingModel(
        model_id=model_id, name=body.name.strip(), rules=rules, active=body.active
    )
