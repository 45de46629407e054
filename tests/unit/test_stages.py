"""Stages: entry first, allowed transitions only, refusals with reasons, time in stage, status."""

from __future__ import annotations

import pytest

from events.records import (
    CommandResult,
    CommandStatus,
    ConfigKind,
    OutputRecord,
    Source,
    StageChanged,
    StageChangeKind,
)
from tests.unit.catalogue_builders import (
    catalogue_of,
    interest_record,
    stage_model_record,
    standard_catalogue,
)
from tests.unit.group_builders import (
    Tenant,
    config_changed,
    person,
    stage_command,
    started,
)


def result(records: tuple[OutputRecord, ...]) -> CommandResult:
    (found,) = [record for record in records if isinstance(record, CommandResult)]
    return found


def changes(records: tuple[OutputRecord, ...]) -> list[StageChanged]:
    return [record for record in records if isinstance(record, StageChanged)]


def tenant(*, stage_model: bool = True) -> Tenant:
    return started(standard_catalogue(stage_model=stage_model), person("vp", job_title="VP"))


def moved(t: Tenant, stage: str) -> tuple[OutputRecord, ...]:
    return t.send(stage_command(stage=stage)).records


def test_a_group_starts_with_no_stage_and_enters_through_an_entry_stage() -> None:
    t = tenant()
    assert t.group().stage.stage is None
    refused = result(moved(t, "Evaluation"))
    assert (refused.status, refused.reason) == (CommandStatus.REFUSED, "not_an_entry_stage")
    records = moved(t, "Prospect")
    (change,) = changes(records)
    assert (change.kind, change.previous_stage, change.stage, change.source, change.actor) == (
        StageChangeKind.STAGE,
        None,
        "Prospect",
        Source.JOURNEY,
        "journey-3",
    )
    assert change.time_in_previous_stage_ms is None
    assert result(records).status is CommandStatus.APPLIED
    assert result(records).version == change.version == t.group().version


def test_only_allowed_transitions_and_refusals_change_nothing() -> None:
    t = tenant()
    moved(t, "Prospect")
    before = t.state
    records = moved(t, "Won")
    assert result(records).reason == "invalid_transition"
    assert records == (result(records),)
    assert t.state.groups == before.groups
    assert changes(moved(t, "Evaluation"))[0].previous_stage == "Prospect"


def test_failure_stages_may_lead_on() -> None:
    t = tenant()
    for stage in ("Prospect", "No response", "Resurgence", "Evaluation", "Won"):
        assert result(moved(t, stage)).status is CommandStatus.APPLIED
    assert t.group().stage.stage == "Won"


def test_time_in_each_stage_is_kept() -> None:
    t = tenant()
    moved(t, "Prospect")
    t.later(hours=2)
    (change,) = changes(moved(t, "Evaluation"))
    assert change.time_in_previous_stage_ms == 2 * 3600 * 1000
    t.later(minutes=30)
    moved(t, "No response")
    t.later(hours=1)
    moved(t, "Resurgence")
    t.later(minutes=15)
    moved(t, "Evaluation")
    stage = t.group().stage
    assert dict(stage.time_in_stage_ms) == {
        "Prospect": 7_200_000,
        "Evaluation": 1_800_000,
        "No response": 3_600_000,
        "Resurgence": 900_000,
    }
    assert stage.entered_at == t.now


@pytest.mark.parametrize(
    ("stage", "reason"),
    [("Closed", "unknown_stage"), ("", "unknown_stage")],
)
def test_unknown_stages_are_refused(stage: str, reason: str) -> None:
    t = tenant()
    assert result(moved(t, stage)).reason == reason


def test_a_group_without_a_stage_model_has_no_stages() -> None:
    t = tenant(stage_model=False)
    assert result(moved(t, "Prospect")).reason == "no_stage_model"


def test_moving_to_the_current_stage_is_unchanged() -> None:
    t = tenant()
    moved(t, "Prospect")
    records = moved(t, "Prospect")
    assert result(records).status is CommandStatus.UNCHANGED
    assert changes(records) == []


def test_status_is_free_text_up_to_fifty_characters() -> None:
    t = tenant()
    records = t.send(stage_command(status="Waiting for legal review")).records
    (change,) = changes(records)
    assert (change.kind, change.previous_status, change.status) == (
        StageChangeKind.STATUS,
        None,
        "Waiting for legal review",
    )
    assert result(t.send(stage_command(status="x" * 50)).records).status is CommandStatus.APPLIED
    too_long = result(t.send(stage_command(status="x" * 51)).records)
    assert (too_long.status, too_long.reason) == (CommandStatus.REFUSED, "status_too_long")
    assert t.group().stage.status == "x" * 50
    same = t.send(stage_command(status="x" * 50)).records
    assert result(same).status is CommandStatus.UNCHANGED
    cleared = t.send(stage_command(status="")).records
    assert changes(cleared)[0].status is None


def test_exactly_one_of_stage_and_status() -> None:
    t = tenant()
    assert result(t.send(stage_command()).records).reason == "stage_or_status"
    both = stage_command(stage="Prospect", status="x")
    assert result(t.send(both).records).reason == "stage_or_status"


def test_the_system_sends_no_stage_commands() -> None:
    t = tenant()
    refused = result(t.send(stage_command(stage="Prospect", source=Source.SYSTEM)).records)
    assert refused.reason == "invalid_source"


def test_a_new_stage_model_reaches_existing_groups_only_with_update_existing_groups() -> None:
    t = tenant()
    moved(t, "Prospect")
    moved(t, "Evaluation")
    other = stage_model_record("sm-2", [("Lead", "entry"), ("Won", "success")], [("Lead", "Won")])
    t.catalogue = catalogue_of(
        [other, interest_record("si-1", "t-1", stage_model_id="sm-2")], t.catalogue
    )
    records = t.send(config_changed(ConfigKind.SOLUTION_INTEREST, "si-1")).records
    assert changes(records) == []
    assert t.group().stage_model_id == "sm-1"
    t.catalogue = catalogue_of(
        [interest_record("si-1", "t-1", stage_model_id="sm-2", update_existing_groups=True)],
        t.catalogue,
    )
    t.later(minutes=10)
    (left,) = changes(t.send(config_changed(ConfigKind.SOLUTION_INTEREST, "si-1")).records)
    assert (left.previous_stage, left.stage, left.source) == ("Evaluation", None, Source.SYSTEM)
    assert left.time_in_previous_stage_ms == 600_000
    assert t.group().stage_model_id == "sm-2"
    assert result(moved(t, "Lead")).status is CommandStatus.APPLIED


def test_a_stage_the_new_model_also_has_is_kept() -> None:
    t = tenant()
    moved(t, "Prospect")
    stages = [("Prospect", "entry"), ("Won", "success")]
    same_names = stage_model_record("sm-2", stages, [("Prospect", "Won")])
    t.catalogue = catalogue_of(
        [
            same_names,
            interest_record("si-1", "t-1", stage_model_id="sm-2", update_existing_groups=True),
        ],
        t.catalogue,
    )
    assert changes(t.send(config_changed(ConfigKind.SOLUTION_INTEREST, "si-1")).records) == []
    assert t.group().stage.stage == "Prospect"
    assert t.group().stage_model_id == "sm-2"
