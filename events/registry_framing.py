"""Confluent framing for use with a schema registry: 0x00, a 4-byte big-endian schema id, body.

The registry itself is reached by `streams.runtime.registry`; this module only needs the mapping
between schema ids and schemas that the adapter obtained (registering our schemas at start-up,
fetching unknown ids on demand).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from events.errors import BadInput
from events.schemas import (
    NAMESPACE,
    SchemaCatalog,
    WriterSchema,
    inline_named,
    named_types,
    writer_schema,
)

MAGIC = b"\x00"
HEADER_SIZE = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Framed:
    """The parts of a Confluent-framed value."""

    schema_id: int
    body: bytes


def frame(schema_id: int, body: bytes) -> bytes:
    """The Confluent framing of `body`, written with registry schema `schema_id`."""
    return MAGIC + schema_id.to_bytes(4, "big") + body


def is_registry_framed(data: bytes) -> bool:
    """Whether `data` starts with the Confluent magic byte."""
    return data[:1] == MAGIC


def unframe(data: bytes) -> Framed | None:
    """The schema id and body of `data`; None when it is too short to hold the header."""
    if len(data) < HEADER_SIZE or not is_registry_framed(data):
        return None
    return Framed(schema_id=int.from_bytes(data[1:HEADER_SIZE], "big"), body=data[HEADER_SIZE:])


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryIds:
    """Schema ids known from a registry: ours for writing, any for reading."""

    ids_by_name: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    schemas_by_id: Mapping[int, WriterSchema] = field(default_factory=lambda: MappingProxyType({}))

    def with_schema(self, schema_id: int, schema: WriterSchema, *, ours: bool) -> RegistryIds:
        """These ids plus `schema_id`; `ours` when the codec should write with it."""
        ids = dict(self.ids_by_name)
        if ours:
            ids[schema.name] = schema_id
        return RegistryIds(
            ids_by_name=MappingProxyType(ids),
            schemas_by_id=MappingProxyType({**self.schemas_by_id, schema_id: schema}),
        )


def schema_from_registry(
    schema_text: str, catalog: SchemaCatalog, referenced: Sequence[str] = ()
) -> WriterSchema:
    """A schema text fetched from the registry, matched to a known version by fingerprint.

    `referenced` holds the texts of the schemas its references point to (a schema registered with
    `references`, each naming a type it uses); their named types are defined inline, so the
    result is self-contained. A schema no version in `avro/` has (e.g. written by a newer
    producer) gets version 0. Raises BadInput saying why a text is not a usable Avro record schema.
    """
    try:
        schema = json.loads(schema_text)
        definitions: dict[str, object] = {}
        for text in referenced:
            definitions.update(named_types(json.loads(text)))
        if definitions:
            schema = inline_named(schema, definitions)
        name = str(schema["name"])
        if "." not in name:
            name = f"{schema.get('namespace', NAMESPACE)}.{name}"
        candidate = writer_schema(name, 0, schema)
    except BadInput:
        raise
    except Exception as exc:  # any text a registry may hold: name what fastavro or JSON said
        detail = f"{type(exc).__name__}: {exc}"[:300]
        raise BadInput(f"not a usable Avro record schema: {detail}") from exc
    return catalog.by_fingerprint.get(candidate.fingerprint, candidate)
