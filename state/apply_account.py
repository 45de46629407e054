"""Account inputs: the account changed or was deleted, or an external audience gained or lost it.

An update older than the one applied is ignored. A change may put the account into a rule
audience, and entering an audience (by rule or by membership event) creates the groups of the
audience's creation jobs. Leaving an audience changes nothing (the groups stay). Deleting the
account deletes its groups; no group is created for a deleted account until it is updated again.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from state.account import AccountState, AudienceMark
from state.changes import AccountChanged, AccountDeleted, AudienceMembershipChanged
from state.group_lifecycle import group_deleted, groups_ensured
from state.group_scores import finish
from state.outcome import Context, Outcome, Step

TRIGGER = "membership"


def account_changed(state: AccountState, change: AccountChanged, context: Context) -> Outcome:
    event = change.event
    if event.deleted:
        return account_deleted(state, AccountDeleted(event=event), context)
    if state.profile is not None and event.occurred_at < state.profile.occurred_at:
        return Outcome(state=state)
    step = groups_ensured(Step(state=replace(state, profile=event)), context)
    return finish(state, step, TRIGGER, context)


def account_deleted(state: AccountState, change: AccountDeleted, context: Context) -> Outcome:
    event = change.event
    if state.profile is not None and event.occurred_at < state.profile.occurred_at:
        return Outcome(state=state)
    step = Step(state=replace(state, profile=replace(event, deleted=True)))
    for interest_id in sorted(state.groups):
        step = group_deleted(step, interest_id, context)
    return finish(state, step, TRIGGER, context)


def audience_membership_changed(
    state: AccountState, change: AudienceMembershipChanged, context: Context
) -> Outcome:
    event = change.event
    mark = state.audience_marks.get(event.audience_id)
    if mark is not None and event.occurred_at < mark.occurred_at:
        return Outcome(state=state)
    marks = {
        **state.audience_marks,
        event.audience_id: AudienceMark(member=event.member, occurred_at=event.occurred_at),
    }
    marked = replace(state, audience_marks=MappingProxyType(marks))
    step = groups_ensured(Step(state=marked), context)
    return finish(state, step, TRIGGER, context)
