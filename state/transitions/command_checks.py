"""The checks every command passes first, and the CommandResult of a refusal.

Reasons: ``invalid_source`` (the system sends no commands), ``unknown_solution_interest``,
``unknown_account`` (no account event seen, or the account is deleted), ``unknown_group`` (the
account has no group for the solution interest).
"""

from __future__ import annotations

from dataclasses import dataclass

from events.records import CommandResult, CommandStatus, MembershipCommand, Source, StageCommand
from state.model.account import AccountState
from state.model.group import BuyingGroup, record_header
from state.model.outcome import Context


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """Why a command is refused: the reason code, and a message naming ids, never personal data."""

    reason: str
    message: str


def group_refusal(
    state: AccountState, source: Source, interest_id: str, context: Context
) -> Refusal | None:
    """Why a command from ``source`` about the group of ``interest_id`` cannot even be tried;
    None means the group exists."""
    if source is Source.SYSTEM:
        return Refusal(reason="invalid_source", message="commands come from manual or journey")
    if interest_id not in context.catalogue.solution_interests:
        message = f"no solution interest {interest_id}"
        return Refusal(reason="unknown_solution_interest", message=message)
    if state.deleted or (state.profile is None and not state.groups):
        return Refusal(reason="unknown_account", message=f"no account {state.account_id}")
    if interest_id not in state.groups:
        message = f"account {state.account_id} has no group for {interest_id}"
        return Refusal(reason="unknown_group", message=message)
    return None


def refused_result(
    command: MembershipCommand | StageCommand,
    group: BuyingGroup | None,
    refusal: Refusal,
    context: Context,
) -> CommandResult:
    """The result of a command refused with ``refusal`` (``group``: the group it named, if any)."""
    person_id = command.person_id if isinstance(command, MembershipCommand) else None
    if group is not None:
        return CommandResult(
            **record_header(group, cause=command.command_id, now=context.now),
            command_id=command.command_id,
            person_id=person_id,
            source=command.source,
            status=CommandStatus.REFUSED,
            reason=refusal.reason,
            message=refusal.message,
        )
    return CommandResult(
        command_id=command.command_id,
        account_id=command.account_id,
        solution_interest_id=command.solution_interest_id,
        person_id=person_id,
        source=command.source,
        status=CommandStatus.REFUSED,
        reason=refusal.reason,
        message=refusal.message,
        cause=command.command_id,
        emitted_at=context.now,
    )


def accepted_result(
    command: MembershipCommand | StageCommand,
    group: BuyingGroup,
    status: CommandStatus,
    context: Context,
) -> CommandResult:
    """The result of a command the group accepted (applied, or nothing to change)."""
    return CommandResult(
        **record_header(group, cause=command.command_id, now=context.now),
        command_id=command.command_id,
        person_id=command.person_id if isinstance(command, MembershipCommand) else None,
        source=command.source,
        status=status,
    )
