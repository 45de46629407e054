"""The read side over the secure listeners of `scripts/services up --secure`: the projection
(`buying-groups read-model`) reads the output topics over Kafka's SASL_SSL listener and writes
the TLS Redis with its password; the API (`buying-groups api`) reads that Redis and publishes
commands over SASL_SSL, and `read-model rebuild` reads the topics over it into that Redis. With
the worker's settings, nothing else. Each wrong Kafka or Redis
setting stops them at start, in one line naming the setting, within seconds; no secret reaches
their logs, their answers or /metrics.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from events.codec import Codec
from streams.ops.settings import Settings
from streams.runtime.provision import ensure_topics
from tests.integration.commands_topic import published_commands
from tests.integration.engine_harness import free_port, worker_env
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.read_harness import TOKEN, bearer
from tests.integration.secure_harness import (
    api_process,
    assert_no_secret,
    check_refusal,
    command,
    redis_refused,
    refused,
    secure_settings,
)
from tests.services import SecureServices
from tests.unit.read_builders import snapshot

pytestmark = pytest.mark.integration
GROUP = "/groups/acc-1/si-1"


def read_side_env(settings: Settings, secure: SecureServices, data: Path) -> dict[str, str]:
    """The worker's settings (SASL_SSL, the TLS Redis' URL), a web port and an API token."""
    port = str(free_port())
    return {
        **worker_env(settings, data),
        **secure.kafka_env(),
        "REDIS_URL": secure.redis_url,
        "BG_WEB_PORT": port,
        "BG_READ_MODEL_WEB_PORT": port,
        "BG_API_TOKENS": f"tester={TOKEN}",
    }


async def publish_snapshot(settings: Settings) -> None:
    """One group snapshot on the groups topic, as the engine would emit it (over SASL_SSL)."""
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all")
    await producer.start()
    try:
        record = snapshot(members=(("p-1", "Influencer"),))
        await producer.send_and_wait(
            settings.topics.groups, Codec().encode(record), key=record.group_id.encode()
        )
    finally:
        await producer.stop()


async def until_found(
    client: httpx.AsyncClient, path: str, seconds: float = 60.0
) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        answer = await client.get(path)
        if answer.status_code == 200:
            found: dict[str, object] = answer.json()
            return found
        assert time.monotonic() < deadline, f"{path}: {answer.status_code} after {seconds}s"
        await asyncio.sleep(0.5)


async def test_projection_and_api_over_sasl_ssl_and_tls_redis(
    secure: SecureServices, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    settings = secure_settings(secure)
    await ensure_topics(settings)
    env = read_side_env(settings, secure, tmp_path / "data")
    projection = WorkerProcess(
        module="streams.cli.main", env=env, log=tmp_path / "read-model.log", command=("read-model",)
    )
    workers.append(projection)
    await projection.ready()
    await publish_snapshot(settings)
    api_log = tmp_path / "api.log"
    with api_process(env, api_log) as origin:
        async with httpx.AsyncClient(base_url=origin, timeout=10.0) as client:
            group = await until_found(client, GROUP)  # projected into, and read from, TLS Redis
            assert group["group_id"] == snapshot().group_id
            action = await client.post(f"{GROUP}/members/remove", json={"person_ids": ["p-1"]},
                                       headers=bearer())  # fmt: skip
            assert action.status_code == 202, action.text
            api_metrics = (await client.get("/metrics")).text
            answers = [str(group), action.text, api_metrics]
    published = await published_commands(settings)  # read back over SASL_SSL
    assert [c.command_id for c in published] == action.json()["command_ids"]
    assert published[0].actor == "tester"
    assert 'bg_api_commands_published_total{kind="remove"} 1.0' in api_metrics
    _, ready = await asyncio.to_thread(http_get, projection, "/readyz")
    _, metrics = await asyncio.to_thread(http_get, projection, "/metrics")
    assert ready == '{"status":"ready"}'
    assert "bg_read_model_redis_up 1.0" in metrics
    assert 'bg_read_model_records_total{outcome="written",topic=' in metrics
    # The rebuild reads the topics over SASL_SSL into another database of the TLS Redis.
    other_db = secure.redis_url.replace("/0?", "/1?")
    rebuilt = command({**env, "REDIS_URL": other_db}, "read-model", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("read 1 records, 1 changed Redis"), rebuilt.stdout
    logs = [projection.log_text(), api_log.read_text(errors="replace")]
    assert_no_secret(secure, metrics, *answers, *logs, rebuilt.stdout + rebuilt.stderr)


@pytest.mark.parametrize("args", [("read-model",), ("api",)], ids=lambda a: a[0])
def test_a_wrong_setting_stops_the_projection_and_the_api_at_start_naming_it(
    secure: SecureServices, tmp_path: Path, args: tuple[str, ...]
) -> None:
    settings = secure_settings(secure)
    right = read_side_env(settings, secure, tmp_path / "data")
    if args == ("api",):
        args = ("api", "--port", str(free_port()))
    for fault, (env, variable) in {**refused(secure), **redis_refused(secure, tmp_path)}.items():
        started = time.monotonic()
        result = command({**right, **env}, *args, timeout=60.0)
        took = time.monotonic() - started
        print(f"\n{args[0]}, {fault}: refused in {took:.1f} s: {result.stderr.strip()}")
        check_refusal(secure, result, variable, took)


def test_a_wrong_redis_password_stops_the_rebuild_and_a_projecting_worker(
    secure: SecureServices, tmp_path: Path
) -> None:
    settings = secure_settings(secure)
    right = read_side_env(settings, secure, tmp_path / "data")
    env, variable = redis_refused(secure, tmp_path)["wrong Redis password"]
    for args, extra in ((("read-model", "rebuild"), {}), (("worker",), {"BG_READ_MODEL": "on"})):
        started = time.monotonic()
        result = command({**right, **env, **extra}, *args, timeout=60.0)
        check_refusal(secure, result, variable, time.monotonic() - started)
