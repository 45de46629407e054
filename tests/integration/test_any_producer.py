"""Any producer is safe: records placed by librdkafka's default partitioner, or sent without a
key, reach the state of their own id, and the engine ends with the reference model's groups.

The producer is confluent-kafka (librdkafka) with its `AvroSerializer` against the real schema
registry, and every output topic is read back with its `AvroDeserializer`. Set BG_PRODUCER_SEED
to replay a printed seed.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    CommandResult,
    ConfigRecord,
    DeadLetter,
    InputRecord,
    PersonEvent,
)
from streams.ops.settings import Settings
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    Emitted,
    chosen_seed,
    engine_lag,
    facts_diff,
    publish_all,
    reference_world,
    snapshot_facts,
    tenant_history,
    with_commands,
)
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.third_party import ThirdPartyProducer, read_outputs
from tests.oracles.reference_model import World, group_facts
from tests.services import Service

pytestmark = pytest.mark.integration

PARTITIONS = 4
METRIC = re.compile(
    r"^(bg_inputs_rerouted_total|bg_input_key_mismatches_total)\{([^}]*)\} (\S+)$", re.M
)


async def idle(settings: Settings, seconds: float = 120.0) -> None:
    """Until the engine's consumer group has committed every input record (rerouted ones
    included)."""
    deadline = time.monotonic() + seconds
    while lag := await engine_lag(settings):
        assert time.monotonic() < deadline, f"engine still behind: {lag}"
        await asyncio.sleep(0.5)


async def started(
    settings: Settings, registry_url: str, tmp_path: Path, workers: list[WorkerProcess]
) -> WorkerProcess:
    await publish_all(settings, standard_config())
    worker = engine_worker(settings, tmp_path)
    worker.env["SCHEMA_REGISTRY_URL"] = registry_url
    workers.append(worker)
    await worker.ready()
    return worker


def counters(worker: WorkerProcess) -> dict[str, float]:
    """`bg_inputs_rerouted` and `bg_input_key_mismatches` as the worker's /metrics says them,
    summed over labels, by metric name and label text."""
    _, text = http_get(worker, "/metrics")
    found: dict[str, float] = {}
    for name, labels, value in METRIC.findall(text):
        found[f"{name}{{{labels}}}"] = float(value)
    return found


def check_groups(outputs: list[Emitted], expected: World) -> None:
    diff = facts_diff(snapshot_facts(outputs), group_facts(expected.groups()))
    assert diff == [], "\n".join(diff[:10])


def statuses(records: Iterable[object]) -> dict[str, str]:
    return {r.command_id: r.status for r in records if isinstance(r, CommandResult)}


async def test_librdkafka_default_partitioner_and_avro_serializer(
    kafka: Service, schema_registry_url: str, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_PRODUCER_SEED"))
    history = with_commands(rng, tenant_history(rng, accounts=12, people=80, activities=3), 3)
    config = standard_config()
    expected = reference_world(config, history.accounts, history.people, history.commands)
    settings = tenant_settings(kafka.address, partitions=PARTITIONS)
    worker = await started(settings, schema_registry_url, tmp_path, workers)
    producer = ThirdPartyProducer(settings, schema_registry_url)
    try:
        for phase in (history.accounts, history.people, history.commands):
            producer.publish(phase)
            await idle(settings)
    finally:
        producer.close()
    outputs = read_outputs(settings, schema_registry_url)
    moved = producer.placement.away_from_home(PARTITIONS)
    assert moved > len(producer.placement.delivered) / 4, "the partitioner placed most at home"
    check_groups(outputs, expected)
    assert statuses(outputs) == statuses(expected.records)
    letters = {r.error_kind for r in outputs if isinstance(r, DeadLetter)}
    assert letters <= {"person_deleted", "person_without_account", "unknown_person"}, letters
    metrics = counters(worker)
    rerouted = sum(v for k, v in metrics.items() if k.startswith("bg_inputs_rerouted"))
    assert rerouted == moved, metrics
    assert not any(k.startswith("bg_input_key_mismatches") for k in metrics), metrics


def keyless_history(rng: random.Random) -> tuple[list[InputRecord], list[InputRecord]]:
    """One record per key and kind (so that no order between a key's records matters): an
    account event and an audience join per account; then a profile per person and their
    activities."""
    now = datetime.now(UTC)
    accounts = [f"acc-{n:02d}" for n in range(6)]
    first: list[InputRecord] = []
    for number, account_id in enumerate(accounts):
        first.append(
            AccountEvent(
                event_id=f"ae-{number}",
                occurred_at=now,
                account_id=account_id,
                name=f"Company {number}",
            )
        )
        first.append(
            AudienceMembershipEvent(
                event_id=f"am-{number}",
                occurred_at=now,
                audience_id="aud-1",
                account_id=account_id,
                member=True,
            )
        )
    then: list[InputRecord] = []
    titles = ("VP Security", "Director of IT", "Security Engineer", "Chief Executive", "Analyst")
    for number in range(40):
        person_id, account_id = f"p-{number:03d}", rng.choice(accounts)
        then.append(
            PersonEvent(
                event_id=f"pe-{number}",
                occurred_at=now,
                person_id=person_id,
                account_id=account_id,
                job_title=rng.choice(titles),
                country="US",
            )
        )
        then.extend(
            ActivityEvent(
                event_id=f"act-{number}-{k}",
                occurred_at=now,
                activity_id=f"act-{number}-{k}",
                person_id=person_id,
                account_id=account_id,
                activity_type="page_viewed",
            )
            for k in range(rng.randint(0, 3))
        )
    return first, then


async def test_records_without_key_are_applied_by_their_own_id(
    kafka: Service, schema_registry_url: str, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_PRODUCER_SEED"))
    first, then = keyless_history(rng)
    config: list[ConfigRecord] = standard_config()
    expected = reference_world(config, first, then)
    settings = tenant_settings(kafka.address, partitions=PARTITIONS)
    worker = await started(settings, schema_registry_url, tmp_path, workers)
    producer = ThirdPartyProducer(settings, schema_registry_url, keyed=False)
    try:
        for phase in (first, then):
            producer.publish(phase)
            await idle(settings)
    finally:
        producer.close()
    outputs = read_outputs(settings, schema_registry_url)
    check_groups(outputs, expected)
    assert [r for r in outputs if isinstance(r, DeadLetter)] == []
    assert any(facts.members for facts in snapshot_facts(outputs).values())
    metrics = counters(worker)
    missing = sum(v for k, v in metrics.items() if 'reason="missing"' in k)
    assert missing == len(first) + len(then), metrics
    assert "key missing" in worker.log_text()
