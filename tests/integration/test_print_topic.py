"""`buying-groups print-topic` against the real broker: a record, undecodable bytes and a
tombstone, each printed as one JSON line by the installed command."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from events.codec import Codec
from events.records import PersonEvent
from tests.services import Service

pytestmark = pytest.mark.integration

COMMAND = Path(sys.executable).parent / "buying-groups"


async def test_print_topic_decodes_records_and_names_what_it_cannot(kafka: Service) -> None:
    prefix = f"print{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}.persons"
    person = PersonEvent(
        event_id="pe-1",
        occurred_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        person_id="p-1",
        account_id="acc-1",
        job_title="VP Engineering",
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka.address)
    await producer.start()
    try:
        await producer.send_and_wait(topic, Codec().encode(person), key=b"p-1", partition=0)
        await producer.send_and_wait(topic, b"\x00garbage", key=b"p-2", partition=0)
        await producer.send_and_wait(topic, None, key=b"p-3", partition=0)
    finally:
        await producer.stop()
    done = await asyncio.to_thread(
        subprocess.run,
        [str(COMMAND), "print-topic", "persons", "--prefix", prefix, "--from-beginning",
         "--max-records", "3", "--timeout", "20", "--bootstrap", kafka.address],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["offset"] for line in lines] == [0, 1, 2]
    assert lines[0]["type"] == "PersonEvent"
    assert lines[0]["key"] == "p-1"
    assert lines[0]["record"]["job_title"] == "VP Engineering"
    assert lines[0]["record"]["occurred_at"] == "2026-11-30T12:00:00+00:00"
    assert lines[1]["error"]["kind"] == "unknown_schema_id"
    assert lines[1]["value_base64"] == "AGdhcmJhZ2U="
    assert lines[2] == {"partition": 0, "offset": 2, "key": "p-3", "tombstone": True}
