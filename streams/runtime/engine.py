"""The engine's parts that every agent shares: the Faust app, its topics, tables and codecs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import faust

from events.codec import Codec
from events.dead_letters import DeadLetterKind
from events.decoding import Decoded, DecodeFailure
from events.errors import BadInput
from events.records import TOPIC_RECORD_TYPES, TopicRecord
from streams.ops.settings import KafkaSettings, Settings
from streams.runtime.catalogue_view import CatalogueView
from streams.runtime.catch_up import InputLedger, RecordReader
from streams.runtime.internal import Tick
from streams.runtime.ordered_inputs import INFRASTRUCTURE_ERRORS, Handler, OrderedInputs
from streams.runtime.outputs import Emitter, InputMessage
from streams.runtime.rebalances import InFlight
from streams.runtime.registry import RegistryCodec, connect_codec
from streams.runtime.skeleton import AgentLoop, BatchStore
from streams.runtime.state_codec import encode_value
from streams.stores.staging import Changelog, StagedTable

R = TypeVar("R", bound=TopicRecord)
log = logging.getLogger(__name__)


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
    options.update(broker_credentials(kafka))
    return faust.App(settings.app_id, **options)


def broker_credentials(kafka: KafkaSettings) -> dict[str, Any]:
    """Faust's `broker_credentials` for the security settings (SASL over TLS or not, or TLS)."""
    if kafka.sasl_mechanism:
        credentials = faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password,
            mechanism=kafka.sasl_mechanism,
            ssl_context=kafka.ssl_context(),
        )
        return {"broker_credentials": credentials}
    context = kafka.ssl_context()
    if kafka.security_protocol == "SSL" and context is not None:
        return {"broker_credentials": faust.SSLCredentials(context)}
    return {}


@dataclass
class Engine:
    """Built once per worker process by `streams.assembly.create_engine`."""

    settings: Settings
    app: faust.App
    codec: Codec
    emitter: Emitter
    view: CatalogueView
    reader: RecordReader
    config_ready: asyncio.Event = field(default_factory=asyncio.Event)
    registry: RegistryCodec | None = None
    ordered: list[OrderedInputs] = field(default_factory=list)
    # More reasons /readyz may give (e.g. the read model's Redis); None when ready.
    readiness: list[Callable[[], str | None]] = field(default_factory=list)
    in_flight: InFlight = field(default_factory=InFlight)
    _topics: dict[str, Any] = field(default_factory=dict)
    _changelogs: list[StagedTable] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.in_flight.on_forgotten = self.emitter.metrics.forgotten.inc

    def events(self, stream: Any) -> AsyncIterator[Any]:
        """The events of an agent's stream, each counted as begun while the agent handles it
        (see `streams.runtime.rebalances`)."""
        return self.in_flight.events(stream)

    def applied_up_to(self, topic: str, partition: int) -> int | None:
        """The next offset of `topic`/`partition` that an agent applying it in order expects
        (everything before it is applied); None for a topic no such agent reads, and with
        catch-up off (BG_CATCH_UP=off: the consumer's offsets are trusted)."""
        if not self.settings.catch_up:
            return None
        for inputs in self.ordered:
            if topic in inputs.topics:
                return int(inputs.ledger.expected(topic, partition))
        return None

    async def use_registry(self) -> None:
        """With a schema registry configured (SCHEMA_REGISTRY_URL): register the contract's
        schemas and write Confluent framing from now on; inputs are read in either framing."""
        url = self.settings.schema_registry_url
        if url is None or self.registry is not None:
            return
        self.registry = await connect_codec(url, self.settings.topics, self.codec)
        self.emitter.use_codec(self.registry.codec)
        self.view.registry = self.registry

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

    def topic(self, *names: str) -> Any:
        """A raw-bytes Faust topic over `names` (one object per set of names)."""
        key = ",".join(names)
        if key not in self._topics:
            self._topics[key] = self.app.topic(
                *names,
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
            )
        return self._topics[key]

    def table(self, name: str, partitions: int) -> StagedTable:
        """A RocksDB-backed Faust table of bytes, written once per key per batch."""
        table = self.app.Table(
            name, partitions=partitions, default=None, key_type=bytes, value_type=bytes
        )
        staged = StagedTable(table, Changelog(producer=self.app.producer, table=table))
        self._changelogs.append(staged)
        return staged

    async def changelogs_written(self) -> None:
        """Waits until the broker has acknowledged every changelog record of the tables'
        writes so far (each acknowledgement notes its offset in the table's store)."""
        for staged in self._changelogs:
            await staged.changelog.acknowledged()

    def agent(
        self,
        name: str,
        topic: Any,
        handle: Handler,
        emitter: Emitter,
        *,
        tables: tuple[StagedTable, ...] = (),
        stores: tuple[BatchStore, ...] = (),
        before_settle: tuple[Callable[[], Awaitable[None]], ...] = (),
        waits_for_config: bool = True,
    ) -> AgentLoop:
        """Registers the Faust agent `name` over `topic`, running the one agent loop
        (streams.runtime.skeleton) at concurrency 1 (the agent writes tables)."""
        metrics = emitter.metrics

        def observe(agent: str, records: int, seconds: float) -> None:
            metrics.batch_records.labels(agent).observe(records)
            metrics.batch_store.labels(agent).observe(seconds)

        loop = AgentLoop(
            name=name,
            handle=handle,
            emitter=emitter,
            in_flight=self.in_flight,
            crash=self.app.crash,
            batch_max=self.settings.batch_max,
            batch_wait_s=self.settings.batch_wait_s,
            tables=tables,
            stores=stores,
            before_settle=before_settle,
            changelogs_written=self.changelogs_written,
            config_ready=self.config_ready if waits_for_config else None,
            store_before=self.settings.internal_topics.catch_up_ticks,
            observe=observe,
        )

        async def body(stream: Any) -> None:
            await loop.run(stream)

        body.__name__ = body.__qualname__ = name  # how Faust names the agent in its logs
        self.app.agent(topic, name=name, concurrency=1)(body)
        return loop

    async def broadcast(
        self, topic: str, tick: Tick, partitions: int, emitter: Emitter | None = None
    ) -> None:
        """One copy of `tick` to every partition of `topic` (through an agent's `emitter`, which
        settles them with its batch; else through the engine's, awaited here)."""
        sender = emitter if emitter is not None else self.emitter.for_agent()
        value = encode_value(tick)
        for partition in range(partitions):
            await sender.send(topic, b"tick", value, partition=partition)
        if emitter is None:
            await sender.settle()


