"""Publishing: output records to their topics, in order, and dead letters with their reasons."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, assert_never, cast

import faust

from events.codec import Codec
from events.dead_letters import DeadLetterKind, dead_letter
from events.decoding import DecodeFailure, FailureKind
from events.errors import BadInput
from events.records import (
    BuyingGroupSnapshot,
    CommandResult,
    GroupLifecycle,
    MembershipChanged,
    OutputRecord,
    PersonScoreChanged,
    ScoreChanged,
    StageChanged,
)
from events.topics import Topics
from streams.ops.metrics import Metrics


def destination(  # noqa: PLR0911 - one return per record type reads best as a match
    record: OutputRecord, topics: Topics
) -> tuple[str, str]:
    """The topic and key of an output record."""
    match record:
        case MembershipChanged():
            return topics.membership_changes, record.group_id
        case ScoreChanged():
            return topics.score_changes, record.group_id
        case StageChanged():
            return topics.stage_changes, record.group_id
        case GroupLifecycle():
            return topics.group_lifecycle, record.group_id
        case BuyingGroupSnapshot():
            return topics.groups, record.group_id
        case PersonScoreChanged():
            return topics.person_scores, record.person_id
        case CommandResult():
            return topics.command_results, record.command_id
        case _:
            assert_never(record)


@dataclass(frozen=True, slots=True)
class InputMessage:
    """Where an input came from: enough to dead-letter it with its original bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    appended_s: float | None = None

    def processed_at(self) -> datetime:
        """The processing time of this input: its broker append time, so that processing it
        again after a crash gives the same records; the wall clock when there is none."""
        if self.appended_s:
            return datetime.fromtimestamp(self.appended_s, UTC)
        return datetime.now(UTC)

    @classmethod
    def of(cls, event: Any) -> InputMessage:
        """Where a Faust stream event came from."""
        message = event.message
        return cls(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            appended_s=message.timestamp,
        )


@dataclass
class Emitter:
    """Sends through a Faust app (`app.topic(name).send`) and waits until the broker has every
    record, so that callers store state only after its effects are published: a worker killed
    in between processes the input again and re-emits the same records (same versions), instead
    of having stored state whose records never left. Counts what it sends."""

    app: faust.App
    topics: Topics
    codec: Codec
    metrics: Metrics
    _topics: dict[str, Any] = field(default_factory=dict)

    async def emit(self, records: tuple[OutputRecord, ...]) -> None:
        sent = []
        for record in records:
            topic, key = destination(record, self.topics)
            if isinstance(record, CommandResult) and record.reason:
                self.metrics.refusals.labels(record.reason).inc()
            sent.append(await self.send(topic, key.encode(), self.codec.encode(record)))
        await asyncio.gather(*sent)

    async def dead_letter(
        self,
        message: InputMessage,
        error: DecodeFailure | BadInput,
        kind: DeadLetterKind | FailureKind | None = None,
    ) -> None:
        letter = dead_letter(
            error=error,
            key=message.key,
            value=message.value,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            failed_at=datetime.now(UTC),
        )
        if kind is not None:
            letter = replace(letter, error_kind=kind)
        self.metrics.dead_letters.labels(letter.error_kind).inc()
        await (await self.send(self.topics.dead_letters, message.key, self.codec.encode(letter)))

    async def send(
        self, topic: str, key: bytes | None, value: bytes, partition: int | None = None
    ) -> Awaitable[Any]:
        """Hand a record to the producer (to `partition`, or the one murmur2 of `key` gives); the
        returned awaitable completes when the broker has acknowledged it."""
        self.metrics.produced.labels(topic).inc()
        faust_topic = self._topics.get(topic)
        if faust_topic is None:
            faust_topic = self.app.topic(topic, key_serializer="raw", value_serializer="raw")
            self._topics[topic] = faust_topic
        sent = await faust_topic.send(key=key, value=value, partition=partition)
        return cast("Awaitable[Any]", sent)
