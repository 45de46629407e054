"""The framework's own cost: Faust apps that forward every record unchanged, or only read them.

Run as its own process, `python -m bench.passthrough worker`, configured by the environment:
BENCH_SOURCE (the topic read), BENCH_SINK (the topic written; not needed to only read),
BENCH_MODE, BENCH_APP_ID, BENCH_DATA_DIR, BENCH_WEB_PORT and KAFKA_BOOTSTRAP_SERVERS. BENCH_MODE is
one of

- `forward` (the default): one agent sends every event on with `Topic.send` and waits for
  nothing, one event at a time (`stream.events()`);
- `consume`: one agent reads every event and does nothing with it, the floor of any Faust agent;
  its progress is the count of events read in Faust's own monitor (`events_total`, served at the
  web server's `/`; `web_stats_enabled` only mounts that view, in every mode) and, coarser, its
  consumer group's committed offsets (Faust commits every 10,000 acked events and every 2.8 s);
- `batched`: one agent takes events in batches (`stream.take_events(1000, 0.05)`) and sends each
  record through Faust's producer itself (`app.producer.send`, no `Topic` on the way), gathering
  the batch's delivery futures once per batch.

The Faust settings that cost time are the engine's (`streams.runtime.engine.faust_app`:
at-least-once, acks from all replicas, the aiokafka driver) and the same in every mode; there is
no table and nothing is decoded, so the difference to the engine is the engine's own work.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import faust

RAW: dict[str, Any] = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}
MODES = ("forward", "consume", "batched")
BATCH = 1000  # events at most per batch of the batched mode
WITHIN_S = 0.05  # seconds the batched mode waits to fill a batch


def passthrough_app(env: dict[str, str]) -> Any:
    bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    mode = env.get("BENCH_MODE", "forward")
    if mode not in MODES:
        raise ValueError(f"BENCH_MODE must be one of {MODES}, not {mode!r}")
    app = faust.App(
        env.get("BENCH_APP_ID", "bench-passthrough"),
        broker=[f"kafka://{host}" for host in bootstrap.split(",")],
        store="memory://",
        datadir=env.get("BENCH_DATA_DIR", ".services/bench/passthrough"),
        processing_guarantee="at_least_once",
        producer_acks=-1,
        producer_threaded=False,
        consumer_auto_offset_reset="earliest",
        web_host="127.0.0.1",
        web_port=int(env.get("BENCH_WEB_PORT", "6099")),
        web_stats_enabled=True,  # Faust's monitor at `/`: the consume-only floor's progress
    )
    source = app.topic(env["BENCH_SOURCE"], **RAW)

    if mode == "consume":

        async def consume(stream: Any) -> None:
            async for _ in stream.events():
                pass

        app.agent(source, name="consume", concurrency=1)(consume)
        return app

    sink_name = env["BENCH_SINK"]
    if mode == "batched":

        async def forward_batched(stream: Any) -> None:
            async for events in stream.take_events(BATCH, WITHIN_S):
                send = app.producer.send
                pending = [
                    await send(sink_name, e.message.key, e.message.value, None, None, None)
                    for e in events
                ]
                await asyncio.gather(*pending)

        app.agent(source, name="forward_batched", concurrency=1)(forward_batched)
        return app

    sink = app.topic(sink_name, **RAW)

    async def forward(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            await sink.send(key=message.key, value=message.value)

    app.agent(source, name="forward", concurrency=1)(forward)
    return app


app = passthrough_app(dict(os.environ)) if "BENCH_SOURCE" in os.environ else None

if __name__ == "__main__":
    assert app is not None, "set BENCH_SOURCE (and BENCH_SINK to forward)"
    app.main()