async def guarded(
    engine: Engine, agent: str, message: InputMessage, handle: Handler, emitter: Emitter
) -> None:
    """Run `handle(message)`. A failure of the input itself dead-letters the input (through the
    agent's `emitter`), and the agent goes on; a failure of the infrastructure stops the worker,
    so the input is read again after the restart instead of being acknowledged and lost."""
    metrics = emitter.metrics
    started = time.perf_counter()
    try:
        await handle(message)
    except INFRASTRUCTURE_ERRORS as exc:
        await engine.app.crash(exc)
        raise
    except Exception as exc:  # the agent must go on with the next record
        error = BadInput(f"{type(exc).__name__}: {exc}")
        await emitter.dead_letter(message, error, kind=DeadLetterKind.PROCESSING_ERROR)
    finished = time.perf_counter()
    metrics.consumed.labels(message.topic).inc()
    metrics.processing.labels(agent).observe(finished - started)
    if message.appended_s:
        metrics.input_age.labels(agent).observe(max(0.0, time.time() - message.appended_s))


def ordered_inputs(
    engine: Engine,
    agent: str,
    *,
    table: StagedTable,
    handle: Handler,
    topics: tuple[str, ...],
    emitter: Emitter,
) -> OrderedInputs:
    """`agent`'s inputs applied in order with nothing skipped (streams.runtime.ordered_inputs), its
    ledger kept in `table`, caught up on the engine's catch-up ticks; each input guarded and
    every caught-up record counted in `bg_records_caught_up`."""
    settings = engine.settings

    async def run(message: InputMessage) -> None:
        await guarded(engine, agent, message, handle, emitter)

    def counted(message: InputMessage, why: str) -> None:
        engine.emitter.metrics.caught_up.labels(message.topic, why).inc()

    def settled(topic: str, offsets: int) -> None:
        engine.emitter.metrics.settled.labels(topic).inc(offsets)
        log.info("%s: committed past %d offsets the input ledger had applied", topic, offsets)

    inputs = OrderedInputs(
        app=engine.app,
        ledger=InputLedger(table, engine.reader),
        handler=run,
        topics=topics,
        catch_up_topic=settings.internal_topics.catch_up_ticks,
        interval_s=settings.catch_up_interval_s,
        enabled=settings.catch_up,
        counted=counted,
        settled=settled,
    )
    engine.ordered.append(inputs)
    return inputs
