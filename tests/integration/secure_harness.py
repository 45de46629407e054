"""What the tests over the secure listeners share: the engine's settings for Kafka's SASL_SSL
listener, `buying-groups` commands and the API as real processes, each wrong setting with the
variable its message must name, and the check that no secret was written out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from streams.ops.settings import KafkaSettings, Settings
from tests.integration.engine_harness import free_port, tenant_settings
from tests.services import SecureServices

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tenant.yaml"
START_BOUND_S = 20.0  # a refused setting must stop a process well within this
WRONG_PASSWORD = "not-the-password-" + uuid.uuid4().hex
Refusals = dict[str, tuple[dict[str, str], str]]


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
    return replace(settings, kafka=kafka, redis_url=secure.redis_url)


def subprocess_env() -> dict[str, str]:
    """This process's environment, without the schema registry (single-object encoding)."""
    return {**os.environ, "SCHEMA_REGISTRY_URL": ""}


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


def redis_password(secure: SecureServices) -> str:
    return secure.redis_url.split("@")[0].split(":")[-1]


def assert_no_secret(secure: SecureServices, *texts: str) -> None:
    for text in texts:
        assert secure.password not in text, "the SASL password was written out"
        assert WRONG_PASSWORD not in text, "a wrong password was written out"
        assert redis_password(secure) not in text, "Redis' password was written out"


def tenant_env(settings: Settings, secure: SecureServices) -> dict[str, str]:
    return {
        **secure.kafka_env(),
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "BG_PARTITIONS": str(settings.partitions),
    }


def refused(secure: SecureServices) -> Refusals:
    """Each wrong Kafka setting, and the variable the message must name."""
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


def redis_refused(secure: SecureServices, tmp_path: Path) -> Refusals:
    """Each wrong REDIS_URL for the TLS Redis with a password (Kafka's settings right)."""
    url, password = secure.redis_url, redis_password(secure)
    no_password = url.replace(f":{password}@", "@")
    not_a_ca = tmp_path / "not-a-ca.pem"
    not_a_ca.write_text("not a certificate\n")
    wrong = {
        "wrong Redis password": url.replace(f":{password}@", f":{WRONG_PASSWORD}@"),
        "no Redis password": no_password,
        "Redis without TLS": url.replace("rediss://", "redis://").split("?")[0],
        "Redis CA not given": url.split("?")[0],
        "Redis CA not a certificate": f"{url.split('?')[0]}?ssl_ca_certs={not_a_ca}",
    }
    return {fault: ({**secure.kafka_env(), "REDIS_URL": bad}, "REDIS_URL")
            for fault, bad in wrong.items()}  # fmt: skip


def check_refusal(
    secure: SecureServices, result: subprocess.CompletedProcess[str], variable: str, took: float
) -> None:
    """The process stopped at start (exit 2) in one line naming `variable`, soon, no secret."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert variable in output, output
    assert "Traceback" not in output, output
    assert len(result.stderr.strip().splitlines()) == 1, output
    assert took < START_BOUND_S, f"{took:.1f}s to refuse"
    assert_no_secret(secure, output)


@contextmanager
def api_process(env: dict[str, str], log: Path) -> Iterator[str]:
    """`buying-groups api` as its own process on a free port, `env` over this one's environment;
    yields its origin once /readyz says ready (Redis and the Kafka producer up)."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "streams.cli.main", "api", "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env={**subprocess_env(), **env, "PYTHONUNBUFFERED": "1"},
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_ready(origin, proc, log)
        yield origin
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_ready(origin: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{origin}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"the API at {origin} never got ready:\n{log.read_text()[-3000:]}")
