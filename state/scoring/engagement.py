"""Engagement rules: which activity types count how much, over how many days, up to which cap.

One weighting model is active at a time; ``EngagementRules`` is its validated, immutable form.
A weight is a percentage: one activity of weight 60 adds 0.6 raw points, one of weight 100 adds 1.
Activity types the model does not name weigh 0 and do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from events.errors import BadInput

MAX_WEIGHT = 100
MAX_WINDOW_DAYS = 365
MAX_DAILY_CAP = 100

DEFAULT_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {
        "email_clicked": 30,
        "email_opened": 30,
        "event_attended": 60,
        "event_registered": 60,
        "form_filled": 40,
        "interesting_moment": 60,
        "link_clicked": 40,
        "page_viewed": 40,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementRules:
    """A validated weighting model.

    - ``weights``: activity type -> weight 0..100 (a percentage of one raw point per activity);
    - ``window_days``: the look-back window in UTC calendar days, 1..365, ending with today;
    - ``daily_cap``: at most this many activities count per person, type and UTC day, 1..100.

    Construction validates and freezes ``weights``; a bad value raises ``BadInput`` naming the
    field and the value. Instances compare by value; they are not hashable (``weights`` is a
    mapping).
    """

    weights: Mapping[str, int] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    window_days: int = 30
    daily_cap: int = 20

    def __post_init__(self) -> None:
        _check_range("window_days", self.window_days, 1, MAX_WINDOW_DAYS)
        _check_range("daily_cap", self.daily_cap, 1, MAX_DAILY_CAP)
        for activity_type, weight in self.weights.items():
            if not isinstance(activity_type, str) or not activity_type.strip():
                raise BadInput(
                    f"weighting model: activity type must be a name, got {activity_type!r}"
                )
            _check_range(f"weight of {activity_type!r}", weight, 0, MAX_WEIGHT)
        frozen = MappingProxyType(dict(sorted(self.weights.items())))
        object.__setattr__(self, "weights", frozen)

    def weight(self, activity_type: str) -> int:
        """The weight of ``activity_type``; 0 for a type the model does not name."""
        return self.weights.get(activity_type, 0)


def _check_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadInput(f"weighting model: {name} must be an integer {low}..{high}, got {value!r}")


DEFAULT_RULES = EngagementRules()
