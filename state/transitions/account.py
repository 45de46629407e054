"""Account inputs: the account changed or was deleted, or an external audience gained or lost it.

An update older than the one applied is ignored. A change may put the account into a rule
audience, and entering an audience (by rule or by membership event) creates the groups of the
audience's creation jobs. Leaving an audience changes nothing (the groups stay). Deleting the
account deletes its groups; no group is created for a deleted account until it is updated again.

A group's display name is "<solution interest name> for <account name>" (the account id while no
name is known). When the account's name changes, its groups take the new name: each group's
version moves and its snapshot carries the new name. So a group created before the account's
profile arrived (account and audience records travel on different topics, in no set order) ends
with the account's name.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from state.model.account import AccountState, AudienceMark
from state.model.changes import AccountChanged, AccountDeleted, AudienceMembershipChanged
from state.model.outcome import Context, Outcome, Step
from state.scoring.group_scores import Trigger, finish
from state.transitions.lifecycle import group_deleted, groups_ensured

TRIGGER = Trigger.MEMBERSHIP


def account_changed(state: AccountState, change: AccountChanged, context: Context) -> Outcome:
    event = change.event
    if event.deleted:
        return account_deleted(state, AccountDeleted(event=event), context)
    if state.profile is not None and event.occurred_at < state.profile.occurred_at:
        return Outcome(state=state)
    updated = renamed(replace(state, profile=event), state.display_name, context)
    step = groups_ensured(Step(state=updated), context)
    return finish(state, step, TRIGGER, context)


def renamed(state: AccountState, previous_name: str, context: Context) -> AccountState:
    """``state`` with its groups named after its display name, where ``previous_name`` was the
    display name they were given. A group whose name does not end with it is left alone."""
    name = state.display_name
    suffix = f" for {previous_name}"
    if name == previous_name or not any(g.name.endswith(suffix) for g in state.groups.values()):
        return state
    groups = {
        interest_id: replace(
            group,
            name=group.name.removesuffix(suffix) + f" for {name}",
            version=group.version + 1,
            updated_at=context.now,
        )
        if group.name.endswith(suffix)
        else group
        for interest_id, group in state.groups.items()
    }
    return replace(state, groups=MappingProxyType(groups))


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
