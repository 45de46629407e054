"""Every output record has its topic and key as the contract lists them."""

from __future__ import annotations

from datetime import UTC, datetime

from events.records import CommandResult, CommandStatus, PersonScoreChanged, Source
from events.topics import Topics
from streams.runtime.outputs import destination

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_command_results_are_keyed_by_command() -> None:
    result = CommandResult(
        command_id="cmd-1", account_id="acc-1", solution_interest_id="si-1", source=Source.MANUAL,
        status=CommandStatus.APPLIED, cause="cmd-1", emitted_at=T0,
    )  # fmt: skip
    assert destination(result, Topics()) == ("bg.command-results", "cmd-1")


def test_person_scores_are_keyed_by_person() -> None:
    change = PersonScoreChanged(
        person_id="p-1", version=1, cause="ev-1", emitted_at=T0, raw_previous=0, raw=1,
        score_previous=0, score=31.6, reference=10, reference_version=0,
    )  # fmt: skip
    assert destination(change, Topics.with_prefix("stage")) == ("stage.person-scores", "p-1")
