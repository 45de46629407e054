"""Start, stop and inspect the real services the engine needs, on 127.0.0.1.

    python3 scripts/services.py up [--registry] [--secure]
                                                  Kafka (KRaft, single node) and Redis; optionally
                                                  an Apicurio schema registry, and the secure
                                                  listeners (a SASL_SSL listener beside the
                                                  plaintext one, and Redis with a password and TLS)
    python3 scripts/services.py down              stop what `up` started
    python3 scripts/services.py status            what runs, and where
    python3 scripts/services.py env               shell exports for the running services
    python3 scripts/services.py kafka-config ARGS...   Kafka's own ConfigCommand (kafka-configs)
                                                  over the cached jars, e.g. to add a SCRAM user

Kafka is the official Apache Kafka broker: Maven fetches its jars from Maven Central into a cache
folder (never into git), the storage is formatted once, and the broker runs with Java 17. Redis is
Debian's `redis-server`, installed when missing. Standard library only, so it runs before the
project's virtual environment exists.

With --secure, `up` also makes a throwaway CA, a certificate for 127.0.0.1 and random passwords
(scripts/local_services/secure.py, into <services dir>/secure, removed by `down`), opens a
SASL_SSL listener (SCRAM-SHA-512, its user created with Kafka's own ConfigCommand) beside the
plaintext one, and starts a second Redis that takes TLS connections only and requires a
password. It prints them as SECURE_KAFKA_* and SECURE_REDIS_URL exports, whose secrets are read
from files readable by their owner only when the exports are evaluated (the printed text holds
none).

Settings (environment variables, all optional; defaults in brackets):
    BG_SERVICES_DIR           data, logs and pid files    [<repo>/.services]
    BG_CACHE_DIR              downloaded jars             [~/.cache/buying-groups]
    BG_KAFKA_VERSION          Apache Kafka from Maven     [scripts/kafka/pom.xml]
    BG_KAFKA_PORT             broker port                 [9092]
    BG_KAFKA_CONTROLLER_PORT  KRaft controller port       [9093]
    BG_KAFKA_SASL_PORT        SASL_SSL listener (--secure) [9094]
    BG_KAFKA_HEAP             JVM heap for the broker     [1g]
    BG_REDIS_PORT             Redis port                  [6379]
    BG_REDIS_TLS_PORT         Redis with password and TLS (--secure) [6380]
    BG_REGISTRY_VERSION       Apicurio Registry version   [3.3.3]
    BG_REGISTRY_PORT          schema registry port        [8081]
    BG_REGISTRY_MANAGEMENT_PORT  registry health port     [9000]
    BG_REGISTRY_JAVA          Java 21+ for the registry   [newest in /usr/lib/jvm]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

from scripts.local_services.kafka import add_scram_user, kafka_config_command, start_kafka
from scripts.local_services.processes import port_open, say, stop
from scripts.local_services.redis import (
    redis_answers,
    redis_tls_answers,
    start_redis,
    start_redis_tls,
)
from scripts.local_services.registry import registry_answers, start_registry
from scripts.local_services.secure import (
    Material,
    MaterialError,
    ensure_material,
    load_material,
    secure_exports,
    tls_answers,
)
from scripts.local_services.settings import ServiceError, Settings, load_settings


def exports(settings: Settings, registry: bool, secure: Material | None = None) -> list[str]:
    lines = [
        f"export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{settings.kafka_port}",
        f"export REDIS_URL=redis://127.0.0.1:{settings.redis_port}/0",
    ]
    if registry:
        url = f"http://127.0.0.1:{settings.registry_port}/apis/ccompat/v7"
        lines.append(f"export SCHEMA_REGISTRY_URL={url}")
    if secure is not None:
        lines += secure_exports(secure, settings.kafka_sasl_port, settings.redis_tls_port)
    return lines


def running_secure(settings: Settings) -> Material | None:
    """The material of the secure listeners, when both answer."""
    secure = load_material(settings.secure_dir)
    if secure is None:
        return None
    if tls_answers(settings.kafka_sasl_port, secure) and redis_tls_answers(
        settings.redis_tls_port, secure
    ):
        return secure
    return None


def status(settings: Settings) -> int:
    checks = {
        "kafka": port_open(settings.kafka_port),
        "redis": redis_answers(settings.redis_port),
        "registry": registry_answers(settings.registry_port),
        "secure (kafka SASL_SSL, redis TLS)": running_secure(settings) is not None,
    }
    for name, answers in checks.items():
        say(f"{name}: {'up' if answers else 'down'}")
    return 0 if checks["kafka"] and checks["redis"] else 1


def up(settings: Settings, registry: bool, secure: bool) -> list[str]:
    material = ensure_material(settings.secure_dir) if secure else None
    start_kafka(settings, material)
    start_redis(settings)
    if material is not None:
        add_scram_user(settings, material)
        start_redis_tls(settings, material)
    if registry:
        start_registry(settings)
    return exports(settings, registry, material)


def down(settings: Settings) -> None:
    stop(settings.services_dir / "registry" / "registry.pid", "registry")
    stop(settings.services_dir / "redis-tls" / "redis-tls.pid", "redis TLS")
    stop(settings.services_dir / "redis" / "redis.pid", "redis")
    stop(settings.services_dir / "kafka" / "kafka.pid", "kafka")
    shutil.rmtree(settings.secure_dir, ignore_errors=True)  # throwaway: the next `up` makes new


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="services", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "status", "env", "kafka-config"])
    parser.add_argument("--registry", action="store_true", help="also the schema registry")
    parser.add_argument(
        "--secure", action="store_true", help="also Kafka's SASL_SSL listener and Redis with TLS"
    )
    args, rest = parser.parse_known_args(argv)
    if rest and args.action != "kafka-config":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        settings = load_settings(dict(os.environ))
        if args.action == "up":
            print("\n".join(up(settings, args.registry, args.secure)))
        elif args.action == "down":
            down(settings)
        elif args.action == "env":
            registry = registry_answers(settings.registry_port)
            print("\n".join(exports(settings, registry, running_secure(settings))))
        elif args.action == "kafka-config":
            return subprocess.run(kafka_config_command(settings, rest), check=False).returncode
        else:
            return status(settings)
    except (ServiceError, MaterialError) as exc:
        print(f"services: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
