"""The engine's parts that every agent shares: the Faust app, its channels, tables and codecs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import faust
from aiokafka.errors import KafkaError
from faust.types import TP

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure
from events.errors import BadInput, Unavailable
from events.records import TOPIC_RECORD_TYPES, TopicRecord
from streams.catalogue_view import CatalogueView
from streams.catch_up import InputLedger, RecordReader
from streams.internal import Tick
from streams.outputs import Emitter, Source
from streams.registry import RegistryCodec, connect_codec
from streams.settings import Settings
from streams.state_codec import encode_value

R = TypeVar("R", bound=TopicRecord)
RAW = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}


def wall_clock() -> datetime:
    return datetime.now(UTC)


def faust_app(settings: Settings) -> faust.App:
    kafka = settings.kafka
    options: dict[str, Any] = {
        "broker": [f"kafka://{host}" for host in kafka.bootstrap_servers.split(",")],
        "store": "rocksdb://",
        "datadir": str(settings.data_dir),
        "processing_guarantee": "at_least_once",
        "topic_partitions": settings.partitions,
        "table_standby_replicas": settings.standby_replicas,
        "web_host": settings.web_host,
        "web_port": settings.web_port,
        "web_enabled": True,
        "web_tables_enabled": False,
        "web_router_enabled": False,
        "producer_threaded": False,
        "producer_acks": -1,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": settings.session_timeout_s,
        "broker_heartbeat_interval": min(3.0, settings.session_timeout_s / 3),
    }
    if kafka.sasl_mechanism:
        options["broker_credentials"] = faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password,
            mechanism=kafka.sasl_mechanism,
            ssl_context=kafka.ssl_context(),
        )
    return faust.App(settings.app_id, **options)


@dataclass
class Engine:
    """Built once per worker process by `streams.app.create_app`."""

    settings: Settings
    app: Any
    codec: Codec
    emitter: Emitter
    view: CatalogueView
    reader: RecordReader
    config_ready: asyncio.Event = field(default_factory=asyncio.Event)
    registry: RegistryCodec | None = None
    _channels: dict[str, Any] = field(default_factory=dict)

    async def use_registry(self) -> None:
        """With a schema registry configured (SCHEMA_REGISTRY_URL): register the contract's
        schemas and write Confluent framing from now on; inputs are read in either framing."""
        url = self.settings.schema_registry_url
        if url is None or self.registry is not None:
            return
        self.registry = await connect_codec(url, self.settings.topics, self.codec)
        self.emitter.codec = self.registry.codec

    async def decode(
        self, data: bytes, expected: tuple[type[object], ...] = TOPIC_RECORD_TYPES
    ) -> Decoded[TopicRecord] | DecodeFailure:
        """An input record, in single-object encoding or Confluent framing."""
        if self.registry is None:
            return self.codec.decode(data, expected)
        return await self.registry.decode(data, expected)

    async def decode_as(self, data: bytes, expected: type[R]) -> Decoded[R] | DecodeFailure:
        if self.registry is None:
            return self.codec.decode_as(data, expected)
        return await self.registry.decode_as(data, expected)

    def channel(self, *names: str) -> Any:
        """A raw-bytes Faust topic over `names` (one object per set of names)."""
        key = ",".join(names)
        if key not in self._channels:
            self._channels[key] = self.app.topic(*names, **RAW)
        return self._channels[key]

    def table(self, name: str, partitions: int) -> Any:
        return self.app.Table(
            name, partitions=partitions, default=None, key_type=bytes, value_type=bytes
        )

    async def broadcast(self, topic: str, tick: Tick, partitions: int) -> None:
        """One copy of `tick` to every partition of `topic`."""
        channel = self.channel(topic)
        value = encode_value(tick)
        for partition in range(partitions):
            await channel.send(key=b"tick", value=value, partition=partition)


def source_of(event: Any) -> Source:
    message = event.message
    return Source(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        appended_s=message.timestamp,
    )


INFRASTRUCTURE_ERRORS = (KafkaError, Unavailable, OSError, asyncio.TimeoutError)


Take = Callable[[Source], Awaitable[None]]


async def guarded(engine: Engine, agent: str, source: Source, take: Take) -> None:
    """Run `take(source)`. A failure of the input itself dead-letters the input, and the agent
    goes on; a failure of the infrastructure stops the worker, so the input is read again after
    the restart instead of being acknowledged and lost."""
    metrics = engine.emitter.metrics
    started = time.perf_counter()
    try:
        await take(source)
    except INFRASTRUCTURE_ERRORS as exc:
        await engine.app.crash(exc)
        raise
    except Exception as exc:  # the agent must go on with the next record
        error = BadInput(f"{type(exc).__name__}: {exc}")
        await engine.emitter.dead_letter(source, error, kind="processing_error")
    finished = time.perf_counter()
    metrics.consumed.labels(source.topic).inc()
    metrics.processing.labels(agent).observe(finished - started)
    if source.appended_s:
        metrics.input_age.labels(agent).observe(max(0.0, time.time() - source.appended_s))


@dataclass
class OrderedInputs:
    """One table-writing agent's inputs (`topics`), applied in offset order with nothing skipped
    (see streams.catch_up): records the stream skipped are read from the broker before the
    record that reveals them, and each record of `catch_up_topic` (a tick per partition) reads
    the records the stream stalled on in that partition of `topics`."""

    engine: Engine
    agent: str
    ledger: InputLedger
    take: Take
    topics: tuple[str, ...]
    catch_up_topic: str
    _last_applied: dict[str, float] = field(default_factory=dict)

    async def apply(self, source: Source) -> None:
        """`source`, after the records the stream skipped before it; or, for a catch-up tick,
        the records its partition stalled on."""
        catching_up = self.engine.settings.catch_up
        try:
            if source.topic == self.catch_up_topic:
                if catching_up:
                    await self._catch_up(source.partition)
                return
            expected = self.ledger.expected(source.topic, source.partition)
            skipped = await self.ledger.skipped_before(source, expected) if catching_up else []
        except INFRASTRUCTURE_ERRORS as exc:
            await self.engine.app.crash(exc)
            raise
        await self._applied(skipped, "skipped")
        await guarded(self.engine, self.agent, source, self.take)
        # One ledger read per input: the skipped records only moved it up to `source.offset`.
        self.ledger.passed(source, expected)
        self._last_applied[source.topic] = time.monotonic()

    async def _catch_up(self, partition: int) -> None:
        """Only a topic that the stream left alone for a whole catch-up interval is checked: a
        partition of a busy topic is more likely waiting its turn in a backlog than stalled
        (and the next record to reach it reveals what was skipped). The stream is sent back to
        the first stalled record once they are applied, so that Faust reads them again
        (duplicates, which change nothing) and its committed offset, which SREs watch as lag,
        moves on."""
        quiet_since = time.monotonic() - self.engine.settings.catch_up_interval_s
        for topic in self.topics:
            busy = self._last_applied.get(topic, quiet_since) > quiet_since
            end = None if busy else self._end_offset(topic, partition)
            stalled = await self.ledger.stalled(topic, partition, end)
            await self._applied(stalled, "stalled")
            if stalled:
                await self.engine.app.consumer.seek(TP(topic, partition), stalled[0].offset)

    def _end_offset(self, topic: str, partition: int) -> int | None:
        """The partition's end offset from the consumer's last fetch (no request to the broker);
        None while it has not fetched the partition."""
        try:
            end = self.engine.app.consumer.highwater(TP(topic, partition))
        except Exception:
            return None
        return end if isinstance(end, int) else None

    async def _applied(self, sources: list[Source], why: str) -> None:
        for source in sources:
            self.engine.emitter.metrics.caught_up.labels(source.topic, why).inc()
            await guarded(self.engine, self.agent, source, self.take)
            self.ledger.passed(source)
