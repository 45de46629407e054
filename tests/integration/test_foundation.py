"""The foundation holds: a Faust worker with RocksDB tables on the real broker survives SIGKILL."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.integration.processes import WorkerProcess
from tests.services import Service

pytestmark = pytest.mark.integration

WORDS = [b"alpha", b"bravo", b"charlie", b"delta", b"echo"]


@pytest.fixture
def tally_worker(kafka: Service, tmp_path: Path) -> Iterator[WorkerProcess]:
    prefix = f"tally-{uuid.uuid4().hex[:8]}"
    worker = WorkerProcess(
        module="tests.integration.apps.tally",
        env={
            "TALLY_BROKER": kafka.address,
            "TALLY_PREFIX": prefix,
            "TALLY_DATADIR": str(tmp_path / "data"),
        },
        log=tmp_path / "worker.log",
        args=("--without-web",),
    )
    yield worker
    worker.stop()


async def send_round(bootstrap: str, topic: str, sequences: range) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for sequence in sequences:
            for word in WORDS:
                await producer.send(topic, key=word, value=str(sequence).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def latest_tallies(consumer: AIOKafkaConsumer, want: int, seconds: float) -> dict[bytes, int]:
    """Read `word -> count` records until every word reaches `want` or the time is up."""
    counts: dict[bytes, int] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        for records in batch.values():
            for record in records:
                assert record.key is not None
                assert record.value is not None
                counts[record.key] = max(counts.get(record.key, 0), int(record.value))
        if all(counts.get(word, 0) >= want for word in WORDS):
            break
    return counts


async def test_table_survives_sigkill_and_lost_local_state(
    kafka: Service, tally_worker: WorkerProcess, tmp_path: Path
) -> None:
    prefix = tally_worker.env["TALLY_PREFIX"]
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(f"{prefix}.{name}", 2, 1) for name in ("words", "tallies", "catch-up")]
        )
    finally:
        await admin.close()
    await tally_worker.ready()
    consumer = AIOKafkaConsumer(
        f"{prefix}.tallies", bootstrap_servers=kafka.address, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        await send_round(kafka.address, f"{prefix}.words", range(1, 21))
        first = await latest_tallies(consumer, want=20, seconds=60.0)
        assert first == dict.fromkeys(WORDS, 20)

        # Second round: kill -9 while it is being processed, then lose the local RocksDB files
        # too, so the restarted worker can only rebuild its table from the changelog topic.
        await send_round(kafka.address, f"{prefix}.words", range(21, 41))
        await latest_tallies(consumer, want=21, seconds=30.0)
        tally_worker.kill()
        shutil.rmtree(tmp_path / "data")
        await tally_worker.ready(2)

        final = await latest_tallies(consumer, want=40, seconds=90.0)
        assert final == dict.fromkeys(WORDS, 40), "a record was lost or applied twice"
    finally:
        await consumer.stop()

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        topics = await admin.list_topics()
    finally:
        await admin.close()
    assert f"{prefix}-app-{prefix}-counts-changelog" in topics
