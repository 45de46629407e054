"""Stage models: how a buying group progresses, and which moves between stages are allowed.

Rules (checked on every save; the ones marked "live" only when the model is published, so a
draft can be built up step by step):
- stage names are unique and not blank, kinds are entry / intermediate / success / failure;
- transitions name known stages, are not repeated and do not loop on one stage;
- live: at least one entry stage, exactly one success stage, and every entry or intermediate stage
  has at least one allowed next stage (success and failure stages are destinations; transitions
  out of them are allowed, e.g. ``No response`` -> ``Resurgence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from events.records import ConfigKind, StageModelDefinition
from state.catalogue.errors import ConfigError, ErrorContext, Invalid

MAX_STAGES = 50
DRAFT, LIVE = "draft", "live"


class StageKind(StrEnum):
    ENTRY = "entry"
    INTERMEDIATE = "intermediate"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True, slots=True, kw_only=True)
class Stage:
    name: str
    description: str | None
    kind: StageKind


@dataclass(frozen=True, slots=True, kw_only=True)
class StageModel:
    model_id: str
    name: str
    live: bool
    stages: tuple[Stage, ...]
    transitions: frozenset[tuple[str, str]]

    def stage(self, name: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.name == name), None)

    def allows(self, from_stage: str, to_stage: str) -> bool:
        return (from_stage, to_stage) in self.transitions


def read_stage_model(model_id: str, body: StageModelDefinition) -> StageModel | Invalid:
    """The model of ``body``, or every rule it breaks."""
    context = ErrorContext(kind=ConfigKind.STAGE_MODEL, config_id=model_id)
    errors: list[ConfigError] = []
    if not body.name.strip():
        errors.append(context.error("name", body.name, "a stage model needs a name"))
    if body.status not in (DRAFT, LIVE):
        errors.append(context.error("status", body.status, "status must be draft or live"))
    stages = _read_stages(body, context, errors)
    transitions = _read_transitions(body, {stage.name for stage in stages}, context, errors)
    if body.status == LIVE and not errors:
        errors.extend(_publishing_errors(stages, transitions, context))
    if errors:
        return Invalid(errors=tuple(errors))
    return StageModel(
        model_id=model_id,
        name=body.name.strip(),
        live=body.status == LIVE,
        stages=stages,
        transitions=frozenset(transitions),
    )


def _read_stages(
    body: StageModelDefinition, context: ErrorContext, errors: list[ConfigError]
) -> tuple[Stage, ...]:
    if len(body.stages) > MAX_STAGES:
        errors.append(context.error("stages", len(body.stages), f"at most {MAX_STAGES} stages"))
    stages: list[Stage] = []
    for index, record in enumerate(body.stages):
        name = record.name.strip()
        if not name:
            errors.append(
                context.error(f"stages[{index}].name", record.name, "a stage needs a name")
            )
        elif any(stage.name == name for stage in stages):
            errors.append(context.error(f"stages[{index}].name", name, "stage names are unique"))
        try:
            kind = StageKind(record.kind)
        except ValueError:
            problem = "kind must be entry, intermediate, success or failure"
            errors.append(context.error(f"stages[{index}].kind", record.kind, problem))
            continue
        stages.append(Stage(name=name, description=record.description, kind=kind))
    return tuple(stages)


def _read_transitions(
    body: StageModelDefinition,
    names: set[str],
    context: ErrorContext,
    errors: list[ConfigError],
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for index, record in enumerate(body.transitions):
        pair = (record.from_stage.strip(), record.to_stage.strip())
        for field, name in (("from_stage", pair[0]), ("to_stage", pair[1])):
            if name not in names:
                errors.append(context.error(f"transitions[{index}].{field}", name, "unknown stage"))
        if pair[0] == pair[1]:
            problem = "a transition must lead to another stage"
            errors.append(context.error(f"transitions[{index}].to_stage", pair[1], problem))
        elif pair in pairs:
            problem = f"transition {pair[0]} -> {pair[1]} is listed twice"
            errors.append(
                context.error(f"transitions[{index}]", f"{pair[0]} -> {pair[1]}", problem)
            )
        pairs.append(pair)
    return pairs


def _publishing_errors(
    stages: tuple[Stage, ...], transitions: list[tuple[str, str]], context: ErrorContext
) -> list[ConfigError]:
    errors: list[ConfigError] = []
    entries = [stage for stage in stages if stage.kind is StageKind.ENTRY]
    successes = [stage.name for stage in stages if stage.kind is StageKind.SUCCESS]
    if not entries:
        errors.append(context.error("stages", "no entry stage", "needs at least one entry stage"))
    if len(successes) != 1:
        value = ", ".join(successes) or "no success stage"
        errors.append(context.error("stages", value, "needs exactly one success stage"))
    sources = {from_stage for from_stage, _ in transitions}
    for stage in stages:
        if stage.kind in (StageKind.ENTRY, StageKind.INTERMEDIATE) and stage.name not in sources:
            problem = "needs at least one allowed next stage"
            errors.append(context.error("transitions", stage.name, problem))
    return errors


def stage_model_update_errors(previous: StageModel, new: StageModel) -> tuple[ConfigError, ...]:
    """Why ``new`` may not replace ``previous``: a live model never changes, and a saved stage
    is never removed (stages are identified by position while the model is a draft)."""
    context = ErrorContext(kind=ConfigKind.STAGE_MODEL, config_id=new.model_id)
    if previous.live and new != previous:
        return (context.error("status", "live", "a published stage model cannot change"),)
    if len(new.stages) < len(previous.stages):
        removed = ", ".join(stage.name for stage in previous.stages[len(new.stages) :])
        return (context.error("stages", removed, "a saved stage cannot be removed"),)
    return ()
