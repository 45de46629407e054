"""A minimal Faust application for the foundation test: it tallies words into a RocksDB table.

Input `<prefix>.words`: key = word, value = the sender's sequence number (ASCII digits), one
sequence per word starting at 1. The table keeps, per word, the count and the highest sequence
applied, so a record redelivered after a crash changes nothing (at-least-once, idempotent effect).
Every applied record produces `word -> count` on `<prefix>.tallies`.

faust-streaming 0.15.3 can skip input records around a restart; like the engine's agents, the
tally applies its input through `streams.runtime.ordered_inputs`, with its ledger in the same table
and catch-up ticks (`<prefix>.catch-up`, one per partition every TALLY_CATCH_UP_S seconds) from the
leader's timer.

Run as its own process: `python -m tests.integration.apps.tally worker`, configured by
TALLY_BROKER, TALLY_PREFIX, TALLY_DATADIR and TALLY_CATCH_UP_S.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import faust

from streams.runtime.catch_up import InputLedger, RecordReader
from streams.runtime.ordered_inputs import OrderedInputs
from streams.runtime.outputs import InputMessage

PREFIX = os.environ.get("TALLY_PREFIX", "tally")
BROKER = os.environ.get("TALLY_BROKER", "127.0.0.1:9092")
PARTITIONS = 2
app = faust.App(
    f"{PREFIX}-app",
    broker=f"kafka://{BROKER}",
    store="rocksdb://",
    datadir=os.environ.get("TALLY_DATADIR", ".services/tally"),
    processing_guarantee="at_least_once",
    topic_partitions=PARTITIONS,
    web_enabled=False,
    producer_threaded=False,
    consumer_auto_offset_reset="earliest",
    broker_session_timeout=10.0,
    broker_heartbeat_interval=1.0,
)
RAW: dict[str, Any] = {"key_type": bytes, "value_type": bytes, "partitions": PARTITIONS}
WORDS_TOPIC = f"{PREFIX}.words"
CATCH_UP_TOPIC = f"{PREFIX}.catch-up"
CATCH_UP_S = float(os.environ.get("TALLY_CATCH_UP_S", "2"))
catch_up = app.topic(CATCH_UP_TOPIC, **RAW)
tallies = app.topic(f"{PREFIX}.tallies", **RAW)
table = app.Table(f"{PREFIX}-counts", **RAW)


def applied(previous: bytes | None, sequence: int) -> bytes | None:
    """The new table value, or None when `sequence` was already applied."""
    state = json.loads(previous) if previous else {"count": 0, "last": 0}
    if sequence <= state["last"]:
        return None
    return json.dumps({"count": state["count"] + 1, "last": sequence}).encode()


async def handle(message: InputMessage) -> None:
    word = message.key or b""
    updated = applied(table.get(word), int(message.value or b"0"))
    if updated is not None:
        table[word] = updated
        await tallies.send(key=word, value=str(json.loads(updated)["count"]).encode())


inputs = OrderedInputs(
    app=app,
    ledger=InputLedger(table, RecordReader({"bootstrap_servers": BROKER})),
    handler=handle,
    topics=(WORDS_TOPIC,),
    catch_up_topic=CATCH_UP_TOPIC,
    interval_s=CATCH_UP_S,
)


@app.agent(app.topic(*inputs.subscribed, **RAW), concurrency=1)
async def tally_words(stream: faust.StreamT[Any]) -> AsyncIterator[None]:
    async for event in stream.events():
        await inputs.handle(InputMessage.of(event))
        yield None


@app.timer(interval=CATCH_UP_S, on_leader=True)  # type: ignore[untyped-decorator]
async def request_catch_up() -> None:
    for partition in range(PARTITIONS):
        await catch_up.send(key=b"tick", value=b"tick", partition=partition)


if __name__ == "__main__":
    app.main()
