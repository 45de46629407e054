"""A catalogue change reaching an account (the new catalogue is given to ``apply``).

- a new active weighting model rescores every person (and so every group);
- groups of a solution interest that no longer exists are deleted;
- a solution interest with ``update_existing_groups`` sweeps its existing groups: they take its
  current stage model (a stage the new model does not have is left, back to no stage) and every
  person is re-evaluated (reason ``template_changed``);
- creation jobs create the groups the account is now owed (a new job, a changed audience rule).
"""

from __future__ import annotations

from dataclasses import replace

from events.records import ConfigKind, Source, StageChanged, StageChangeKind
from state.membership.assignment import RULES, TEMPLATE_CHANGED
from state.membership.evaluation import reevaluate_group, with_group
from state.model.account import AccountState
from state.model.changes import ConfigChanged
from state.model.group import BuyingGroup, record_header
from state.model.outcome import Context, Outcome, Step
from state.scoring.group_scores import Trigger, finish
from state.scoring.person_scores import everyone_refreshed
from state.transitions.lifecycle import group_deleted, groups_ensured
from state.transitions.stage import elapsed_ms, stage_left

TRIGGER = Trigger.CONFIG


def config_changed(state: AccountState, change: ConfigChanged, context: Context) -> Outcome:
    catalogue = context.catalogue
    step = Step(state=state)
    if state.engagement_rules != catalogue.engagement_rules:
        step = everyone_refreshed(step, RULES, context)
    for interest_id in sorted(state.groups):
        interest = catalogue.solution_interests.get(interest_id)
        if interest is None:
            step = group_deleted(step, interest_id, context)
        elif interest.update_existing_groups and _concerns(change, interest_id):
            step = stage_model_switched(step, interest_id, interest.stage_model_id, context)
            step = reevaluate_group(step, interest_id, TEMPLATE_CHANGED, context)
    step = groups_ensured(step, context)
    return finish(state, step, TRIGGER, context)


def _concerns(change: ConfigChanged, interest_id: str) -> bool:
    return change.kind is ConfigKind.SOLUTION_INTEREST and change.id == interest_id


def stage_model_switched(
    step: Step, interest_id: str, model_id: str | None, context: Context
) -> Step:
    """The group takes the stage model ``model_id``; if its stage is not in that model, it
    leaves it (StageChanged to no stage, source system)."""
    group = step.state.groups[interest_id]
    if group.stage_model_id == model_id:
        return step
    model = context.catalogue.stage_models.get(model_id or "")
    current = group.stage.stage
    if current is None or (model is not None and model.stage(current) is not None):
        return step.then(with_group(step.state, replace(group, stage_model_id=model_id)))
    record = _stage_left(group, context)
    changed = replace(
        group,
        stage_model_id=model_id,
        stage=stage_left(group.stage, None, context.now),
        version=record.version,
        updated_at=context.now,
    )
    return step.then(with_group(step.state, changed), (record,))


def _stage_left(group: BuyingGroup, context: Context) -> StageChanged:
    entered = group.stage.entered_at
    return StageChanged(
        **record_header(group, cause=context.cause, now=context.now, version=group.version + 1),
        kind=StageChangeKind.STAGE,
        previous_stage=group.stage.stage,
        stage=None,
        source=Source.SYSTEM,
        time_in_previous_stage_ms=None if entered is None else elapsed_ms(entered, context.now),
    )
