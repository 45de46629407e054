"""Configuration: stage models, weighting models, audiences and creation jobs, each validated
with errors naming kind, id, field and value."""

from __future__ import annotations

import pytest

from events.records import ConfigKind
from state.catalogue.catalogue import EMPTY_CATALOGUE
from state.catalogue.changes import ConfigTombstone
from state.catalogue.weighting_models import DEFAULT_MODEL_ID
from state.scoring.engagement import DEFAULT_WEIGHTS
from tests.unit.catalogue_builders import (
    SALES_STAGES,
    SALES_TRANSITIONS,
    T0,
    audience_record,
    catalogue_of,
    job_record,
    leaf,
    refusal,
    stage_model_record,
    weighting_record,
)


def tombstone(kind: ConfigKind, key: str) -> ConfigTombstone:
    return ConfigTombstone(event_id="t", occurred_at=T0, kind=kind, id=key)


@pytest.mark.parametrize(
    ("stages", "transitions", "field", "value"),
    [
        ([("Won", "success")], [], "stages", "no entry stage"),
        (
            [("A", "entry"), ("B", "success"), ("C", "success")],
            [("A", "B")],
            "stages",
            "B, C",
        ),
        (
            [("A", "entry"), ("B", "success")],
            [("A", "B"), ("A", "X")],
            "transitions[1].to_stage",
            "X",
        ),
        (
            [("A", "entry"), ("M", "intermediate"), ("B", "success")],
            [("A", "B")],
            "transitions",
            "M",
        ),
        ([("A", "entry"), ("A", "success")], [("A", "A")], "stages[1].name", "A"),
        ([("A", "start"), ("B", "success")], [("A", "B")], "stages[0].kind", "start"),
        ([("A", "entry"), ("B", "success")], [("A", "B"), ("A", "B")], "transitions[1]", "A -> B"),
    ],
)
def test_stage_model_rules(
    stages: list[tuple[str, str]], transitions: list[tuple[str, str]], field: str, value: str
) -> None:
    errors = refusal(EMPTY_CATALOGUE, stage_model_record("sm", stages, transitions)).errors
    assert (field, value) in {(error.field, error.value) for error in errors}


def test_transitions_out_of_a_failure_stage_are_allowed() -> None:
    catalogue = catalogue_of([stage_model_record("sm", SALES_STAGES, SALES_TRANSITIONS)])
    model = catalogue.stage_models["sm"]
    assert model.allows("No response", "Resurgence")
    assert not model.allows("Won", "Prospect")


def test_a_draft_stage_model_may_rename_but_never_remove_stages_and_a_live_one_never_changes() -> (
    None
):
    draft = [("Prospect", "entry"), ("Won", "success")]
    catalogue = catalogue_of([stage_model_record("sm", draft, [], status="draft")])
    renamed = [("Lead", "entry"), ("Closed", "success")]
    catalogue = catalogue_of([stage_model_record("sm", renamed, [], status="draft")], catalogue)
    (error,) = refusal(catalogue, stage_model_record("sm", renamed[:1], [], status="draft")).errors
    assert (error.field, error.value) == ("stages", "Closed")
    catalogue = catalogue_of([stage_model_record("sm", renamed, [("Lead", "Closed")])], catalogue)
    (error,) = refusal(catalogue, stage_model_record("sm", draft, [("Prospect", "Won")])).errors
    assert error.problem == "a published stage model cannot change"


def test_weighting_models_default_to_thirty_days_and_twenty_a_day() -> None:
    assert EMPTY_CATALOGUE.weighting_model.model_id == DEFAULT_MODEL_ID
    assert dict(EMPTY_CATALOGUE.engagement_rules.weights) == dict(DEFAULT_WEIGHTS)
    catalogue = catalogue_of([weighting_record("long", {"webinar": 70})])
    rules = catalogue.engagement_rules
    assert (rules.window_days, rules.daily_cap, rules.weight("webinar")) == (30, 20, 70)
    assert rules.weight("page_viewed") == 0


def test_one_weighting_model_is_active_at_a_time() -> None:
    catalogue = catalogue_of(
        [
            weighting_record("a", {"x": 10}, window_days=90),
            weighting_record("b", {"x": 20}, daily_cap=5),
        ]
    )
    assert catalogue.weighting_model.model_id == "b"
    catalogue = catalogue_of([tombstone(ConfigKind.WEIGHTING_MODEL, "b")], catalogue)
    assert catalogue.weighting_model.model_id == DEFAULT_MODEL_ID


def test_weighting_values_out_of_range_are_refused() -> None:
    record = weighting_record("w", {"x": 101, "y": -1}, window_days=0, daily_cap=500)
    errors = refusal(EMPTY_CATALOGUE, record).errors
    assert {(error.field, error.value) for error in errors} == {
        ("weights[x]", "101"),
        ("weights[y]", "-1"),
        ("window_days", "0"),
        ("daily_cap", "500"),
    }


def test_audiences_are_rule_or_externally_managed() -> None:
    rule = leaf("industry", "is", "Retail")
    catalogue = catalogue_of([audience_record("rule", rule), audience_record("ext")])
    assert catalogue.audiences["ext"].external
    assert not catalogue.audiences["rule"].external
    (error,) = refusal(EMPTY_CATALOGUE, audience_record("bad", leaf("industry", "gt", "3"))).errors
    assert (error.field, error.value) == ("rule.operator", "gt")


def test_a_creation_job_needs_its_solution_interest_and_audience() -> None:
    errors = refusal(EMPTY_CATALOGUE, job_record("job", "si-x", "aud-x")).errors
    assert {error.field for error in errors} == {"solution_interest_id", "audience_id"}
