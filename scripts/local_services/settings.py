"""Where the services run and what they are: one frozen settings object from the BG_* variables
(documented in scripts/local_services/cli.py), validated when it is built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KAFKA_POM = ROOT / "scripts" / "kafka" / "pom.xml"
REGISTRY_VERSION = "3.3.3"


class ServiceError(Exception):
    """A service could not be installed, started or stopped; the message says which and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    services_dir: Path
    cache_dir: Path
    kafka_version: str
    kafka_port: int
    controller_port: int
    kafka_sasl_port: int
    kafka_heap: str
    redis_port: int
    redis_tls_port: int
    registry_version: str
    registry_port: int
    registry_management_port: int

    @property
    def kafka_libs(self) -> Path:
        return self.cache_dir / f"kafka-{self.kafka_version}" / "libs"

    @property
    def registry_home(self) -> Path:
        return self.cache_dir / f"apicurio-registry-{self.registry_version}"

    @property
    def secure_dir(self) -> Path:
        return self.services_dir / "secure"


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ServiceError(f"{name} must be a TCP port number, got {raw!r}")
    return int(raw)


def _pom_kafka_version() -> str:
    text = KAFKA_POM.read_text()
    start = text.index("<kafka.version>") + len("<kafka.version>")
    return text[start : text.index("</kafka.version>")]


def load_settings(env: dict[str, str]) -> Settings:
    cache_default = Path.home() / ".cache" / "buying-groups"
    return Settings(
        services_dir=Path(env.get("BG_SERVICES_DIR", str(ROOT / ".services"))).resolve(),
        cache_dir=Path(env.get("BG_CACHE_DIR", str(cache_default))).resolve(),
        kafka_version=env.get("BG_KAFKA_VERSION", _pom_kafka_version()),
        kafka_port=_port(env, "BG_KAFKA_PORT", 9092),
        controller_port=_port(env, "BG_KAFKA_CONTROLLER_PORT", 9093),
        kafka_sasl_port=_port(env, "BG_KAFKA_SASL_PORT", 9094),
        kafka_heap=env.get("BG_KAFKA_HEAP", "1g"),
        redis_port=_port(env, "BG_REDIS_PORT", 6379),
        redis_tls_port=_port(env, "BG_REDIS_TLS_PORT", 6380),
        registry_version=env.get("BG_REGISTRY_VERSION", REGISTRY_VERSION),
        registry_port=_port(env, "BG_REGISTRY_PORT", 8081),
        registry_management_port=_port(env, "BG_REGISTRY_MANAGEMENT_PORT", 9000),
    )
