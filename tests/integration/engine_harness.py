"""Drive the real engine through its topics only: publish inputs, read every output topic."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    ConfigRecord,
    DeadLetter,
    InputRecord,
    MembershipCommand,
    OutputRecord,
    PersonEvent,
    StageCommand,
    config_key_for,
)
from streams.ops.settings import KafkaSettings, Settings
from streams.runtime.provision import ensure_topics
from tests.integration.processes import WorkerProcess


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tenant_settings(bootstrap: str, partitions: int = 2) -> Settings:
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    return Settings(
        kafka=KafkaSettings(bootstrap_servers=bootstrap),
        topic_prefix=prefix,
        app_id=f"{prefix}-engine",
        partitions=partitions,
    )


def worker_env(settings: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "BG_PARTITIONS": str(settings.partitions),
        "BG_DATA_DIR": str(data_dir),
        "BG_WEB_PORT": str(free_port()),
        # Single-object encoding unless a test asks for the registry (the test run exports one).
        "SCHEMA_REGISTRY_URL": "",
        "BG_SESSION_TIMEOUT_S": "6",
        # Periodic work is requested by the tests themselves (with the clock they choose).
        "BG_DECAY_INTERVAL_S": "86400",
        "BG_CALIBRATION_INTERVAL_S": "86400",
        "BG_FIRST_CALIBRATION_INTERVAL_S": "86400",
        "BG_RECONCILIATION_INTERVAL_S": "86400",
        "BG_PENDING_CHECK_INTERVAL_S": "1",
        "BG_PENDING_ACTIVITY_TTL_S": "3",
        # Stalled partitions are caught up within seconds, before the tests call them stuck.
        "BG_CATCH_UP_INTERVAL_S": "2",
    }
    return {**env, **extra}


def engine_worker(settings: Settings, directory: Path, name: str = "worker") -> WorkerProcess:
    return WorkerProcess(
        module="streams.cli.main",
        env=worker_env(settings, directory / f"{name}-data"),
        log=directory / f"{name}.log",
    )


def destination(record: InputRecord, settings: Settings) -> tuple[str, str]:
    topics = settings.topics
    match record:
        case PersonEvent() | ActivityEvent():
            return (topics.persons if isinstance(record, PersonEvent) else topics.activities), (
                record.person_id
            )
        case AccountEvent():
            return topics.accounts, record.account_id
        case AudienceMembershipEvent():
            return topics.audience_memberships, record.account_id
        case MembershipCommand() | StageCommand():
            return topics.commands, record.account_id
        case ConfigRecord():
            return topics.config, config_key_for(record.kind, record.id)
    raise AssertionError(f"not an input: {record!r}")


@dataclass
class Tenant:
    """A producer of inputs and a reader of every output topic, for one topic prefix."""

    settings: Settings
    codec: Codec = field(default_factory=Codec)
    outputs: list[OutputRecord] = field(default_factory=list)
    failures: list[DecodeFailure] = field(default_factory=list)
    _producer: AIOKafkaProducer | None = None
    _consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        await ensure_topics(self.settings)
        options = self.settings.kafka.client_options()
        self._producer = AIOKafkaProducer(**options, acks="all")
        await self._producer.start()
        topics = self.settings.topics
        outputs = [
            topics.membership_changes,
            topics.score_changes,
            topics.stage_changes,
            topics.group_lifecycle,
            topics.person_scores,
            topics.command_results,
            topics.groups,
            topics.dead_letters,
        ]
        self._consumer = AIOKafkaConsumer(*outputs, **options, auto_offset_reset="earliest")
        await self._consumer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
        if self._consumer is not None:
            await self._consumer.stop()

    async def publish(self, *records: InputRecord) -> None:
        assert self._producer is not None
        for record in records:
            topic, key = destination(record, self.settings)
            await self._producer.send_and_wait(topic, self.codec.encode(record), key=key.encode())

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        assert self._producer is not None
        await self._producer.send_and_wait(topic, value, key=key)

    async def poll(self) -> None:
        assert self._consumer is not None
        batch = await self._consumer.getmany(timeout_ms=200)
        for messages in batch.values():
            for message in messages:
                decoded = self.codec.decode(message.value or b"")
                if isinstance(decoded, DecodeFailure):
                    self.failures.append(decoded)
                else:
                    self.outputs.append(decoded.record)  # type: ignore[arg-type]

    async def wait_for(
        self, check: Callable[[list[OutputRecord]], bool], seconds: float = 30.0
    ) -> list[OutputRecord]:
        """Poll the outputs until `check(outputs)` holds; fails with what was seen otherwise."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self.poll()
            if check(self.outputs):
                return self.outputs
            await asyncio.sleep(0.05)
        kinds = [type(r).__name__ for r in self.outputs[-20:]]
        raise AssertionError(f"outputs never satisfied the check; last seen: {kinds}")

    def of_type(self, cls: type[OutputRecord]) -> list[OutputRecord]:
        return [r for r in self.outputs if isinstance(r, cls)]


async def dead_letter_of(tenant: Tenant, value: bytes | None, key: bytes) -> DeadLetter:
    """The dead letter of the input with these original bytes, once it appears."""

    def match(record: OutputRecord) -> bool:
        return (
            isinstance(record, DeadLetter)
            and record.original_value == value
            and record.original_key == key
        )

    outputs = await tenant.wait_for(lambda out: any(match(r) for r in out))
    letter = next(r for r in outputs if match(r))
    assert isinstance(letter, DeadLetter)
    return letter
