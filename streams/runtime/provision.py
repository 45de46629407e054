"""Creating the topics the engine uses, with the right partitions and cleanup policies.

Inputs keyed by account (accounts, audience memberships, commands) and by person (persons,
activities) must have the same partition count as the engine's internal topics, because agents
read them co-partitioned. Config is one compacted partition (its order is the config history);
group snapshots are compacted. The tables' changelogs, which Faust would otherwise create when
the worker starts, are made here too (see `TABLES`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from events.errors import BadInput, Unavailable
from streams.ops.settings import Settings

# Broker append times on every topic: latency is measured from input append to output append,
# and event time travels inside the records (`occurred_at`).
APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}
COMPACT = {"cleanup.policy": "compact", **APPEND_TIME}

# The engine's tables, and whether each is partitioned like the inputs (else one partition).
# Their changelogs are created with the other topics and served (a leader for every partition)
# before a worker starts: a changelog that the worker's consumer first sees without partitions
# (created by Faust a moment earlier) fails every write to its table with Faust's partition check
# until the consumer's next metadata refresh, minutes later.
TABLES = {
    "accounts": True,
    "person-routes": True,
    "parked-activities": True,
    "calibration-rounds": False,
}
CHANGELOG = {"cleanup.policy": "compact"}


def changelog_topic(app_id: str, table: str) -> str:
    """Faust's name for `table`'s changelog in the app `app_id`."""
    return f"{app_id}-{table}-changelog"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def topic_specs(settings: Settings) -> tuple[TopicSpec, ...]:
    topics = settings.topics
    specs = [
        TopicSpec(name, settings.partitions, APPEND_TIME)
        for name in topics.all()
        if name not in (topics.config, topics.groups)
    ]
    specs.append(TopicSpec(topics.config, 1, COMPACT))
    specs.append(TopicSpec(topics.groups, settings.partitions, COMPACT))
    internal = settings.internal_topics
    specs.extend(
        TopicSpec(name, settings.partitions, APPEND_TIME)
        for name in internal.all()
        if name != internal.calibration
    )
    specs.append(TopicSpec(internal.calibration, 1, APPEND_TIME))
    specs.extend(
        TopicSpec(
            changelog_topic(settings.app_id, table),
            settings.partitions if partitioned else 1,
            CHANGELOG,
        )
        for table, partitioned in TABLES.items()
    )
    return tuple(specs)


async def ensure_topics(settings: Settings, replication_factor: int = 1) -> list[str]:
    """Create every missing topic; returns the names created. Existing topics are left alone."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in topic_specs(settings) if spec.name not in existing]
        if missing:
            # Another process may create them between the listing and the request.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [
                        NewTopic(
                            spec.name,
                            spec.partitions,
                            replication_factor,
                            topic_configs=spec.config,
                        )
                        for spec in missing
                    ]
                )
            await _until_served(admin, [spec.name for spec in missing])
        return [spec.name for spec in missing]
    finally:
        await admin.close()


async def _until_served(
    admin: AIOKafkaAdminClient, names: list[str], seconds: float = 30.0
) -> None:
    """Wait until the broker's metadata lists every partition of `names` with a leader: a
    consumer that subscribes earlier ignores the missing topics until its next metadata refresh
    (minutes), and a worker started then gets no partitions."""
    deadline = time.monotonic() + seconds
    while True:
        described = await admin.describe_topics(names)
        pending = [
            topic["topic"]
            for topic in described
            if topic["error_code"] != 0
            or not topic["partitions"]
            or any(partition["leader"] < 0 for partition in topic["partitions"])
        ]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise Unavailable(f"topics created but not served after {seconds:.0f}s: {pending}")
        await asyncio.sleep(0.2)


async def partition_counts(settings: Settings) -> dict[str, int]:
    """The partition count of every topic the broker serves (asked for all topics, so that
    the request itself never creates one)."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(None)
    finally:
        await admin.close()
    return {
        topic["topic"]: len(topic["partitions"])
        for topic in described
        if topic["error_code"] == 0 and topic["partitions"]
    }


async def partitions_of(settings: Settings, topic: str) -> int:
    """How many partitions `topic` has on the broker; BadInput naming it when it does not exist
    (the engine's topics are created by its workers, with their partition count)."""
    count = (await partition_counts(settings)).get(topic)
    if count is None:
        raise BadInput(
            f"topic {topic} does not exist at {settings.kafka.bootstrap_servers}: start a worker "
            f"with topic prefix {settings.topic_prefix!r} first (BG_TOPIC_PREFIX or --prefix)"
        )
    return count
