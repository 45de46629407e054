#!/usr/bin/env python3
"""Start, stop and inspect the real services the engine needs, on 127.0.0.1.

    python3 scripts/services.py up [--registry]   Kafka (KRaft, single node) and Redis; optionally
                                                  an Apicurio schema registry
    python3 scripts/services.py down              stop what `up` started
    python3 scripts/services.py status            what runs, and where
    python3 scripts/services.py env               shell exports for the running services

Kafka is the official Apache Kafka broker: Maven fetches its jars from Maven Central into a cache
folder (never into git), the storage is formatted once, and the broker runs with Java 17. Redis is
Debian's `redis-server`, installed when missing. Standard library only, so it runs before the
project's virtual environment exists.

Settings (environment variables, all optional; defaults in brackets):
    BG_SERVICES_DIR           data, logs and pid files    [<repo>/.services]
    BG_CACHE_DIR              downloaded jars             [~/.cache/buying-groups]
    BG_KAFKA_VERSION          Apache Kafka from Maven     [scripts/kafka/pom.xml]
    BG_KAFKA_PORT             broker port                 [9092]
    BG_KAFKA_CONTROLLER_PORT  KRaft controller port       [9093]
    BG_KAFKA_HEAP             JVM heap for the broker     [1g]
    BG_REDIS_PORT             Redis port                  [6379]
    BG_REGISTRY_VERSION       Apicurio Registry version   [3.3.3]
    BG_REGISTRY_PORT          schema registry port        [8081]
    BG_REGISTRY_MANAGEMENT_PORT  registry health port     [9000]
    BG_REGISTRY_JAVA          Java 21+ for the registry   [newest in /usr/lib/jvm]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KAFKA_POM = ROOT / "scripts" / "kafka" / "pom.xml"
REGISTRY_VERSION = "3.3.3"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


class ServiceError(Exception):
    """A service could not be installed, started or stopped; the message says which and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    services_dir: Path
    cache_dir: Path
    kafka_version: str
    kafka_port: int
    controller_port: int
    kafka_heap: str
    redis_port: int
    registry_version: str
    registry_port: int
    registry_management_port: int

    @property
    def kafka_libs(self) -> Path:
        return self.cache_dir / f"kafka-{self.kafka_version}" / "libs"

    @property
    def registry_home(self) -> Path:
        return self.cache_dir / f"apicurio-registry-{self.registry_version}"


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
        kafka_heap=env.get("BG_KAFKA_HEAP", "1g"),
        redis_port=_port(env, "BG_REDIS_PORT", 6379),
        registry_version=env.get("BG_REGISTRY_VERSION", REGISTRY_VERSION),
        registry_port=_port(env, "BG_REGISTRY_PORT", 8081),
        registry_management_port=_port(env, "BG_REGISTRY_MANAGEMENT_PORT", 9000),
    )


# --- processes -----------------------------------------------------------------------------


def say(message: str) -> None:
    """Progress goes to stderr, so that `up` and `env` print only shell exports on stdout."""
    print(f"services: {message}", file=sys.stderr, flush=True)


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def wait_until(check: Callable[[], bool], what: str, timeout: float, log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    raise ServiceError(f"{what} did not become ready within {timeout:.0f}s{tail}")


def spawn(argv: Sequence[str], log: Path, pid_file: Path, env: dict[str, str] | None = None) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    pid_file.write_text(str(proc.pid))
    return proc.pid


def stop(pid_file: Path, name: str) -> None:
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        say(f"{name}: not running")
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and read_pid(pid_file) is not None:
        _reap(pid)
        time.sleep(0.2)
    if read_pid(pid_file) is not None:
        say(f"{name}: still running after {STOP_TIMEOUT_S:.0f}s, sending SIGKILL")
        os.killpg(pid, signal.SIGKILL)
        _reap(pid)
    pid_file.unlink(missing_ok=True)
    say(f"{name}: stopped")


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def run(argv: Sequence[str], what: str) -> None:
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServiceError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


# --- Kafka ---------------------------------------------------------------------------------


def fetch_kafka_jars(settings: Settings) -> None:
    marker = settings.kafka_libs / ".complete"
    if marker.exists():
        return
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise ServiceError("Kafka needs Java 17 and Maven (apt-get install openjdk-17-jre maven)")
    say(f"fetching Apache Kafka {settings.kafka_version} jars from Maven Central")
    settings.kafka_libs.mkdir(parents=True, exist_ok=True)
    run(
        [
            "mvn", "-B", "-q", "-f", str(KAFKA_POM),
            f"-Dkafka.version={settings.kafka_version}",
            f"{DEPENDENCY_PLUGIN}:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={settings.kafka_libs}",
        ],
        "fetching the Kafka jars with Maven",
    )  # fmt: skip
    marker.write_text(settings.kafka_version)


def kafka_properties(settings: Settings, data_dir: Path) -> str:
    port, controller = settings.kafka_port, settings.controller_port
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller}",
            "controller.listener.names=CONTROLLER",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={data_dir}",
            "num.partitions=4",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "num.network.threads=2",
            "num.io.threads=2",
            "auto.create.topics.enable=true",
            "",
        ]
    )


LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.appinfo.name = org.apache.kafka.common.utils.AppInfoParser
logger.appinfo.level = INFO
"""


def start_kafka(settings: Settings) -> None:
    home = settings.services_dir / "kafka"
    pid_file = home / "kafka.pid"
    if read_pid(pid_file) is not None and port_open(settings.kafka_port):
        say(f"kafka: already running on 127.0.0.1:{settings.kafka_port}")
        return
    if port_open(settings.kafka_port):
        raise ServiceError(
            f"port {settings.kafka_port} is taken by another process (BG_KAFKA_PORT)"
        )
    fetch_kafka_jars(settings)
    data_dir, log_dir = home / "data", home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    props, log4j = home / "server.properties", home / "log4j2.properties"
    props.write_text(kafka_properties(settings, data_dir))
    log4j.write_text(LOG4J2)
    classpath = f"{settings.kafka_libs}/*"
    if not (data_dir / "meta.properties").exists():
        # Passed as --cluster-id=ID: a URL-safe base64 id may start with "-", which the storage
        # tool would otherwise read as an option.
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        run(
            ["java", "-cp", classpath, "kafka.tools.StorageTool", "format",
             f"--cluster-id={cluster_id}", "-c", str(props), "--ignore-formatted"],
            "formatting the Kafka storage",
        )  # fmt: skip
    server_log = log_dir / "server.log"
    offset = server_log.stat().st_size if server_log.exists() else 0
    spawn(
        ["java", "-Xms256m", f"-Xmx{settings.kafka_heap}", "-XX:+UseG1GC",
         f"-Dlog4j2.configurationFile={log4j}", f"-Dkafka.logs.dir={log_dir}",
         "-cp", classpath, "kafka.Kafka", str(props)],
        log_dir / "stdout.log",
        pid_file,
    )  # fmt: skip

    def started() -> bool:
        if read_pid(pid_file) is None:
            raise ServiceError(f"kafka exited at start; see {log_dir}")
        if not server_log.exists():
            return False
        with server_log.open("rb") as handle:
            handle.seek(offset)
            return b"Kafka Server started" in handle.read() and port_open(settings.kafka_port)

    wait_until(started, "kafka", START_TIMEOUT_S, server_log)
    say(f"kafka {settings.kafka_version}: ready on 127.0.0.1:{settings.kafka_port}")


# --- Redis ---------------------------------------------------------------------------------


def install_redis() -> None:
    if shutil.which("redis-server") is not None:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ServiceError(
            "redis-server is missing: install Redis 7 (apt-get install redis-server)"
        )
    say("installing redis-server with apt-get")
    run(["apt-get", "update", "-qq"], "apt-get update")
    run(["apt-get", "install", "-y", "-qq", "redis-server"], "apt-get install redis-server")


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def start_redis(settings: Settings) -> None:
    home = settings.services_dir / "redis"
    pid_file = home / "redis.pid"
    if redis_answers(settings.redis_port):
        owner = "" if read_pid(pid_file) is not None else " (not started by this script)"
        say(f"redis: already running on 127.0.0.1:{settings.redis_port}{owner}")
        return
    install_redis()
    home.mkdir(parents=True, exist_ok=True)
    spawn(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(settings.redis_port),
         "--save", "", "--appendonly", "no", "--dir", str(home), "--daemonize", "no"],
        home / "redis.log",
        pid_file,
    )  # fmt: skip
    wait_until(lambda: redis_answers(settings.redis_port), "redis", 20.0, home / "redis.log")
    say(f"redis: ready on 127.0.0.1:{settings.redis_port}")


# --- schema registry -----------------------------------------------------------------------


def fetch_registry(settings: Settings) -> Path:
    runner = settings.registry_home / "quarkus-run.jar"
    if runner.exists():
        return runner
    say(f"fetching Apicurio Registry {settings.registry_version} from Maven Central")
    download = settings.cache_dir / "downloads"
    artifact = f"io.apicurio:apicurio-registry-app:{settings.registry_version}:tar.gz:all"
    run(
        ["mvn", "-B", "-q", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={artifact}",
         f"-DoutputDirectory={download}"],
        "fetching Apicurio Registry with Maven",
    )  # fmt: skip
    archive = download / f"apicurio-registry-app-{settings.registry_version}-all.tar.gz"
    staging = settings.registry_home.with_suffix(".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    found = next(staging.rglob("quarkus-run.jar"), None)
    if found is None:
        raise ServiceError(f"{archive} holds no quarkus-run.jar")
    shutil.move(str(found.parent), str(settings.registry_home))
    shutil.rmtree(staging, ignore_errors=True)
    return runner


def registry_answers(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/apis/ccompat/v7/subjects"
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return int(response.status) == 200
    except (OSError, ValueError):
        return False


def registry_java(env: dict[str, str]) -> str:
    """A Java 21 or newer for the registry (Apicurio 3.x); Kafka itself runs on Java 17."""
    if "BG_REGISTRY_JAVA" in env:
        return env["BG_REGISTRY_JAVA"]
    for home in sorted(Path("/usr/lib/jvm").glob("*"), reverse=True):
        java = home / "bin" / "java"
        if java.exists() and _java_major(java) >= 21:
            return str(java)
    raise ServiceError(
        "the schema registry needs Java 21 or newer: install one, or set BG_REGISTRY_JAVA"
    )


def _java_major(java: Path) -> int:
    result = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    words = result.stderr.split('"')
    version = words[1] if len(words) > 1 else "0"
    head = version.split(".")[0]
    return int(head) if head.isdigit() else 0


def start_registry(settings: Settings) -> None:
    home = settings.services_dir / "registry"
    pid_file = home / "registry.pid"
    if read_pid(pid_file) is not None and registry_answers(settings.registry_port):
        say(f"registry: already running on http://127.0.0.1:{settings.registry_port}")
        return
    runner = fetch_registry(settings)
    home.mkdir(parents=True, exist_ok=True)
    spawn(
        [registry_java(dict(os.environ)), "-Xmx512m", "-Dquarkus.http.host=127.0.0.1",
         f"-Dquarkus.http.port={settings.registry_port}",
         "-Dquarkus.management.host=127.0.0.1",
         f"-Dquarkus.management.port={settings.registry_management_port}",
         "-jar", str(runner)],
        home / "registry.log",
        pid_file,
    )  # fmt: skip
    wait_until(
        lambda: registry_answers(settings.registry_port), "registry", 120.0, home / "registry.log"
    )
    say(f"registry: ready on http://127.0.0.1:{settings.registry_port}/apis/ccompat/v7")


# --- commands ------------------------------------------------------------------------------


def exports(settings: Settings, registry: bool) -> list[str]:
    lines = [
        f"export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{settings.kafka_port}",
        f"export REDIS_URL=redis://127.0.0.1:{settings.redis_port}/0",
    ]
    if registry:
        url = f"http://127.0.0.1:{settings.registry_port}/apis/ccompat/v7"
        lines.append(f"export SCHEMA_REGISTRY_URL={url}")
    return lines


def status(settings: Settings) -> int:
    checks = {
        "kafka": port_open(settings.kafka_port),
        "redis": redis_answers(settings.redis_port),
        "registry": registry_answers(settings.registry_port),
    }
    for name, up in checks.items():
        say(f"{name}: {'up' if up else 'down'}")
    return 0 if checks["kafka"] and checks["redis"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="services", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "status", "env"])
    parser.add_argument("--registry", action="store_true", help="also the schema registry")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(dict(os.environ))
        if args.action == "up":
            start_kafka(settings)
            start_redis(settings)
            if args.registry:
                start_registry(settings)
            print("\n".join(exports(settings, args.registry)))
        elif args.action == "down":
            for name in ("registry", "redis", "kafka"):
                stop(settings.services_dir / name / f"{name}.pid", name)
        elif args.action == "env":
            print("\n".join(exports(settings, registry_answers(settings.registry_port))))
        else:
            return status(settings)
    except ServiceError as exc:
        print(f"services: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
