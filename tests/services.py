"""Where the real Kafka broker, Redis and schema registry come from in tests.

Order of choice, for each service:
1. an explicit address in the environment (`KAFKA_BOOTSTRAP_SERVERS`, `REDIS_URL`,
   `SCHEMA_REGISTRY_URL`);
2. a container started with testcontainers, when a Docker engine answers a ping;
3. the services that `scripts/services up` started on 127.0.0.1 (their default ports).

Whatever the source, the service must answer; otherwise the test run fails (never skips).

The secure listeners (Kafka's SASL_SSL listener, Redis with a password and TLS) come from the
`SECURE_*` exports of `scripts/services up --secure` when set, otherwise from the secrets that
`up --secure` left in the services folder (no container offers them).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KAFKA_IMAGE = "apache/kafka:4.3.1"
REDIS_IMAGE = "redis:7"
REGISTRY_IMAGE = "apicurio/apicurio-registry:3.3.3"


@dataclass(frozen=True, slots=True)
class Service:
    address: str
    origin: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureServices:
    """Kafka's SASL_SSL listener (SCRAM) and Redis with a password and TLS."""

    kafka_address: str
    mechanism: str
    username: str
    password: str = field(repr=False)
    cafile: str
    redis_url: str = field(repr=False)

    def kafka_env(self) -> dict[str, str]:
        """The engine's settings (streams.ops.settings) for the SASL_SSL listener."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_address,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": self.mechanism,
            "KAFKA_SASL_USERNAME": self.username,
            "KAFKA_SASL_PASSWORD": self.password,
            "KAFKA_SSL_CAFILE": self.cafile,
        }


def secure_services() -> SecureServices | None:
    env = os.environ
    if env.get("SECURE_KAFKA_BOOTSTRAP_SERVERS"):
        return SecureServices(
            kafka_address=env["SECURE_KAFKA_BOOTSTRAP_SERVERS"],
            mechanism=env["SECURE_KAFKA_SASL_MECHANISM"],
            username=env["SECURE_KAFKA_SASL_USERNAME"],
            password=env["SECURE_KAFKA_SASL_PASSWORD"],
            cafile=env["SECURE_KAFKA_SSL_CAFILE"],
            redis_url=env["SECURE_REDIS_URL"],
        )
    from scripts.local_services import secure  # noqa: PLC0415 - only without the exports
    from scripts.local_services.cli import running_secure  # noqa: PLC0415
    from scripts.local_services.settings import load_settings  # noqa: PLC0415

    settings = load_settings(dict(env))
    material = running_secure(settings)
    if material is None:
        return None
    return SecureServices(
        kafka_address=f"127.0.0.1:{settings.kafka_sasl_port}",
        mechanism=secure.SCRAM_MECHANISM,
        username=material.kafka_user,
        password=material.kafka_password,
        cafile=str(material.ca_cert),
        redis_url=secure.redis_url(material, settings.redis_tls_port),
    )


def docker_engine_answers() -> bool:
    """Ping the engine with the Docker SDK, in a child process so no socket outlives the check."""
    probe = "import docker; c = docker.from_env(timeout=3); c.ping(); c.close()"
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, timeout=15, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tcp_answers(host_port: str) -> bool:
    host, _, port = host_port.split(",", maxsplit=1)[0].rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=2.0):
            return True
    except OSError:
        return False


def script_kafka_version() -> str:
    """The broker version as the running broker logged it at start."""
    log = ROOT / ".services" / "kafka" / "logs" / "server.log"
    if not log.exists():
        return "unknown (not started by scripts/services)"
    version = "unknown"
    for line in log.read_text(errors="replace").splitlines():
        if "Kafka version:" in line:
            version = line.split("Kafka version:")[1].split()[0]
    return version


@contextmanager
def kafka_container() -> Iterator[Service]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    port = _free_port()
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, port)
        .with_env("KAFKA_NODE_ID", "1")
        .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
        .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
        .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
        .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
        .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
        .with_env(
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
        )
        .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .with_env("KAFKA_NUM_PARTITIONS", "4")
    )
    with container:
        from testcontainers.core.waiting_utils import wait_for_logs  # noqa: PLC0415

        wait_for_logs(container, "Kafka Server started", timeout=120)
        yield Service(f"127.0.0.1:{port}", "testcontainers", KAFKA_IMAGE.split(":")[1])


@contextmanager
def redis_container() -> Iterator[Service]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    port = _free_port()
    with DockerContainer(REDIS_IMAGE).with_bind_ports(6379, port) as _container:
        yield Service(f"redis://127.0.0.1:{port}/0", "testcontainers", REDIS_IMAGE)


@contextmanager
def registry_container() -> Iterator[Service]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    port = _free_port()
    with DockerContainer(REGISTRY_IMAGE).with_bind_ports(8080, port) as _container:
        url = f"http://127.0.0.1:{port}/apis/ccompat/v7"
        yield Service(url, "testcontainers", REGISTRY_IMAGE)


def require(service: Service, answers: bool, how: str) -> Service:
    if not answers:
        pytest.fail(
            f"{how} at {service.address} ({service.origin}) does not answer; start the services "
            "with `scripts/services up --registry` or set the address in the environment",
            pytrace=False,
        )
    return service


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/subjects", timeout=3.0) as response:
            return int(response.status) == 200
    except (OSError, ValueError):
        return False
