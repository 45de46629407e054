"""``apply``: the one function that decides what an input does to an account.

    apply(state, change, catalogue, now) -> Outcome(state, records)

It is pure: the clock is ``now`` (UTC-aware) and the configuration is ``catalogue``. An input
seen before (same event id, activity id or command id, among the account's recent inputs)
changes nothing and emits nothing. Records come in emission order: per group, change records
with strictly increasing versions, then the group's snapshot; a command's result comes last.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import assert_never

from events.errors import BadInput
from state.catalogue.catalogue import Catalogue
from state.model.account import AccountState
from state.model.changes import (
    AccountChanged,
    AccountDeleted,
    ActivityRecorded,
    AudienceMembershipChanged,
    Change,
    ConfigChanged,
    MembershipCommandReceived,
    PersonChanged,
    PersonDeleted,
    PersonLeftAccount,
    StageCommandReceived,
    Ticked,
    cause_of,
    input_key,
)
from state.model.outcome import Context, Outcome
from state.transitions.account import account_changed, account_deleted, audience_membership_changed
from state.transitions.activity import activity_recorded
from state.transitions.command import membership_command
from state.transitions.config import config_changed
from state.transitions.person import person_changed, person_deleted, person_left
from state.transitions.stage import stage_command
from state.transitions.tick import ticked


def apply(state: AccountState, change: Change, catalogue: Catalogue, now: datetime) -> Outcome:
    """The new state of the account and the records to emit, after ``change`` at ``now``.

    Raises ``BadInput`` only for what the codec already guarantees (UTC-aware times, ids).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise BadInput(f"now: expected a UTC-aware time, got {now.isoformat()!r}")
    key = input_key(change)
    if key in state.seen:
        return Outcome(state=state)
    marked = replace(state, seen=state.seen.add(key))
    return _applied(marked, change, Context(catalogue=catalogue, cause=cause_of(change), now=now))


def _applied(  # noqa: PLR0911 - one return per kind of input reads best as a match
    state: AccountState, change: Change, context: Context
) -> Outcome:
    match change:
        case PersonChanged():
            return person_changed(state, change, context)
        case PersonDeleted():
            return person_deleted(state, change, context)
        case PersonLeftAccount():
            return person_left(state, change, context)
        case AccountChanged():
            return account_changed(state, change, context)
        case AccountDeleted():
            return account_deleted(state, change, context)
        case AudienceMembershipChanged():
            return audience_membership_changed(state, change, context)
        case ActivityRecorded():
            return activity_recorded(state, change, context)
        case MembershipCommandReceived():
            return membership_command(state, change, context)
        case StageCommandReceived():
            return stage_command(state, change, context)
        case ConfigChanged():
            return config_changed(state, change, context)
        case Ticked():
            return ticked(state, change, context)
        case _:
            assert_never(change)
