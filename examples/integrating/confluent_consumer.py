"""Read buying-groups outputs with confluent-kafka (librdkafka) and its Avro deserializer.

    python examples/integrating/confluent_consumer.py --bootstrap 127.0.0.1:9092 \
        --registry http://127.0.0.1:8081/apis/ccompat/v7 --prefix bg --group my-journeys

Prints each record of the output topics as one JSON line (topic, key, value) until
`--max-messages` were read or none arrived for `--idle-seconds`. The engine writes its outputs
in Confluent framing when it runs with a registry (SCHEMA_REGISTRY_URL); the deserializer
fetches each writer schema by its id. Needs `pip install "confluent-kafka[avro]"`.
"""

from __future__ import annotations

import argparse
import json
import time

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

OUTPUTS = (
    "membership-changes", "score-changes", "stage-changes", "group-lifecycle",
    "person-scores", "command-results", "groups", "dead-letters",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--prefix", default="bg")
    parser.add_argument("--group", required=True, help="the consumer group")
    parser.add_argument("--topics", nargs="*", default=OUTPUTS, help="output topics, unprefixed")
    parser.add_argument("--max-messages", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args()
    # no request timeout by default: a stalled request would wait forever; 10 s, then a retry
    registry = SchemaRegistryClient({"url": args.registry, "timeout": 10})
    deserialize = AvroDeserializer(registry)
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
    })  # fmt: skip
    consumer.subscribe([f"{args.prefix}.{topic}" for topic in args.topics])
    read, last = 0, time.monotonic()
    try:
        while read < args.max_messages and time.monotonic() - last < args.idle_seconds:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise SystemExit(f"consumer error: {message.error()}")
            context = SerializationContext(message.topic(), MessageField.VALUE)
            value = message.value()
            record = None if value is None else deserialize(value, context)
            key = (message.key() or b"").decode("utf-8", errors="replace")
            line = {"topic": message.topic(), "key": key, "value": record}
            print(json.dumps(line, default=str, sort_keys=True), flush=True)
            read, last = read + 1, time.monotonic()
    finally:
        consumer.close()
        registry.close()


if __name__ == "__main__":
    main()
