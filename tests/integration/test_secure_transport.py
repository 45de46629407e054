"""The engine and its commands over Kafka's SASL_SSL listener (SCRAM-SHA-512, the broker's
certificate checked against the throwaway CA of `scripts/services up --secure`), and Redis with a
password and TLS. A wrong setting stops a worker or a command at start, in one line naming the
setting, within seconds; no secret reaches a log, an output or /metrics.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
import redis
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError

from events.records import BuyingGroupSnapshot
from tests.integration.engine_harness import worker_env
from tests.integration.histories import Outputs, wait_until_processed
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.secure_harness import (
    EXAMPLE,
    assert_no_secret,
    check_refusal,
    command,
    redis_password,
    refused,
    secure_settings,
    tenant_env,
)
from tests.services import SecureServices

pytestmark = pytest.mark.integration


async def test_worker_and_every_command_over_sasl_ssl(
    secure: SecureServices, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    settings = secure_settings(secure)
    env = tenant_env(settings, secure)
    applied = command(env, "config", "apply", str(EXAMPLE))
    assert applied.returncode == 0, applied.stderr
    worker = WorkerProcess(
        module="streams.cli.main",
        env={**worker_env(settings, tmp_path / "data"), **secure.kafka_env()},
        log=tmp_path / "worker.log",
    )
    workers.append(worker)
    await worker.ready()
    generated = command(env, "generate", "--accounts", "3", "--activities", "150", "--seed", "7")
    assert generated.returncode == 0, generated.stderr
    outputs = Outputs(settings)  # a client of this test over SASL_SSL too
    await outputs.start()
    try:
        await wait_until_processed(settings, outputs)
    finally:
        await outputs.stop()
    assert [r for r in outputs.records if isinstance(r, BuyingGroupSnapshot)], "no group made"
    ran = {
        "tick": command(env, "tick", "decay"),
        "print-topic": command(
            env, "print-topic", "groups", "--from-beginning", "--max-records", "2", "--timeout", "5"
        ),
        "lag": command(env, "lag"),
        "watch": command(env, "watch", "--seconds", "2", "--refresh", "1"),
    }
    for name, result in ran.items():
        assert result.returncode == 0, f"{name}: {result.stderr}"
    assert ran["tick"].stdout.startswith("sent a decay tick")
    assert len(ran["print-topic"].stdout.splitlines()) == 2
    assert settings.topics.persons in ran["lag"].stdout
    _, ready = await asyncio.to_thread(http_get, worker, "/readyz")
    _, metrics = await asyncio.to_thread(http_get, worker, "/metrics")
    assert ready == '{"status":"ready"}'
    assert "bg_broker_reachable 1.0" in metrics
    texts = [r.stdout + r.stderr for r in (applied, generated, *ran.values())]
    assert_no_secret(secure, metrics, worker.log_text(), *texts)


def test_a_wrong_setting_stops_the_worker_at_start_naming_it(
    secure: SecureServices, tmp_path: Path
) -> None:
    settings = secure_settings(secure)
    for fault, (env, variable) in refused(secure).items():
        started = time.monotonic()
        result = command({**worker_env(settings, tmp_path / "data"), **env}, "worker", timeout=60.0)
        took = time.monotonic() - started
        print(f"\nworker, {fault}: refused in {took:.1f} s: {result.stderr.strip()}")
        check_refusal(secure, result, variable, took)


def test_a_wrong_password_stops_every_command_at_start_naming_it(secure: SecureServices) -> None:
    env, variable = refused(secure)["wrong password"]
    env = {**env, "BG_TOPIC_PREFIX": f"refused{uuid.uuid4().hex[:8]}"}
    for args in (
        ("config", "apply", str(EXAMPLE)),
        ("generate", "--accounts", "1", "--activities", "1"),
        ("tick", "decay"),
        ("print-topic", "groups", "--timeout", "1"),
        ("lag",),
        ("watch", "--seconds", "1"),
    ):
        started = time.monotonic()
        result = command(env, *args, timeout=60.0)
        check_refusal(secure, result, variable, time.monotonic() - started)


def test_redis_takes_only_tls_with_the_password(secure: SecureServices) -> None:
    client = redis.Redis.from_url(secure.redis_url, socket_timeout=5.0)
    try:
        assert client.ping()
        key = f"secure-test-{uuid.uuid4().hex}"
        client.set(key, "1", ex=60)
        assert client.get(key) == b"1"
    finally:
        client.close()
    password = redis_password(secure)
    no_password = secure.redis_url.replace(f":{password}@", "@")
    wrong_password = secure.redis_url.replace(f":{password}@", ":wrong@")
    without_tls = no_password.replace("rediss://", "redis://").split("?")[0]
    untrusted = secure.redis_url.split("?")[0]  # the system CAs do not know the throwaway CA
    for url, error in (
        (no_password, (AuthenticationError, ResponseError)),
        (wrong_password, (AuthenticationError, ResponseError)),
        (without_tls, (RedisConnectionError,)),
        (untrusted, (RedisConnectionError,)),
    ):
        other = redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)
        try:
            with pytest.raises(error):
                other.ping()
        finally:
            other.close()
