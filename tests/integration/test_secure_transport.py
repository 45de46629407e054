"""The engine and its commands over Kafka's SASL_SSL listener (SCRAM-SHA-512, the broker's
certificate checked against the throwaway CA of `scripts/services up --secure`), and Redis with a
password and TLS. A wrong setting stops a worker or a command at start, in one line naming the
setting, within seconds; no secret reaches a log, an output or /metrics.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import redis
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError

from events.records import BuyingGroupSnapshot
from streams.ops.settings import KafkaSettings, Settings
from tests.integration.engine_harness import tenant_settings, worker_env
from tests.integration.histories import Outputs, wait_until_processed
from tests.integration.processes import WorkerProcess, http_get
from tests.services import SecureServices

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tenant.yaml"
START_BOUND_S = 20.0  # a refused setting must stop a process well within this
WRONG_PASSWORD = "not-the-password-" + uuid.uuid4().hex


def secure_settings(secure: SecureServices) -> Settings:
    settings = tenant_settings(secure.kafka_address)
    kafka = KafkaSettings(
        bootstrap_servers=secure.kafka_address,
        security_protocol="SASL_SSL",
        sasl_mechanism=secure.mechanism,
        sasl_username=secure.username,
        sasl_password=secure.password,
        ssl_cafile=secure.cafile,
    )
    return replace(settings, kafka=kafka)


def command(
    env: dict[str, str], *args: str, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """`buying-groups ARGS` in its own process, with `env` over this one's environment."""
    return subprocess.run(
        [sys.executable, "-m", "streams.cli.main", *args],
        cwd=ROOT,
        env={**subprocess_env(), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def subprocess_env() -> dict[str, str]:
    """This process's environment, without the schema registry (single-object encoding)."""
    return {**os.environ, "SCHEMA_REGISTRY_URL": ""}


def assert_no_secret(secure: SecureServices, *texts: str) -> None:
    for text in texts:
        assert secure.password not in text, "the SASL password was written out"
        assert WRONG_PASSWORD not in text, "a wrong password was written out"
        assert secure.redis_url.split("@")[0].split(":")[-1] not in text, "Redis' password"


def tenant_env(settings: Settings, secure: SecureServices) -> dict[str, str]:
    return {
        **secure.kafka_env(),
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "BG_PARTITIONS": str(settings.partitions),
    }


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


def refused(secure: SecureServices) -> dict[str, tuple[dict[str, str], str]]:
    """Each wrong setting, and the variable the message must name."""
    right = secure.kafka_env()
    return {
        "wrong password": ({**right, "KAFKA_SASL_PASSWORD": WRONG_PASSWORD}, "KAFKA_SASL_PASSWORD"),
        "unknown user": ({**right, "KAFKA_SASL_USERNAME": "bg-nobody"}, "KAFKA_SASL_USERNAME"),
        "no password": ({**right, "KAFKA_SASL_PASSWORD": ""}, "KAFKA_SASL_PASSWORD"),
        "other mechanism": (
            {**right, "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256"},
            "KAFKA_SASL_MECHANISM",
        ),
        "CA not given": ({**right, "KAFKA_SSL_CAFILE": ""}, "KAFKA_SSL_CAFILE"),
        "plaintext to the TLS listener": (
            {
                "KAFKA_BOOTSTRAP_SERVERS": secure.kafka_address,
                "KAFKA_SECURITY_PROTOCOL": "PLAINTEXT",
                "KAFKA_SASL_MECHANISM": "",
                "KAFKA_SASL_USERNAME": "",
                "KAFKA_SASL_PASSWORD": "",
                "KAFKA_SSL_CAFILE": "",
            },
            "KAFKA_SECURITY_PROTOCOL",
        ),
    }


def check_refusal(
    secure: SecureServices, result: subprocess.CompletedProcess[str], variable: str, took: float
) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert variable in output, output
    assert "Traceback" not in output, output
    assert took < START_BOUND_S, f"{took:.1f}s to refuse"
    assert_no_secret(secure, output)


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
    password = secure.redis_url.split("@")[0].split(":")[-1]
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
