#!/usr/bin/env python3
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
(scripts/secure.py, into <services dir>/secure, removed by `down`), opens a SASL_SSL listener
(SCRAM-SHA-512, its user created with Kafka's own ConfigCommand) beside the plaintext one, and
starts a second Redis that takes TLS connections only and requires a password. It prints them as
SECURE_KAFKA_* and SECURE_REDIS_URL exports, whose secrets are read from files readable by their
owner only when the exports are evaluated (the printed text holds none).

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
import base64
import contextlib
import os
import shutil
import signal
import socket
import ssl
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
if str(ROOT) not in sys.path:  # run as `python3 scripts/services.py`: its sibling by package name
    sys.path.insert(0, str(ROOT))

from scripts.secure import (  # noqa: E402 - the repository root is on sys.path only now
    SCRAM_MECHANISM,
    Material,
    MaterialError,
    ensure_material,
    load_material,
    scram_config_file,
    secure_exports,
)

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


# The services this process started, kept until they are reaped: a test that starts a broker of
# its own reaps it through its Popen (which warns when dropped while its child runs).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


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
    _CHILDREN[proc.pid] = proc
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
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            del _CHILDREN[pid]
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def exited(pid: int) -> bool:
    """The process `pid` is gone (reaped, when this process started it)."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def run(argv: Sequence[str], what: str, hidden: Sequence[str] = ()) -> None:
    """Run a tool; on failure, raise with its output, every string of `hidden` masked."""
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        for secret in hidden:
            output = output.replace(secret, "***")
        raise ServiceError(f"{what} failed ({result.returncode}):\n{output}")


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


def kafka_properties(settings: Settings, data_dir: Path, secure: Material | None = None) -> str:
    port, controller = settings.kafka_port, settings.controller_port
    listeners = [f"PLAINTEXT://127.0.0.1:{port}"]
    protocols = ["CONTROLLER:PLAINTEXT", "PLAINTEXT:PLAINTEXT"]
    if secure is not None:
        listeners.append(f"SASL_SSL://127.0.0.1:{settings.kafka_sasl_port}")
        protocols.append("SASL_SSL:SASL_SSL")
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller}",
            "controller.listener.names=CONTROLLER",
            f"listeners={','.join(listeners)},CONTROLLER://127.0.0.1:{controller}",
            f"advertised.listeners={','.join(listeners)}",
            "inter.broker.listener.name=PLAINTEXT",
            f"listener.security.protocol.map={','.join(protocols)}",
            *(sasl_ssl_properties(secure) if secure is not None else []),
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


def sasl_ssl_properties(secure: Material) -> list[str]:
    """The SASL_SSL listener: SCRAM-SHA-512 over TLS with the throwaway server certificate.
    Clients are not asked for certificates; without an authorizer, any SCRAM user may act."""
    prefix = "listener.name.sasl_ssl"
    mechanism = SCRAM_MECHANISM.lower()
    return [
        f"{prefix}.sasl.enabled.mechanisms={SCRAM_MECHANISM}",
        f"{prefix}.{mechanism}.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        f"{prefix}.ssl.keystore.type=PKCS12",
        f"{prefix}.ssl.keystore.location={secure.keystore}",
        f"{prefix}.ssl.keystore.password={secure.keystore_password}",
        f"{prefix}.ssl.key.password={secure.keystore_password}",
        f"{prefix}.ssl.client.auth=none",
    ]


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


def start_kafka(settings: Settings, secure: Material | None = None) -> None:
    """Start the broker (with its SASL_SSL listener when `secure` is given) unless it runs."""
    home = settings.services_dir / "kafka"
    pid_file = home / "kafka.pid"
    if read_pid(pid_file) is not None and port_open(settings.kafka_port):
        if secure is not None and not tls_answers(settings.kafka_sasl_port, secure):
            raise ServiceError(
                f"kafka runs on 127.0.0.1:{settings.kafka_port} without its SASL_SSL listener "
                f"on {settings.kafka_sasl_port} (BG_KAFKA_SASL_PORT): run `scripts/services down` "
                "first, then `up --secure`"
            )
        say(f"kafka: already running on 127.0.0.1:{settings.kafka_port}")
        return
    if port_open(settings.kafka_port):
        raise ServiceError(
            f"port {settings.kafka_port} is taken by another process (BG_KAFKA_PORT)"
        )
    if secure is not None and port_open(settings.kafka_sasl_port):
        raise ServiceError(
            f"port {settings.kafka_sasl_port} is taken by another process (BG_KAFKA_SASL_PORT)"
        )
    fetch_kafka_jars(settings)
    data_dir, log_dir = home / "data", home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    props, log4j = home / "server.properties", home / "log4j2.properties"
    props.touch(mode=0o600)  # it holds the keystore's password
    props.write_text(kafka_properties(settings, data_dir, secure))
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
    if secure is not None:
        wait_until(
            lambda: tls_answers(settings.kafka_sasl_port, secure), "kafka SASL_SSL", 30.0, None
        )


def kafka_config_command(settings: Settings, args: Sequence[str]) -> list[str]:
    """Kafka's own ConfigCommand (what `kafka-configs.sh` runs), through the plaintext listener."""
    fetch_kafka_jars(settings)
    return [
        "java", "-Xmx256m", "-cp", f"{settings.kafka_libs}/*", "kafka.admin.ConfigCommand",
        "--bootstrap-server", f"127.0.0.1:{settings.kafka_port}", *args,
    ]  # fmt: skip


def add_scram_user(settings: Settings, secure: Material) -> None:
    """Create (or reset) the SCRAM user of the SASL_SSL listener with Kafka's ConfigCommand; the
    password goes in a file, never on a command line."""
    config = scram_config_file(secure)
    try:
        run(
            kafka_config_command(
                settings,
                ["--alter", "--entity-type", "users", "--entity-name", secure.kafka_user,
                 "--add-config-file", str(config)],
            ),
            f"creating the SCRAM user {secure.kafka_user} with kafka.admin.ConfigCommand",
            hidden=[secure.kafka_password],
        )  # fmt: skip
    finally:
        config.unlink(missing_ok=True)
    say(f"kafka: SASL_SSL ({SCRAM_MECHANISM}, user {secure.kafka_user}) on "
        f"127.0.0.1:{settings.kafka_sasl_port}")  # fmt: skip


def tls_answers(port: int, secure: Material) -> bool:
    """A TLS handshake on `port` succeeds, with a certificate for 127.0.0.1 signed by our CA."""
    context = ssl.create_default_context(cafile=str(secure.ca_cert))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=2.0) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1"),
        ):
            return True
    except OSError:
        return False


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


