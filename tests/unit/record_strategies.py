"""Hypothesis strategies for every record, built from the dataclasses' type hints.

Values are what the wire keeps exactly: UTC datetimes in whole milliseconds, no NaN, ints in the
range of their Avro type, non-blank required ids.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from hypothesis import strategies as st

from events.codec import CONFIG_BODY_TYPES
from events.records import Condition, ConfigKind, ConfigRecord
from events.schemas import default_catalog, full_name

INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TEXT = st.text(max_size=12)
IDS = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")
TIMES = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by contract
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))


@cache
def _int32_fields() -> frozenset[tuple[str, str]]:
    """(record name, field name) of every Avro `int` field or map of ints."""
    found = set()
    for name, schema in default_catalog().definitions.items():
        for field in schema.get("fields", []):
            kind = field["type"]
            if kind == "int" or (isinstance(kind, dict) and kind.get("values") == "int"):
                found.add((name.rsplit(".", 1)[-1], field["name"]))
    return frozenset(found)


def records(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Valid records of type `cls`."""
    if cls is ConfigRecord:
        return config_records()
    if cls is Condition:
        return conditions()
    hints = get_type_hints(cls)
    return st.builds(
        cls,
        **{
            f.name: _values(hints[f.name], (cls.__name__, f.name) in _int32_fields(), f.name)
            for f in dataclasses.fields(cls)
        },
    )


def config_records() -> st.SearchStrategy[ConfigRecord]:
    """Config records whose body matches their kind."""

    def with_kind(kind: ConfigKind) -> st.SearchStrategy[ConfigRecord]:
        return st.builds(
            ConfigRecord,
            event_id=IDS,
            occurred_at=TIMES,
            kind=st.just(kind),
            id=IDS,
            body=records(CONFIG_BODY_TYPES[kind]),
        )

    return st.sampled_from(list(ConfigKind)).flatmap(with_kind)


def conditions() -> st.SearchStrategy[Condition]:
    leaves = st.builds(
        Condition,
        node=st.just("leaf"),
        attribute=st.none() | TEXT,
        operator=st.none() | TEXT,
        values=st.lists(TEXT, max_size=3).map(tuple),
    )
    return st.recursive(
        leaves,
        lambda children: st.builds(
            Condition,
            node=st.sampled_from(["all", "any"]),
            children=st.lists(children, max_size=3).map(tuple),
        ),
        max_leaves=8,
    )


def _values(hint: Any, int32: bool, name: str) -> st.SearchStrategy[Any]:
    if get_origin(hint) in (Union, types.UnionType):
        arms = [arm for arm in get_args(hint) if arm is not type(None)]
        return st.none() | st.one_of([_values(arm, int32, name) for arm in arms])
    origin = get_origin(hint)
    if origin is tuple:
        return st.lists(_values(get_args(hint)[0], int32, name), max_size=3).map(tuple)
    if origin is Mapping:
        values = _values(get_args(hint)[1], int32, name)
        return st.dictionaries(TEXT, values, max_size=3).map(types.MappingProxyType)
    return _scalars(hint, int32, name)


def _scalars(hint: Any, int32: bool, name: str) -> st.SearchStrategy[Any]:
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: IDS if name == "id" or name.endswith("_id") else TEXT,
        int: INT32 if int32 else INT64,
        float: st.floats(allow_nan=False),
        bool: st.booleans(),
        bytes: st.binary(max_size=16),
        datetime: TIMES,
    }
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    return records(hint)


def record_name(record: object) -> str:
    return full_name(type(record).__name__)
