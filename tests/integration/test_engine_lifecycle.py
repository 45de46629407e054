"""Groups follow their accounts and people: creation jobs, role changes, moves, deletions,
duplicates, stale and late inputs, decay and stages, end to end through the real broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.records import (
    CommandResult,
    CommandStatus,
    GroupLifecycle,
    OutputRecord,
    PersonScoreChanged,
    ScoreChanged,
    Source,
    StageChanged,
    StageCommand,
)
from state.model.changes import TickKind
from streams.cli.worker import send_tick
from tests.integration.engine_harness import Tenant
from tests.integration.scenario import Scenario, days_ago, new_id
from tests.integration.test_engine_precedence import opened

pytestmark = pytest.mark.integration


async def test_account_entering_the_audience_later_gets_a_filled_group(tenant: Tenant) -> None:
    scenario = Scenario(tenant)
    await scenario.open_account(in_audience=False)
    people = {
        new_id("vp"): "VP Engineering",
        new_id("mgr"): "IT Manager",
        new_id("eng"): "Engineer",
    }
    for person_id, title in people.items():
        await scenario.person(person_id, title)

    await scenario.enter_audience()
    await scenario.wait_for(lambda _: all(scenario.membership_changes(p) for p in people))

    created = [
        r
        for r in tenant.outputs
        if isinstance(r, GroupLifecycle) and r.group_id == scenario.group_id
    ]
    assert [(g.change.value, g.creation_job_id) for g in created] == [("created", "job-1")]
    roles = {p: role for p, (role, _) in (await scenario.roles()).items()}
    assert roles == dict(zip(people, ["Decision Maker", "Influencer", "Practitioner"], strict=True))


async def test_job_title_change_changes_the_role(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    person = new_id("p")
    await scenario.person(person, "Software Engineer")
    await scenario.wait_for_member(person)

    await scenario.person(person, "Engineering Manager")
    await scenario.wait_for(lambda _: len(scenario.membership_changes(person)) == 2)

    change = scenario.membership_changes(person)[-1]
    assert change.change.value == "role_changed"
    assert (change.previous_role, change.new_role) == ("Practitioner", "Influencer")
    assert change.reason == "rule_match"


async def test_moving_account_leaves_the_old_group_and_joins_the_new(tenant: Tenant) -> None:
    old, new = await opened(tenant), await opened(tenant)
    person = new_id("p")
    await old.person(person, "VP Sales")
    await old.wait_for_member(person)

    await new.person(person, "VP Sales")
    await new.wait_for_member(person)
    await old.wait_for(lambda _: len(old.membership_changes(person)) == 2)

    left = old.membership_changes(person)[-1]
    assert (left.change.value, left.reason) == ("removed", "left_account")
    assert person not in await old.roles()
    assert (await new.roles())[person][0] == "Decision Maker"


async def test_deleted_person_leaves_every_group(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    person = new_id("p")
    await scenario.person(person, "Director of IT")
    await scenario.wait_for_member(person)

    await scenario.person(person, "Director of IT", deleted=True)
    await scenario.wait_for(lambda _: len(scenario.membership_changes(person)) == 2)

    gone = scenario.membership_changes(person)[-1]
    assert (gone.change.value, gone.reason) == ("removed", "person_deleted")


async def test_duplicated_inputs_change_nothing_the_second_time(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    person = new_id("p")
    profile = await scenario.person(person, "QA Engineer")
    await tenant.publish(profile)  # the same event again
    activity = await scenario.activity(person)
    await tenant.publish(activity)
    await scenario.person_barrier(person)

    def caused_by(event_id: str) -> list[OutputRecord]:
        return [r for r in tenant.outputs if getattr(r, "cause", None) == event_id]

    await scenario.wait_for(lambda _: bool(caused_by(activity.event_id)))
    second_activity = await scenario.activity(person)  # on the same partition, after both copies
    await scenario.wait_for(lambda _: bool(caused_by(second_activity.event_id)))

    assert len(scenario.membership_changes(person)) == 1
    scores = [r for r in caused_by(activity.event_id) if isinstance(r, PersonScoreChanged)]
    assert len(scores) == 1


async def test_stale_profile_is_ignored(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    person = new_id("p")
    await scenario.person(person, "VP Marketing")
    await scenario.wait_for_member(person)

    await scenario.person(person, "Intern", at=datetime.now(UTC) - timedelta(hours=1))
    await scenario.person_barrier(person)

    assert (await scenario.roles())[person][0] == "Decision Maker"
    assert len(scenario.membership_changes(person)) == 1


async def test_late_activity_counts_on_its_own_day_and_decays(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    person = new_id("p")
    await scenario.person(person, "VP Finance")
    await scenario.wait_for_member(person)

    late = await scenario.activity(person, "event_attended", at=days_ago(3))
    score = await _score_caused_by(scenario, late.event_id)
    assert score.engagement_raw == pytest.approx(0.6)  # one event_attended: weight 60 / 100
    assert [c.activity_type for c in score.contributions] == ["event_attended"]

    # 28 days on, the activity of 3 days ago has left the 30-day window.
    tick_at = datetime.now(UTC) + timedelta(days=28)
    await send_tick(tenant.settings, TickKind.DECAY, tick_at)
    decayed = await scenario.wait_for(
        lambda out: any(
            isinstance(r, ScoreChanged) and r.group_id == scenario.group_id and r.trigger == "decay"
            for r in out
        )
    )
    last = [
        r
        for r in decayed
        if isinstance(r, ScoreChanged) and r.trigger == "decay" and r.group_id == scenario.group_id
    ][-1]
    assert last.engagement_raw_previous == pytest.approx(0.6)
    assert last.engagement_raw == 0.0
    assert last.engagement == 0.0


async def _score_caused_by(scenario: Scenario, cause: str) -> ScoreChanged:
    def found(out: list[OutputRecord]) -> bool:
        return any(isinstance(r, ScoreChanged) and r.cause == cause for r in out)

    outputs = await scenario.wait_for(found)
    return next(r for r in outputs if isinstance(r, ScoreChanged) and r.cause == cause)


async def test_stages_move_only_along_allowed_transitions(tenant: Tenant) -> None:
    scenario = await opened(tenant)

    not_entry = await scenario.stage("Evaluation")
    entered = await scenario.stage("Prospect")
    skipped = await scenario.stage("Won")
    moved = await scenario.stage("Evaluation")
    too_long = await scenario.stage(status="x" * 51)

    assert (not_entry.status, not_entry.reason) == (CommandStatus.REFUSED, "not_an_entry_stage")
    assert entered.status is CommandStatus.APPLIED
    assert (skipped.status, skipped.reason) == (CommandStatus.REFUSED, "invalid_transition")
    assert moved.status is CommandStatus.APPLIED
    assert (too_long.status, too_long.reason) == (CommandStatus.REFUSED, "status_too_long")
    changes = [
        r for r in tenant.outputs if isinstance(r, StageChanged) and r.group_id == scenario.group_id
    ]
    assert [(c.previous_stage, c.stage) for c in changes] == [
        (None, "Prospect"),
        ("Prospect", "Evaluation"),
    ]


async def test_duplicate_command_gets_one_result(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    command = StageCommand(
        event_id=new_id("ev"),
        occurred_at=datetime.now(UTC),
        command_id=new_id("cmd"),
        source=Source.JOURNEY,
        actor="journey-42",
        account_id=scenario.account,
        solution_interest_id="si-1",
        status="Nurturing",
    )
    await tenant.publish(command, command)
    barrier = await scenario.stage(status="Engaged")  # same commands partition, after both

    results = [r for r in tenant.outputs if getattr(r, "command_id", None) == command.command_id]
    statuses = [
        r.status
        for r in tenant.outputs
        if isinstance(r, StageChanged) and r.group_id == scenario.group_id
    ]
    assert barrier.status is CommandStatus.APPLIED
    assert [r.status for r in results if isinstance(r, CommandResult)] == [CommandStatus.APPLIED]
    assert statuses == ["Nurturing", "Engaged"]
