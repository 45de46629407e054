"""Random histories of one account for the property tests: typed operations, their hypothesis
strategies, and their translation into inputs of ``apply`` or records of the reference model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeAlias

from hypothesis import strategies as st

from events.records import (
    ActivityEvent,
    AudienceMembershipEvent,
    MembershipAction,
    MembershipCommand,
    OutputRecord,
    PersonEvent,
    Source,
    StageCommand,
)
from state.catalogue.changes import ConfigInput
from state.model.account import AccountState, new_account_state
from state.model.changes import (
    DOMAIN_TICKS,
    AccountChanged,
    ActivityRecorded,
    AudienceMembershipChanged,
    Change,
    MembershipCommandReceived,
    PersonChanged,
    PersonDeleted,
    PersonLeftAccount,
    StageCommandReceived,
    Ticked,
    TickKind,
)
from state.scoring.calibration import Reference
from state.transitions.apply import apply
from tests.oracles.reference_model import HistoryItem
from tests.unit.catalogue_builders import (
    DM,
    DM_RULE,
    INFLUENCER,
    INFLUENCER_RULE,
    PRACTITIONER,
    PRACTITIONER_RULE,
    SALES_STAGES,
    SALES_TRANSITIONS,
    T0,
    audience_record,
    card,
    catalogue_of,
    interest_record,
    job_record,
    leaf,
    stage_model_record,
    template_record,
)
from tests.unit.group_builders import (
    account,
)

PEOPLE = ("p0", "p1", "p2", "p3")
TITLES = ("VP Sales", "Director IT", "IT Manager", "Engineer", "Clerk", "")
TYPES = ("page_viewed", "email_opened", "event_attended", "custom_thing")
ROLES = (DM, INFLUENCER, PRACTITIONER, "Champion", None)
STAGES = ("Prospect", "Evaluation", "Won", "No response", "Resurgence", "Nowhere")
CONFIG: list[ConfigInput] = [
    template_record(
        "t-1",
        card(DM, DM_RULE, weighting="vital", members_required=2),
        card("Champion", leaf("person_engagement_score", "gte", "60"), weighting="important"),
        card(INFLUENCER, INFLUENCER_RULE, weighting="important"),
        card(PRACTITIONER, PRACTITIONER_RULE, required=False),
    ),
    stage_model_record("sm-1", SALES_STAGES, SALES_TRANSITIONS),
    interest_record("si-1", "t-1", stage_model_id="sm-1"),
    audience_record("aud-1"),
    job_record("job-1", "si-1", "aud-1"),
]
CATALOGUE = catalogue_of(CONFIG)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileOp:
    person: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityOp:
    person: str
    activity_type: str
    days_ago: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandOp:
    person: str
    action: MembershipAction
    role: str | None
    source: Source


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaveOp:
    person: str
    deleted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StageOp:
    stage: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TickOp:
    kind: TickKind
    reference: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LaterOp:
    minutes: int


Op: TypeAlias = ProfileOp | ActivityOp | CommandOp | LeaveOp | StageOp | TickOp | LaterOp

people = st.sampled_from(PEOPLE)
profile_ops = st.builds(ProfileOp, person=people, title=st.sampled_from(TITLES))
activity_ops = st.builds(
    ActivityOp, person=people, activity_type=st.sampled_from(TYPES), days_ago=st.integers(0, 35)
)
command_ops = st.builds(
    CommandOp,
    person=people,
    action=st.sampled_from(list(MembershipAction)),
    role=st.sampled_from(ROLES),
    source=st.sampled_from([Source.MANUAL, Source.JOURNEY]),
)
operations = st.one_of(
    profile_ops,
    activity_ops,
    activity_ops,
    command_ops,
    command_ops,
    command_ops,
    st.builds(LeaveOp, person=people, deleted=st.booleans()),
    st.builds(StageOp, stage=st.sampled_from(STAGES)),
    st.builds(TickOp, kind=st.sampled_from(sorted(DOMAIN_TICKS)), reference=st.floats(1.0, 50.0)),
    st.builds(LaterOp, minutes=st.integers(1, 60 * 24 * 3)),
)
histories = st.lists(operations, min_size=1, max_size=40)
contested = st.lists(
    st.one_of(
        st.builds(
            CommandOp,
            person=st.sampled_from(PEOPLE[:2]),
            action=st.sampled_from(list(MembershipAction)),
            role=st.sampled_from(ROLES),
            source=st.sampled_from([Source.MANUAL, Source.JOURNEY]),
        ),
        st.builds(ProfileOp, person=st.sampled_from(PEOPLE[:2]), title=st.sampled_from(TITLES)),
        st.just(TickOp(kind=TickKind.RECONCILIATION, reference=1.0)),
    ),
    min_size=1,
    max_size=30,
)


def changes_of(ops: list[Op], account_id: str = "acc-1") -> list[tuple[datetime, Change]]:
    """The inputs of a history for one account, each with its processing time: the account, its
    four people, the audience it joins, then the operations."""
    now = T0
    found: list[tuple[datetime, Change]] = [(now, AccountChanged(event=account(account_id)))]
    for index, (pid, title) in enumerate(zip(PEOPLE, TITLES, strict=False)):
        profile = _profile(
            f"{account_id}-init-{index}", f"{account_id}:{pid}", account_id, now, title
        )
        found.append((now, PersonChanged(event=profile)))
    found.append((now, _joined(account_id, now)))
    for index, op in enumerate(ops):
        if isinstance(op, LaterOp):
            now += timedelta(minutes=op.minutes)
        else:
            found.append((now, _change(op, f"{account_id}-{index}", account_id, now)))
    return found


def _change(  # noqa: PLR0911 - one return per kind of operation reads best as a match
    op: Op, key: str, account_id: str, now: datetime
) -> Change:
    match op:
        case ProfileOp():
            person_id = f"{account_id}:{op.person}"
            return PersonChanged(event=_profile(key, person_id, account_id, now, op.title))
        case LeaveOp(deleted=True):
            gone = _profile(key, f"{account_id}:{op.person}", None, now, "")
            return PersonDeleted(event=replace(gone, deleted=True))
        case LeaveOp():
            person_id = f"{account_id}:{op.person}"
            return PersonLeftAccount(
                event_id=key, occurred_at=now, person_id=person_id, new_account_id="elsewhere"
            )
        case ActivityOp():
            return ActivityRecorded(event=_activity(op, key, f"{account_id}:{op.person}", now))
        case CommandOp():
            return _command(op, key, account_id, now)
        case StageOp():
            return StageCommandReceived(command=_stage(op.stage, key, account_id, now))
        case TickOp() | LaterOp():
            return _tick(op, key, now)


def _profile(key: str, pid: str, account_id: str | None, now: datetime, title: str) -> PersonEvent:
    return PersonEvent(
        event_id=key,
        occurred_at=now,
        person_id=pid,
        account_id=account_id,
        job_title=title or None,
        country="US",
    )


def _joined(account_id: str, now: datetime) -> AudienceMembershipChanged:
    event = AudienceMembershipEvent(
        event_id=f"join-{account_id}",
        occurred_at=now,
        audience_id="aud-1",
        account_id=account_id,
        member=True,
    )
    return AudienceMembershipChanged(event=event)


def _activity(op: ActivityOp, key: str, person_id: str, now: datetime) -> ActivityEvent:
    return ActivityEvent(
        event_id=key,
        occurred_at=now - timedelta(days=op.days_ago),
        activity_id=f"act-{key}",
        person_id=person_id,
        activity_type=op.activity_type,
    )


def _command(op: CommandOp, key: str, account_id: str, now: datetime) -> Change:
    command = MembershipCommand(
        event_id=key,
        occurred_at=now,
        command_id=f"cmd-{key}",
        source=op.source,
        actor="actor",
        action=op.action,
        account_id=account_id,
        solution_interest_id="si-1",
        person_id=f"{account_id}:{op.person}",
        role=op.role,
    )
    return MembershipCommandReceived(command=command)


def _stage(stage: str, key: str, account_id: str, now: datetime) -> StageCommand:
    return StageCommand(
        event_id=key,
        occurred_at=now,
        command_id=f"stage-{key}",
        source=Source.JOURNEY,
        actor="journey",
        account_id=account_id,
        solution_interest_id="si-1",
        stage=stage,
    )


def _tick(op: TickOp | LaterOp, key: str, now: datetime) -> Change:
    assert isinstance(op, TickOp)
    calibration = op.kind is TickKind.CALIBRATION
    reference = Reference(value=op.reference, version=int(op.reference)) if calibration else None
    return Ticked(
        event_id=key,
        occurred_at=now,
        kind=op.kind,
        person_reference=reference,
        group_reference=reference,
    )


def run(inputs: list[tuple[datetime, Change]]) -> tuple[AccountState, list[OutputRecord]]:
    """The state and records after applying ``inputs`` to a new account acc-1."""
    state = new_account_state("acc-1")
    records: list[OutputRecord] = []
    for now, change in inputs:
        outcome = apply(state, change, CATALOGUE, now)
        state = outcome.state
        records.extend(outcome.records)
    return state, records


def records_of(account_id: str, ops: list[Op]) -> list[tuple[datetime, HistoryItem]]:
    """A history of input records for one account (ticks and departures left out: those are
    not records of one account)."""
    items: list[tuple[datetime, HistoryItem]] = []
    for now, change in changes_of(ops, account_id):
        match change:
            case PersonChanged(event=event) | PersonDeleted(event=event):
                items.append((now, event))
            case AccountChanged(event=account_event):
                items.append((now, account_event))
            case ActivityRecorded(event=activity_event):
                items.append((now, activity_event))
            case AudienceMembershipChanged(event=membership):
                items.append((now, membership))
            case MembershipCommandReceived(command=command) | StageCommandReceived(command=command):
                items.append((now, command))
            case _:
                pass
    return items
