"""The ceiling: how fast a bare aiokafka consumer reads a topic on this machine.

Run as its own process (`python -m bench.ceiling --topic T`): no consumer group, every partition
assigned, read from the beginning to the end offsets as of the start, nothing decoded. Prints one
JSON object: records, bytes of keys and values, seconds from the first record to the last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

PARTITION_FETCH_BYTES = 8 * 1024 * 1024


async def read_all(bootstrap: str, topic: str, limit: int | None = None) -> dict[str, float]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        numbers = consumer.partitions_for_topic(topic) or set()
        partitions = [TopicPartition(topic, number) for number in sorted(numbers)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        wanted = sum(ends.values()) if limit is None else min(limit, sum(ends.values()))
        return await _drain(consumer, wanted)
    finally:
        await consumer.stop()


async def _drain(consumer: AIOKafkaConsumer, wanted: int) -> dict[str, float]:
    """Read until `wanted` records; timed from the first fetch request to the last batch."""
    records = size = 0
    first = last = time.perf_counter()
    while records < wanted:
        batch = await consumer.getmany(timeout_ms=1000)
        count = sum(len(messages) for messages in batch.values())
        size += sum(
            len(message.key or b"") + len(message.value or b"")
            for messages in batch.values()
            for message in messages
        )
        records += count
        if count:
            last = time.perf_counter()
    return {"records": records, "bytes": size, "seconds": last - first}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many records")
    args = parser.parse_args()
    result = asyncio.run(read_all(args.bootstrap, args.topic, args.limit))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
