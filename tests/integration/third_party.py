"""A third-party client on the contract: confluent-kafka (librdkafka), as an integrator uses it.

Producing: librdkafka's default partitioner (`consistent_random`: CRC32 of the key, a random
partition for a record without key), values written by confluent-kafka's own `AvroSerializer`
against the registry (subjects as the engine names them). Reading: its `AvroDeserializer`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    DeserializingConsumer,
    KafkaError,
    SerializingProducer,
    TopicPartition,
)
from confluent_kafka.schema_registry import (
    SchemaRegistryClient,
    topic_record_subject_name_strategy,
    topic_subject_name_strategy,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import SerializationContext, StringSerializer

from events.conversion import from_avro, to_avro
from events.decoding import DEFAULT_LIMITS
from events.records import InputRecord
from events.schemas import full_name, read_definitions, self_contained
from streams.ops.settings import Settings
from streams.runtime.partitioning import partition_of
from tests.integration.engine_harness import destination
from tests.integration.histories import EMITTED_TYPES, Emitted, output_topics

# confluent-kafka's registry client sets no request timeout: a stalled request (seen once from the
# registry in a fresh clone's run) would wait forever; 10 s, then its own retries.
REQUEST_TIMEOUT_S = 10


def schema_text(record_type: type[object]) -> str:
    """The record's Avro schema as one self-contained document."""
    return json.dumps(self_contained(full_name(record_type.__name__), read_definitions()))


def _to_dict(record: object, _ctx: SerializationContext) -> dict[str, Any]:
    return to_avro(record)


@dataclass
class Placement:
    """Where librdkafka put each record: (topic, partition, key) per delivery report."""

    delivered: list[tuple[str, int, bytes | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def report(self, error: KafkaError | None, message: Any) -> None:
        if error is not None:
            self.errors.append(str(error))
        else:
            self.delivered.append((message.topic(), message.partition(), message.key()))

    def away_from_home(self, partitions: int) -> int:
        """Records delivered elsewhere than murmur2(key) % partitions (keyless ones count)."""
        return sum(
            1
            for _, partition, key in self.delivered
            if key is None or partition != partition_of(key, partitions)
        )


class ThirdPartyProducer:
    """confluent-kafka's `SerializingProducer` with its default partitioner, one per record
    type (a serializer holds one schema)."""

    def __init__(self, settings: Settings, registry_url: str, *, keyed: bool = True) -> None:
        self.settings = settings
        self.keyed = keyed
        self.registry = SchemaRegistryClient({"url": registry_url, "timeout": REQUEST_TIMEOUT_S})
        self.placement = Placement()
        self._producers: dict[type[object], SerializingProducer] = {}

    def _producer(self, record_type: type[object]) -> SerializingProducer:
        producer = self._producers.get(record_type)
        if producer is None:
            several = len(self.settings.topics.records_on(self._topic_of(record_type))) > 1
            strategy = (
                topic_record_subject_name_strategy if several else topic_subject_name_strategy
            )
            serializer = AvroSerializer(
                self.registry,
                schema_text(record_type),
                _to_dict,
                conf={"subject.name.strategy": strategy},
            )
            producer = SerializingProducer(
                {
                    "bootstrap.servers": self.settings.kafka.bootstrap_servers,
                    "key.serializer": StringSerializer("utf_8"),
                    "value.serializer": serializer,
                    "acks": "all",
                    "linger.ms": 5,
                }
            )
            self._producers[record_type] = producer
        return producer

    def _topic_of(self, record_type: type[object]) -> str:
        for topic in self.settings.topics.all():
            if record_type in self.settings.topics.records_on(topic):
                return topic
        raise AssertionError(f"no topic carries {record_type.__name__}")

    def publish(self, records: Iterable[InputRecord]) -> None:
        """Publish in order, without key when the producer is keyless; waits for delivery."""
        for record in records:
            topic, key = destination(record, self.settings)
            producer = self._producer(type(record))
            producer.produce(
                topic,
                key=key if self.keyed else None,
                value=record,
                on_delivery=self.placement.report,
            )
            producer.poll(0)
        for producer in self._producers.values():
            assert producer.flush(30) == 0, "records left undelivered"
        assert self.placement.errors == [], self.placement.errors

    def close(self) -> None:
        self.registry.close()


def read_outputs(settings: Settings, registry_url: str) -> list[Emitted]:
    """Every record of the output topics, read from the beginning with confluent-kafka's
    `AvroDeserializer` (the writer's schema from the registry) up to the ends as of now."""
    registry = SchemaRegistryClient({"url": registry_url, "timeout": REQUEST_TIMEOUT_S})
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": settings.kafka.bootstrap_servers,
            "group.id": f"{settings.topic_prefix}-reader",
            "enable.auto.commit": False,
            "value.deserializer": AvroDeserializer(registry),
        }
    )
    try:
        ends = {}
        for topic in output_topics(settings):
            for partition in range(settings.partitions):
                _, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), 10)
                if high > 0:
                    ends[(topic, partition)] = high
        consumer.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in ends])
        return _drain(consumer, settings, ends)
    finally:
        consumer.close()
        registry.close()


def _drain(
    consumer: DeserializingConsumer, settings: Settings, ends: dict[tuple[str, int], int]
) -> list[Emitted]:
    by_name = {cls.__name__: cls for cls in EMITTED_TYPES}
    records: list[Emitted] = []
    left = dict(ends)
    deadline = time.monotonic() + 60
    while left:
        assert time.monotonic() < deadline, f"outputs not read to their end: {left}"
        message = consumer.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        assert topic is not None, message
        assert partition is not None, message
        assert offset is not None, message
        if offset + 1 >= left.get((topic, partition), 0):
            left.pop((topic, partition), None)
        (record_type,) = settings.topics.records_on(topic)
        value = message.value()
        assert isinstance(value, dict), f"{topic}: not an Avro record"
        record = from_avro(by_name[record_type.__name__], value, DEFAULT_LIMITS)
        assert isinstance(record, EMITTED_TYPES)
        records.append(record)
    return records
