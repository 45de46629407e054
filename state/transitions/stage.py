"""Stage commands: move a group to a stage, or set its free-text status.

A group whose solution interest has a stage model starts with no stage; its first stage must be
an entry stage, and after that it moves only along the model's transitions. Anything else is
refused with a reason and changes nothing: ``stage_or_status`` (not exactly one of them given),
``no_stage_model``, ``unknown_stage``, ``not_an_entry_stage``, ``invalid_transition``,
``status_too_long`` (over 50 characters). Moving to the current stage, or setting the current
status, is ``unchanged``. Every move records the time spent in the stage left; an empty status
clears it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from events.records import CommandStatus, StageChanged, StageChangeKind, StageCommand
from state.catalogue.stage_models import StageKind
from state.membership.evaluation import with_group
from state.model.account import AccountState
from state.model.changes import StageCommandReceived
from state.model.group import BuyingGroup, StageState, record_header
from state.model.outcome import Context, Outcome, Step
from state.scoring.group_scores import Trigger, finish
from state.transitions.command_checks import Refusal, accepted_result, group_refusal, refused_result

MAX_STATUS_LENGTH = 50
TRIGGER = Trigger.MEMBERSHIP


def stage_command(state: AccountState, change: StageCommandReceived, context: Context) -> Outcome:
    command = change.command
    interest_id = command.solution_interest_id
    refusal = group_refusal(state, command.source, interest_id, context)
    if refusal is None:  # the group exists
        refusal = _stage_refusal(state.groups[interest_id], command, context)
    if refusal is not None:
        group_or_none = state.groups.get(interest_id)
        return Outcome(
            state=state, records=(refused_result(command, group_or_none, refusal, context),)
        )
    group = state.groups[interest_id]
    record = _stage_record(group, command, context)
    if record is None:
        return Outcome(
            state=state,
            records=(accepted_result(command, group, CommandStatus.UNCHANGED, context),),
        )
    changed = replace(
        group,
        stage=_stage_after(group.stage, record, context.now),
        version=record.version,
        updated_at=context.now,
    )
    step = Step(state=with_group(state, changed), records=(record,))
    outcome = finish(state, step, TRIGGER, context)
    group = outcome.state.groups[command.solution_interest_id]
    result = accepted_result(command, group, CommandStatus.APPLIED, context)
    return Outcome(state=outcome.state, records=(*outcome.records, result))


def _stage_refusal(group: BuyingGroup, command: StageCommand, context: Context) -> Refusal | None:
    if (command.stage is None) == (command.status is None):
        return Refusal(reason="stage_or_status", message="give exactly one of stage and status")
    if command.status is not None:
        length = len(command.status.strip())
        if length > MAX_STATUS_LENGTH:
            message = f"status has {length} characters; at most {MAX_STATUS_LENGTH}"
            return Refusal(reason="status_too_long", message=message)
        return None
    return _move_refusal(group, command.stage or "", context)


def _move_refusal(group: BuyingGroup, stage: str, context: Context) -> Refusal | None:
    model = context.catalogue.stage_models.get(group.stage_model_id or "")
    if model is None:
        message = f"group {group.group_id} has no stage model"
        return Refusal(reason="no_stage_model", message=message)
    target = model.stage(stage)
    current = group.stage.stage
    if target is None:
        message = f"no stage {stage!r} in stage model {model.model_id}"
        return Refusal(reason="unknown_stage", message=message)
    if current is None and target.kind is not StageKind.ENTRY:
        message = f"{target.name!r} is not an entry stage"
        return Refusal(reason="not_an_entry_stage", message=message)
    if current not in (None, target.name) and not model.allows(current or "", target.name):
        message = f"no transition {current!r} -> {target.name!r}"
        return Refusal(reason="invalid_transition", message=message)
    return None


def _stage_record(
    group: BuyingGroup, command: StageCommand, context: Context
) -> StageChanged | None:
    stage = group.stage
    if command.status is not None:
        status = command.status.strip() or None
        if status == stage.status:
            return None
        kind, previous_stage, new_stage, elapsed = StageChangeKind.STATUS, None, None, None
        previous_status: str | None = stage.status
    else:
        if command.stage == stage.stage:
            return None
        kind, previous_stage, new_stage = StageChangeKind.STAGE, stage.stage, command.stage
        elapsed = None if stage.entered_at is None else elapsed_ms(stage.entered_at, context.now)
        previous_status, status = None, None
    return StageChanged(
        **record_header(
            group, cause=command.command_id, now=context.now, version=group.version + 1
        ),
        kind=kind,
        previous_stage=previous_stage,
        stage=new_stage,
        previous_status=previous_status,
        status=status,
        source=command.source,
        actor=command.actor,
        time_in_previous_stage_ms=elapsed,
    )


def stage_left(stage: StageState, to_stage: str | None, now: datetime) -> StageState:
    """``stage`` after moving to ``to_stage`` at ``now``: the time of the visit that ends is
    added to its stage's total."""
    times = dict(stage.time_in_stage_ms)
    if stage.stage is not None and stage.entered_at is not None:
        times[stage.stage] = times.get(stage.stage, 0) + elapsed_ms(stage.entered_at, now)
    return replace(
        stage,
        stage=to_stage,
        entered_at=None if to_stage is None else now,
        time_in_stage_ms=MappingProxyType(times),
    )


def _stage_after(stage: StageState, record: StageChanged, now: datetime) -> StageState:
    if record.kind is StageChangeKind.STATUS:
        return replace(stage, status=record.status)
    return stage_left(stage, record.stage, now)


def elapsed_ms(start: datetime, end: datetime) -> int:
    """Milliseconds from ``start`` to ``end`` (0 if the clock went back)."""
    return max(0, int((end - start).total_seconds() * 1000))
