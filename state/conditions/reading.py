"""Reading a condition tree from its config record, refusing what cannot be evaluated.

Refused: an unknown node or operator, an empty ``all``/``any``, a leaf without attribute, a text
operator on a number or boolean field, a number operator on a text or boolean field, a boolean
operator on a text or number field, a value that is not a number for a number operator, a blank
value for a text operator, ``between`` without exactly two ordered numbers, values given to an
operator that takes none, and trees nested deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

from collections.abc import Mapping

from events.records import Condition as ConditionRecord
from state.catalogue.errors import ConfigError, ErrorContext
from state.conditions.attributes import AttributeKind, attribute_kind
from state.conditions.tree import (
    BOOLEAN_OPERATORS,
    EMPTINESS_OPERATORS,
    NUMBER_OPERATORS,
    TEXT_OPERATORS,
    AllOf,
    AnyOf,
    Condition,
    Operator,
    Predicate,
    normalised_text,
    read_number,
)

MAX_DEPTH = 8
_OPERATORS_BY_KIND: Mapping[AttributeKind, frozenset[Operator]] = {
    AttributeKind.TEXT: TEXT_OPERATORS | EMPTINESS_OPERATORS,
    AttributeKind.NUMBER: NUMBER_OPERATORS | EMPTINESS_OPERATORS,
    AttributeKind.BOOLEAN: BOOLEAN_OPERATORS | EMPTINESS_OPERATORS,
    AttributeKind.CUSTOM: frozenset(Operator),
}
_NEEDS = {
    AttributeKind.TEXT: "a text attribute",
    AttributeKind.NUMBER: "a number attribute",
    AttributeKind.BOOLEAN: "a boolean attribute",
}


def read_condition(
    record: ConditionRecord,
    *,
    known: Mapping[str, AttributeKind],
    context: ErrorContext,
    path: str,
) -> Condition | tuple[ConfigError, ...]:
    """The condition of ``record``, or every error found in it (``path`` names its field)."""
    return _read(record, known, context, path, depth=1)


def _read(
    record: ConditionRecord,
    known: Mapping[str, AttributeKind],
    context: ErrorContext,
    path: str,
    depth: int,
) -> Condition | tuple[ConfigError, ...]:
    if depth > MAX_DEPTH:
        return (context.error(path, f"depth {depth}", f"nesting deeper than {MAX_DEPTH} levels"),)
    if record.node == "leaf":
        return _read_leaf(record, known, context, path)
    if record.node not in ("all", "any"):
        return (context.error(f"{path}.node", record.node, "node must be all, any or leaf"),)
    if not record.children:
        return (context.error(f"{path}.children", "[]", f"an '{record.node}' node needs children"),)
    children: list[Condition] = []
    errors: list[ConfigError] = []
    for index, child in enumerate(record.children):
        read = _read(child, known, context, f"{path}.children[{index}]", depth + 1)
        if isinstance(read, tuple):
            errors.extend(read)
        else:
            children.append(read)
    if errors:
        return tuple(errors)
    return (
        AllOf(children=tuple(children)) if record.node == "all" else AnyOf(children=tuple(children))
    )


def _read_leaf(
    record: ConditionRecord,
    known: Mapping[str, AttributeKind],
    context: ErrorContext,
    path: str,
) -> Condition | tuple[ConfigError, ...]:
    attribute = (record.attribute or "").strip()
    if not attribute:
        return (context.error(f"{path}.attribute", record.attribute, "a leaf needs an attribute"),)
    try:
        operator = Operator(record.operator or "")
    except ValueError:
        return (context.error(f"{path}.operator", record.operator, "unknown operator"),)
    kind = attribute_kind(attribute, known)
    if operator not in _OPERATORS_BY_KIND[kind]:
        problem = f"operator '{operator}' cannot be used on {_NEEDS[kind]} ({attribute})"
        return (context.error(f"{path}.operator", operator.value, problem),)
    return _leaf_values(attribute, operator, record.values, context, path)


def _leaf_values(
    attribute: str,
    operator: Operator,
    values: tuple[str, ...],
    context: ErrorContext,
    path: str,
) -> Condition | tuple[ConfigError, ...]:
    if operator in EMPTINESS_OPERATORS or operator in BOOLEAN_OPERATORS:
        if values:
            problem = f"operator '{operator}' takes no values"
            return (context.error(f"{path}.values", list(values), problem),)
        return Predicate(attribute=attribute, operator=operator)
    if not values:
        return (context.error(f"{path}.values", "[]", f"operator '{operator}' needs a value"),)
    if operator in NUMBER_OPERATORS:
        return _number_leaf(attribute, operator, values, context, path)
    texts = tuple(normalised_text(value) for value in values)
    blank = [index for index, text in enumerate(texts) if not text]
    if blank:
        field = f"{path}.values[{blank[0]}]"
        return (context.error(field, values[blank[0]], "text values must not be blank"),)
    return Predicate(attribute=attribute, operator=operator, texts=texts)


def _number_leaf(
    attribute: str,
    operator: Operator,
    values: tuple[str, ...],
    context: ErrorContext,
    path: str,
) -> Condition | tuple[ConfigError, ...]:
    numbers: list[float] = []
    for index, value in enumerate(values):
        number = read_number(value)
        if number is None:
            problem = f"operator '{operator}' needs a number"
            return (context.error(f"{path}.values[{index}]", value, problem),)
        numbers.append(number)
    if operator is Operator.BETWEEN and (len(numbers) != 2 or numbers[0] > numbers[1]):
        problem = "operator 'between' needs two numbers, low then high"
        return (context.error(f"{path}.values", list(values), problem),)
    return Predicate(attribute=attribute, operator=operator, numbers=tuple(numbers))
