"""Configuration: every worker folds the config topic; one agent turns changes into ticks.

- `read_config` (a task on every worker) reads the compacted config topic from the beginning, with
  no consumer group, into the worker's `CatalogueView`; the worker's agents start only once it has
  caught up with the topic's end as of start-up.
- `track_config` (an agent; the topic's one partition belongs to one worker at a time) waits until
  its view has folded each record, dead-letters a refused one with its reason, and sends a config
  tick to every account partition for an accepted one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from events.errors import BadInput
from state.model.changes import TickKind
from streams.runtime.engine import Engine, guarded, wall_clock
from streams.runtime.internal import Tick
from streams.runtime.outputs import InputMessage

log = logging.getLogger(__name__)
RETRY_S = (0.5, 1.0, 2.0, 5.0, 10.0)


async def read_config(engine: Engine) -> None:
    """Fold the config topic forever; reconnect with backoff when the broker goes away."""
    attempt = 0
    while True:
        try:
            await engine.use_registry()
            await _follow_config(engine)
        except KafkaError as exc:
            log.warning("config reader: %s; reconnecting", type(exc).__name__)
        except Exception:
            log.exception("config reader failed; restarting it")
        delay = RETRY_S[min(attempt, len(RETRY_S) - 1)]
        attempt += 1
        await asyncio.sleep(delay)


async def _follow_config(engine: Engine) -> None:
    topic = engine.settings.topics.config
    partition = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(
        **engine.settings.kafka.client_options(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([partition])
        consumer.seek(partition, engine.view.next_offset)
        end = (await consumer.end_offsets([partition]))[partition]
        if engine.view.next_offset >= end:
            engine.config_ready.set()
        while True:
            batch = await consumer.getmany(partition, timeout_ms=500)
            for message in batch.get(partition, []):
                await engine.view.folded(message.offset, message.key, message.value)
            if not engine.config_ready.is_set() and engine.view.next_offset >= end:
                log.info("config reader: caught up at offset %d", engine.view.next_offset)
                engine.config_ready.set()
    finally:
        await consumer.stop()


class ConfigTracker:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.emitter = engine.emitter.for_agent()
        self.ticks_topic = engine.settings.internal_topics.account_ticks

    async def handle(self, message: InputMessage) -> None:
        verdict = await self.engine.view.reached(message.offset)
        if verdict is None:
            return
        if verdict.change is None:
            error = BadInput(f"config record at offset {message.offset}: {verdict.reason}")
            await self.emitter.dead_letter(message, error, kind=verdict.kind)
            return
        tick = Tick(
            tick_id=f"config-{message.offset}-{uuid.uuid4().hex[:8]}",
            kind=TickKind.CONFIG,
            at=wall_clock(),
            config_offset=message.offset,
        )
        partitions = self.engine.settings.partitions
        await self.engine.broadcast(self.ticks_topic, tick, partitions, self.emitter)


def register(engine: Engine) -> None:
    tracker = ConfigTracker(engine)
    topic = engine.topic(engine.settings.topics.config)

    async def follow_config() -> None:
        await read_config(engine)

    async def handle(message: InputMessage) -> None:
        await guarded(engine, "track_config", message, tracker.handle, tracker.emitter)

    engine.app.task(follow_config)
    engine.agent("track_config", topic, handle, tracker.emitter)
