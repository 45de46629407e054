"""Membership commands from sales users (manual) and journeys: add, remove, set a role.

Every command gets exactly one CommandResult: ``applied``, ``unchanged`` (accepted, nothing to
do) or ``refused`` with a reason. Checks, in order: the source (the system sends no commands),
the solution interest, the account, the group, the person (in this account), the role (add and
set_role need one of the template's roles), precedence (a lower source than the highest that
acted on the person here is refused with ``overridden_by_<source>``). An accepted command, even
``unchanged``, raises the pair's precedence to its source: a manual remove of a non-member still
keeps the system from adding them. An add or set_role giving a member the role they hold already
by a lower source is ``applied``: the member takes the command's source (a ``role_changed`` record
with equal roles, and the snapshot), so consumers see that the member is now protected.
"""

from __future__ import annotations

from events.records import CommandStatus, MembershipAction
from state.membership.assignment import membership_change, remembering
from state.membership.evaluation import with_group
from state.membership.precedence import may_act, overridden_reason
from state.model.account import AccountState
from state.model.changes import MembershipCommandReceived
from state.model.group import BuyingGroup
from state.model.outcome import Context, Outcome, Step
from state.scoring.group_scores import Trigger, finish
from state.transitions.command_checks import Refusal, accepted_result, group_refusal, refused_result

TRIGGER = Trigger.MEMBERSHIP


def membership_command(
    state: AccountState, change: MembershipCommandReceived, context: Context
) -> Outcome:
    command = change.command
    interest_id = command.solution_interest_id
    refusal = group_refusal(state, command.source, interest_id, context)
    if refusal is None:  # the group exists
        refusal = _member_refusal(state, state.groups[interest_id], change, context)
    if refusal is not None:
        group_or_none = state.groups.get(interest_id)
        return Outcome(
            state=state, records=(refused_result(command, group_or_none, refusal, context),)
        )
    group = state.groups[interest_id]
    role = None if command.action is MembershipAction.REMOVE else command.role
    changed, records = membership_change(
        group,
        person_id=command.person_id,
        role=role,
        source=command.source,
        reason=command.source.value,
        context=context,
    )
    changed = remembering(changed, command.person_id, command.source)
    outcome = finish(
        state, Step(state=with_group(state, changed), records=records), TRIGGER, context
    )
    status = CommandStatus.APPLIED if records else CommandStatus.UNCHANGED
    result = accepted_result(
        command, outcome.state.groups[command.solution_interest_id], status, context
    )
    return Outcome(state=outcome.state, records=(*outcome.records, result))


def _member_refusal(
    state: AccountState,
    group: BuyingGroup,
    change: MembershipCommandReceived,
    context: Context,
) -> Refusal | None:
    command = change.command
    if state.member_candidate(command.person_id) is None:
        return _person_refusal(state, change)
    if command.action is not MembershipAction.REMOVE:
        template = context.catalogue.templates.get(group.template_id)
        if command.role is None or not command.role.strip():
            return Refusal(
                reason="role_required", message=f"action {command.action.value} needs a role"
            )
        if template is None or template.card(command.role) is None:
            return Refusal(
                reason="unknown_role",
                message=f"role {command.role!r} is not in this group's template",
            )
    acted = group.acted.get(command.person_id)
    if acted is not None and not may_act(command.source, acted):
        message = f"a {acted.value} decision about person {command.person_id} stands"
        return Refusal(reason=overridden_reason(acted), message=message)
    member = group.members.get(command.person_id)
    if command.action is MembershipAction.SET_ROLE and member is None:
        return Refusal(reason="not_a_member", message=f"person {command.person_id} is not a member")
    return None


def _person_refusal(state: AccountState, change: MembershipCommandReceived) -> Refusal:
    person_id = change.command.person_id
    known = state.people.get(person_id)
    if person_id in state.departed or (known is not None and known.profile is not None):
        return Refusal(
            reason="person_not_in_account", message=f"person {person_id} is not in this account"
        )
    return Refusal(reason="unknown_person", message=f"no person {person_id} is known")
