"""The config file of `config apply`: parsing (every kind, errors with their paths) and the plan
(what is added, changed, unchanged, deleted or refused against the config on the topic)."""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.codec import Codec
from events.errors import BadInput
from events.records import (
    AudienceDefinition,
    Condition,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleCard,
    RoleDefinition,
    RolesTemplateDefinition,
    SolutionInterestDefinition,
    StageDefinition,
    StageModelDefinition,
    StageTransition,
    WeightingModelDefinition,
)
from state.catalogue.changes import ConfigTombstone
from streams.config_file.apply import config_input, deletion, read_config_file
from streams.config_file.document import (
    ConfigEntry,
    FileError,
    FileErrors,
    config_entries,
    config_records,
    load_document,
)
from streams.config_file.plan import (
    Change,
    PlannedChange,
    config_plan,
    current_config,
    plan_summary,
    plan_table,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
CODEC = Codec()

FULL = """
creation_jobs:                 # sections in any order; entries come out in dependency order
  job-1: {solution_interest: si-1, audience: aud-rule}
audiences:
  aud-rule:
    name: Big tech
    rule:
      any:
        - {attribute: industry, operator: is, values: [Software, Technology]}
        - {attribute: employee_count, operator: gte, value: 200}
  aud-ext: {name: ABM, managed: external}
solution_interests:
  si-1: {name: Secure Cloud, template: sec, stage_model: cycle, update_existing_groups: true}
templates:
  sec:
    name: Security
    status: live
    cards:
      - role: Decision Maker
        weighting: vital
        members_required: 2
        conditions:
          all:
            - {attribute: job_title, operator: starts_with, values: [Director, Sr Director, VP]}
            - {attribute: country, operator: is, value: US}
      - role: legal
        required_for_completeness: false
        auto_assign: false
        conditions: {attribute: person_engagement_score, operator: between, values: [10, 99.5]}
      - role: Other
weighting_models:
  wm:
    name: Webinars count
    window_days: 60
    daily_cap: 10
    weights: {page_viewed: 40, webinar_watched: 50}
stage_models:
  cycle:
    name: Cycle
    status: live
    stages:
      - {name: Aware, kind: entry, description: First touch}
      - {name: Won, kind: success}
      - {name: No response, kind: failure}
      - {name: Resurgence}
    transitions:
      Aware: [Won, No response]
      No response: Resurgence
      Resurgence: [Won]
roles:
  legal: Legal Counsel
  procurement: {name: Procurement}
"""


def leaf(attribute: str, operator: str, *values: str) -> Condition:
    return Condition(node="leaf", attribute=attribute, operator=operator, values=values)


def entries_of(text: str) -> tuple[ConfigEntry, ...]:
    document = load_document(textwrap.dedent(text))
    entries = config_entries(document)
    assert not isinstance(entries, FileErrors), entries
    return entries


def errors_of(text: str) -> tuple[str, ...]:
    document = load_document(textwrap.dedent(text))
    if isinstance(document, FileError):
        return (document.message,)
    refused = config_entries(document)
    assert isinstance(refused, FileErrors), refused
    return refused.messages


def records_of(text: str) -> tuple[ConfigRecord, ...]:
    ids = iter(range(1, 1000))
    return config_records(entries_of(text), now=NOW, new_event_id=lambda: f"e{next(ids)}")


# --- parsing -----------------------------------------------------------------------------------


def test_every_kind_becomes_its_record_in_dependency_order() -> None:
    found = {(entry.kind, entry.id): entry.body for entry in entries_of(FULL)}
    assert [kind for kind, _ in found] == [
        ConfigKind.ROLE,
        ConfigKind.ROLE,
        ConfigKind.STAGE_MODEL,
        ConfigKind.WEIGHTING_MODEL,
        ConfigKind.ROLES_TEMPLATE,
        ConfigKind.SOLUTION_INTEREST,
        ConfigKind.AUDIENCE,
        ConfigKind.AUDIENCE,
        ConfigKind.CREATION_JOB,
    ]
    assert found[ConfigKind.ROLE, "legal"] == RoleDefinition(name="Legal Counsel")
    assert found[ConfigKind.ROLE, "procurement"] == RoleDefinition(name="Procurement")
    assert found[ConfigKind.STAGE_MODEL, "cycle"] == StageModelDefinition(
        name="Cycle",
        status="live",
        stages=(
            StageDefinition(name="Aware", kind="entry", description="First touch"),
            StageDefinition(name="Won", kind="success"),
            StageDefinition(name="No response", kind="failure"),
            StageDefinition(name="Resurgence", kind="intermediate"),
        ),
        transitions=(
            StageTransition(from_stage="Aware", to_stage="Won"),
            StageTransition(from_stage="Aware", to_stage="No response"),
            StageTransition(from_stage="No response", to_stage="Resurgence"),
            StageTransition(from_stage="Resurgence", to_stage="Won"),
        ),
    )
    assert found[ConfigKind.WEIGHTING_MODEL, "wm"] == WeightingModelDefinition(
        name="Webinars count",
        weights={"page_viewed": 40, "webinar_watched": 50},
        window_days=60,
        daily_cap=10,
        active=True,
    )
    assert found[ConfigKind.SOLUTION_INTEREST, "si-1"] == SolutionInterestDefinition(
        name="Secure Cloud",
        roles_template_id="sec",
        stage_model_id="cycle",
        update_existing_groups=True,
    )
    assert found[ConfigKind.AUDIENCE, "aud-rule"] == AudienceDefinition(
        name="Big tech",
        managed="rule",
        rule=Condition(
            node="any",
            children=(
                leaf("industry", "is", "Software", "Technology"),
                leaf("employee_count", "gte", "200"),
            ),
        ),
    )
    assert found[ConfigKind.AUDIENCE, "aud-ext"] == AudienceDefinition(
        name="ABM", managed="external"
    )
    assert found[ConfigKind.CREATION_JOB, "job-1"] == CreationJobDefinition(
        solution_interest_id="si-1", audience_id="aud-rule"
    )


def test_cards_keep_their_order_and_take_defaults() -> None:
    template = {e.id: e.body for e in entries_of(FULL)}["sec"]
    assert template == RolesTemplateDefinition(
        name="Security",
        status="live",
        cards=(
            RoleCard(
                role="Decision Maker",
                weighting="vital",
                auto_assign=True,  # conditions given
                members_required=2,
                conditions=Condition(
                    node="all",
                    children=(
                        leaf("job_title", "starts_with", "Director", "Sr Director", "VP"),
                        leaf("country", "is", "US"),
                    ),
                ),
            ),
            RoleCard(
                role="legal",
                weighting="normal",
                auto_assign=False,
                required_for_completeness=False,
                conditions=leaf("person_engagement_score", "between", "10", "99.5"),
            ),
            RoleCard(role="Other", weighting="normal", auto_assign=False),
        ),
    )


def test_records_get_a_fresh_event_id_each_and_the_time_given() -> None:
    records = records_of(FULL)
    assert [record.event_id for record in records] == [f"e{n}" for n in range(1, 10)]
    assert {record.occurred_at for record in records} == {NOW}
    for record in records:
        decoded = CODEC.decode(CODEC.encode(record))
        assert getattr(decoded, "record", None) == record


def test_yaml_keeps_country_codes_and_dates_as_text_and_json_is_read_too() -> None:
    (audience,) = entries_of(
        """
        audiences:
          nordics:
            name: Nordics
            rule: {attribute: country, operator: is, values: [NO, SE, on, 2024-01-01]}
        """
    )
    assert isinstance(audience.body, AudienceDefinition)
    assert audience.body.rule == leaf("country", "is", "NO", "SE", "on", "2024-01-01")
    document = load_document('{"roles": {"legal": "Legal"}}', json_format=True)
    assert config_entries(document) == (
        ConfigEntry(
            kind=ConfigKind.ROLE, id="legal", body=RoleDefinition(name="Legal"), path="roles.legal"
        ),
    )


def test_an_empty_file_configures_nothing() -> None:
    assert entries_of("") == ()
    assert entries_of("roles:\n") == ()


TEMPLATE_WITH = """
templates:
  security:
    name: Security
    status: live
    cards:
      - role: Decision Maker
      - role: Influencer
      - role: Champion
        conditions:
          all:
            - {attribute: job_title, operator: %s, values: [VP]}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            TEMPLATE_WITH % "gtt",
            "templates.security.cards[2].conditions.all[0].operator: unknown operator 'gtt'",
        ),
        (
            "templates: {t: {name: T, status: published, cards: []}}",
            "templates.t.status: 'published' is not one of draft, live",
        ),
        (
            "templates: {t: {name: T, status: live, cards: [{role: X, weighting: huge}]}}",
            "templates.t.cards[0].weighting: 'huge' is not one of trivial, minor, normal,"
            " important, vital",
        ),
        (
            "templates: {t: {name: T, status: live, cards: [{role: X, conditon: {}}]}}",
            "templates.t.cards[0]: unknown key 'conditon' (expected role, weighting, auto_assign,"
            " conditions, required_for_completeness, members_required)",
        ),
        (
            "templates: {t: {name: T, status: live, cards: [{role: X, members_required: two}]}}",
            "templates.t.cards[0].members_required: expected a whole number, got str 'two'",
        ),
        (
            "templates: {t: {name: T, status: live, cards: [{role: X, auto_assign: yes}]}}",
            "templates.t.cards[0].auto_assign: expected true or false, got str 'yes'",
        ),
        (
            "templates: {t: {name: T, status: live, cards: {role: X}}}",
            "templates.t.cards: expected a list, got a mapping",
        ),
        (
            "templates: {t: {status: live, cards: [{weighting: vital}]}}",
            "templates.t.cards[0].role: required",
        ),
        (
            "audiences: {a: {name: A, rule: {attribute: country, operator: is, values: [true]}}}",
            "audiences.a.rule.values[0]: expected text or a number, got true/false True;"
            " quote it to mean the text",
        ),
        (
            "audiences: {a: {name: A, rule: {any: []}}}",
            "audiences.a.rule.any: an 'any' needs at least one condition",
        ),
        (
            "audiences: {a: {name: A, rule: {all: [{attribute: x, operator: is}], any: []}}}",
            "audiences.a.rule: write 'all' or 'any' alone in its mapping",
        ),
        (
            "audiences: {a: {name: A, rule: {attribute: x, operator: is, value: 1, values: [2]}}}",
            "audiences.a.rule.value: write either 'value' or 'values', not both",
        ),
        (
            "audiences: {a: {name: A}}",
            "audiences.a.rule: required (or write `managed: external` for an external audience)",
        ),
        (
            "audiences: {a: {name: A, managed: external, rule: {attribute: x, operator: gt}}}",
            "audiences.a.rule: an external audience has no rule",
        ),
        (
            "solution_interests: {si: {name: S}}",
            "solution_interests.si.template: required",
        ),
        (
            "stage_models: {m: {name: M, status: live, stages: [{name: A, kind: start}]}}",
            "stage_models.m.stages[0].kind: 'start' is not one of entry, intermediate, success,"
            " failure",
        ),
        (
            "stage_models: {m: {name: M, status: draft, transitions: {A: [B, [C]]}}}",
            "stage_models.m.transitions.A[1]: expected text, got a list",
        ),
        (
            "weighting_models: {w: {name: W, weights: {page_viewed: 40.5}}}",
            "weighting_models.w.weights.page_viewed: expected a whole number, got float 40.5",
        ),
        (
            "weighting_models: {w: {name: W, weights: {page_viewed: }}}",
            "weighting_models.w.weights.page_viewed: expected a whole number, got nothing",
        ),
        (
            "weighting_models: {w: {name: W}}",
            "weighting_models.w.weights: expected a mapping, got nothing",
        ),
        (
            "weighting_models: {w: {name: W, weights: {a: 1}}, v: {name: V, weights: {a: 1}}}",
            "weighting_models.v.active: only one weighting model can be active, and 'w' is",
        ),
        ("creation_jobs: {j: {audience: a}}", "creation_jobs.j.solution_interest: required"),
        ("roles: {' ': Blank}", "roles. : an id must not be blank"),
        ("roles: {legal: [Legal]}", "roles.legal: expected a mapping, got a list"),
        (
            "template: {}",
            "unknown key 'template' (expected roles, stage_models, weighting_models, templates,"
            " solution_interests, audiences, creation_jobs)",
        ),
        ("- roles", "expected a mapping, got a list"),
        ("roles:\n  legal: A\n  legal: B\n", "line 3, column 3: 'legal' is written twice"),
        ("roles: {legal: [}", "line 1, column 17: expected the node content, but found '}'"),
        ("roles: {? [a, b] : c}", "line 1, column 11: found unhashable key"),
    ],
)
def test_each_mistake_is_named_by_its_path_in_the_file(text: str, expected: str) -> None:
    assert expected in errors_of(text)


def test_every_mistake_of_a_file_is_reported_at_once() -> None:
    errors = errors_of(
        """
        roles: {legal: {}}
        templates: {t: {name: T, status: live, cards: [{role: X, weighting: huge}]}}
        creation_jobs: {j: {}}
        """
    )
    assert errors == (
        "roles.legal.name: required",
        "templates.t.cards[0].weighting: 'huge' is not one of trivial, minor, normal, important,"
        " vital",
        "creation_jobs.j.solution_interest: required",
        "creation_jobs.j.audience: required",
    )


def test_a_file_that_cannot_be_read_is_refused_with_its_reason(tmp_path: Path) -> None:
    refused = read_config_file(tmp_path / "missing.yaml", now=NOW)
    assert isinstance(refused, FileErrors)
    assert "cannot be read" in refused.messages[0]
    broken = tmp_path / "broken.json"
    broken.write_text('{"roles": ', encoding="utf-8")
    refused = read_config_file(broken, now=NOW)
    assert isinstance(refused, FileErrors)
    assert refused.messages == ("line 1, column 11: Expecting value",)


# --- the example and the documentation -------------------------------------------------------


def test_the_example_tenant_is_accepted_by_the_engine_rules() -> None:
    records = read_config_file(ROOT / "examples" / "tenant.yaml", now=NOW)
    assert not isinstance(records, FileErrors), records
    plan = config_plan(current_config([]), records, [])
    assert [step.errors for step in plan if step.errors] == []
    assert {step.change for step in plan} == {Change.ADDED, Change.UNCHANGED}
    kinds = {record.kind for record in records}
    assert kinds == set(ConfigKind)
    catalogue = current_config(step.publish for step in plan if step.publish).catalogue
    assert set(catalogue.solution_interests) == {"secure-cloud", "devflow"}
    assert catalogue.active_weighting_model_id == "b2b-engagement"
    assert {audience.external for audience in catalogue.audiences.values()} == {True, False}


def test_the_full_example_of_the_documentation_is_accepted() -> None:
    text = (ROOT / "docs" / "config-format.md").read_text(encoding="utf-8")
    example = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)[-1]
    plan = config_plan(current_config([]), records_of(example), [])
    assert [step.errors for step in plan if step.errors] == []
    assert {step.change for step in plan} == {Change.ADDED}
    assert {step.kind for step in plan} == set(ConfigKind)


# --- the plan ----------------------------------------------------------------------------------


def published(plan: tuple[PlannedChange, ...]) -> list[ConfigRecord | ConfigTombstone]:
    return [step.publish for step in plan if step.publish is not None]


def applied(text: str) -> tuple[list[ConfigRecord | ConfigTombstone], tuple[PlannedChange, ...]]:
    """The records a first apply of `text` publishes, and its plan."""
    plan = config_plan(current_config([]), records_of(text), [])
    return published(plan), plan


def test_a_second_apply_finds_everything_unchanged() -> None:
    first, plan = applied(FULL)
    assert [step.change for step in plan] == [Change.ADDED] * 9
    again = config_plan(current_config(first), records_of(FULL), [])
    assert {step.change for step in again} == {Change.UNCHANGED}
    assert published(again) == []


def test_a_changed_record_names_the_fields_that_change() -> None:
    first, _ = applied(FULL)
    edited = FULL.replace("name: Big tech", "name: Large tech").replace(
        "gte, value: 200", "gte, value: 500"
    )
    plan = config_plan(current_config(first), records_of(edited), [])
    (step,) = [step for step in plan if step.change is not Change.UNCHANGED]
    assert (step.change, step.kind, step.id) == (Change.CHANGED, ConfigKind.AUDIENCE, "aud-rule")
    assert step.detail == "changes name, rule"
    assert isinstance(step.publish, ConfigRecord)


def test_listing_the_default_roles_changes_nothing_but_renaming_one_is_refused() -> None:
    (same,) = config_plan(current_config([]), records_of("roles: {Champion: Champion}"), [])
    assert (same.change, same.publish) == (Change.UNCHANGED, None)
    (renamed,) = config_plan(current_config([]), records_of("roles: {Champion: Hero}"), [])
    assert renamed.change is Change.REFUSED
    assert renamed.errors == (
        "role 'Champion': name: a default role cannot be renamed, got 'Hero'",
    )


def test_a_refusal_names_kind_id_card_field_and_value_and_dependents_are_refused_too() -> None:
    text = FULL.replace("operator: starts_with", "operator: gt")
    plan = config_plan(current_config([]), records_of(text), [])
    refused = {step.id: step.errors for step in plan if step.change is Change.REFUSED}
    assert refused["sec"] == (
        "roles_template 'sec': role card 1 (Decision Maker): "
        "cards[1].conditions.children[0].operator: operator 'gt' cannot be used on a text "
        "attribute (job_title), got 'gt'",
    )
    assert refused["si-1"] == (
        "solution_interest 'si-1': roles_template_id: needs a live roles template "
        "(no such template), got 'sec'",
    )
    assert refused["job-1"] == (
        "creation_job 'job-1': solution_interest_id: no such solution interest, got 'si-1'",
    )
    assert "Refused:" in plan_table(plan)


def test_a_live_template_cannot_change() -> None:
    first, _ = applied(FULL)
    edited = FULL.replace("members_required: 2", "members_required: 3")
    plan = config_plan(current_config(first), records_of(edited), [])
    (step,) = [step for step in plan if step.change is not Change.UNCHANGED]
    assert step.errors == (
        "roles_template 'sec': status: a live roles template cannot change, got 'live'",
    )


def test_an_active_model_published_again_becomes_active_again() -> None:
    first, _ = applied(FULL)
    other = records_of("weighting_models: {other: {name: O, weights: {page_viewed: 1}}}")
    current = current_config([*first, *other])
    assert current.catalogue.active_weighting_model_id == "other"
    plan = config_plan(current, records_of(FULL), [])
    (step,) = [step for step in plan if step.change is not Change.UNCHANGED]
    assert (step.change, step.id, step.detail) == (Change.CHANGED, "wm", "becomes the active model")


def test_deletions_run_after_the_records_dependents_first() -> None:
    first, _ = applied(FULL)
    deletions = [
        deletion(text, now=NOW)
        for text in (
            "solution_interest:si-1",
            "audience:aud-ext",
            "creation_job:job-1",
            "role:nope",
        )
    ]
    plan = config_plan(current_config(first), records_of("roles: {procurement: Buyers}"), deletions)
    assert [(step.change, step.id) for step in plan] == [
        (Change.CHANGED, "procurement"),
        (Change.DELETED, "job-1"),
        (Change.DELETED, "aud-ext"),
        (Change.DELETED, "si-1"),
        (Change.UNCHANGED, "nope"),
    ]
    assert [type(item).__name__ for item in published(plan)] == ["ConfigRecord"] + [
        "ConfigTombstone"
    ] * 3
    assert plan[-1].detail == "nothing to delete"


def test_a_deletion_the_engine_refuses_is_refused_and_so_is_one_the_file_defines() -> None:
    first, _ = applied(FULL)
    deletions = [deletion("audience:aud-rule", now=NOW), deletion("role:procurement", now=NOW)]
    plan = config_plan(current_config(first), records_of("roles: {procurement: P}"), deletions)
    refused = {step.id: step.errors for step in plan if step.change is Change.REFUSED}
    assert refused == {
        "aud-rule": (
            "audience 'aud-rule': id: cannot be deleted while creation job(s) job-1 use it, "
            "got 'aud-rule'",
        ),
        "procurement": (
            "role:procurement: both defined in the file and deleted; do one or the other",
        ),
    }


def test_a_delete_option_must_name_a_kind_and_an_id() -> None:
    tombstone = deletion("audience:old", now=NOW)
    assert (tombstone.kind, tombstone.id, tombstone.occurred_at) == (
        ConfigKind.AUDIENCE,
        "old",
        NOW,
    )
    for bad in ("audiences:old", "audience:", "old"):
        with pytest.raises(BadInput, match="expected kind:id"):
            deletion(bad, now=NOW)


def test_the_topic_is_folded_as_the_engine_folds_it() -> None:
    first, _ = applied(FULL)
    inputs = [
        config_input(
            f"{item.kind}:{item.id}".encode(),
            CODEC.encode(item) if isinstance(item, ConfigRecord) else None,
            offset=offset,
            timestamp=NOW,
            codec=CODEC,
        )
        for offset, item in enumerate(first)
    ]
    inputs.append(config_input(b"bogus:x", None, offset=99, timestamp=NOW, codec=CODEC))
    inputs.append(config_input(b"role:x", b"\x00\x01", offset=100, timestamp=NOW, codec=CODEC))
    inputs.append(config_input(b"role:Other", None, offset=101, timestamp=NOW, codec=CODEC))
    inputs.append(config_input(b"role:procurement", None, offset=102, timestamp=NOW, codec=CODEC))
    current = current_config(inputs)
    assert current.read == 13
    assert current.skipped[0] == (
        "offset 99: config key 'bogus:x': expected '<kind>:<id>' with a known kind"
    )
    assert current.skipped[1].startswith("offset 100: ")
    assert current.skipped[2] == (
        "refused: role 'Other': id: a default role cannot be deleted, got 'Other'"
    )
    assert "role:procurement" not in current.bodies
    assert "procurement" not in current.catalogue.roles
    assert current.bodies["role:Other"] == RoleDefinition(name="Other")
    assert current.bodies["audience:aud-ext"] == AudienceDefinition(name="ABM", managed="external")


def test_the_table_has_one_row_per_record_and_a_summary() -> None:
    first, _ = applied(FULL)
    plan = config_plan(current_config(first), records_of(FULL + "  extra: Extra\n"), [])
    table = plan_table(plan).splitlines()
    assert table[0].split() == ["CHANGE", "KIND", "ID", "DETAIL"]
    assert table[1].split() == ["unchanged", "role", "legal", "Legal", "Counsel"]
    assert ["added", "role", "extra", "Extra"] in [line.split() for line in table]
    assert len(table) == 1 + len(plan)
    assert plan_summary(plan) == "1 added, 0 changed, 9 unchanged, 0 deleted, 0 refused"
