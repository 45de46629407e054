"""The reference model: a whole history, routed and applied one input at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from events.records import (
    AudienceMembershipEvent,
    CommandResult,
    CommandStatus,
    ConfigKind,
    MembershipAction,
    MembershipCommand,
    PersonScoreChanged,
    Source,
    StageCommand,
)
from state.catalogue.changes import ConfigTombstone
from state.model.changes import TickKind
from tests.oracles.reference_model import HistoryItem, TickRequested, World, group_facts, replay
from tests.unit.catalogue_builders import (
    DM,
    DM_RULE,
    INFLUENCER,
    INFLUENCER_RULE,
    SALES_STAGES,
    SALES_TRANSITIONS,
    T0,
    audience_record,
    card,
    interest_record,
    job_record,
    stage_model_record,
    template_record,
)
from tests.unit.group_builders import (
    account,
    activity,
    person,
)

CONFIG: list[HistoryItem] = [
    template_record("t-1", card(DM, DM_RULE, weighting="vital"), card(INFLUENCER, INFLUENCER_RULE)),
    stage_model_record("sm-1", SALES_STAGES, SALES_TRANSITIONS),
    interest_record("si-1", "t-1", stage_model_id="sm-1"),
    audience_record("aud-1"),
    job_record("job-1", "si-1", "aud-1"),
]


def joined(account_id: str, at_minutes: int = 0) -> AudienceMembershipEvent:
    return AudienceMembershipEvent(
        event_id=f"join-{account_id}-{at_minutes}",
        occurred_at=T0 + timedelta(minutes=at_minutes),
        audience_id="aud-1",
        account_id=account_id,
        member=True,
    )


def manual_add(person_id: str, account_id: str, role: str) -> MembershipCommand:
    return MembershipCommand(
        event_id=f"ev-{person_id}",
        occurred_at=T0 + timedelta(minutes=30),
        command_id=f"cmd-{person_id}",
        source=Source.MANUAL,
        actor="user-1",
        action=MembershipAction.ADD,
        account_id=account_id,
        solution_interest_id="si-1",
        person_id=person_id,
        role=role,
    )


def base_history() -> list[HistoryItem]:
    minutes = T0 + timedelta(minutes=1)
    return [
        *CONFIG,
        account("a"),
        account("b", name="Globex"),
        person("vp", account_id="a", job_title="VP Sales"),
        person("mgr", account_id="a", job_title="Sales Manager"),
        person("cto", account_id="b", job_title="VP Engineering"),
        joined("a"),
        joined("b"),
        activity("vp", "page_viewed", at=minutes),
        activity("cto", "form_filled", at=minutes),
    ]


def test_a_history_ends_in_the_expected_groups() -> None:
    world = replay(base_history())
    groups = world.groups()
    assert set(groups) == {"a/si-1", "b/si-1"}
    assert {p: m.role for p, m in groups["a/si-1"].members.items()} == {"vp": DM, "mgr": INFLUENCER}
    assert {p: m.role for p, m in groups["b/si-1"].members.items()} == {"cto": DM}
    assert groups["a/si-1"].engagement_raw > 0
    assert groups["b/si-1"].name == "Security for Globex"
    assert world.refused == ()


def test_a_person_who_moves_leaves_the_old_group_and_joins_the_new() -> None:
    history = [
        *base_history(),
        manual_add("mgr", "a", INFLUENCER),
        person("mgr", account_id="b", job_title="VP Sales", at=T0 + timedelta(hours=1)),
    ]
    world = replay(history)
    groups = world.groups()
    assert "mgr" not in groups["a/si-1"].members
    assert groups["b/si-1"].members["mgr"].role == DM
    assert world.routes["mgr"].account_id == "b"


def test_config_refusals_are_kept_and_change_nothing() -> None:
    bad = template_record("t-1", card("Nobody"))
    world = replay([*base_history(), bad])
    (refused,) = world.refused
    assert refused.errors[0].field == "cards[1].role"
    assert world.catalogue.templates["t-1"].cards[0].role == DM


def test_a_solution_interest_with_groups_cannot_be_deleted() -> None:
    tombs: list[HistoryItem] = [
        ConfigTombstone(event_id="t1", occurred_at=T0, kind=ConfigKind.CREATION_JOB, id="job-1"),
        ConfigTombstone(
            event_id="t2", occurred_at=T0, kind=ConfigKind.SOLUTION_INTEREST, id="si-1"
        ),
    ]
    world = replay([*base_history(), *tombs])
    assert "job-1" not in world.catalogue.creation_jobs
    (refused,) = world.refused
    assert "live buying group" in refused.message


def test_ticks_reach_every_account_and_calibration_computes_references() -> None:
    history = [
        *base_history(),
        TickRequested(
            event_id="cal-1", occurred_at=T0 + timedelta(hours=1), kind=TickKind.CALIBRATION
        ),
    ]
    world = replay(history)
    assert world.person_reference.value == 10.0  # both raws are below the floor
    assert world.person_reference.version == 0
    loud = [activity("vp", "event_attended", at=T0) for _ in range(20)]
    world = replay([*loud, history[-1]], start=replay(base_history()))
    assert world.person_reference.version == 1
    assert world.person_reference.value == world.accounts["a"].people["vp"].raw
    later = T0 + timedelta(days=40)
    decayed = replay(
        [(later, TickRequested(event_id="d", occurred_at=later, kind=TickKind.DECAY))], start=world
    )
    assert all(p.raw == 0 for a in decayed.accounts.values() for p in a.people.values())


def test_unroutable_inputs_are_reported() -> None:
    world = replay([*base_history(), activity("ghost", "page_viewed")])
    assert world.ignored[-1][1] == "unknown_person"


def test_commands_and_stages_through_the_model() -> None:
    stage = StageCommand(
        event_id="s1",
        occurred_at=T0 + timedelta(hours=2),
        command_id="stage-1",
        source=Source.JOURNEY,
        actor="j",
        account_id="a",
        solution_interest_id="si-1",
        stage="Prospect",
    )
    world = replay([*base_history(), manual_add("mgr", "a", DM), stage])
    results = [r for r in world.records if isinstance(r, CommandResult)]
    assert [r.status for r in results] == [CommandStatus.APPLIED, CommandStatus.APPLIED]
    assert world.groups()["a/si-1"].stage.stage == "Prospect"
    assert world.groups()["a/si-1"].members["mgr"].source is Source.MANUAL


def test_a_deleted_person_leaves_and_their_score_falls_to_zero() -> None:
    gone = replace(person("vp", account_id="a", at=T0 + timedelta(hours=3)), deleted=True)
    world = replay([*base_history(), gone])
    assert "vp" not in world.groups()["a/si-1"].members
    assert "vp" not in world.accounts["a"].people
    last = [r for r in world.records if isinstance(r, PersonScoreChanged)][-1]
    assert (last.person_id, last.score, last.account_id) == ("vp", 0.0, None)


def test_group_facts_leave_out_the_clock() -> None:
    history = base_history()
    early = replay(history)
    late = replay([(T0 + timedelta(hours=5), item) for item in history])
    assert early.groups() != late.groups()  # times differ
    assert group_facts(early.groups()) == group_facts(late.groups())
    facts = group_facts(early.groups())["a/si-1"]
    assert ("vp", DM, Source.SYSTEM) in facts.members


def test_replay_can_continue_from_a_world() -> None:
    history = base_history()
    whole = replay(history)
    halves = replay(history[7:], start=replay(history[:7]))
    assert halves.accounts == whole.accounts
    assert halves.records == whole.records
    assert isinstance(whole, World)
