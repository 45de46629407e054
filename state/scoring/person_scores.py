"""A person's engagement score: recomputed from their activity log, emitted when it moves.

The person's normalised score is an attribute that role conditions read
(``person_engagement_score``); when it moves, the person is re-evaluated once in every group of
the account. Membership never feeds back into a person's score, so the chain settles in one pass.

PersonScoreChanged is keyed by person and a person may move between accounts (whose states are
apart), so its version is a hybrid logical clock: ``max(previous + 1, epoch ms of now * 1000)``,
strictly increasing within an account and, as long as clocks move forward, across a move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from events.records import ActivityContribution, PersonScoreChanged
from state.membership.assignment import SystemReasons
from state.membership.evaluation import reevaluate_person
from state.model.account import AccountState, PersonState
from state.model.outcome import Context, Step
from state.model.shards import sharded_with
from state.scoring.activity_log import ActivityLog, utc_day
from state.scoring.person import decay, explain_person_change, normalised_score, raw_total

_VERSIONS_PER_MS = 1000


def next_person_version(previous: int, now: datetime) -> int:
    """The version of a person's next PersonScoreChanged."""
    clock = int(now.timestamp() * 1000) * _VERSIONS_PER_MS
    return max(previous + 1, clock)


def person_rescored(
    state: AccountState,
    person: PersonState,
    *,
    log: ActivityLog,
    by_type: Mapping[str, float],
    context: Context,
) -> tuple[PersonState, tuple[PersonScoreChanged, ...]]:
    """``person`` with ``log`` and the points ``by_type``; a record if raw or score moved."""
    reference = state.person_reference
    raw = raw_total(by_type)
    score = normalised_score(raw, reference.value)
    updated = replace(
        person,
        log=log,
        by_type=MappingProxyType(dict(by_type)),
        raw=raw,
        score=score,
        reference_version=reference.version,
    )
    if raw == person.raw and score == person.score:
        return updated, ()
    version = next_person_version(person.score_version, context.now)
    record = person_score_changed(
        person,
        updated,
        account_id=state.account_id,
        version=version,
        reference=reference.value,
        context=context,
    )
    return replace(updated, score_version=version), (record,)


def person_score_changed(
    before: PersonState,
    after: PersonState,
    *,
    account_id: str | None,
    version: int,
    reference: float,
    context: Context,
) -> PersonScoreChanged:
    contributions = tuple(
        ActivityContribution(
            activity_type=part.activity_type, raw_before=part.raw_before, raw_after=part.raw_after
        )
        for part in explain_person_change(before.by_type, after.by_type)
    )
    return PersonScoreChanged(
        person_id=after.person_id,
        account_id=account_id,
        version=version,
        cause=context.cause,
        emitted_at=context.now,
        raw_previous=before.raw,
        raw=after.raw,
        score_previous=before.score,
        score=after.score,
        reference=reference,
        reference_version=after.reference_version,
        contributions=contributions,
    )


def with_person(state: AccountState, person: PersonState) -> AccountState:
    return replace(state, people=sharded_with(state.people, person.person_id, person))


def person_updated(
    step: Step,
    person_id: str,
    *,
    log: ActivityLog,
    by_type: Mapping[str, float],
    reasons: SystemReasons,
    context: Context,
) -> Step:
    """Store the person's new log and points; if their score moved, emit it and re-evaluate them
    in every group of the account (once)."""
    state = step.state
    person = state.people.get(person_id) or PersonState(person_id=person_id)
    updated, records = person_rescored(state, person, log=log, by_type=by_type, context=context)
    step = step.then(with_person(state, updated), records)
    if updated.by_type != person.by_type:
        step = step.engaging(person_id)
    if updated.score == person.score:
        return step
    return reevaluate_person(step, person_id, reasons, context)


def person_refreshed(step: Step, person_id: str, reasons: SystemReasons, context: Context) -> Step:
    """The person's score at ``now`` under the active rules: expired days leave the window."""
    person = step.state.people[person_id]
    rules = context.catalogue.engagement_rules
    decayed = decay(person.log, utc_day(context.now), rules)
    return person_updated(
        step,
        person_id,
        log=decayed.log,
        by_type=decayed.by_type_after,
        reasons=reasons,
        context=context,
    )


def everyone_refreshed(step: Step, reasons: SystemReasons, context: Context) -> Step:
    """Every person's score at ``now`` under the active rules and the account's reference."""
    for person_id in sorted(step.state.people):
        step = person_refreshed(step, person_id, reasons, context)
    rules = context.catalogue.engagement_rules
    if step.state.engagement_rules != rules:
        step = step.then(replace(step.state, engagement_rules=rules))
    return step


def person_zeroed(
    state: AccountState, person: PersonState, new_account_id: str | None, context: Context
) -> tuple[PersonScoreChanged, ...]:
    """The last record of a person leaving this account's state (their log stays behind): the
    score falls to 0, if it was not already."""
    if person.raw == 0 and person.score == 0:
        return ()
    after = replace(person, by_type=MappingProxyType({}), raw=0.0, score=0.0)
    version = next_person_version(person.score_version, context.now)
    return (
        person_score_changed(
            person,
            after,
            account_id=new_account_id,
            version=version,
            reference=state.person_reference.value,
            context=context,
        ),
    )
