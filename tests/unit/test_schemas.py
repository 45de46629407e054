"""The .avsc files follow the contract's rules, fingerprint as specified, evolve compatibly."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from events.schemas import (
    SCHEMA_DIR,
    WriterSchema,
    default_catalog,
    fingerprint,
    read_definitions,
    self_contained,
)

DEFINITIONS = read_definitions()
CATALOG = default_catalog()
TIMESTAMP = {"type": "long", "logicalType": "timestamp-millis"}


def _fields() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in DEFINITIONS.items():
        for field in schema.get("fields", []):
            yield f"{name}.{field['name']}", field


FIELDS = dict(_fields())


def test_schema_directory_is_found_next_to_the_package() -> None:
    assert SCHEMA_DIR.name == "avro"
    assert (SCHEMA_DIR / "buying_groups.PersonEvent.avsc").is_file()
    assert len(DEFINITIONS) == 37


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_named_type_has_a_doc(name: str) -> None:
    assert DEFINITIONS[name]["doc"].strip()


@pytest.mark.parametrize("path", sorted(FIELDS))
def test_every_field_has_a_doc(path: str) -> None:
    assert FIELDS[path]["doc"].strip()


@pytest.mark.parametrize("path", sorted(FIELDS))
def test_field_types_follow_the_conventions(path: str) -> None:
    field = FIELDS[path]
    name, kind = field["name"], field["type"]
    plain = kind[1] if isinstance(kind, list) and kind[0] == "null" else kind
    if name == "id" or name.endswith("_id"):
        assert plain == "string"
    if name.endswith("_at") or name == "since":
        assert plain == TIMESTAMP
    if isinstance(kind, list) and "null" in kind:
        assert kind[0] == "null"
        assert len(kind) == 2
        assert field["default"] is None
    if isinstance(kind, dict) and kind["type"] == "map":
        assert field["default"] == {}
    if isinstance(kind, dict) and kind["type"] == "array":
        assert field["default"] == []


def test_fingerprint_is_the_avro_specs_rabin_fingerprint() -> None:
    # The value the Avro specification's reference implementation gives for the schema "null".
    assert fingerprint('"null"') == (7195948357588979594).to_bytes(8, "little")
    for writer in CATALOG.by_fingerprint.values():
        assert writer.fingerprint == _rabin(writer.canonical_form)


def test_every_schema_version_has_its_own_fingerprint() -> None:
    versions = [w for name in CATALOG.current for w in CATALOG.versions(name)]
    assert len({w.fingerprint for w in versions}) == len(versions) == len(CATALOG.by_fingerprint)


def test_history_holds_earlier_versions_of_top_level_schemas() -> None:
    history = [w for w in CATALOG.by_fingerprint.values() if w not in CATALOG.current.values()]
    assert {w.label for w in history} >= {
        "buying_groups.AccountEvent.v1",
        "buying_groups.StageChanged.v1",
    }
    for old in history:
        assert old.name in CATALOG.current
        assert old.version < CATALOG.current[old.name].version


@pytest.mark.parametrize("name", sorted(CATALOG.current))
def test_current_schema_reads_every_earlier_version(name: str) -> None:
    current = CATALOG.current[name]
    for older in CATALOG.versions(name):
        datum = _sample(older.schema, depth=0)
        read = _resolve(datum, older, current)
        new_fields = {f["name"] for f in current.schema["fields"]} - set(datum)
        for field in current.schema["fields"]:
            if field["name"] in new_fields:
                assert read[field["name"]] == field["default"]


def test_a_new_field_without_default_would_break_compatibility() -> None:
    older = CATALOG.versions("buying_groups.AccountEvent")[0]
    current = CATALOG.current["buying_groups.AccountEvent"].schema
    broken = {**current, "fields": [*current["fields"], {"name": "tier", "type": "string"}]}
    incompatible = WriterSchema(
        name="x", version=0, schema=broken, canonical_form="", fingerprint=b"", parsed=broken
    )
    with pytest.raises(Exception, match="tier"):
        _resolve(_sample(older.schema, depth=0), older, incompatible)


def test_self_contained_schema_defines_each_named_type_once() -> None:
    text = repr(self_contained("buying_groups.ConfigRecord", DEFINITIONS))
    assert text.count("'name': 'Condition'") == 1
    assert "'buying_groups.Condition'" in text


def _resolve(datum: dict[str, Any], writer: WriterSchema, reader: WriterSchema) -> Any:
    buffer = io.BytesIO()
    schemaless_writer(buffer, parse_schema(writer.schema), datum)
    buffer.seek(0)
    return schemaless_reader(buffer, parse_schema(writer.schema), parse_schema(reader.schema))


PRIMITIVE_SAMPLES: dict[str, Any] = {
    "string": "x",
    "int": 7,
    "long": 7,
    "double": 0.5,
    "boolean": True,
    "bytes": b"\x00",
}


def _sample(schema: Any, depth: int, named: dict[str, Any] | None = None) -> Any:
    """A value of `schema` with every optional part filled in (nesting bounded by `depth`)."""
    named = {} if named is None else named
    if isinstance(schema, list):
        return _sample(schema[-1], depth, named)
    if isinstance(schema, str):
        if schema in PRIMITIVE_SAMPLES:
            return PRIMITIVE_SAMPLES[schema]
        return _sample(named[schema], depth, named)
    return _sample_complex(schema, depth, named)


def _sample_complex(schema: dict[str, Any], depth: int, named: dict[str, Any]) -> Any:
    kind = schema["type"]
    if kind in ("record", "enum"):
        named[f"{schema.get('namespace', 'buying_groups')}.{schema['name']}"] = schema
    if kind == "record":
        return {f["name"]: _sample(f["type"], depth + 1, named) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][0]
    if kind == "array":
        return [] if depth > 4 else [_sample(schema["items"], depth + 1, named)]
    if kind == "map":
        return {"k": _sample(schema["values"], depth + 1, named)}
    return _sample(kind, depth, named)


def _rabin(text: str) -> bytes:
    """CRC-64-AVRO as the Avro specification writes it, independent of fastavro."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        value = i
        for _ in range(8):
            value = (value >> 1) ^ (empty & -(value & 1))
        table.append(value)
    result = empty
    for byte in text.encode():
        result = (result >> 8) ^ table[(result ^ byte) & 0xFF]
    return result.to_bytes(8, "little")
