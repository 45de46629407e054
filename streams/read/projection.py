"""`project_read_model`: the output topics and the profile topics, into Redis.

A Faust agent with concurrency 1, in the engine's worker (BG_READ_MODEL=on) or as its own worker
group (`buying-groups read-model`). Each record is written through its atomic script
(streams.read.redis_model), which ignores what is not newer than Redis holds, so redelivery and
replays are harmless.

Redis away: the handler never returns before the record is written, and never raises. It retries
with bounded backoff (at most 5 s between attempts) until Redis answers, so the agent acknowledges
nothing it has not written; meanwhile `/readyz` says not ready, `bg_read_model_redis_up` is 0 and
`bg_read_model_outages` counts the outage. Faust stops fetching the projection's partitions once
its buffer is full; nothing else waits. When Redis returns, the projection goes on where it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.exceptions import RedisError

from events.decoding import Decoded, DecodeFailure
from events.errors import BadInput, Unavailable
from events.records import (
    AccountEvent,
    BuyingGroupSnapshot,
    CommandResult,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
    PersonScoreChanged,
    ScoreChanged,
    StageChanged,
    TopicRecord,
)
from events.topics import Topics
from streams.read.keys import Keys
from streams.read.redis_model import ReadModel, connect
from streams.runtime.engine import Engine
from streams.runtime.outputs import InputMessage

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_S = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
PING_INTERVAL_S = 5.0
PROJECTED = (
    AccountEvent, PersonEvent, BuyingGroupSnapshot, MembershipChanged, ScoreChanged,
    StageChanged, GroupLifecycle, PersonScoreChanged, CommandResult,
)  # fmt: skip
Decoder = Callable[[bytes], Awaitable[Decoded[TopicRecord] | DecodeFailure]]


def read_topics(topics: Topics) -> tuple[str, ...]:
    """What the projection reads: profiles first, then snapshots, then changes."""
    return (
        topics.accounts, topics.persons, topics.groups, topics.membership_changes,
        topics.score_changes, topics.stage_changes, topics.group_lifecycle,
        topics.person_scores, topics.command_results,
    )  # fmt: skip


@dataclass
class ProjectionMetrics:
    registry: CollectorRegistry

    def __post_init__(self) -> None:
        r = self.registry
        self.records = Counter(
            "bg_read_model_records", "Records the projection took, by topic and outcome "
            "(written, unchanged: stale or duplicate, undecodable, failed)",
            ["topic", "outcome"], registry=r,
        )  # fmt: skip
        self.outages = Counter(
            "bg_read_model_outages", "Times Redis stopped answering the projection", registry=r
        )
        self.retries = Counter(
            "bg_read_model_retries", "Writes retried because Redis did not answer", registry=r
        )
        self.down_seconds = Counter(
            "bg_read_model_unavailable_seconds", "Time the projection waited for Redis", registry=r
        )
        self.up = Gauge("bg_read_model_redis_up", "1 when Redis answers the projection", registry=r)


@dataclass
class Projector:
    """Writes each record until Redis has it; knows whether Redis answers."""

    model: ReadModel
    metrics: ProjectionMetrics
    decode: Decoder
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    down_since: float | None = field(default=None)

    def not_ready_because(self) -> str | None:
        if self.down_since is None:
            return None
        return f"read model: redis unavailable for {time.monotonic() - self.down_since:.0f}s"

    async def project(self, message: InputMessage) -> None:
        """Decode and write one record; returns only once Redis has it (or it is unusable)."""
        decoded = await self._until_done(lambda: self.decode(message.value or b""))
        if isinstance(decoded, DecodeFailure):
            log.warning(
                "read model: %s[%d]@%d undecodable: %s",
                message.topic, message.partition, message.offset, decoded.kind.value,
            )  # fmt: skip
            self.metrics.records.labels(message.topic, "undecodable").inc()
            return
        record = decoded.record
        try:
            changed = await self._until_done(lambda: self.model.write(record))
        except (RedisError, BadInput) as exc:  # a script refused the record: a bug to look at
            log.error("read model: %s[%d]@%d not written: %s", message.topic,
                      message.partition, message.offset, type(exc).__name__)  # fmt: skip
            self.metrics.records.labels(message.topic, "failed").inc()
            return
        self.metrics.records.labels(message.topic, "written" if changed else "unchanged").inc()

    async def _until_done(self, attempt: Callable[[], Awaitable[T]]) -> T:
        tries = 0
        while True:
            try:
                done = await attempt()
            except Unavailable as exc:
                self._went_down(exc)
                self.metrics.retries.inc()
                delay = RETRY_S[min(tries, len(RETRY_S) - 1)]
                tries += 1
                await self.sleep(delay)
                self.metrics.down_seconds.inc(delay)
                continue
            self._came_back()
            return done

    def _went_down(self, exc: Unavailable) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.metrics.outages.inc()
            self.metrics.up.set(0)
            log.warning("read model: %s; retrying until it answers", exc)

    def _came_back(self) -> None:
        if self.down_since is not None:
            log.info("read model: redis answers again after %.1fs",
                     time.monotonic() - self.down_since)  # fmt: skip
            self.down_since = None
        self.metrics.up.set(1)

    async def check(self) -> None:
        """Ping Redis (between records, so that readiness also follows an idle Redis)."""
        try:
            await self.model.ping()
        except Unavailable as exc:
            self._went_down(exc)
            return
        self._came_back()


def projector_for(engine: Engine) -> Projector:
    settings = engine.settings
    if not settings.redis_url:
        raise BadInput("environment variable REDIS_URL: the read model needs Redis, got nothing")
    model = ReadModel(
        connect(settings.redis_url),
        Keys.for_tenant(settings.topic_prefix),
        settings.read_model.command_ttl_s,
    )

    async def decode(data: bytes) -> Decoded[TopicRecord] | DecodeFailure:
        try:
            await engine.use_registry()
        except Exception as exc:  # the registry did not answer: retried like Redis
            raise Unavailable(f"schema registry: {type(exc).__name__}") from exc
        return await engine.decode(data, PROJECTED)

    return Projector(model=model, metrics=ProjectionMetrics(engine.emitter.metrics.registry),
                     decode=decode)  # fmt: skip


def register(engine: Engine) -> Projector:
    """Add `project_read_model` (and its Redis check for /readyz) to the engine's app."""
    projector = projector_for(engine)
    topic = engine.topic(*read_topics(engine.settings.topics))

    async def project_read_model(stream: Any) -> None:
        async for event in engine.events(stream):
            await projector.project(InputMessage.of(event))

    engine.app.agent(topic, name="project_read_model", concurrency=1)(project_read_model)
    engine.app.timer(PING_INTERVAL_S)(projector.check)
    engine.readiness.append(projector.not_ready_because)
    return projector
