"""The Avro codec of the topics: records to bytes and back. Pure: no I/O, no clock.

Encoding writes Avro single-object encoding, or Confluent framing when the codec holds schema ids
from a registry. Decoding accepts both framings, finds the writer schema (any version in `avro/`
and `avro/history/`, or a registry id), resolves it against the current reader schema and checks
the `Limits` and required ids. It never raises on bad bytes: it returns a `DecodeFailure`. A
writer schema that cannot be resolved against the reader's is an `incompatible_schema` failure
naming the writer (registry id or fingerprint) and the field.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError

from events import registry_framing, single_object
from events.conversion import Rejected, from_avro, to_avro
from events.decoding import DEFAULT_LIMITS, Decoded, DecodeFailure, FailureKind, Limits
from events.records import (
    TOPIC_RECORD_TYPES,
    AudienceDefinition,
    ConfigBody,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleDefinition,
    RolesTemplateDefinition,
    SolutionInterestDefinition,
    StageModelDefinition,
    TopicRecord,
    WeightingModelDefinition,
)
from events.registry_framing import RegistryIds
from events.schema_resolution import resolution_problem
from events.schemas import SchemaCatalog, WriterSchema, default_catalog, full_name

R = TypeVar("R", bound=TopicRecord)

CONFIG_BODY_TYPES: dict[ConfigKind, type[ConfigBody]] = {
    ConfigKind.ROLE: RoleDefinition,
    ConfigKind.ROLES_TEMPLATE: RolesTemplateDefinition,
    ConfigKind.SOLUTION_INTEREST: SolutionInterestDefinition,
    ConfigKind.STAGE_MODEL: StageModelDefinition,
    ConfigKind.WEIGHTING_MODEL: WeightingModelDefinition,
    ConfigKind.AUDIENCE: AudienceDefinition,
    ConfigKind.CREATION_JOB: CreationJobDefinition,
}
_CLASSES: dict[str, type[TopicRecord]] = {full_name(c.__name__): c for c in TOPIC_RECORD_TYPES}


def _failure(kind: FailureKind, message: str) -> DecodeFailure:
    return DecodeFailure(kind=kind, message=message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Codec:
    """Encodes and decodes topic records with the schemas of `catalog`."""

    catalog: SchemaCatalog = field(default_factory=default_catalog)
    limits: Limits = DEFAULT_LIMITS
    registry: RegistryIds | None = None

    def encode(self, record: TopicRecord) -> bytes:
        """The bytes of `record`: single-object, or Confluent-framed when registry ids are set."""
        writer = self.catalog.current[full_name(type(record).__name__)]
        buffer = io.BytesIO()
        schemaless_writer(buffer, writer.parsed, to_avro(record))
        body = buffer.getvalue()
        if self.registry is not None and writer.name in self.registry.ids_by_name:
            return registry_framing.frame(self.registry.ids_by_name[writer.name], body)
        return single_object.frame(writer.fingerprint, body)

    def decode(
        self, data: bytes, expected: tuple[type[object], ...] = TOPIC_RECORD_TYPES
    ) -> Decoded[TopicRecord] | DecodeFailure:
        """The record in `data`, which must be one of the `expected` types; never raises."""
        found = self._writer_and_body(data)
        if isinstance(found, DecodeFailure):
            return found
        writer, body, origin = found
        cls = _CLASSES.get(writer.name)
        if cls is None or cls not in expected:
            wanted = " or ".join(c.__name__ for c in expected)
            return _failure(FailureKind.WRONG_RECORD_TYPE, f"expected {wanted}, got {writer.label}")
        return self._read(cls, writer, body, origin)

    def decode_as(self, data: bytes, expected: type[R]) -> Decoded[R] | DecodeFailure:
        """The record in `data`, which must be an `expected`; never raises."""
        decoded = self.decode(data, (expected,))
        if isinstance(decoded, DecodeFailure):
            return decoded
        assert isinstance(decoded.record, expected)
        return Decoded(record=decoded.record, writer=decoded.writer)

    def _writer_and_body(self, data: bytes) -> tuple[WriterSchema, bytes, str] | DecodeFailure:
        """The writer schema, the body, and where the schema came from (for messages)."""
        if len(data) > self.limits.max_bytes:
            return _failure(
                FailureKind.TOO_LARGE,
                f"value of {len(data)} bytes, at most {self.limits.max_bytes} allowed",
            )
        if not data:
            return _failure(FailureKind.TRUNCATED, "value is empty")
        if single_object.is_single_object(data):
            return self._single_object(data)
        if registry_framing.is_registry_framed(data):
            return self._registry_framed(data)
        return _failure(
            FailureKind.BAD_MARKER,
            f"value starts with {data[:2].hex(' ') or 'nothing'}; expected c3 01 (single-object)"
            " or 00 (schema registry)",
        )

    def _single_object(self, data: bytes) -> tuple[WriterSchema, bytes, str] | DecodeFailure:
        parts = single_object.unframe(data)
        if parts is None:
            return _failure(
                FailureKind.TRUNCATED, f"single-object header needs 10 bytes, got {len(data)}"
            )
        writer = self.catalog.by_fingerprint.get(parts.fingerprint)
        if writer is None:
            return _failure(
                FailureKind.UNKNOWN_FINGERPRINT,
                f"no known schema has fingerprint {parts.fingerprint.hex()}",
            )
        return writer, parts.body, f"writer schema fingerprint {parts.fingerprint.hex()}"

    def _registry_framed(self, data: bytes) -> tuple[WriterSchema, bytes, str] | DecodeFailure:
        parts = registry_framing.unframe(data)
        if parts is None:
            return _failure(
                FailureKind.TRUNCATED, f"registry header needs 5 bytes, got {len(data)}"
            )
        known = self.registry.schemas_by_id if self.registry is not None else {}
        writer = known.get(parts.schema_id)
        if writer is None:
            return _failure(
                FailureKind.UNKNOWN_SCHEMA_ID, f"schema id {parts.schema_id} is not known"
            )
        return writer, parts.body, f"registry schema id {parts.schema_id}"

    def _read(
        self, cls: type[TopicRecord], writer: WriterSchema, body: bytes, origin: str
    ) -> Decoded[TopicRecord] | DecodeFailure:
        reader = self.catalog.current[writer.name]
        datum = _read_datum(writer, reader, body, origin)
        if isinstance(datum, DecodeFailure):
            return datum
        try:
            record = from_avro(cls, datum, self.limits)
        except Rejected as rejected:
            return _failure(rejected.kind, f"{cls.__name__}.{rejected.path}: {rejected.detail}")
        except (ValueError, TypeError, KeyError) as exc:  # a datum the record cannot hold
            return _failure(
                FailureKind.SCHEMA_VIOLATION,
                f"{writer.label}: not a {cls.__name__}: {type(exc).__name__}: {exc}"[:300],
            )
        if isinstance(record, ConfigRecord):
            mismatch = config_body_mismatch(record)
            if mismatch is not None:
                return mismatch
        return Decoded(record=record, writer=writer.label)


def _read_datum(writer: WriterSchema, reader: WriterSchema, body: bytes, origin: str) -> Any:
    stream = io.BytesIO(body)
    try:
        datum = schemaless_reader(
            stream,
            writer.parsed,
            None if reader is writer else reader.parsed,
            return_record_name=True,
            return_record_name_override=True,
        )
    except SchemaResolutionError as exc:
        return incompatible(writer, reader, origin, exc)
    except Exception as exc:
        exhausted = isinstance(exc, EOFError) or stream.tell() >= len(body)
        kind = FailureKind.TRUNCATED if exhausted else FailureKind.SCHEMA_VIOLATION
        reason = f"{type(exc).__name__}: {exc}"[:200]  # str(), not repr(): no value bytes
        return _failure(kind, f"{writer.label}: body of {len(body)} bytes: {reason}")
    if stream.tell() != len(body):
        return _failure(
            FailureKind.SCHEMA_VIOLATION,
            f"{writer.label}: {len(body) - stream.tell()} bytes left after the record",
        )
    return datum


def incompatible(
    writer: WriterSchema, reader: WriterSchema, origin: str, exc: Exception
) -> DecodeFailure:
    """The failure of a writer schema that cannot be resolved against the reader's, naming the
    writer (`origin`: its registry id or fingerprint) and the field."""
    problem = resolution_problem(writer.parsed, reader.parsed) or str(exc)[:200]
    version = "a version not in avro/" if writer.version == 0 else f"version {writer.version}"
    return _failure(
        FailureKind.INCOMPATIBLE_SCHEMA,
        f"{origin} ({writer.name}, {version}) cannot be read as {reader.label}: {problem}",
    )


def config_body_mismatch(record: ConfigRecord) -> DecodeFailure | None:
    """A failure when the body of `record` is not the type its `kind` names, else None."""
    wanted = CONFIG_BODY_TYPES[record.kind]
    if isinstance(record.body, wanted):
        return None
    return _failure(
        FailureKind.CONFIG_BODY_MISMATCH,
        f"ConfigRecord.body: kind {record.kind.value!r} ({record.id}) needs a "
        f"{wanted.__name__}, got a {type(record.body).__name__}",
    )
