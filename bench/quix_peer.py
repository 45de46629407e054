"""The peer: the same work in Quix Streams, a Kafka stream processor for Python on librdkafka.

Run as its own process, `python -m bench.quix_peer worker` (the words after the module are
ignored, so that `tests.integration.processes.WorkerProcess` starts it like the others),
configured by the environment: BENCH_SOURCE (the topic read), BENCH_SINK (the topic written),
BENCH_GROUP (its consumer group), BENCH_STATE_DIR (its RocksDB state) and KAFKA_BOOTSTRAP_SERVERS.

One `Application` (Quix's defaults: at-least-once, a checkpoint every 5 s, the state's changelog
topic on) reads the records as raw bytes and, per record, reads about 1 KB of state kept under
the record's key in its RocksDB store, changes it (the record's bytes in front, the oldest cut
off) and writes it back, then sends the record unchanged to the sink, with its key. It prints
"Worker ready" once it has processed its first record (Quix logs nothing once it is assigned and
restored), which is what the runner waits for.
"""

from __future__ import annotations

import os
from typing import Any

from quixstreams import Application, State

READY = "Worker ready"
STATE_CHARS = 1000  # the state value of a key: about 1 KB of JSON


def peer_app(env: dict[str, str]) -> Application:
    app = Application(
        broker_address=env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        consumer_group=env.get("BENCH_GROUP", "bench-quix"),
        auto_offset_reset="earliest",
        state_dir=env.get("BENCH_STATE_DIR", ".services/bench/quix-state"),
        loglevel="INFO",
    )
    source = app.topic(env["BENCH_SOURCE"], key_deserializer="bytes", value_deserializer="bytes")
    sink = app.topic(env["BENCH_SINK"], key_serializer="bytes", value_serializer="bytes")
    ready = [False]

    def touch(value: bytes, state: State[str, Any]) -> bytes:
        """Read, change and write back the key's state; the record goes on unchanged."""
        held: dict[str, Any] = state.get("held") or {"records": 0, "recent": ""}
        recent = (value.hex() + held["recent"])[:STATE_CHARS].ljust(STATE_CHARS, "0")
        state.set("held", {"records": held["records"] + 1, "recent": recent})
        if not ready[0]:
            ready[0] = True
            print(READY, flush=True)
        return value

    frame = app.dataframe(source)
    frame = frame.apply(touch, stateful=True)
    frame.to_topic(sink)
    return app


def main() -> None:
    peer_app(dict(os.environ)).run()


if __name__ == "__main__":
    main()
