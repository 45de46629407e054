"""Builders for config records and catalogues in the buying-group unit tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from events.records import (
    AudienceDefinition,
    Condition,
    ConfigBody,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleCard,
    RolesTemplateDefinition,
    SolutionInterestDefinition,
    StageDefinition,
    StageModelDefinition,
    StageTransition,
    WeightingModelDefinition,
)
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import ConfigInput, apply_config_change
from state.catalogue.errors import Invalid

T0 = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
ACCOUNT = "acc-1"
INTEREST = "si-1"

_counter = iter(range(1, 10**9))


def next_id(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def leaf(attribute: str, operator: str, *values: str) -> Condition:
    return Condition(node="leaf", attribute=attribute, operator=operator, values=values)


def all_of(*children: Condition) -> Condition:
    return Condition(node="all", children=children)


def any_of(*children: Condition) -> Condition:
    return Condition(node="any", children=children)


def card(
    role: str,
    condition: Condition | None = None,
    *,
    weighting: str = "normal",
    auto_assign: bool | None = None,
    required: bool = True,
    members_required: int = 1,
) -> RoleCard:
    return RoleCard(
        role=role,
        weighting=weighting,
        auto_assign=condition is not None if auto_assign is None else auto_assign,
        conditions=condition,
        required_for_completeness=required,
        members_required=members_required,
    )


def config(kind: ConfigKind, key: str, body: ConfigBody, at: datetime = T0) -> ConfigRecord:
    return ConfigRecord(event_id=next_id("cfg"), occurred_at=at, kind=kind, id=key, body=body)


def template_record(key: str, *cards: RoleCard, status: str = "live") -> ConfigRecord:
    body = RolesTemplateDefinition(name=f"Template {key}", status=status, cards=cards)
    return config(ConfigKind.ROLES_TEMPLATE, key, body)


def interest_record(
    key: str,
    template_id: str,
    *,
    name: str = "Security",
    stage_model_id: str | None = None,
    update_existing_groups: bool = False,
) -> ConfigRecord:
    body = SolutionInterestDefinition(
        name=name,
        roles_template_id=template_id,
        stage_model_id=stage_model_id,
        update_existing_groups=update_existing_groups,
    )
    return config(ConfigKind.SOLUTION_INTEREST, key, body)


def audience_record(key: str, rule: Condition | None = None) -> ConfigRecord:
    managed = "external" if rule is None else "rule"
    body = AudienceDefinition(name=f"Audience {key}", managed=managed, rule=rule)
    return config(ConfigKind.AUDIENCE, key, body)


def job_record(key: str, interest_id: str, audience_id: str) -> ConfigRecord:
    body = CreationJobDefinition(solution_interest_id=interest_id, audience_id=audience_id)
    return config(ConfigKind.CREATION_JOB, key, body)


def weighting_record(
    key: str, weights: dict[str, int], *, window_days: int = 30, daily_cap: int = 20
) -> ConfigRecord:
    body = WeightingModelDefinition(
        name=f"Model {key}", weights=weights, window_days=window_days, daily_cap=daily_cap
    )
    return config(ConfigKind.WEIGHTING_MODEL, key, body)


def stage_model_record(
    key: str,
    stages: Sequence[tuple[str, str]],
    transitions: Sequence[tuple[str, str]],
    *,
    status: str = "live",
) -> ConfigRecord:
    body = StageModelDefinition(
        name=f"Stages {key}",
        status=status,
        stages=tuple(StageDefinition(name=name, kind=kind) for name, kind in stages),
        transitions=tuple(StageTransition(from_stage=a, to_stage=b) for a, b in transitions),
    )
    return config(ConfigKind.STAGE_MODEL, key, body)


SALES_STAGES = (
    ("Prospect", "entry"),
    ("Evaluation", "intermediate"),
    ("Won", "success"),
    ("No response", "failure"),
    ("Resurgence", "intermediate"),
)
SALES_TRANSITIONS = (
    ("Prospect", "Evaluation"),
    ("Prospect", "No response"),
    ("Evaluation", "Won"),
    ("Evaluation", "No response"),
    ("No response", "Resurgence"),
    ("Resurgence", "Evaluation"),
)


def catalogue_of(records: Iterable[ConfigInput], start: Catalogue = EMPTY_CATALOGUE) -> Catalogue:
    """The catalogue after ``records``; fails the test if one is refused."""
    catalogue = start
    for record in records:
        changed = apply_config_change(catalogue, record)
        assert not isinstance(changed, Invalid), changed.message
        catalogue = changed
    return catalogue


def refusal(catalogue: Catalogue, record: ConfigInput) -> Invalid:
    changed = apply_config_change(catalogue, record)
    assert isinstance(changed, Invalid), "expected the record to be refused"
    return changed


DM = "Decision Maker"
INFLUENCER = "Influencer"
PRACTITIONER = "Practitioner"

DM_RULE = all_of(
    leaf("job_title", "starts_with", "Director", "Sr Director", "VP"), leaf("country", "is", "US")
)
INFLUENCER_RULE = leaf("job_title", "contains", "manager")
PRACTITIONER_RULE = leaf("job_title", "contains", "engineer")


def standard_catalogue(
    *cards: RoleCard, stage_model: bool = True, extra: Iterable[ConfigInput] = ()
) -> Catalogue:
    """Template t-1 (DM, Influencer, Practitioner unless cards are given), solution interest
    si-1, external audience aud-1, job job-1, and the sales stage model."""
    chosen = cards or (
        card(DM, DM_RULE, weighting="vital"),
        card(INFLUENCER, INFLUENCER_RULE, weighting="important"),
        card(PRACTITIONER, PRACTITIONER_RULE, weighting="normal"),
    )
    records: list[ConfigInput] = [template_record("t-1", *chosen)]
    if stage_model:
        records.append(stage_model_record("sm-1", SALES_STAGES, SALES_TRANSITIONS))
    records += [
        interest_record(INTEREST, "t-1", stage_model_id="sm-1" if stage_model else None),
        audience_record("aud-1"),
        job_record("job-1", INTEREST, "aud-1"),
        *extra,
    ]
    return catalogue_of(records)
