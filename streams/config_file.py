"""The config file of `buying-groups config apply`: YAML or JSON text to config records. Pure.

`load_document` reads the text (YAML with only `true`/`false` as booleans, no dates, and a
duplicated key is an error; JSON when the file is `.json`); `config_entries` turns the document
into one `ConfigEntry` per configured thing, in dependency order, or returns `FileErrors`, each
naming its path in the file (`templates.security.cards[2].conditions.all[0].operator`).
The format is documented in docs/config-format.md. Rules that need the current catalogue (known
roles, live templates, ...) are checked afterwards by `state.config.apply_config_change`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml

from events.records import (
    AudienceDefinition,
    Condition,
    ConfigBody,
    ConfigKind,
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
from state.conditions import Operator
from state.stage_models import StageKind
from state.templates import WEIGHTINGS

# The sections of a file, in dependency order: what a section refers to comes before it.
SECTIONS: tuple[tuple[str, ConfigKind], ...] = (
    ("roles", ConfigKind.ROLE),
    ("stage_models", ConfigKind.STAGE_MODEL),
    ("weighting_models", ConfigKind.WEIGHTING_MODEL),
    ("templates", ConfigKind.ROLES_TEMPLATE),
    ("solution_interests", ConfigKind.SOLUTION_INTEREST),
    ("audiences", ConfigKind.AUDIENCE),
    ("creation_jobs", ConfigKind.CREATION_JOB),
)
STATUSES = ("draft", "live")


@dataclass(frozen=True, slots=True, kw_only=True)
class FileError:
    """Something wrong at `path` in the file (empty path: the file as a whole)."""

    path: str
    problem: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


@dataclass(frozen=True, slots=True, kw_only=True)
class FileErrors:
    """A refused file: at least one error."""

    errors: tuple[FileError, ...]

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(error.message for error in self.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigEntry:
    """One configured thing of the file; `path` is where it is written (`templates.security`)."""

    kind: ConfigKind
    id: str
    body: ConfigBody
    path: str


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML where only true/false are booleans (`NO` stays Norway), dates stay text and a
    key written twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class refuses it with its position
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DROPPED_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_document(text: str, *, json_format: bool = False) -> object | FileError:
    """The document in `text` (YAML, or JSON when `json_format`), or where it does not parse."""
    try:
        if json_format:
            document: object = json.loads(text)
        else:
            document = yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader
    except json.JSONDecodeError as exc:
        return FileError(path="", problem=f"line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return FileError(path="", problem=f"{where}{exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return FileError(path="", problem=f"not YAML: {exc}")
    return document


def config_entries(document: object) -> tuple[ConfigEntry, ...] | FileErrors:
    """Every entry of `document` in dependency order, or every error found in it."""
    errors: list[FileError] = []
    sections = tuple(name for name, _ in SECTIONS)
    top = _mapping({} if document is None else document, "", errors, sections)
    entries: list[ConfigEntry] = []
    for section, kind in SECTIONS:
        for config_id, raw in _mapping(top.get(section) or {}, section, errors, None).items():
            path = f"{section}.{config_id}"
            if not config_id.strip():
                errors.append(FileError(path=path, problem="an id must not be blank"))
                continue
            before = len(errors)
            body = _READERS[kind](raw, path, errors)
            if len(errors) == before:
                entries.append(ConfigEntry(kind=kind, id=config_id, body=body, path=path))
    errors.extend(_active_model_errors(entries))
    return FileErrors(errors=tuple(errors)) if errors else tuple(entries)


def config_records(
    entries: tuple[ConfigEntry, ...], *, now: datetime, new_event_id: Callable[[], str]
) -> tuple[ConfigRecord, ...]:
    """The records to publish for `entries`: each with a fresh event id, occurred at `now`."""
    return tuple(
        ConfigRecord(
            event_id=new_event_id(), occurred_at=now, kind=entry.kind, id=entry.id, body=entry.body
        )
        for entry in entries
    )


def _active_model_errors(entries: list[ConfigEntry]) -> list[FileError]:
    active = [e for e in entries if isinstance(e.body, WeightingModelDefinition) and e.body.active]
    problem = f"only one weighting model can be active, and {active[0].id!r} is" if active else ""
    return [FileError(path=f"{entry.path}.active", problem=problem) for entry in active[1:]]


# --- reading fields ----------------------------------------------------------------------------


def _mapping(
    raw: object, path: str, errors: list[FileError], allowed: tuple[str, ...] | None
) -> dict[str, object]:
    """`raw` as a mapping with text keys (numbers are read as text); other keys are errors."""
    if not isinstance(raw, dict):
        errors.append(FileError(path=path, problem=f"expected a mapping, got {_shown(raw)}"))
        return {}
    found: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(key, bool) or not isinstance(key, str | int):
            errors.append(FileError(path=path, problem=f"keys are text, got {_shown(key)}"))
        elif allowed is not None and key not in allowed:
            problem = f"unknown key {key!r} (expected {', '.join(allowed)})"
            errors.append(FileError(path=path, problem=problem))
        else:
            found[str(key)] = value
    return found


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    kind = "true/false" if isinstance(value, bool) else type(value).__name__
    return f"{kind} {value!r}"


@dataclass(frozen=True, slots=True)
class _Fields:
    """The fields of one mapping of the file, read with errors naming their paths."""

    values: dict[str, object]
    path: str
    errors: list[FileError]

    @classmethod
    def of(
        cls, raw: object, path: str, errors: list[FileError], allowed: tuple[str, ...]
    ) -> _Fields:
        return cls(_mapping(raw, path, errors, allowed), path, errors)

    def at(self, key: str) -> str:
        return _at(self.path, key)

    def fail(self, key: str, problem: str) -> None:
        self.errors.append(FileError(path=self.at(key), problem=problem))

    def text(self, key: str, default: str | None = None) -> str:
        raw = self.values.get(key)
        if raw is None and default is not None:
            return default
        if isinstance(raw, str) and raw.strip():
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return str(raw)
        self.fail(key, "required" if raw is None else f"expected text, got {_shown(raw)}")
        return ""

    def optional_text(self, key: str) -> str | None:
        return None if self.values.get(key) is None else self.text(key)

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        text = self.text(key, default)
        if text and text not in options:
            self.fail(key, f"{text!r} is not one of {', '.join(options)}")
        return text

    def flag(self, key: str, default: bool) -> bool:
        raw = self.values.get(key)
        if raw is None or isinstance(raw, bool):
            return default if raw is None else raw
        self.fail(key, f"expected true or false, got {_shown(raw)}")
        return default

    def whole(self, key: str, default: int | None) -> int:
        """A whole number; `default` None: required."""
        raw = self.values.get(key)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if raw is not None or default is None:
            self.fail(key, f"expected a whole number, got {_shown(raw)}")
        return default or 0

    def items(self, key: str) -> list[object]:
        raw = self.values.get(key)
        if raw is None or isinstance(raw, list):
            return raw or []
        self.fail(key, f"expected a list, got {_shown(raw)}")
        return []


# --- one reader per kind -----------------------------------------------------------------------


def _role(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = _Fields.of({"name": raw} if isinstance(raw, str) else raw, path, errors, ("name",))
    return RoleDefinition(name=fields.text("name"))


def _stage_model(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = _Fields.of(raw, path, errors, ("name", "status", "stages", "transitions"))
    stages = tuple(
        _stage(item, f"{fields.at('stages')}[{index}]", errors)
        for index, item in enumerate(fields.items("stages"))
    )
    return StageModelDefinition(
        name=fields.text("name"),
        status=fields.choice("status", STATUSES),
        stages=stages,
        transitions=_transitions(
            fields.values.get("transitions"), fields.at("transitions"), errors
        ),
    )


def _stage(raw: object, path: str, errors: list[FileError]) -> StageDefinition:
    fields = _Fields.of(raw, path, errors, ("name", "kind", "description"))
    return StageDefinition(
        name=fields.text("name"),
        kind=fields.choice("kind", tuple(StageKind), default=StageKind.INTERMEDIATE.value),
        description=fields.optional_text("description"),
    )


def _transitions(raw: object, path: str, errors: list[FileError]) -> tuple[StageTransition, ...]:
    transitions: list[StageTransition] = []
    fields = _Fields(_mapping(raw or {}, path, errors, None), path, errors)
    for from_stage, targets in fields.values.items():
        listed = targets if isinstance(targets, list) else [targets]
        for index, target in enumerate(listed):
            where = f"{from_stage}[{index}]" if isinstance(targets, list) else from_stage
            to_stage = _Fields({where: target}, path, errors).text(where)
            transitions.append(StageTransition(from_stage=from_stage, to_stage=to_stage))
    return tuple(transitions)


def _weighting_model(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    keys = ("name", "active", "window_days", "daily_cap", "weights")
    fields = _Fields.of(raw, path, errors, keys)
    weights = _Fields(
        _mapping(fields.values.get("weights"), fields.at("weights"), errors, None),
        fields.at("weights"),
        errors,
    )
    return WeightingModelDefinition(
        name=fields.text("name"),
        weights={name: weights.whole(name, None) for name in weights.values},
        window_days=fields.whole("window_days", 30),
        daily_cap=fields.whole("daily_cap", 20),
        active=fields.flag("active", default=True),
    )


def _template(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = _Fields.of(raw, path, errors, ("name", "status", "cards"))
    cards = tuple(
        _card(item, f"{fields.at('cards')}[{index}]", errors)
        for index, item in enumerate(fields.items("cards"))
    )
    return RolesTemplateDefinition(
        name=fields.text("name"), status=fields.choice("status", STATUSES), cards=cards
    )


_CARD_KEYS: tuple[str, ...] = ("role", "weighting", "auto_assign", "conditions")
_CARD_KEYS += ("required_for_completeness", "members_required")


def _card(raw: object, path: str, errors: list[FileError]) -> RoleCard:
    fields = _Fields.of(raw, path, errors, _CARD_KEYS)
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
    fields = _Fields.of(raw, path, errors, keys)
    return SolutionInterestDefinition(
        name=fields.text("name"),
        roles_template_id=fields.text("template"),
        stage_model_id=fields.optional_text("stage_model"),
        update_existing_groups=fields.flag("update_existing_groups", default=False),
    )


def _audience(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = _Fields.of(raw, path, errors, ("name", "managed", "rule"))
    raw_rule = fields.values.get("rule")
    rule = None if raw_rule is None else _condition(raw_rule, fields.at("rule"), errors)
    managed = fields.choice("managed", ("rule", "external"), default="rule")
    if managed == "rule" and raw_rule is None:
        fields.fail("rule", "required (or write `managed: external` for an external audience)")
    if managed == "external" and raw_rule is not None:
        fields.fail("rule", "an external audience has no rule")
    return AudienceDefinition(name=fields.text("name"), managed=managed, rule=rule)


def _creation_job(raw: object, path: str, errors: list[FileError]) -> ConfigBody:
    fields = _Fields.of(raw, path, errors, ("solution_interest", "audience"))
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
        fields = _Fields({node: children}, path, errors)
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
    fields = _Fields.of(
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


def _values(fields: _Fields) -> tuple[str, ...]:
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
            fields.fail(where, f"expected text or a number, got {_shown(value)}{hint}")
        else:
            values.append(str(value))
    return tuple(values)
