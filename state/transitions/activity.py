"""An activity: folded into the person's log on its own UTC day, then the chain settles once.

Person log -> person raw and normalised score (PersonScoreChanged if it moved) -> the person's
role in each group of the account (their score is an attribute conditions read) -> completeness
and engagement of the groups. Only the person concerned is rescored; duplicates (same
``activity_id``), late activities outside the window, capped and unweighted ones change no score.
"""

from __future__ import annotations

from state.membership.assignment import RULES
from state.model.account import AccountState, PersonState
from state.model.changes import ActivityRecorded
from state.model.outcome import Context, Outcome, Step
from state.scoring.activity_log import record_activity, utc_day
from state.scoring.group_scores import Trigger, finish
from state.scoring.person import person_raw_by_type
from state.scoring.person_scores import person_updated

TRIGGER = Trigger.ACTIVITY


def activity_recorded(state: AccountState, change: ActivityRecorded, context: Context) -> Outcome:
    event = change.event
    person = state.people.get(event.person_id) or PersonState(person_id=event.person_id)
    rules = context.catalogue.engagement_rules
    today = utc_day(context.now)
    log, _ = record_activity(
        person.log,
        activity_id=event.activity_id,
        activity_type=event.activity_type,
        occurred_day=utc_day(event.occurred_at),
        today=today,
        rules=rules,
    )
    step = person_updated(
        Step(state=state),
        event.person_id,
        log=log,
        by_type=person_raw_by_type(log, today, rules),
        reasons=RULES,
        context=context,
    )
    return finish(state, step, TRIGGER, context)
