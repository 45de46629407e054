"""The condition language: every operator, nesting, text matching, missing attributes."""

from __future__ import annotations

import pytest

from events.records import Condition as ConditionRecord
from events.records import ConfigKind, PersonEvent
from state.catalogue.errors import ConfigError, ErrorContext
from state.conditions.attributes import ACCOUNT_ATTRIBUTES, PERSON_ATTRIBUTES, person_lookup
from state.conditions.reading import MAX_DEPTH, read_condition
from state.conditions.tree import Condition, matches
from tests.unit.catalogue_builders import (
    DM_RULE,
    T0,
    all_of,
    any_of,
    leaf,
)

CONTEXT = ErrorContext(
    kind=ConfigKind.ROLES_TEMPLATE, config_id="t-1", card=2, card_role="Champion"
)


def read(record: ConditionRecord) -> Condition:
    condition = read_condition(record, known=PERSON_ATTRIBUTES, context=CONTEXT, path="conditions")
    assert not isinstance(condition, tuple), [error.message for error in condition]
    return condition


def errors_of(record: ConditionRecord) -> tuple[ConfigError, ...]:
    condition = read_condition(record, known=PERSON_ATTRIBUTES, context=CONTEXT, path="conditions")
    assert isinstance(condition, tuple), "expected the condition to be refused"
    return condition


def holds(
    record: ConditionRecord,
    *,
    score: float = 0.0,
    job_title: str | None = None,
    country: str | None = None,
    city: str | None = None,
    email_invalid: bool | None = None,
    email_suspended: bool | None = None,
    attributes: dict[str, str] | None = None,
) -> bool:
    profile = PersonEvent(
        event_id="e",
        occurred_at=T0,
        person_id="p-1",
        account_id="acc-1",
        job_title=job_title,
        country=country,
        city=city,
        email_invalid=email_invalid,
        email_suspended=email_suspended,
        attributes=attributes or {},
    )
    return matches(read(record), person_lookup(profile, score))


@pytest.mark.parametrize(
    ("operator", "values", "title", "expected"),
    [
        ("is", ("vp sales",), "  VP Sales ", True),
        ("is", ("VP",), "VP Sales", False),
        ("is", ("CTO", "vp sales"), "VP Sales", True),
        ("is_not", ("CTO", "CFO"), "VP Sales", True),
        ("is_not", ("CTO", "vp sales"), "VP Sales", False),
        ("starts_with", ("director", "vp"), "VP Sales", True),
        ("starts_with", ("sales",), "VP Sales", False),
        ("not_starts_with", ("director", "cto"), "VP Sales", True),
        ("not_starts_with", ("vp",), "VP Sales", False),
        ("ends_with", ("SALES",), "VP Sales", True),
        ("ends_with", ("vp",), "VP Sales", False),
        ("contains", ("p sa",), "VP Sales", True),
        ("contains", ("marketing",), "VP Sales", False),
        ("not_contains", ("marketing", "legal"), "VP Sales", True),
        ("not_contains", ("legal", "sales"), "VP Sales", False),
        ("is_empty", (), "VP Sales", False),
        ("is_empty", (), "   ", True),
        ("is_not_empty", (), "VP Sales", True),
        ("is_not_empty", (), "  ", False),
    ],
)
def test_text_operators_are_case_insensitive_and_trimmed(
    operator: str, values: tuple[str, ...], title: str, expected: bool
) -> None:
    assert holds(leaf("job_title", operator, *values), job_title=title) is expected


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("is", ("x",), False),
        ("is_not", ("x",), True),
        ("starts_with", ("x",), False),
        ("not_starts_with", ("x",), True),
        ("ends_with", ("x",), False),
        ("contains", ("x",), False),
        ("not_contains", ("x",), True),
        ("is_empty", (), True),
        ("is_not_empty", (), False),
        ("eq", ("1",), False),
        ("ne", ("1",), True),
        ("gt", ("1",), False),
        ("gte", ("1",), False),
        ("lt", ("1",), False),
        ("lte", ("1",), False),
        ("between", ("1", "2"), False),
        ("is_true", (), False),
        ("is_false", (), False),
    ],
)
def test_a_missing_attribute_matches_only_is_empty_and_the_negative_operators(
    operator: str, values: tuple[str, ...], expected: bool
) -> None:
    assert holds(leaf("seniority", operator, *values)) is expected


@pytest.mark.parametrize(
    ("operator", "values", "score", "expected"),
    [
        ("eq", ("40",), 40.0, True),
        ("eq", ("10", "40"), 40.0, True),
        ("ne", ("10", "40"), 40.0, False),
        ("ne", ("10",), 40.0, True),
        ("gt", ("40",), 40.0, False),
        ("gt", ("39.5",), 40.0, True),
        ("gte", ("40",), 40.0, True),
        ("lt", ("40",), 40.0, False),
        ("lte", ("40",), 40.0, True),
        ("between", ("40", "50"), 40.0, True),
        ("between", ("40", "50"), 50.0, True),
        ("between", ("40", "50"), 50.5, False),
        ("is_empty", (), 0.0, False),
    ],
)
def test_number_operators_on_the_person_engagement_score(
    operator: str, values: tuple[str, ...], score: float, expected: bool
) -> None:
    condition = leaf("person_engagement_score", operator, *values)
    assert holds(condition, score=score) is expected


