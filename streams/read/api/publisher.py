"""Manual actions from the API: commands built here, published to the commands topic.

Each command gets a fresh command id, source `manual` and the token's actor; the engine answers
every command with a `CommandResult` that the projection makes readable under /commands/{id}.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from events.codec import Codec
from events.errors import Unavailable
from events.records import MembershipAction, MembershipCommand, Source, StageCommand
from streams.ops.settings import Settings
from streams.runtime.registry import RegistryCodec, connect_codec

Command = MembershipCommand | StageCommand


def membership_commands(
    *,
    actor: str,
    action: MembershipAction,
    account_id: str,
    solution_interest_id: str,
    people: Sequence[tuple[str, str | None]],
    now: datetime,
) -> list[MembershipCommand]:
    """One command per (person, role) pair; role None for a removal."""
    return [
        MembershipCommand(
            event_id=f"api-{uuid.uuid4().hex}",
            occurred_at=now,
            command_id=f"cmd-{uuid.uuid4().hex}",
            source=Source.MANUAL,
            actor=actor,
            action=action,
            account_id=account_id,
            solution_interest_id=solution_interest_id,
            person_id=person_id,
            role=role,
        )
        for person_id, role in people
    ]


def stage_command(
    *,
    actor: str,
    account_id: str,
    solution_interest_id: str,
    stage: str | None,
    status: str | None,
    now: datetime,
) -> StageCommand:
    return StageCommand(
        event_id=f"api-{uuid.uuid4().hex}", occurred_at=now,
        command_id=f"cmd-{uuid.uuid4().hex}", source=Source.MANUAL, actor=actor,
        account_id=account_id, solution_interest_id=solution_interest_id,
        stage=stage, status=status,
    )  # fmt: skip


class CommandPublisher:
    """An idempotence-free, acks=all producer of commands (the engine drops duplicates by id)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.codec: Codec | RegistryCodec = Codec(limits=settings.input_limits)
        self.producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self.settings.schema_registry_url:
            self.codec = await connect_codec(
                self.settings.schema_registry_url, self.settings.topics, Codec()
            )
        producer = AIOKafkaProducer(**self.settings.kafka.client_options(), acks="all")
        await producer.start()
        self.producer = producer

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None

    @property
    def ready(self) -> bool:
        return self.producer is not None

    async def publish(self, commands: Sequence[Command]) -> None:
        """Send every command and wait until the broker has all of them."""
        if self.producer is None:
            raise Unavailable("kafka: the command producer is not started")
        topic = self.settings.topics.commands
        try:
            sent = [
                await self.producer.send(topic, self.codec.encode(c), key=c.account_id.encode())
                for c in commands
            ]
            await asyncio.gather(*sent)
        except KafkaError as exc:
            raise Unavailable(f"kafka: {type(exc).__name__}") from exc
