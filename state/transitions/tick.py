"""Periodic work: decay, calibration and reconciliation.

- decay: every person's score at ``now`` (days that left the window no longer count); groups
  follow. People whose score fell are re-evaluated (their score is a condition attribute).
- calibration: the new references; every score that moves against them is emitted, once.
- reconciliation: every rule re-checked and any drift fixed and reported (reason and trigger
  ``reconciliation``): scores, members who are not people of the account, groups of deleted
  solution interests, groups owed by creation jobs, and auto-assignment in every group. On a
  correct system it finds nothing to do.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from events.errors import BadInput
from state.membership.assignment import RECONCILIATION, RULES
from state.membership.evaluation import reevaluate_group, remove_everywhere
from state.model.account import AccountState
from state.model.changes import Ticked, TickKind
from state.model.outcome import Context, Outcome, Step
from state.scoring.group_scores import Trigger, finish
from state.scoring.person_scores import everyone_refreshed
from state.transitions.lifecycle import group_deleted, groups_ensured


def ticked(state: AccountState, change: Ticked, context: Context) -> Outcome:
    match change.kind:
        case TickKind.DECAY:
            step = everyone_refreshed(Step(state=state), RULES, context)
        case TickKind.CALIBRATION:
            calibrated = replace(
                state,
                person_reference=change.person_reference or state.person_reference,
                group_reference=change.group_reference or state.group_reference,
            )
            step = everyone_refreshed(Step(state=calibrated), RULES, context)
        case TickKind.RECONCILIATION:
            step = reconciled(Step(state=state), context)
        case (
            TickKind.CONFIG
            | TickKind.COLLECT
            | TickKind.FIRST_COLLECT
            | TickKind.PENDING
            | TickKind.CATCH_UP
        ):
            raise BadInput(f"tick {change.event_id}: {change.kind.value} is not work of the domain")
        case _:
            assert_never(change.kind)
    return finish(state, step, Trigger(change.kind.value), context)


def reconciled(step: Step, context: Context) -> Step:
    step = everyone_refreshed(step, RECONCILIATION, context)
    for interest_id in sorted(step.state.groups):
        if interest_id not in context.catalogue.solution_interests:
            step = group_deleted(step, interest_id, context)
    strangers = sorted(
        person_id
        for group in step.state.groups.values()
        for person_id in group.members
        if step.state.member_candidate(person_id) is None
    )
    for person_id in dict.fromkeys(strangers):
        step = remove_everywhere(step, person_id, RECONCILIATION.removed, context)
    step = groups_ensured(step, context)
    for interest_id in sorted(step.state.groups):
        step = reevaluate_group(step, interest_id, RECONCILIATION, context)
    return step