def redis_tls_answers(port: int, secure: Material) -> bool:
    """Redis on `port` takes a TLS connection (certificate checked) and our password."""
    context = ssl.create_default_context(cafile=str(secure.ca_cert))
    auth = f"AUTH {secure.redis_password}\r\nPING\r\n".encode()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=2.0) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
        ):
            sock.sendall(auth)
            reply = b""
            while reply.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    return False
                reply += chunk
            return reply == b"+OK\r\n+PONG\r\n"
    except OSError:
        return False


def start_redis_tls(settings: Settings, secure: Material) -> None:
    """A second Redis that takes TLS connections only and requires a password. Its settings go in
    a file readable by its owner only, so the password is never on a command line."""
    home = settings.services_dir / "redis-tls"
    port = settings.redis_tls_port
    if redis_tls_answers(port, secure):
        say(f"redis TLS: already running on 127.0.0.1:{port}")
        return
    if port_open(port):
        raise ServiceError(f"port {port} is taken by another process (BG_REDIS_TLS_PORT)")
    install_redis()
    home.mkdir(parents=True, exist_ok=True)
    conf = home / "redis.conf"
    conf.touch(mode=0o600)
    conf.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                "port 0",
                f"tls-port {port}",
                f"tls-cert-file {secure.server_cert}",
                f"tls-key-file {secure.server_key}",
                f"tls-ca-cert-file {secure.ca_cert}",
                "tls-auth-clients no",
                f"requirepass {secure.redis_password}",
                'save ""',
                "appendonly no",
                f"dir {home}",
                "daemonize no",
                "",
            ]
        )
    )
    spawn(["redis-server", str(conf)], home / "redis.log", home / "redis-tls.pid")
    wait_until(lambda: redis_tls_answers(port, secure), "redis TLS", 20.0, home / "redis.log")
    say(f"redis TLS: ready on 127.0.0.1:{port} (password required)")


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