def test_boolean_operators() -> None:
    assert holds(leaf("email_invalid", "is_true"), email_invalid=True)
    assert not holds(leaf("email_invalid", "is_false"), email_invalid=True)
    assert holds(leaf("email_suspended", "is_false"), email_suspended=False)
    assert not holds(leaf("email_suspended", "is_true"))
    assert holds(leaf("email_suspended", "is_empty"))


def test_custom_attributes_by_name_with_or_without_prefix() -> None:
    custom = {"seniority": " Senior ", "headcount": "250", "champion": "yes"}
    assert holds(leaf("seniority", "is", "senior"), attributes=custom)
    assert holds(leaf("attributes.seniority", "starts_with", "sen"), attributes=custom)
    assert holds(leaf("headcount", "between", "100", "500"), attributes=custom)
    assert holds(leaf("headcount", "gt", "249.9"), attributes=custom)
    assert holds(leaf("champion", "is_true"), attributes=custom)
    assert not holds(leaf("seniority", "gt", "1"), attributes=custom)  # not a number: empty
    assert holds(leaf("seniority", "ne", "1"), attributes=custom)


def test_all_and_any_nest() -> None:
    rule = all_of(
        any_of(leaf("job_title", "contains", "security"), leaf("job_title", "is", "CISO")),
        leaf("country", "is_not", "FR"),
        any_of(all_of(leaf("city", "is_empty")), leaf("city", "is", "Boston")),
    )
    assert holds(rule, job_title="CISO", country="US")
    assert holds(rule, job_title="Head of Security", city="boston")
    assert not holds(rule, job_title="CISO", country="fr")
    assert not holds(rule, job_title="CISO", city="Paris")


def test_the_spec_decision_maker_example() -> None:
    assert holds(DM_RULE, job_title="Sr Director of IT", country="US")
    assert holds(DM_RULE, job_title="vp engineering", country=" us ")
    assert not holds(DM_RULE, job_title="VP Engineering", country="DE")
    assert not holds(DM_RULE, job_title="Engineering Director", country="US")
    assert not holds(DM_RULE, country="US")


def test_a_number_operator_on_a_text_attribute_is_refused_naming_card_field_and_value() -> None:
    (error,) = errors_of(leaf("job_title", "gt", "VP"))
    assert error.card == 2
    assert error.card_role == "Champion"
    assert error.field == "conditions.operator"
    assert error.value == "gt"
    assert error.message == (
        "roles_template 't-1': role card 2 (Champion): conditions.operator: operator 'gt' "
        "cannot be used on a text attribute (job_title), got 'gt'"
    )


def test_a_value_that_is_not_a_number_is_refused() -> None:
    (error,) = errors_of(leaf("person_engagement_score", "gt", "VP"))
    assert error.field == "conditions.values[0]"
    assert error.value == "VP"
    assert "needs a number" in error.message


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (leaf("job_title", "like", "x"), "conditions.operator"),
        (leaf("person_engagement_score", "contains", "1"), "conditions.operator"),
        (leaf("email_invalid", "is", "true"), "conditions.operator"),
        (leaf("job_title", "is_true"), "conditions.operator"),
        (leaf("person_engagement_score", "between", "5"), "conditions.values"),
        (leaf("person_engagement_score", "between", "9", "5"), "conditions.values"),
        (leaf("job_title", "is_empty", "x"), "conditions.values"),
        (leaf("job_title", "is"), "conditions.values"),
        (leaf("job_title", "is", " "), "conditions.values[0]"),
        (leaf("", "is", "x"), "conditions.attribute"),
        (ConditionRecord(node="all"), "conditions.children"),
        (ConditionRecord(node="none", children=(leaf("city", "is_empty"),)), "conditions.node"),
        (all_of(leaf("city", "is_empty"), leaf("city", "bad")), "conditions.children[1].operator"),
    ],
)
def test_invalid_conditions_name_the_field(record: ConditionRecord, field: str) -> None:
    assert [error.field for error in errors_of(record)] == [field]


def test_nesting_is_bounded() -> None:
    record = leaf("city", "is_empty")
    for _ in range(MAX_DEPTH):
        record = all_of(record)
    (error,) = errors_of(record)
    assert "nesting deeper" in error.message


def test_account_rules_know_account_fields() -> None:
    rule = all_of(leaf("annual_revenue", "gte", "1000000"), leaf("industry", "is", "Retail"))
    read_rule = read_condition(rule, known=ACCOUNT_ATTRIBUTES, context=CONTEXT, path="rule")
    assert not isinstance(read_rule, tuple)
    refused = read_condition(
        leaf("industry", "gt", "1"), known=ACCOUNT_ATTRIBUTES, context=CONTEXT, path="rule"
    )
    assert isinstance(refused, tuple)
