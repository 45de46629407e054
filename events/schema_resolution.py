"""Where a writer schema cannot be resolved against a reader schema, named by field. Pure.

Avro reads data written with one schema (the writer's) through another (the reader's) by the
specification's resolution rules. When a writer schema cannot be resolved, fastavro says so
without always naming the field; `resolution_problem` walks both schemas (as parsed by fastavro,
names fully qualified) and names the first field that breaks a rule, e.g.
`PersonEvent.person_id: the writer has no such field and the reader's has no default`.
It follows the rules strictly (every branch of a writer's union must be readable), so it is used
to explain a failure, not to predict one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Json = Any  # a parsed schema: str, list or dict

_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_PROMOTIONS = {
    "int": {"long", "float", "double"},
    "long": {"float", "double"},
    "float": {"double"},
    "string": {"bytes"},
    "bytes": {"string"},
}


def resolution_problem(writer: Json, reader: Json) -> str | None:
    """The first place where data written with `writer` cannot be read with `reader`, or None."""
    names = _Names(writer=_named_types(writer), reader=_named_types(reader))
    return _problem(writer, reader, _short(reader), names, set())


class _Names:
    def __init__(self, *, writer: Mapping[str, Json], reader: Mapping[str, Json]) -> None:
        self.writer, self.reader = writer, reader


def _named_types(schema: Json, found: dict[str, Json] | None = None) -> dict[str, Json]:
    found = {} if found is None else found
    if isinstance(schema, list):
        for branch in schema:
            _named_types(branch, found)
    elif isinstance(schema, dict):
        if schema.get("type") in ("record", "error", "enum", "fixed"):
            found.setdefault(schema["name"], schema)
        for field in schema.get("fields", ()):
            _named_types(field["type"], found)
        for key in ("items", "values"):
            if key in schema:
                _named_types(schema[key], found)
        if isinstance(schema.get("type"), (list, dict)):
            _named_types(schema["type"], found)
    return found


def _resolved(node: Json, names: Mapping[str, Json]) -> Json:
    if isinstance(node, str) and node not in _PRIMITIVES:
        return names.get(node, node)
    if isinstance(node, dict) and isinstance(node.get("type"), (list, dict)):
        return node["type"]
    return node


def _kind(node: Json) -> str:
    if isinstance(node, list):
        return "union"
    if isinstance(node, dict):
        return str(node["type"])
    return str(node)


def _short(node: Json) -> str:
    name = node.get("name", "") if isinstance(node, dict) else str(node)
    return str(name).rsplit(".", 1)[-1]


def _described(node: Json) -> str:
    kind = _kind(node)
    return f"{kind} {_short(node)}" if kind in ("record", "enum", "fixed") else kind


def _problem(w: Json, r: Json, path: str, names: _Names, seen: set[tuple[str, str]]) -> str | None:
    w, r = _resolved(w, names.writer), _resolved(r, names.reader)
    if isinstance(w, list):
        found = (_problem(branch, r, path, names, seen) for branch in w)
        return next((problem for problem in found if problem is not None), None)
    if isinstance(r, list):
        return _union_problem(w, r, path, names, seen)
    wk, rk = _kind(w), _kind(r)
    if wk in _PRIMITIVES and rk in _PRIMITIVES and (wk == rk or rk in _PROMOTIONS.get(wk, ())):
        return None
    if wk != rk or (rk in ("record", "enum", "fixed") and _short(w) != _short(r)):
        return f"{path}: the writer's {_described(w)} cannot be read as {_described(r)}"
    return _same_kind_problem(w, r, path, names, seen)


def _same_kind_problem(
    w: Json, r: Json, path: str, names: _Names, seen: set[tuple[str, str]]
) -> str | None:
    kind = _kind(r)
    if kind in ("record", "error"):
        return _record_problem(w, r, path, names, seen)
    if kind in ("array", "map"):
        key, mark = ("items", "[]") if kind == "array" else ("values", "{}")
        return _problem(w[key], r[key], f"{path}{mark}", names, seen)
    return _named_problem(w, r, path)


def _union_problem(
    w: Json, r: list[Json], path: str, names: _Names, seen: set[tuple[str, str]]
) -> str | None:
    if any(_problem(w, branch, path, names, seen) is None for branch in r):
        return None
    readers = ", ".join(_described(_resolved(b, names.reader)) for b in r)
    return f"{path}: the writer's {_described(w)} matches no type of the reader's union ({readers})"


def _named_problem(w: Json, r: Json, path: str) -> str | None:
    """Enums and fixed types of the same name."""
    if _kind(r) == "enum":
        missing = [s for s in w["symbols"] if s not in r["symbols"]]
        if missing and "default" not in r:
            return (
                f"{path}: the writer's symbols {missing} are not in the reader's enum {_short(r)}"
            )
    if _kind(r) == "fixed" and w["size"] != r["size"]:
        return f"{path}: the writer's fixed of {w['size']} bytes is not the reader's {r['size']}"
    return None


def _record_problem(
    w: Json, r: Json, path: str, names: _Names, seen: set[tuple[str, str]]
) -> str | None:
    pair = (w["name"], r["name"])
    if pair in seen:  # a recursive type: checked where it was first met
        return None
    seen.add(pair)
    written = {field["name"]: field for field in w["fields"]}
    for field in r["fields"]:
        where = f"{path}.{field['name']}"
        match = next(
            (written[n] for n in (field["name"], *field.get("aliases", ())) if n in written), None
        )
        if match is None:
            if "default" not in field:
                return f"{where}: the writer has no such field and the reader's has no default"
            continue
        found = _problem(match["type"], field["type"], where, names, seen)
        if found is not None:
            return found
    return None
