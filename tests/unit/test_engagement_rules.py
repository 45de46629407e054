"""The weighting model: defaults and validation."""

from __future__ import annotations

import pytest

from events.errors import BadInput
from state.scoring.engagement import DEFAULT_RULES, DEFAULT_WEIGHTS, EngagementRules


def test_default_model_matches_the_spec() -> None:
    assert dict(DEFAULT_WEIGHTS) == {
        "event_attended": 60,
        "email_clicked": 30,
        "email_opened": 30,
        "form_filled": 40,
        "interesting_moment": 60,
        "link_clicked": 40,
        "page_viewed": 40,
        "event_registered": 60,
    }
    assert DEFAULT_RULES.window_days == 30
    assert DEFAULT_RULES.daily_cap == 20


def test_unknown_and_custom_types_weigh_nothing() -> None:
    assert DEFAULT_RULES.weight("page_viewed") == 40
    assert DEFAULT_RULES.weight("webinar_watched") == 0


def test_weights_are_copied_and_frozen() -> None:
    weights = {"webinar_watched": 50}
    rules = EngagementRules(weights=weights)
    weights["webinar_watched"] = 90
    assert rules.weight("webinar_watched") == 50
    with pytest.raises(TypeError):
        rules.weights["webinar_watched"] = 10  # type: ignore[index]


def test_rules_compare_by_value() -> None:
    assert EngagementRules(weights={"a": 1, "b": 2}) == EngagementRules(weights={"b": 2, "a": 1})
    assert EngagementRules(daily_cap=5) != DEFAULT_RULES


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"window_days": 0}, "window_days must be an integer 1..365, got 0"),
        ({"window_days": 366}, "window_days must be an integer 1..365, got 366"),
        ({"daily_cap": 0}, "daily_cap must be an integer 1..100, got 0"),
        ({"daily_cap": True}, "daily_cap must be an integer 1..100, got True"),
        ({"weights": {"page_viewed": 101}}, "weight of 'page_viewed' must be an integer 0..100"),
        ({"weights": {"page_viewed": -1}}, "weight of 'page_viewed' must be an integer 0..100"),
        ({"weights": {"page_viewed": 2.5}}, "got 2.5"),
        ({"weights": {" ": 10}}, "activity type must be a name, got ' '"),
    ],
)
def test_invalid_models_are_refused_naming_field_and_value(
    arguments: dict[str, object], expected: str
) -> None:
    with pytest.raises(BadInput, match="weighting model") as error:
        EngagementRules(**arguments)  # type: ignore[arg-type]
    assert expected in str(error.value)
