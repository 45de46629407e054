"""The Avro schemas: read from `avro/`, made self-contained, fingerprinted.

`avro/` (at the repository root) holds one `.avsc` per named type, named after its full name;
a schema refers to other named types by full name. `avro/history/` holds earlier versions of
top-level schemas as written on the wire, self-contained, named `<full name>.v<N>.avsc`; the
current file is version N+1. A reader keeps every version so that it can decode old records.

To change a schema, first save the current self-contained form of every top-level schema that
uses the type being changed, as the next history version (N = its current version), e.g.

    .venv/bin/python -c "import json; from events.schemas import *; print(json.dumps(
        self_contained('buying_groups.StageCommand', read_definitions()), indent=2))" \
        > avro/history/buying_groups.StageCommand.v1.avsc

then edit the `.avsc` (new fields optional, with defaults), write the golden bytes of the new
version with `python -m tests.golden.write_golden` and the integrators' bundle with
`.venv/bin/python scripts/avro_bundle.py`. The golden tests fail when a version is lost, the
schema tests when the bundle is out of date.

`avro/self-contained/` is that bundle: one file per record written to a topic, every named type it
uses defined inline, so that a stock Avro library or a Confluent (de)serializer takes it as it is.
The per-type files stay the source; the bundle is derived from them (`bundle`).

The directory is found next to this package (`Path(__file__).parent.parent / "avro"`), which is
where it is in the repository and in the editable install the project uses. Reading these files
is the only input this module does; it happens once, at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint as fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form

from events.errors import BadInput
from events.records import TOPIC_RECORD_TYPES

NAMESPACE = "buying_groups"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "avro"
BUNDLE_DIR = SCHEMA_DIR / "self-contained"
PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_HISTORY_FILE = re.compile(r"^(?P<name>[\w.]+)\.v(?P<version>\d+)\.avsc$")

Json = Any  # a schema as parsed from JSON: str, list or dict


@dataclass(frozen=True, slots=True, kw_only=True)
class WriterSchema:
    """One version of a top-level schema, self-contained, with its fingerprint."""

    name: str
    version: int
    schema: Json
    canonical_form: str
    fingerprint: bytes
    parsed: Json

    @property
    def label(self) -> str:
        """`<full name>.v<version>`, e.g. for dead letters and metrics."""
        return f"{self.name}.v{self.version}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaCatalog:
    """Every top-level schema: its current version, and every version by fingerprint."""

    current: Mapping[str, WriterSchema]
    by_fingerprint: Mapping[bytes, WriterSchema]
    definitions: Mapping[str, Json]

    def versions(self, name: str) -> tuple[WriterSchema, ...]:
        """Every known version of `name`, oldest first, the current one last."""
        found = {ws.version: ws for ws in self.by_fingerprint.values() if ws.name == name}
        found[self.current[name].version] = self.current[name]
        return tuple(found[v] for v in sorted(found))


def full_name(short_name: str) -> str:
    """`PersonEvent` -> `buying_groups.PersonEvent`."""
    return f"{NAMESPACE}.{short_name}"


def fingerprint(canonical_form: str) -> bytes:
    """The CRC-64-AVRO (Rabin) fingerprint, as the 8 little-endian bytes single-object uses."""
    return bytes.fromhex(fastavro_fingerprint(canonical_form, "CRC-64-AVRO"))


def read_definitions(directory: Path = SCHEMA_DIR) -> dict[str, Json]:
    """Every named type in `directory`, by full name, as written in its `.avsc` file."""
    definitions: dict[str, Json] = {}
    for path in sorted(directory.glob("*.avsc")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        name = f"{schema.get('namespace', NAMESPACE)}.{schema['name']}"
        if path.name != f"{name}.avsc":
            raise BadInput(f"{path.name}: file name does not match the schema's name {name!r}")
        definitions[name] = schema
    return definitions


def self_contained(name: str, definitions: Mapping[str, Json]) -> Json:
    """The schema of `name` with every named type it uses defined inline at first use."""
    defined: set[str] = set()
    return _inline(definitions[name], NAMESPACE, definitions, defined)


def named_types(schema: Json, namespace: str = NAMESPACE) -> dict[str, Json]:
    """Every named type `schema` defines, at any depth, by full name (the outermost first)."""
    found: dict[str, Json] = {}
    _collect(schema, namespace, found)
    return found


def _collect(node: Json, namespace: str, found: dict[str, Json]) -> None:
    if isinstance(node, list):
        for branch in node:
            _collect(branch, namespace, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("record", "error", "enum", "fixed"):
        name = str(node["name"])
        namespace = name.rpartition(".")[0] if "." in name else node.get("namespace", namespace)
        found.setdefault(name if "." in name else f"{namespace}.{name}", node)
    for field in node.get("fields", ()):
        _collect(field["type"], namespace, found)
    for key in ("items", "values"):
        if key in node:
            _collect(node[key], namespace, found)
    if isinstance(kind, (list, dict)):
        _collect(kind, namespace, found)


def inline_named(schema: Json, definitions: Mapping[str, Json]) -> Json:
    """`schema` with the named types of `definitions` it refers to defined inline at first use
    (e.g. a registry schema and the schemas its references point to)."""
    namespace = schema.get("namespace", NAMESPACE) if isinstance(schema, dict) else NAMESPACE
    return _inline(schema, namespace, definitions, set())


def _inline(node: Json, namespace: str, definitions: Mapping[str, Json], defined: set[str]) -> Json:
    if isinstance(node, list):
        return [_inline(branch, namespace, definitions, defined) for branch in node]
    if isinstance(node, str):
        if node in PRIMITIVES:
            return node
        name = node if "." in node else f"{namespace}.{node}"
        if name in defined:
            return name
        if name not in definitions:
            raise BadInput(
                f"schema type {node!r} is not defined (in avro/, or in a referenced schema)"
            )
        return _inline(definitions[name], namespace, definitions, defined)
    kind = node["type"]
    if kind in ("record", "error", "enum", "fixed"):
        namespace = node.get("namespace", namespace)
        defined.add(f"{namespace}.{node['name']}")
    copy = dict(node)
    if kind in ("record", "error"):
        copy["fields"] = [
            {**field, "type": _inline(field["type"], namespace, definitions, defined)}
            for field in node["fields"]
        ]
    elif kind == "array":
        copy["items"] = _inline(node["items"], namespace, definitions, defined)
    elif kind == "map":
        copy["values"] = _inline(node["values"], namespace, definitions, defined)
    elif isinstance(kind, (list, dict)):
        copy["type"] = _inline(kind, namespace, definitions, defined)
    return copy


def writer_schema(name: str, version: int, schema: Json) -> WriterSchema:
    """Parse and fingerprint one self-contained schema."""
    parsed = parse_schema(schema, _write_hint=False)
    canonical = to_parsing_canonical_form(parsed)
    return WriterSchema(
        name=name,
        version=version,
        schema=schema,
        canonical_form=canonical,
        fingerprint=fingerprint(canonical),
        parsed=parsed,
    )


def read_history(directory: Path) -> list[WriterSchema]:
    """Earlier versions of top-level schemas, from `<directory>/<full name>.v<N>.avsc`."""
    found: list[WriterSchema] = []
    for path in sorted(directory.glob("*.avsc")):
        match = _HISTORY_FILE.match(path.name)
        if match is None:
            raise BadInput(f"history/{path.name}: expected '<full name>.v<N>.avsc'")
        schema = json.loads(path.read_text(encoding="utf-8"))
        found.append(writer_schema(match["name"], int(match["version"]), schema))
    return found


def load_catalog(top_level: tuple[str, ...], directory: Path = SCHEMA_DIR) -> SchemaCatalog:
    """Read `directory` and its `history/`; `top_level` are the full names written to topics."""
    if not directory.is_dir():
        raise BadInput(f"schema directory {directory} not found; install with `pip install -e .`")
    definitions = read_definitions(directory)
    history = read_history(directory / "history") if (directory / "history").is_dir() else []
    current: dict[str, WriterSchema] = {}
    by_fingerprint: dict[bytes, WriterSchema] = {}
    for old in history:
        by_fingerprint[old.fingerprint] = old
    for name in top_level:
        newest = max((old.version for old in history if old.name == name), default=0)
        ws = writer_schema(name, newest + 1, self_contained(name, definitions))
        current[name] = ws
        by_fingerprint[ws.fingerprint] = ws
    return SchemaCatalog(
        current=MappingProxyType(current),
        by_fingerprint=MappingProxyType(by_fingerprint),
        definitions=MappingProxyType(definitions),
    )


@cache
def default_catalog() -> SchemaCatalog:
    """The catalog of the schemas shipped with this package (read once)."""
    return load_catalog(tuple(full_name(cls.__name__) for cls in TOPIC_RECORD_TYPES))


def bundle(catalog: SchemaCatalog) -> dict[str, str]:
    """The integrators' bundle: `<full name>.avsc` -> the current self-contained schema's text."""
    return {
        f"{name}.avsc": json.dumps(schema.schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in sorted(catalog.current.items())
    }
