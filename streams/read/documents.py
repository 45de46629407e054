"""What the read model stores for each record: pure functions, no I/O.

Each `*_call` function gives the key and the arguments of the Lua script (streams.read.scripts)
that writes one record into Redis; documents are deterministic JSON (sorted keys), so writing
the same record twice writes the same bytes. Only display data is kept for people: name and job
title, never an email address or a phone number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.records import (
    AccountEvent,
    BuyingGroupSnapshot,
    CommandResult,
    GroupLifecycle,
    MembershipChange,
    MembershipChanged,
    PersonEvent,
    PersonScoreChanged,
    ScoreChanged,
    StageChanged,
)
from streams.read.keys import Keys

HISTORY_LENGTH = 50
STAGE_HISTORY_LENGTH = 500
GroupChange = MembershipChanged | ScoreChanged | StageChanged | GroupLifecycle


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One script run: the key that routes it (Redis Cluster) and its arguments."""

    key: str
    args: tuple[str | int | float, ...]


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def group_document(snapshot: BuyingGroupSnapshot) -> dict[str, Any]:
    """A group as the API shows it (display names are joined at read time)."""
    s = snapshot
    return {
        "group_id": s.group_id,
        "account_id": s.account_id,
        "solution_interest_id": s.solution_interest_id,
        "name": s.name,
        "version": s.version,
        "members": [
            {
                "person_id": m.person_id,
                "role": m.role,
                "source": m.source.value,
                "since": m.since.isoformat(),
            }
            for m in s.members
        ],
        "role_completeness": [
            {
                "role": r.role,
                "assigned": r.assigned,
                "required": r.required,
                "completeness": r.completeness,
                "counts": r.counts,
            }
            for r in s.role_completeness
        ],
        "completeness": s.completeness,
        "engagement_raw": s.engagement_raw,
        "engagement": s.engagement,
        "reference_version": s.reference_version,
        "stage": s.stage,
        "stage_entered_at": _iso(s.stage_entered_at),
        "status": s.status,
        "time_in_stage_ms": dict(sorted(s.time_in_stage_ms.items())),
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


def missing_roles(snapshot: BuyingGroupSnapshot) -> tuple[str, ...]:
    """The template's roles that have no member in this group."""
    return tuple(r.role for r in snapshot.role_completeness if r.assigned == 0)


def group_indexes(snapshot: BuyingGroupSnapshot, keys: Keys) -> tuple[str, ...]:
    """The index sets a group belongs to, except the account's industry and region (the script
    reads those from the account's hash, so an account change re-indexes its groups)."""
    return (
        keys.by_interest(snapshot.solution_interest_id),
        keys.by_stage(snapshot.stage),
        keys.by_account(snapshot.account_id),
        *(keys.by_missing_role(role) for role in missing_roles(snapshot)),
    )


def snapshot_call(snapshot: BuyingGroupSnapshot, keys: Keys) -> ScriptCall:
    s = snapshot
    indexes = group_indexes(s, keys)
    members = sorted({m.person_id for m in s.members}) if not s.deleted else []
    roles = sorted({r.role for r in s.role_completeness}) if not s.deleted else []
    args: tuple[str | int | float, ...] = (
        keys.prefix, s.group_id, s.version, "1" if s.deleted else "0",
        dumps(group_document(s)), s.completeness, s.engagement, millis(s.updated_at),
        s.account_id, s.solution_interest_id, s.stage or "",
        len(indexes), *indexes, len(members), *members, len(roles), *roles,
    )  # fmt: skip
    return ScriptCall(key=keys.group(s.group_id), args=args)


def history_entry(record: GroupChange) -> dict[str, Any]:
    """One line of a group's latest changes."""
    entry: dict[str, Any] = {
        "version": record.version,
        "at": record.emitted_at.isoformat(),
        "cause": record.cause,
    }
    match record:
        case MembershipChanged():
            entry |= {"kind": "membership", "change": record.change.value,
                      "person_id": record.person_id, "previous_role": record.previous_role,
                      "role": record.new_role, "source": record.source.value,
                      "reason": record.reason}  # fmt: skip
        case ScoreChanged():
            entry |= {"kind": "score", "trigger": record.trigger,
                      "completeness_previous": record.completeness_previous,
                      "completeness": record.completeness,
                      "engagement_previous": record.engagement_previous,
                      "engagement": record.engagement}  # fmt: skip
        case StageChanged():
            entry |= {"kind": record.kind.value, "previous_stage": record.previous_stage,
                      "stage": record.stage, "previous_status": record.previous_status,
                      "status": record.status, "source": record.source.value,
                      "time_in_previous_stage_ms": record.time_in_previous_stage_ms}  # fmt: skip
        case GroupLifecycle():
            entry |= {"kind": "lifecycle", "change": record.change.value}
    return entry


def explanation(record: ScoreChanged) -> dict[str, Any]:
    """Why the group's engagement is what it is: its latest move, per member, role and
    activity type, in raw points before and after."""
    return {
        "version": record.version,
        "trigger": record.trigger,
        "engagement_raw_previous": record.engagement_raw_previous,
        "engagement_raw": record.engagement_raw,
        "engagement": record.engagement,
        "reference": record.reference,
        "reference_version": record.reference_version,
        "contributions": [
            {
                "person_id": c.person_id,
                "role": c.role,
                "activity_type": c.activity_type,
                "weight": c.weight,
                "raw_before": c.raw_before,
                "raw_after": c.raw_after,
            }
            for c in record.contributions
        ],
    }


def _kind(record: GroupChange) -> str:
    return type(record).__name__


def added_field(record: GroupChange) -> str:
    """`<YYYY-MM>|<role>` for a member added, else empty: the members-added counter to bump."""
    if isinstance(record, MembershipChanged) and record.change is MembershipChange.ADDED:
        return f"{record.emitted_at:%Y-%m}|{record.new_role or ''}"
    return ""


def part_field(role: str | None, person_id: str | None, activity_type: str | None) -> str:
    """The field of one (role, member, activity type) part in a group's score parts hash."""
    return dumps([role or "", person_id or "", activity_type or ""])


def moved_parts(record: ScoreChanged) -> tuple[str, ...]:
    """Field and new points of every part the score change moved ('' for none left: the
    field goes), flattened; folded in version order they give the current score's parts."""
    flat: list[str] = []
    for c in record.contributions:
        flat += [part_field(c.role, c.person_id, c.activity_type),
                 repr(c.raw_after) if c.raw_after != 0 else ""]  # fmt: skip
    return tuple(flat)


def change_call(record: GroupChange, keys: Keys) -> ScriptCall:
    explained = dumps(explanation(record)) if isinstance(record, ScoreChanged) else ""
    parts = moved_parts(record) if isinstance(record, ScoreChanged) else ()
    stage_move = isinstance(record, StageChanged)
    args: tuple[str | int | float, ...] = (
        keys.prefix, record.group_id, _kind(record), record.version,
        dumps(history_entry(record)), added_field(record), HISTORY_LENGTH, explained,
        STAGE_HISTORY_LENGTH if stage_move else 0, len(parts) // 2, *parts,
    )  # fmt: skip
    return ScriptCall(key=keys.history(record.group_id), args=args)


def person_call(event: PersonEvent, keys: Keys) -> ScriptCall:
    """Name and job title only; the rest of the profile never reaches Redis."""
    args = (
        keys.prefix, event.person_id, millis(event.occurred_at), "1" if event.deleted else "0",
        event.first_name or "", event.last_name or "", event.job_title or "",
    )  # fmt: skip
    return ScriptCall(key=keys.person(event.person_id), args=args)


def account_call(event: AccountEvent, keys: Keys) -> ScriptCall:
    args = (
        keys.prefix, event.account_id, millis(event.occurred_at), "1" if event.deleted else "0",
        event.name or "", event.industry or "", event.region or "",
    )  # fmt: skip
    return ScriptCall(key=keys.account(event.account_id), args=args)


def person_score_call(record: PersonScoreChanged, keys: Keys) -> ScriptCall:
    args = (keys.prefix, record.person_id, record.version, record.score)
    return ScriptCall(key=keys.person_scores, args=args)


def command_document(result: CommandResult) -> dict[str, Any]:
    return {
        "command_id": result.command_id,
        "account_id": result.account_id,
        "solution_interest_id": result.solution_interest_id,
        "group_id": result.group_id,
        "person_id": result.person_id,
        "source": result.source.value,
        "status": result.status.value,
        "reason": result.reason,
        "message": result.message,
        "version": result.version,
        "emitted_at": result.emitted_at.isoformat(),
    }
