"""The official Apache Kafka broker (KRaft, single node): its jars from Maven Central, its
properties (a SASL_SSL listener beside the plaintext one with --secure), its start, and Kafka's
own ConfigCommand, which creates the SCRAM user."""

from __future__ import annotations

import base64
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from scripts.local_services.processes import (
    START_TIMEOUT_S,
    port_open,
    read_pid,
    run,
    say,
    spawn,
    wait_until,
)
from scripts.local_services.secure import (
    SCRAM_MECHANISM,
    Material,
    scram_config_file,
    tls_answers,
)
from scripts.local_services.settings import KAFKA_POM, ServiceError, Settings

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"


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
