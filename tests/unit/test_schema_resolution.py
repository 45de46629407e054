"""`resolution_problem` names the field where a writer schema cannot be read with ours."""

from __future__ import annotations

from typing import Any

import pytest
from fastavro import parse_schema

from events.schema_resolution import resolution_problem
from events.schemas import default_catalog

CATALOG = default_catalog()


def _parsed(schema: Any) -> Any:
    return parse_schema(schema, _write_hint=False)


def _record(*fields: dict[str, Any], name: str = "x.R") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields)}


@pytest.mark.parametrize("name", sorted(CATALOG.current))
def test_every_known_version_resolves_against_the_current_schema(name: str) -> None:
    current = CATALOG.current[name]
    for older in CATALOG.versions(name):
        assert resolution_problem(older.parsed, current.parsed) is None
        assert resolution_problem(current.parsed, current.parsed) is None


def test_a_missing_field_without_default_is_named() -> None:
    writer = _record({"name": "a", "type": "int"})
    reader = _record({"name": "a", "type": "int"}, {"name": "b", "type": "string"})
    assert resolution_problem(_parsed(writer), _parsed(reader)) == (
        "R.b: the writer has no such field and the reader's has no default"
    )
    with_default = _record({"name": "b", "type": "string", "default": ""})
    assert resolution_problem(_parsed(writer), _parsed(with_default)) is None


def test_promotions_are_allowed_and_other_primitives_are_not() -> None:
    assert resolution_problem("int", "long") is None
    assert resolution_problem("string", "bytes") is None
    assert resolution_problem("long", "int") == "int: the writer's long cannot be read as int"


def test_nested_arrays_maps_and_enums_are_named_by_path() -> None:
    enum = {"type": "enum", "name": "x.E", "symbols": ["A", "B"]}
    narrower = {"type": "enum", "name": "x.E", "symbols": ["A"]}
    writer = _record({"name": "items", "type": {"type": "array", "items": enum}})
    reader = _record({"name": "items", "type": {"type": "array", "items": narrower}})
    assert resolution_problem(_parsed(writer), _parsed(reader)) == (
        "R.items[]: the writer's symbols ['B'] are not in the reader's enum E"
    )
    writer = _record({"name": "m", "type": {"type": "map", "values": "string"}})
    reader = _record({"name": "m", "type": {"type": "map", "values": "int"}})
    assert resolution_problem(_parsed(writer), _parsed(reader)) == (
        "R.m{}: the writer's string cannot be read as int"
    )


def test_a_recursive_type_is_checked_once() -> None:
    config = CATALOG.current["buying_groups.ConfigRecord"].parsed
    assert resolution_problem(config, config) is None


def test_a_record_of_another_name_is_named() -> None:
    assert resolution_problem(_parsed(_record(name="x.Q")), _parsed(_record())) == (
        "R: the writer's record Q cannot be read as record R"
    )
