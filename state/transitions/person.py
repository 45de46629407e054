"""Person inputs: a profile changed, the person was deleted, or moved to another account.

A profile older (``occurred_at``) than the one already applied is ignored. A changed profile
re-evaluates the person in every group of the account. Leaving the account or being deleted
removes the person from every group at once (the account invariant, above every source), drops
their state here (their personal data and their activity log) and brings their score to 0.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from state.membership.assignment import RULES
from state.membership.evaluation import reevaluate_person, remove_everywhere
from state.model.account import AccountState, PersonState
from state.model.changes import PersonChanged, PersonDeleted, PersonLeftAccount
from state.model.outcome import Context, Outcome, Step
from state.model.shards import sharded_without
from state.scoring.group_scores import Trigger, finish
from state.scoring.person_scores import person_zeroed, with_person

LEFT_ACCOUNT = "left_account"
PERSON_DELETED = "person_deleted"
TRIGGER = Trigger.MEMBERSHIP


def person_changed(state: AccountState, change: PersonChanged, context: Context) -> Outcome:
    event = change.event
    if event.deleted:
        return person_deleted(state, PersonDeleted(event=event), context)
    if _stale(state, event.person_id, event.occurred_at):
        return Outcome(state=state)
    if event.account_id != state.account_id:
        step = departed(Step(state=state), event.person_id, LEFT_ACCOUNT, event.account_id, context)
        return finish(state, step, TRIGGER, context)
    person = state.people.get(event.person_id) or PersonState(person_id=event.person_id)
    present = replace(state, departed=state.departed - {event.person_id})
    step = Step(state=with_person(present, replace(person, profile=event)))
    step = reevaluate_person(step, event.person_id, RULES, context)
    return finish(state, step, TRIGGER, context)


def person_deleted(state: AccountState, change: PersonDeleted, context: Context) -> Outcome:
    event = change.event
    if _stale(state, event.person_id, event.occurred_at):
        return Outcome(state=state)
    step = departed(Step(state=state), event.person_id, PERSON_DELETED, None, context)
    return finish(state, step, TRIGGER, context)


def person_left(state: AccountState, change: PersonLeftAccount, context: Context) -> Outcome:
    if _stale(state, change.person_id, change.occurred_at):
        return Outcome(state=state)
    step = departed(
        Step(state=state), change.person_id, LEFT_ACCOUNT, change.new_account_id, context
    )
    return finish(state, step, TRIGGER, context)


def departed(
    step: Step, person_id: str, reason: str, new_account_id: str | None, context: Context
) -> Step:
    """``person_id`` leaves every group and this account's state."""
    person = step.state.people.get(person_id)
    if person is None:
        return step
    step = remove_everywhere(step, person_id, reason, context)
    zeroed = person_zeroed(step.state, person, new_account_id, context)
    people = sharded_without(step.state.people, person_id)
    gone = step.state.departed | {person_id} if reason == LEFT_ACCOUNT else step.state.departed
    return step.then(replace(step.state, people=people, departed=gone), zeroed)


def _stale(state: AccountState, person_id: str, occurred_at: datetime) -> bool:
    person = state.people.get(person_id)
    if person is None or person.profile is None:
        return False
    return occurred_at < person.profile.occurred_at
