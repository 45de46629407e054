"""`python3 scripts/services.py`, the entry that scripts/test, the Makefile and the README use,
run without site-packages (it must work before the virtual environment exists), against the
services this session started: its exports, its status, its help and a bad setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import SecureServices, Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "BG_SERVICES_DIR", "BG_CACHE_DIR", "BG_KAFKA_VERSION", "BG_KAFKA_PORT",
    "BG_KAFKA_CONTROLLER_PORT", "BG_KAFKA_SASL_PORT", "BG_KAFKA_HEAP", "BG_REDIS_PORT",
    "BG_REDIS_TLS_PORT", "BG_REGISTRY_VERSION", "BG_REGISTRY_PORT",
    "BG_REGISTRY_MANAGEMENT_PORT", "BG_REGISTRY_JAVA",
)  # fmt: skip


def services_script(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The script as `python3 -S` runs it: the standard library only, no site-packages."""
    return subprocess.run(
        [sys.executable, "-S", "scripts/services.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_env_prints_the_exports_of_the_running_services(
    kafka: Service, redis_url: str, secure: SecureServices
) -> None:
    result = services_script("env")
    assert result.returncode == 0, result.stderr
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines()
    )
    assert exports["KAFKA_BOOTSTRAP_SERVERS"] == kafka.address
    assert exports["REDIS_URL"] == redis_url
    assert exports["SECURE_KAFKA_BOOTSTRAP_SERVERS"] == secure.kafka_address
    assert exports["SECURE_KAFKA_SASL_USERNAME"] == secure.username
    assert secure.password not in result.stdout + result.stderr
    assert secure.redis_url not in result.stdout + result.stderr


def test_status_says_each_service_is_up(secure: SecureServices) -> None:
    result = services_script("status")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    for name in ("kafka", "redis", "secure (kafka SASL_SSL, redis TLS)"):
        assert f"services: {name}: up" in result.stderr.splitlines()


def test_help_lists_every_setting_and_a_bad_one_is_named() -> None:
    shown = services_script("--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: services [-h]")
    from scripts.local_services import cli  # noqa: PLC0415 - the documented list, read here

    for variable in VARIABLES:
        assert variable in (cli.__doc__ or ""), variable
    bad = services_script("env", env={"BG_KAFKA_PORT": "90000"})
    assert bad.returncode == 1
    assert bad.stderr == "services: error: BG_KAFKA_PORT must be a TCP port number, got '90000'\n"
    unknown = services_script("start")
    assert unknown.returncode == 2
    assert "invalid choice: 'start'" in unknown.stderr
