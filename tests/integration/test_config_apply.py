"""`buying-groups config apply` against the real broker: publish, re-apply, refuse, delete."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from events.codec import Codec
from events.decoding import Decoded
from events.records import AudienceDefinition, ConfigRecord
from tests.services import Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tenant.yaml"
CODEC = Codec()


def config_apply(
    kafka: Service, prefix: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`config apply`; without `env`, with no registry whatever the environment says."""
    command = [sys.executable, "-m", "streams.cli.main", "config", "apply", *args]
    command += ["--prefix", prefix, "--bootstrap", kafka.address]
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "SCHEMA_REGISTRY_URL"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=env
    )


async def config_topic(kafka: Service, prefix: str) -> list[tuple[str, bytes | None]]:
    """Every (key, value) on the config topic, in order."""
    partition = TopicPartition(f"{prefix}.config", 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.address, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        found: list[tuple[str, bytes | None]] = []
        while await consumer.position(partition) < end:
            batch = await consumer.getmany(partition, timeout_ms=1000)
            found += [(m.key.decode(), m.value) for m in batch.get(partition, []) if m.key]
        return found
    finally:
        await consumer.stop()


def decoded(value: bytes | None) -> ConfigRecord:
    assert value is not None
    result = CODEC.decode_as(value, ConfigRecord)
    assert isinstance(result, Decoded), result
    return result.record


async def topic_names(kafka: Service) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


def test_apply_publishes_the_example_once_and_then_finds_it_unchanged(kafka: Service) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    first = config_apply(kafka, prefix, str(EXAMPLE))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "12 added, 0 changed, 6 unchanged, 0 deleted, 0 refused" in first.stdout
    assert f"Published 12 record(s) to {prefix}.config (acks=all)" in first.stdout
    records = asyncio.run(config_topic(kafka, prefix))
    assert [key for key, _ in records][:3] == [
        "role:legal-counsel",
        "stage_model:sales-cycle",
        "weighting_model:b2b-engagement",
    ]
    assert all(key == f"{decoded(v).kind}:{decoded(v).id}" for key, v in records)
    assert len({decoded(v).event_id for _, v in records}) == 12

    second = config_apply(kafka, prefix, str(EXAMPLE))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Current config: 12 record(s) read" in second.stdout
    assert "0 added, 0 changed, 18 unchanged, 0 deleted, 0 refused" in second.stdout
    assert "Nothing published (nothing to change)" in second.stdout
    assert asyncio.run(config_topic(kafka, prefix)) == records


def test_a_refused_file_exits_1_and_publishes_nothing(kafka: Service, tmp_path: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    assert config_apply(kafka, prefix, str(EXAMPLE)).returncode == 0
    before = asyncio.run(config_topic(kafka, prefix))
    refused = tmp_path / "refused.yaml"
    refused.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("role: legal-counsel", "role: legal-counsel-typo")
        .replace("name: ABM tier 1 (from the segmentation engine)", "name: ABM tier one"),
        encoding="utf-8",
    )
    result = config_apply(kafka, prefix, str(refused))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "roles_template 'security': role card 4 (legal-counsel-typo): cards[4].role: " in (
        result.stdout
    )
    assert "Refused: nothing published." in result.stdout
    assert asyncio.run(config_topic(kafka, prefix)) == before  # not even the valid change

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "templates:\n  t: {name: T, status: live, cards: [{role: X, weighting: huge}]}"
    )
    result = config_apply(kafka, prefix, str(broken))
    assert result.returncode == 1
    assert "templates.t.cards[0].weighting: 'huge' is not one of" in result.stdout
    assert asyncio.run(config_topic(kafka, prefix)) == before


def test_changes_and_deletions_are_published_in_order(kafka: Service, tmp_path: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    assert config_apply(kafka, prefix, str(EXAMPLE)).returncode == 0
    edited = tmp_path / "edited.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("name: ABM tier 1 (from", "name: ABM (from")
    job = "  devflow-abm:\n    solution_interest: devflow\n    audience: abm-tier-1\n"
    assert job in text
    edited.write_text(text.replace(job, ""), encoding="utf-8")
    deleting = ("--delete", "creation_job:devflow-abm")
    dry = config_apply(kafka, prefix, str(edited), "--dry-run", *deleting)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "Nothing published (dry run, 2 would be)" in dry.stdout
    assert len(asyncio.run(config_topic(kafka, prefix))) == 12

    result = config_apply(kafka, prefix, str(edited), *deleting)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 added, 1 changed, 16 unchanged, 1 deleted, 0 refused" in result.stdout
    (changed_key, changed), (deleted_key, tombstone) = asyncio.run(config_topic(kafka, prefix))[12:]
    assert changed_key == "audience:abm-tier-1"
    assert decoded(changed).body == AudienceDefinition(
        name="ABM (from the segmentation engine)", managed="external"
    )
    assert (deleted_key, tombstone) == ("creation_job:devflow-abm", None)


def test_a_dry_run_on_a_new_prefix_creates_no_topic(kafka: Service) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    result = config_apply(kafka, prefix, str(EXAMPLE), "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nothing published (dry run, 12 would be)" in result.stdout
    assert not [name for name in asyncio.run(topic_names(kafka)) if name.startswith(prefix)]


def test_with_a_registry_the_config_is_written_in_confluent_framing(
    kafka: Service, schema_registry_url: str
) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "SCHEMA_REGISTRY_URL": schema_registry_url}
    first = config_apply(kafka, prefix, str(EXAMPLE), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    records = asyncio.run(config_topic(kafka, prefix))
    assert len(records) == 12
    subject = f"{prefix}.config-value"
    latest = httpx.get(f"{schema_registry_url}/subjects/{subject}/versions/latest").json()
    level = httpx.get(f"{schema_registry_url}/config/{subject}").json()["compatibilityLevel"]
    assert level == "BACKWARD"
    for _, value in records:
        assert value is not None
        assert value[:1] == b"\x00"
        assert int.from_bytes(value[1:5], "big") == latest["id"]
    # read back through the registry: the same file is now unchanged
    again = config_apply(kafka, prefix, str(EXAMPLE), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Current config: 12 record(s) read" in again.stdout
    assert "0 added, 0 changed, 18 unchanged" in again.stdout
