"""Configuration: roles, templates, solution interests, stage models, weighting models,
audiences and creation jobs, each validated with errors naming kind, id, card, field, value."""

from __future__ import annotations

from events.records import ConfigKind, ConfigRecord, RoleDefinition, RolesTemplateDefinition
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import ConfigTombstone, apply_config_change
from state.catalogue.roles import DEFAULT_ROLE_NAMES, MAX_ROLES
from tests.unit.catalogue_builders import (
    DM,
    DM_RULE,
    INFLUENCER,
    SALES_STAGES,
    SALES_TRANSITIONS,
    T0,
    audience_record,
    card,
    catalogue_of,
    config,
    interest_record,
    job_record,
    leaf,
    refusal,
    stage_model_record,
    template_record,
)


def role(key: str, name: str) -> ConfigRecord:
    return config(ConfigKind.ROLE, key, RoleDefinition(name=name))


def tombstone(kind: ConfigKind, key: str) -> ConfigTombstone:
    return ConfigTombstone(event_id="t", occurred_at=T0, kind=kind, id=key)


def test_six_default_roles_exist() -> None:
    assert tuple(EMPTY_CATALOGUE.roles) == DEFAULT_ROLE_NAMES
    assert all(item.default for item in EMPTY_CATALOGUE.roles.values())


def test_custom_roles_are_added_renamed_and_deleted() -> None:
    catalogue = catalogue_of([role("legal", "Legal Counsel")])
    assert catalogue.roles["legal"].name == "Legal Counsel"
    catalogue = catalogue_of([role("legal", "Legal")], catalogue)
    assert catalogue.roles["legal"].name == "Legal"
    catalogue = catalogue_of([tombstone(ConfigKind.ROLE, "legal")], catalogue)
    assert "legal" not in catalogue.roles


def test_default_roles_can_be_neither_renamed_nor_deleted() -> None:
    (renamed,) = refusal(EMPTY_CATALOGUE, role(DM, "Boss")).errors
    assert renamed.field == "name"
    assert renamed.value == "Boss"
    (deleted,) = refusal(EMPTY_CATALOGUE, tombstone(ConfigKind.ROLE, "Champion")).errors
    assert "default role cannot be deleted" in deleted.message


def test_at_most_twenty_roles_defaults_included() -> None:
    records = [role(f"r{n}", f"Role {n}") for n in range(MAX_ROLES - len(DEFAULT_ROLE_NAMES))]
    catalogue = catalogue_of(records)
    assert len(catalogue.roles) == MAX_ROLES
    (error,) = refusal(catalogue, role("one-more", "One more")).errors
    assert "at most 20 roles" in error.message


def test_role_names_are_unique_ignoring_case() -> None:
    (error,) = refusal(EMPTY_CATALOGUE, role("dm2", "decision maker")).errors
    assert error.field == "name"


def test_a_role_used_by_a_template_cannot_be_deleted() -> None:
    catalogue = catalogue_of([role("legal", "Legal"), template_record("t-1", card("legal"))])
    (error,) = refusal(catalogue, tombstone(ConfigKind.ROLE, "legal")).errors
    assert "t-1" in error.message


def test_an_invalid_template_names_each_card_and_field() -> None:
    record = template_record(
        "t-1",
        card(DM, DM_RULE),
        card("Chief", leaf("job_title", "is", "x")),
        card(INFLUENCER, auto_assign=True),
        card(DM, weighting="huge", members_required=0),
        card("Champion", leaf("job_title", "gt", "VP")),
    )
    errors = refusal(EMPTY_CATALOGUE, record).errors
    found = {(error.card, error.field, error.value) for error in errors}
    assert found == {
        (2, "cards[2].role", "Chief"),
        (3, "cards[3].conditions", "None"),
        (4, "cards[4].role", DM),
        (4, "cards[4].weighting", "huge"),
        (4, "cards[4].members_required", "0"),
        (5, "cards[5].conditions.operator", "gt"),
    }
    champion = next(error for error in errors if error.card == 5)
    assert champion.message.startswith("roles_template 't-1': role card 5 (Champion): ")


def test_more_than_twenty_cards_are_refused() -> None:
    roles = [role(f"r{n}", f"Role {n}") for n in range(14)]
    catalogue = catalogue_of(roles)
    cards = [card(name) for name in catalogue.roles]
    cards.append(card("Other"))
    errors = refusal(catalogue, template_record("t-1", *cards)).errors
    assert any(error.field == "cards" and "at most 20" in error.message for error in errors)


def test_publishing_needs_a_role_but_a_draft_may_be_empty() -> None:
    (error,) = refusal(EMPTY_CATALOGUE, template_record("t-1")).errors
    assert error.problem == "publishing needs at least one role"
    catalogue = catalogue_of([template_record("t-1", status="draft")])
    assert not catalogue.templates["t-1"].live


