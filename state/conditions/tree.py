"""The condition language: ``all`` / ``any`` trees over leaf predicates, and their evaluation.

Text is compared case-insensitively after trimming whitespace. A leaf with several values is true
when any value matches; for the negative operators (``is_not``, ``not_starts_with``,
``not_contains``, ``ne``) when none matches. A missing attribute (absent, or text that is blank
after trimming, or a custom value that does not read as the operator's type) is empty: it matches
``is_empty`` and the negative operators, nothing else (``is_false`` included).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias, assert_never

from state.conditions.attributes import AttributeValue, Lookup


class Operator(StrEnum):
    IS = "is"
    IS_NOT = "is_not"
    STARTS_WITH = "starts_with"
    NOT_STARTS_WITH = "not_starts_with"
    ENDS_WITH = "ends_with"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


TEXT_OPERATORS = frozenset(
    {
        Operator.IS,
        Operator.IS_NOT,
        Operator.STARTS_WITH,
        Operator.NOT_STARTS_WITH,
        Operator.ENDS_WITH,
        Operator.CONTAINS,
        Operator.NOT_CONTAINS,
    }
)
NUMBER_OPERATORS = frozenset(
    {Operator.EQ, Operator.NE, Operator.GT, Operator.GTE, Operator.LT, Operator.LTE}
) | {Operator.BETWEEN}
BOOLEAN_OPERATORS = frozenset({Operator.IS_TRUE, Operator.IS_FALSE})
EMPTINESS_OPERATORS = frozenset({Operator.IS_EMPTY, Operator.IS_NOT_EMPTY})
NEGATIVE_OPERATORS = frozenset(
    {Operator.IS_NOT, Operator.NOT_STARTS_WITH, Operator.NOT_CONTAINS, Operator.NE}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Predicate:
    """A leaf: ``attribute operator values``; ``texts`` / ``numbers`` are the values prepared."""

    attribute: str
    operator: Operator
    texts: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AllOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyOf:
    children: tuple[Condition, ...]


Condition: TypeAlias = Predicate | AllOf | AnyOf


def normalised_text(text: str) -> str:
    """How text is compared: trimmed and case-folded."""
    return text.strip().casefold()


def read_number(text: str) -> float | None:
    """A finite number written as text, or None."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_TRUE_WORDS = frozenset({"true", "yes", "1"})
_FALSE_WORDS = frozenset({"false", "no", "0"})


def read_boolean(text: str) -> bool | None:
    """``true``/``yes``/``1`` or ``false``/``no``/``0`` in any case, or None."""
    word = normalised_text(text)
    if word in _TRUE_WORDS:
        return True
    return False if word in _FALSE_WORDS else None


def matches(condition: Condition, lookup: Lookup) -> bool:
    """Whether the attributes read by ``lookup`` satisfy ``condition``."""
    match condition:
        case AllOf(children=children):
            return all(matches(child, lookup) for child in children)
        case AnyOf(children=children):
            return any(matches(child, lookup) for child in children)
        case Predicate():
            return predicate_holds(condition, lookup(condition.attribute))
        case _:
            assert_never(condition)


def predicate_holds(predicate: Predicate, value: AttributeValue) -> bool:
    """Whether one leaf holds for the attribute value ``value``."""
    operator = predicate.operator
    if operator in EMPTINESS_OPERATORS:
        return _is_empty(value) == (operator is Operator.IS_EMPTY)
    if operator in BOOLEAN_OPERATORS:
        flag = _as_boolean(value)
        return flag is not None and flag == (operator is Operator.IS_TRUE)
    if operator in NUMBER_OPERATORS:
        number = _as_number(value)
        if number is None:
            return operator in NEGATIVE_OPERATORS
        return _number_holds(operator, number, predicate.numbers)
    text = _as_text(value)
    if text is None:
        return operator in NEGATIVE_OPERATORS
    return _text_holds(operator, text, predicate.texts)


def _is_empty(value: AttributeValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: AttributeValue) -> str | None:
    if value is None or isinstance(value, bool | float):
        return None if value is None else normalised_text(str(value))
    text = normalised_text(value)
    return text or None


def _as_number(value: AttributeValue) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float | int):
        return float(value)
    return read_number(value)


def _as_boolean(value: AttributeValue) -> bool | None:
    if isinstance(value, bool):
        return value
    return read_boolean(value) if isinstance(value, str) else None


_TEXT_TESTS: dict[Operator, Callable[[str, str], bool]] = {
    Operator.IS: str.__eq__,
    Operator.IS_NOT: str.__eq__,
    Operator.STARTS_WITH: str.startswith,
    Operator.NOT_STARTS_WITH: str.startswith,
    Operator.ENDS_WITH: str.endswith,
    Operator.CONTAINS: str.__contains__,
    Operator.NOT_CONTAINS: str.__contains__,
}


def _text_holds(operator: Operator, text: str, values: tuple[str, ...]) -> bool:
    test = _TEXT_TESTS[operator]
    found = any(test(text, value) for value in values)
    return not found if operator in NEGATIVE_OPERATORS else found


_NUMBER_TESTS: dict[Operator, Callable[[float, float], bool]] = {
    Operator.EQ: float.__eq__,
    Operator.NE: float.__eq__,
    Operator.GT: float.__gt__,
    Operator.GTE: float.__ge__,
    Operator.LT: float.__lt__,
    Operator.LTE: float.__le__,
}


def _number_holds(operator: Operator, number: float, values: tuple[float, ...]) -> bool:
    if operator is Operator.BETWEEN:
        low, high = values
        return low <= number <= high
    test = _NUMBER_TESTS[operator]
    found = any(test(number, value) for value in values)
    return not found if operator in NEGATIVE_OPERATORS else found
