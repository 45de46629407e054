"""The body of each kind of config entry, read from its part of a config file. Pure.

`config_body` reads one entry (a role, a stage model, a template with its cards and their
conditions, ...) into its record body; every mistake is appended to the shared error list with
its path in the file, and the body then holds defaults (the caller drops it). The format is
documented in docs/config-format.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from events.records import (
    AudienceDefinition,
    Condition,
    ConfigBody,
    ConfigKind,
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
from state.catalogue.stage_models import StageKind
from state.catalogue.templates import WEIGHTINGS
from state.conditions.tree import Operator
from streams.config_file.fields import Fields, FileError, shown

STATUSES = ("draft", "live")


def config_body(kind: ConfigKind, raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    """The body of the entry of `kind` written as `raw` at `path`; mistakes go to `errors`."""
    return _READERS[kind](raw, path, errors)


# --- one reader per kind -----------------------------------------------------------------------


def _role(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = Fields.of({"name": raw} if isinstance(raw, str) else raw, path, errors, ("name",))
    return RoleDefinition(name=fields.text("name"))


def _stage_model(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = Fields.of(raw, path, errors, ("name", "status", "stages", "transitions"))
    stages = fields.each("stages", _stage)
    return StageModelDefinition(
        name=fields.text("name"),
        status=fields.choice("status", STATUSES),
        stages=stages,
        transitions=_transitions(
            fields.values.get("transitions"), fields.at("transitions"), errors
        ),
    )


def _stage(raw: object, path: str, errors: list[FileError]) -> StageDefinition:
    fields = Fields.of(raw, path, errors, ("name", "kind", "description"))
    return StageDefinition(
        name=fields.text("name"),
        kind=fields.choice("kind", tuple(StageKind), default=StageKind.INTERMEDIATE.value),
        description=fields.optional_text("description"),
    )


def _transitions(raw: object, path: str, errors: list[FileError]) -> tuple[StageTransition, ...]:
    transitions: list[StageTransition] = []
    fields = Fields.of(raw or {}, path, errors, None)
    for from_stage, targets in fields.values.items():
        listed = targets if isinstance(targets, list) else [targets]
        for index, target in enumerate(listed):
            where = f"{from_stage}[{index}]" if isinstance(targets, list) else from_stage
            to_stage = Fields({where: target}, path, errors).text(where)
            transitions.append(StageTransition(from_stage=from_stage, to_stage=to_stage))
    return tuple(transitions)


def _weighting_model(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    keys = ("name", "active", "window_days", "daily_cap", "weights")
    fields = Fields.of(raw, path, errors, keys)
    weights = Fields.of(fields.values.get("weights"), fields.at("weights"), errors, None)
    return WeightingModelDefinition(
        name=fields.text("name"),
        weights={name: weights.whole(name, None) for name in weights.values},
        window_days=fields.whole("window_days", 30),
        daily_cap=fields.whole("daily_cap", 20),
        active=fields.flag("active", default=True),
    )


def _template(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = Fields.of(raw, path, errors, ("name", "status", "cards"))
    cards = fields.each("cards", _card)
    return RolesTemplateDefinition(
        name=fields.text("name"), status=fields.choice("status", STATUSES), cards=cards
    )


_CARD_KEYS: tuple[str, ...] = ("role", "weighting", "auto_assign", "conditions")
_CARD_KEYS += ("required_for_completeness", "members_required")


def _card(raw: object, path: str, errors: list[FileError]) -> RoleCard:
    fields = Fields.of(raw, path, errors, _CARD_KEYS)
    raw_conditions = fields.values.get("conditions")
    conditions = None
    if raw_conditions is not None:
        conditions = _condition(raw_conditions, fields.at("conditions"), errors)
    return RoleCard(
        role=fields.text("role"),
        weighting=fields.choice("weighting", tuple(WEIGHTINGS), default="normal"),
        auto_assign=fields.flag("auto_assign", default=conditions is not None),
        conditions=conditions,
        required_for_completeness=fields.flag("required_for_completeness", default=True),
        members_required=fields.whole("members_required", 1),
    )


def _solution_interest(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    keys = ("name", "template", "stage_model", "update_existing_groups")
    fields = Fields.of(raw, path, errors, keys)
    return SolutionInterestDefinition(
        name=fields.text("name"),
        roles_template_id=fields.text("template"),
        stage_model_id=fields.optional_text("stage_model"),
        update_existing_groups=fields.flag("update_existing_groups", default=False),
    )


def _audience(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = Fields.of(raw, path, errors, ("name", "managed", "rule"))
    raw_rule = fields.values.get("rule")
    rule = None if raw_rule is None else _condition(raw_rule, fields.at("rule"), errors)
    managed = fields.choice("managed", ("rule", "external"), default="rule")
    if managed == "rule" and raw_rule is None:
        fields.fail("rule", "required (or write `managed: external` for an external audience)")
    if managed == "external" and raw_rule is not None:
        fields.fail("rule", "an external audience has no rule")
    return AudienceDefinition(name=fields.text("name"), managed=managed, rule=rule)


def _creation_job(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = Fields.of(raw, path, errors, ("solution_interest", "audience"))
    return CreationJobDefinition(
        solution_interest_id=fields.text("solution_interest"),
        audience_id=fields.text("audience"),
    )


_READERS: Mapping[ConfigKind, Callable[[object, str, list[FileError]], ConfigBody]] = {
    ConfigKind.ROLE: _role,
    ConfigKind.STAGE_MODEL: _stage_model,
    ConfigKind.WEIGHTING_MODEL: _weighting_model,
    ConfigKind.ROLES_TEMPLATE: _template,
    ConfigKind.SOLUTION_INTEREST: _solution_interest,
    ConfigKind.AUDIENCE: _audience,
    ConfigKind.CREATION_JOB: _creation_job,
}


# --- conditions --------------------------------------------------------------------------------


def _condition(raw: object, path: str, errors: list[FileError]) -> Condition:
    """A condition: `{all: [...]}`, `{any: [...]}` or a leaf `{attribute, operator, values}`."""
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("all", "any"):
        node, children = next(iter(raw.items()))
        fields = Fields({node: children}, path, errors)
        listed = fields.items(node)
        if not listed and isinstance(children, list):
            fields.fail(node, f"an '{node}' needs at least one condition")
        return Condition(
            node=node,
            children=tuple(
                _condition(child, f"{path}.{node}[{index}]", errors)
                for index, child in enumerate(listed)
            ),
        )
    fields = Fields.of(
        raw, path, errors, ("attribute", "operator", "values", "value", "all", "any")
    )
    if "all" in fields.values or "any" in fields.values:
        errors.append(FileError(path=path, problem="write 'all' or 'any' alone in its mapping"))
    operator = fields.text("operator")
    if operator and operator not in tuple(Operator):
        fields.fail("operator", f"unknown operator {operator!r}")
    return Condition(
        node="leaf", attribute=fields.text("attribute"), operator=operator, values=_values(fields)
    )


def _values(fields: Fields) -> tuple[str, ...]:
    """A leaf's `values` (a list or one value) or `value`, as text; numbers are written as text."""
    if "value" in fields.values and "values" in fields.values:
        fields.fail("value", "write either 'value' or 'values', not both")
    key = "value" if "value" in fields.values else "values"
    raw = fields.values.get(key)
    listed = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    values: list[str] = []
    for index, value in enumerate(listed):
        where = f"{key}[{index}]" if isinstance(raw, list) else key
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            hint = "; quote it to mean the text" if isinstance(value, bool) else ""
            fields.fail(where, f"expected text or a number, got {shown(value)}{hint}")
        else:
            values.append(str(value))
    return tuple(values)