def test_a_live_template_is_immutable_and_a_draft_can_change_and_be_deleted() -> None:
    catalogue = catalogue_of([template_record("t-1", card(DM), status="draft")])
    catalogue = catalogue_of([template_record("t-1", card(DM), card(INFLUENCER))], catalogue)
    assert catalogue.templates["t-1"].live
    changed = template_record("t-1", card(DM))
    (error,) = refusal(catalogue, changed).errors
    assert error.problem == "a live roles template cannot change"
    assert catalogue_of([template_record("t-1", card(DM), card(INFLUENCER))], catalogue)
    refusal(catalogue, template_record("t-1", card(DM), card(INFLUENCER), status="draft"))
    draft = catalogue_of([template_record("t-2", card(DM), status="draft")])
    assert "t-2" not in catalogue_of([tombstone(ConfigKind.ROLES_TEMPLATE, "t-2")], draft).templates


def test_a_template_keeps_card_order_weightings_and_requirements() -> None:
    catalogue = catalogue_of(
        [
            template_record(
                "t-1",
                card(DM, DM_RULE, weighting="vital", members_required=3),
                card(INFLUENCER, weighting="trivial", required=False),
            )
        ]
    )
    template = catalogue.templates["t-1"]
    assert [item.role for item in template.cards] == [DM, INFLUENCER]
    assert dict(template.role_weighting) == {DM: 100, INFLUENCER: 20}
    assert template.cards[0].members_required == 3
    assert not template.cards[1].required_for_completeness


def base() -> Catalogue:
    return catalogue_of(
        [
            template_record("t-1", card(DM, DM_RULE)),
            template_record("t-draft", card(DM), status="draft"),
            stage_model_record("sm-1", SALES_STAGES, SALES_TRANSITIONS),
            stage_model_record("sm-draft", SALES_STAGES, SALES_TRANSITIONS, status="draft"),
        ]
    )


def test_a_solution_interest_needs_a_live_template_and_a_live_stage_model() -> None:
    catalogue = base()
    (error,) = refusal(catalogue, interest_record("si", "t-draft")).errors
    assert (error.field, error.value) == ("roles_template_id", "t-draft")
    (error,) = refusal(catalogue, interest_record("si", "t-none")).errors
    assert "no such template" in error.message
    (error,) = refusal(catalogue, interest_record("si", "t-1", stage_model_id="sm-draft")).errors
    assert error.field == "stage_model_id"
    catalogue = catalogue_of([interest_record("si", "t-1", stage_model_id="sm-1")], catalogue)
    assert catalogue.template_for("si") == catalogue.templates["t-1"]


def test_the_template_of_a_solution_interest_is_fixed_but_its_stage_model_may_change() -> None:
    catalogue = catalogue_of(
        [template_record("t-2", card(INFLUENCER)), interest_record("si", "t-1")], base()
    )
    (error,) = refusal(catalogue, interest_record("si", "t-2")).errors
    assert "can never change" in error.message
    catalogue = catalogue_of([interest_record("si", "t-1", stage_model_id="sm-1")], catalogue)
    assert catalogue.solution_interests["si"].stage_model_id == "sm-1"


def test_what_is_in_use_cannot_be_deleted() -> None:
    catalogue = catalogue_of(
        [
            interest_record("si", "t-1", stage_model_id="sm-1"),
            audience_record("aud"),
            job_record("job", "si", "aud"),
        ],
        base(),
    )
    for kind, key in [
        (ConfigKind.ROLES_TEMPLATE, "t-1"),
        (ConfigKind.STAGE_MODEL, "sm-1"),
        (ConfigKind.SOLUTION_INTEREST, "si"),
        (ConfigKind.AUDIENCE, "aud"),
    ]:
        (error,) = refusal(catalogue, tombstone(kind, key)).errors
        assert "cannot be deleted while" in error.message
    catalogue = catalogue_of([tombstone(ConfigKind.CREATION_JOB, "job")], catalogue)
    in_use = apply_config_change(
        catalogue,
        tombstone(ConfigKind.SOLUTION_INTEREST, "si"),
        interests_with_groups=frozenset({"si"}),
    )
    assert not isinstance(in_use, Catalogue)
    catalogue = catalogue_of([tombstone(ConfigKind.SOLUTION_INTEREST, "si")], catalogue)
    catalogue = catalogue_of([tombstone(ConfigKind.STAGE_MODEL, "sm-1")], catalogue)
    assert "sm-1" not in catalogue.stage_models


def test_deleting_what_does_not_exist_changes_nothing() -> None:
    catalogue = base()
    for kind in ConfigKind:
        assert catalogue_of([tombstone(kind, "nothing")], catalogue) == catalogue


def test_a_body_of_the_wrong_kind_is_refused() -> None:
    record = config(ConfigKind.ROLE, "r", RolesTemplateDefinition(name="x", status="draft"))
    (error,) = refusal(EMPTY_CATALOGUE, record).errors
    assert (error.field, error.value) == ("body", "RolesTemplateDefinition")


def test_a_refused_record_leaves_the_catalogue_as_it_was() -> None:
    catalogue = base()
    result = apply_config_change(catalogue, template_record("t-1", card("Nope")))
    assert not isinstance(result, Catalogue)
    assert catalogue.templates["t-1"].cards[0].role == DM
