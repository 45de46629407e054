"""Publishing: output records to their topics, in order, and dead letters with their reasons."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, assert_never

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
    """Hands records to the worker's producer (`app.producer.send`, Faust's cheaper path: no
    per-record `Topic.send`) and keeps the broker's acknowledgements of what it sent until
    `settle` awaits them all at once, so that a batch's records travel in few produce requests.
    Callers store state only after `settle`: a worker killed in between processes the inputs
    again and re-emits the same records (same versions), instead of having stored state whose
    records never left. Counts what it sends. Each agent sends through its own emitter
    (`for_agent`), so that one agent's `settle` covers exactly its own records."""

    app: faust.App
    topics: Topics
    codec: Codec
    metrics: Metrics
    _unsettled: list[Awaitable[Any]] = field(default_factory=list)
    _agents: list[Emitter] = field(default_factory=list)

    def for_agent(self) -> Emitter:
        """An emitter of the same producer, codec and metrics with acknowledgements of its own."""
        agent = replace(self, _unsettled=[], _agents=[])
        self._agents.append(agent)
        return agent

    def use_codec(self, codec: Codec) -> None:
        """Encodes with `codec` from now on, in every agent's emitter too (a schema registry)."""
        self.codec = codec
        for agent in self._agents:
            agent.use_codec(codec)

    @property
    def unsettled(self) -> int:
        """How many records were sent since the last `settle`."""
        return len(self._unsettled)

    async def emit(self, records: tuple[OutputRecord, ...]) -> None:
        for record in records:
            topic, key = destination(record, self.topics)
            if isinstance(record, CommandResult) and record.reason:
                self.metrics.refusals.labels(record.reason).inc()
            await self.send(topic, key.encode(), self.codec.encode(record))

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
        await self.send(self.topics.dead_letters, message.key, self.codec.encode(letter))

    async def send(
        self, topic: str, key: bytes | None, value: bytes, partition: int | None = None
    ) -> Awaitable[Any]:
        """Hand a record to the producer (to `partition`, or the one murmur2 of `key` gives, as
        for every Faust topic); the returned awaitable completes when the broker has
        acknowledged it, and `settle` awaits it too."""
        self.metrics.produced.labels(topic).inc()
        sent = await self.app.producer.send(topic, key, value, partition, None, None)
        self._unsettled.append(sent)
        return sent

    async def settle(self) -> int:
        """Waits until the broker has acknowledged every record sent since the last call (a
        failed send raises here); returns how many there were."""
        sent, self._unsettled = self._unsettled, []
        if sent:
            await asyncio.gather(*sent)
        return len(sent)
