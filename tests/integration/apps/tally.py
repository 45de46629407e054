"""A minimal Faust application for the foundation test: it tallies words into a RocksDB table.

Input `<prefix>.words`: key = word, value = the sender's sequence number (ASCII digits), one
sequence per word starting at 1. The table keeps, per word, the count and the highest sequence
applied, so a record redelivered after a crash changes nothing (at-least-once, idempotent effect).
Every applied record produces `word -> count` on `<prefix>.tallies`.

Run as its own process: `python -m tests.integration.apps.tally worker`, configured by
TALLY_BROKER, TALLY_PREFIX and TALLY_DATADIR.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import faust

PREFIX = os.environ.get("TALLY_PREFIX", "tally")
app = faust.App(
    f"{PREFIX}-app",
    broker=f"kafka://{os.environ.get('TALLY_BROKER', '127.0.0.1:9092')}",
    store="rocksdb://",
    datadir=os.environ.get("TALLY_DATADIR", ".services/tally"),
    processing_guarantee="at_least_once",
    topic_partitions=2,
    web_enabled=False,
    producer_threaded=False,
    consumer_auto_offset_reset="earliest",
    broker_session_timeout=10.0,
    broker_heartbeat_interval=1.0,
)
words = app.topic(f"{PREFIX}.words", key_type=bytes, value_type=bytes, partitions=2)
tallies = app.topic(f"{PREFIX}.tallies", key_type=bytes, value_type=bytes, partitions=2)
table = app.Table(f"{PREFIX}-counts", key_type=bytes, value_type=bytes, partitions=2)


def applied(previous: bytes | None, sequence: int) -> bytes | None:
    """The new table value, or None when `sequence` was already applied."""
    state = json.loads(previous) if previous else {"count": 0, "last": 0}
    if sequence <= state["last"]:
        return None
    return json.dumps({"count": state["count"] + 1, "last": sequence}).encode()


@app.agent(words, concurrency=1)
async def tally_words(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
    async for event in stream.events():
        word: bytes = event.key
        updated = applied(table.get(word), int(event.value))
        if updated is not None:
            table[word] = updated
            await tallies.send(key=word, value=str(json.loads(updated)["count"]).encode())
        yield None


if __name__ == "__main__":
    app.main()
