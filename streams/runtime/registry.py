"""The schema registry adapter: registers our schemas, fetches the ones we meet, by id.

Talks to any Confluent-compatible registry (Apicurio's is at `<url>/apis/ccompat/v7`) through
`python-schema-registry-client`. Subjects follow the TopicNameStrategy, `<topic>-value`; a topic
that carries several record types (`bg.commands`) uses `<topic>-<record full name>` for each
(Confluent's TopicRecordNameStrategy), since one subject holds the versions of one record.
Before registering, a subject's compatibility is set to `BACKWARD` unless it already has a level
that includes it (`BACKWARD_TRANSITIVE`, `FULL`, `FULL_TRANSITIVE`).

A schema fetched by id may carry `references` (named types registered under other subjects):
they are fetched too (at most `MAX_REFERENCES`) and inlined. A schema that cannot be used (a
reference missing, not Avro, not parseable) makes every record written with it an
`unusable_schema` failure naming the id and why; decoding never raises on it.
Registry errors are translated at this boundary: unreachable or failing -> `Unavailable`,
a schema the registry refuses (incompatible, invalid) -> `BadInput`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from schema_registry.client import AsyncSchemaRegistryClient
from schema_registry.client.errors import ClientError
from schema_registry.client.schema import AvroSchema

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.errors import BadInput, Unavailable
from events.records import TOPIC_RECORD_TYPES, TopicRecord
from events.registry_framing import RegistryIds, schema_from_registry, unframe
from events.schemas import SchemaCatalog, WriterSchema, full_name
from events.topics import Topics

_REFUSED = frozenset({409, 422})
COMPATIBILITY = "BACKWARD"
INCLUDES_BACKWARD = frozenset({"BACKWARD", "BACKWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"})
MAX_REFERENCES = 50
R = TypeVar("R", bound=TopicRecord)


def subject_for(topic: str, record_name: str, records_on_topic: int) -> str:
    """`<topic>-value`, or `<topic>-<record full name>` on a topic of several record types."""
    return f"{topic}-value" if records_on_topic == 1 else f"{topic}-{record_name}"


def subjects(topics: Topics) -> dict[str, str]:
    """The subject of every top-level record's schema, by record full name."""
    found: dict[str, str] = {}
    for topic in topics.all():
        carried = topics.records_on(topic)
        for cls in carried:
            name = full_name(cls.__name__)
            found[name] = subject_for(topic, name, len(carried))
    return found


