"""Session fixtures for the real services; see tests/services.py for where each comes from."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.services import (
    SecureServices,
    Service,
    docker_engine_answers,
    http_answers,
    kafka_container,
    redis_container,
    registry_container,
    require,
    script_kafka_version,
    secure_services,
    tcp_answers,
)

_USE_DOCKER: bool | None = None


def use_docker() -> bool:
    global _USE_DOCKER  # noqa: PLW0603 - the engine ping is costly; ask once per session
    if _USE_DOCKER is None:
        _USE_DOCKER = docker_engine_answers()
    return _USE_DOCKER


@pytest.fixture(scope="session")
def kafka() -> Iterator[Service]:
    """The real Kafka broker: its bootstrap address, where it came from and its version."""
    explicit = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if explicit:
        service = Service(explicit, "environment", script_kafka_version())
    elif use_docker():
        with kafka_container() as service:
            yield require(service, tcp_answers(service.address), "Kafka")
        return
    else:
        service = Service("127.0.0.1:9092", "scripts/services", script_kafka_version())
    print(f"\nkafka: Apache Kafka {service.version} at {service.address} ({service.origin})")
    yield require(service, tcp_answers(service.address), "Kafka")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    explicit = os.environ.get("REDIS_URL")
    if explicit:
        service = Service(explicit, "environment", "")
    elif use_docker():
        with redis_container() as service:
            yield require(service, tcp_answers(redis_host_port(service)), "Redis").address
        return
    else:
        service = Service("redis://127.0.0.1:6379/0", "scripts/services", "")
    yield require(service, tcp_answers(redis_host_port(service)), "Redis").address


def redis_host_port(service: Service) -> str:
    return service.address.split("//")[-1].split("@")[-1].split("/")[0]


@pytest.fixture(scope="session")
def schema_registry_url() -> Iterator[str]:
    explicit = os.environ.get("SCHEMA_REGISTRY_URL")
    if explicit:
        service = Service(explicit, "environment", "")
    elif use_docker():
        with registry_container() as service:
            yield require(service, http_answers(service.address), "Schema registry").address
        return
    else:
        service = Service("http://127.0.0.1:8081/apis/ccompat/v7", "scripts/services", "")
    yield require(service, http_answers(service.address), "Schema registry").address


@pytest.fixture(scope="session")
def secure() -> SecureServices:
    """Kafka's SASL_SSL listener and Redis with password and TLS (services up --secure)."""
    found = secure_services()
    if found is None or not tcp_answers(found.kafka_address):
        pytest.fail(
            "the secure listeners do not answer: start them with `scripts/services up --secure` "
            "and evaluate its exports (SECURE_KAFKA_*, SECURE_REDIS_URL)",
            pytrace=False,
        )
    return found


def pytest_report_header() -> str:
    return f"kafka from scripts/services: Apache Kafka {script_kafka_version()}"
