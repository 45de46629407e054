"""The attributes that conditions read: person fields, account fields and custom attributes.

Every field of the contract's ``PersonEvent`` (and ``AccountEvent`` for audience rules) is an
attribute under its own name; ``person_engagement_score`` is the person's normalised engagement
score (0..100, never missing: a person without activity scores 0). Any other name is a custom
attribute, looked up in the record's ``attributes`` map, with or without the ``attributes.``
prefix. Custom attributes are text on the wire; number and boolean operators parse them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType

from events.records import AccountEvent, PersonEvent

CUSTOM_PREFIX = "attributes."
PERSON_ENGAGEMENT_SCORE = "person_engagement_score"


class AttributeKind(StrEnum):
    """What an attribute holds; ``custom`` attributes are text that may be read as a number."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CUSTOM = "custom"


AttributeValue = str | float | bool | None
Lookup = Callable[[str], AttributeValue]

_PERSON_TEXT = (
    "person_id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "job_title",
    "city",
    "state",
    "country",
    "postal_code",
    "phone",
    "mobile_phone",
)
PERSON_ATTRIBUTES: Mapping[str, AttributeKind] = MappingProxyType(
    {
        **dict.fromkeys(_PERSON_TEXT, AttributeKind.TEXT),
        "email_invalid": AttributeKind.BOOLEAN,
        "email_suspended": AttributeKind.BOOLEAN,
        PERSON_ENGAGEMENT_SCORE: AttributeKind.NUMBER,
    }
)
_ACCOUNT_TEXT = ("account_id", "name", "industry", "region", "country", "parent_account_id")
ACCOUNT_ATTRIBUTES: Mapping[str, AttributeKind] = MappingProxyType(
    {
        **dict.fromkeys(_ACCOUNT_TEXT, AttributeKind.TEXT),
        "annual_revenue": AttributeKind.NUMBER,
        "employee_count": AttributeKind.NUMBER,
    }
)


def attribute_kind(name: str, known: Mapping[str, AttributeKind]) -> AttributeKind:
    """The kind of ``name`` among ``known`` fields; anything else is a custom attribute."""
    return known.get(name, AttributeKind.CUSTOM)


def custom_name(name: str) -> str:
    """The key of a custom attribute in the ``attributes`` map."""
    return name.removeprefix(CUSTOM_PREFIX)


def person_lookup(profile: PersonEvent, engagement_score: float) -> Lookup:
    """Reads the attributes of a person from their latest profile and engagement score."""

    def value(name: str) -> AttributeValue:
        if name == PERSON_ENGAGEMENT_SCORE:
            return engagement_score
        if name in PERSON_ATTRIBUTES:
            field_value: AttributeValue = getattr(profile, name)
            return field_value
        return profile.attributes.get(custom_name(name))

    return value


def account_lookup(profile: AccountEvent) -> Lookup:
    """Reads the attributes of an account from its latest profile."""

    def value(name: str) -> AttributeValue:
        if name in ACCOUNT_ATTRIBUTES:
            field_value: AttributeValue = getattr(profile, name)
            if isinstance(field_value, int) and not isinstance(field_value, bool):
                return float(field_value)
            return field_value
        return profile.attributes.get(custom_name(name))

    return value