class SchemaRegistry:
    """A Confluent-compatible schema registry at `url`."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_s)
        self._client = AsyncSchemaRegistryClient(self.url, timeout=self._timeout)

    async def register(self, subject: str, schema: WriterSchema) -> int:
        """The id of `schema` under `subject` (compatibility at least BACKWARD), registering it
        when the registry lacks it."""
        await self.require_backward(subject)
        try:
            return await self._client.register(subject, AvroSchema(schema.schema))
        except ClientError as exc:
            raise _translated(exc, f"registering {schema.label} under {subject!r}") from exc
        except httpx.HTTPError as exc:
            raise Unavailable(f"schema registry {self.url}: {type(exc).__name__}") from exc

    async def compatibility(self, subject: str) -> str | None:
        """The compatibility level set on `subject` itself; None when it has none."""
        found = await self._get(
            f"/config/{quote(subject, safe='')}", f"reading {subject!r}'s config"
        )
        return None if found is None else str(found.get("compatibilityLevel"))

    async def require_backward(self, subject: str) -> None:
        """Set `subject`'s compatibility to BACKWARD unless its own level already includes it.

        Another process may set it at the same time (Apicurio then answers 409 to one of them:
        the rule exists): the level is read again, and set once more if it still falls short."""
        for attempt in range(2):
            if await self.compatibility(subject) in INCLUDES_BACKWARD:
                return
            response = await self._put_backward(subject)
            if response.is_success:
                return
            if response.status_code != 409 or attempt == 1:
                doing = f"setting {subject!r}'s compatibility to {COMPATIBILITY}"
                raise _status_error(response, doing)

    async def _put_backward(self, subject: str) -> httpx.Response:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                return await client.put(
                    f"{self.url}/config/{quote(subject, safe='')}",
                    json={"compatibility": COMPATIBILITY},
                )
        except httpx.HTTPError as exc:
            raise Unavailable(f"schema registry {self.url}: {type(exc).__name__}") from exc

    async def fetch(self, schema_id: int, catalog: SchemaCatalog) -> WriterSchema | None:
        """The schema with `schema_id`, its references inlined, matched to its version in
        `catalog`; None if unknown. Raises BadInput when it is not a usable Avro schema."""
        found = await self._get(f"/schemas/ids/{schema_id}", f"fetching schema id {schema_id}")
        if found is None:
            return None
        kind = found.get("schemaType", "AVRO")
        if kind != "AVRO":
            raise BadInput(f"a {kind} schema, not Avro")
        referenced = await self._referenced(found.get("references") or [], set())
        return schema_from_registry(str(found["schema"]), catalog, referenced)

    async def _referenced(
        self, references: list[dict[str, Any]], seen: set[tuple[str, int]]
    ) -> list[str]:
        """The texts of the schemas `references` point to, each after those it references."""
        texts: list[str] = []
        for reference in references:
            name, subject, version = reference["name"], reference["subject"], reference["version"]
            if (subject, version) in seen:
                continue
            if len(seen) >= MAX_REFERENCES:
                raise BadInput(f"more than {MAX_REFERENCES} schema references")
            seen.add((subject, version))
            path = f"/subjects/{quote(subject, safe='')}/versions/{version}"
            found = await self._get(path, f"fetching reference {name!r}")
            if found is None:
                raise BadInput(
                    f"reference {name!r} (subject {subject!r} version {version}) is not in the "
                    "registry"
                )
            texts += await self._referenced(found.get("references") or [], seen)
            texts.append(str(found["schema"]))
        return texts

    async def _get(self, path: str, doing: str) -> dict[str, Any] | None:
        """The JSON at `path`; None on 404."""
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(f"{self.url}{path}")
        except httpx.HTTPError as exc:
            raise Unavailable(f"schema registry {self.url}: {type(exc).__name__}") from exc
        if response.status_code == 404:
            return None
        if not response.is_success:
            raise _status_error(response, doing)
        found: dict[str, Any] = response.json()
        return found


def _status_error(response: httpx.Response, doing: str) -> BadInput | Unavailable:
    message = f"schema registry failed {doing}: HTTP {response.status_code} {response.text[:200]}"
    return BadInput(message) if response.status_code in _REFUSED else Unavailable(message)


def _translated(exc: ClientError, doing: str) -> BadInput | Unavailable:
    if exc.http_code in _REFUSED:
        return BadInput(f"schema registry refused {doing}: HTTP {exc.http_code} {exc.message}")
    return Unavailable(f"schema registry failed {doing}: HTTP {exc.http_code} {exc.message}")


async def register_schemas(
    registry: SchemaRegistry, topics: Topics, catalog: SchemaCatalog
) -> RegistryIds:
    """Register the current schema of every top-level record; the ids to write with."""
    ids = RegistryIds()
    for name, subject in subjects(topics).items():
        schema = catalog.current[name]
        ids = ids.with_schema(await registry.register(subject, schema), schema, ours=True)
    return ids


@dataclass(slots=True, kw_only=True)
class RegistryCodec:
    """A codec writing Confluent framing that learns, from the registry, the ids it meets."""

    registry: SchemaRegistry
    codec: Codec
    unknown_ids: set[int] = field(default_factory=set)
    unusable: dict[int, DecodeFailure] = field(default_factory=dict)

    def encode(self, record: TopicRecord) -> bytes:
        return self.codec.encode(record)

    async def decode(
        self, data: bytes, expected: tuple[type[object], ...] = TOPIC_RECORD_TYPES
    ) -> Decoded[TopicRecord] | DecodeFailure:
        """Like `Codec.decode`; an id not yet known is fetched once, then decoding is retried."""
        decoded = self.codec.decode(data, expected)
        if not (
            isinstance(decoded, DecodeFailure) and decoded.kind is FailureKind.UNKNOWN_SCHEMA_ID
        ):
            return decoded
        framed = unframe(data)
        if framed is None or framed.schema_id in self.unknown_ids:
            return decoded
        if framed.schema_id in self.unusable:
            return self.unusable[framed.schema_id]
        try:
            schema = await self.registry.fetch(framed.schema_id, self.codec.catalog)
        except BadInput as exc:
            failure = DecodeFailure(
                kind=FailureKind.UNUSABLE_SCHEMA,
                message=f"registry schema id {framed.schema_id} cannot be used: {exc}",
            )
            self.unusable[framed.schema_id] = failure
            return failure
        if schema is None:
            self.unknown_ids.add(framed.schema_id)
            return decoded
        ids = self.codec.registry or RegistryIds()
        self.codec = Codec(
            catalog=self.codec.catalog,
            limits=self.codec.limits,
            registry=ids.with_schema(framed.schema_id, schema, ours=False),
        )
        return self.codec.decode(data, expected)

    async def decode_as(self, data: bytes, expected: type[R]) -> Decoded[R] | DecodeFailure:
        """Like `Codec.decode_as`, learning unknown ids from the registry."""
        decoded = await self.decode(data, (expected,))
        if isinstance(decoded, DecodeFailure):
            return decoded
        assert isinstance(decoded.record, expected)
        return Decoded(record=decoded.record, writer=decoded.writer)


async def connect_codec(url: str, topics: Topics, codec: Codec) -> RegistryCodec:
    """Register our schemas at `url` and return a codec that writes with their ids."""
    registry = SchemaRegistry(url)
    ids = await register_schemas(registry, topics, codec.catalog)
    with_ids = Codec(catalog=codec.catalog, limits=codec.limits, registry=ids)
    return RegistryCodec(registry=registry, codec=with_ids)
