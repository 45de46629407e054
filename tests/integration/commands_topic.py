"""The commands that reached the commands topic: what the API published, read back from Kafka."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import MembershipCommand, StageCommand
from streams.ops.settings import Settings


async def published_commands(settings: Settings) -> list[MembershipCommand | StageCommand]:
    """Every command on the tenant's commands topic, from the beginning to its end now."""
    consumer = AIOKafkaConsumer(**settings.kafka.client_options(), group_id=None)
    await consumer.start()
    found: list[MembershipCommand | StageCommand] = []
    try:
        tps = [TopicPartition(settings.topics.commands, p) for p in range(settings.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            while await consumer.position(tp) < ends[tp]:
                for message in (await consumer.getmany(tp, timeout_ms=500)).get(tp, []):
                    decoded = Codec().decode(message.value or b"")
                    assert not isinstance(decoded, DecodeFailure), decoded
                    assert isinstance(decoded.record, MembershipCommand | StageCommand)
                    found.append(decoded.record)
    finally:
        await consumer.stop()
    return found
