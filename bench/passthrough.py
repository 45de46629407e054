"""The framework's own cost: a Faust app whose one agent forwards every record, unchanged.

Run as its own process, `python -m bench.passthrough worker`, configured by the environment:
BENCH_SOURCE (the topic read), BENCH_SINK (the topic written), BENCH_APP_ID, BENCH_DATA_DIR,
BENCH_WEB_PORT and KAFKA_BOOTSTRAP_SERVERS. The Faust settings that cost time are the engine's
(`streams.runtime.engine.faust_app`: at-least-once, acks from all replicas, the aiokafka driver);
there is no table and nothing is decoded, so the difference to the engine is the engine's own work.
"""

from __future__ import annotations

import os
from typing import Any

import faust

RAW: dict[str, Any] = {
    "key_type": bytes,
    "value_type": bytes,
    "key_serializer": "raw",
    "value_serializer": "raw",
}


def passthrough_app(env: dict[str, str]) -> Any:
    bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
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
    )
    source = app.topic(env["BENCH_SOURCE"], **RAW)
    sink = app.topic(env["BENCH_SINK"], **RAW)

    async def forward(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            await sink.send(key=message.key, value=message.value)

    app.agent(source, name="forward", concurrency=1)(forward)
    return app


app = passthrough_app(dict(os.environ)) if "BENCH_SOURCE" in os.environ else None

if __name__ == "__main__":
    assert app is not None, "set BENCH_SOURCE and BENCH_SINK"
    app.main()
