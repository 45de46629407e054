"""The examples of docs/integrating.md run against the real broker and registry, as written.

- confluent-kafka (librdkafka): `examples/integrating/confluent_producer.py` publishes one
  account's inputs with the Confluent Avro serializer into a worker running with the registry;
  `confluent_consumer.py` reads the worker's outputs with the Confluent Avro deserializer.
- the Java client: `examples/integrating/java/BuyingGroupsExample.java`, compiled with javac
  against kafka-clients and Apache Avro fetched by Maven, produces an AccountEvent that the
  engine's codec decodes (single-object and Confluent framing), and reads records the engine's
  codec wrote (both framings).
Missing tools (mvn, javac, java) or services fail these tests; nothing skips.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from events.codec import Codec
from events.decoding import Decoded
from events.records import AccountEvent, CommandResult, MembershipChanged
from streams.ops.settings import Settings
from streams.runtime.provision import ensure_topics
from streams.runtime.registry import RegistryCodec, SchemaRegistry, connect_codec
from tests.golden.samples import SAMPLES
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import Tenant, engine_worker, tenant_settings
from tests.services import Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "integrating"
JAVA = EXAMPLES / "java"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
CACHE = Path.home() / ".cache" / "buying-groups"


def run(command: list[str], timeout: float = 120.0) -> str:
    """Run `command`; its stdout, or a failure showing both streams."""
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{command[:3]}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


# --- confluent-kafka ---------------------------------------------------------------------------


async def test_the_confluent_examples_feed_the_engine_and_read_its_outputs(
    kafka: Service, schema_registry_url: str, tmp_path: Path
) -> None:
    settings = tenant_settings(kafka.address)
    upstream = await connect_codec(schema_registry_url, settings.topics, Codec())
    tenant = Tenant(settings, codec=upstream.codec)
    await tenant.start()
    worker = engine_worker(settings, tmp_path)
    worker.env["SCHEMA_REGISTRY_URL"] = schema_registry_url
    connection = ["--bootstrap", kafka.address, "--registry", schema_registry_url]
    connection += ["--prefix", settings.topic_prefix]
    try:
        await tenant.publish(*standard_config())
        await worker.ready()
        produced = await asyncio.to_thread(
            run,
            [sys.executable, str(EXAMPLES / "confluent_producer.py"), *connection,
             "--account", "acc-1", "--person", "p-1", "--audience", "aud-1"],
        )  # fmt: skip
        await tenant.wait_for(
            lambda out: any(isinstance(r, MembershipChanged) for r in out), seconds=60.0
        )
        produced += await asyncio.to_thread(
            run,
            [sys.executable, str(EXAMPLES / "confluent_producer.py"), *connection,
             "--account", "acc-1", "--person", "p-1", "--add-as", "Influencer"],
        )  # fmt: skip
        outputs = await tenant.wait_for(
            lambda out: any(isinstance(r, CommandResult) for r in out), seconds=60.0
        )
        printed = await asyncio.to_thread(
            run,
            [sys.executable, str(EXAMPLES / "confluent_consumer.py"), *connection,
             "--group", f"example-{uuid.uuid4().hex[:6]}", "--idle-seconds", "5",
             "--topics", "membership-changes", "command-results"],
        )  # fmt: skip
    finally:
        worker.stop()
        await tenant.stop()
    assert produced.count("produced ") == 5
    assert not tenant.failures
    results = [r for r in outputs if isinstance(r, CommandResult)]
    assert [r.status.value for r in results] == ["applied"], results
    lines = [json.loads(line) for line in printed.splitlines()]
    prefix = settings.topic_prefix
    by_topic = {
        topic: [line["value"] for line in lines if line["topic"] == f"{prefix}.{topic}"]
        for topic in ("membership-changes", "command-results")
    }
    engine_changes = [r for r in tenant.outputs if isinstance(r, MembershipChanged)]
    changes = by_topic["membership-changes"]
    assert [(v["person_id"], v["new_role"], v["version"]) for v in changes] == [
        (r.person_id, r.new_role, r.version) for r in engine_changes
    ]
    assert [(v["command_id"], v["status"]) for v in by_topic["command-results"]] == [
        (r.command_id, r.status.value) for r in results
    ]


# --- the Java client ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def java_example(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """`java -cp ... BuyingGroupsExample`, compiled against the jars of examples' pom.xml."""
    pom = JAVA / "pom.xml"
    jars = CACHE / f"integrating-java-{hashlib.sha256(pom.read_bytes()).hexdigest()[:12]}"
    if not (jars / ".complete").exists():
        run(["mvn", "-B", "-q", "-f", str(pom), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={jars}"], timeout=300)  # fmt: skip
        (jars / ".complete").touch()
    classes = tmp_path_factory.mktemp("java-classes")
    source = JAVA / "BuyingGroupsExample.java"
    run(["javac", "-cp", f"{jars}/*", "-d", str(classes), str(source)])
    return ["java", "-cp", f"{classes}:{jars}/*", "BuyingGroupsExample"]


async def _values(settings: Settings, topic: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, **settings.kafka.client_options(), group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(30):
            while len(values) < count:
                batch = await consumer.getmany(timeout_ms=500)
                values += [m.value for ms in batch.values() for m in ms if m.value is not None]
    finally:
        await consumer.stop()
    return values


async def test_a_record_the_java_example_produces_is_decoded_by_the_engines_codec(
    kafka: Service, schema_registry_url: str, java_example: list[str]
) -> None:
    settings = tenant_settings(kafka.address)
    await ensure_topics(settings)
    avro = str(ROOT / "avro")
    common = ["produce", kafka.address, settings.topic_prefix, avro]
    await asyncio.to_thread(run, [*java_example, *common, "acc-j1", "Java Single Object"])
    await asyncio.to_thread(
        run, [*java_example, *common, "acc-j2", "Java Confluent", schema_registry_url]
    )
    values = await _values(settings, settings.topics.accounts, 2)
    reader = RegistryCodec(registry=SchemaRegistry(schema_registry_url), codec=Codec())
    decoded = [await reader.decode_as(value, AccountEvent) for value in values]
    assert all(isinstance(d, Decoded) for d in decoded), decoded
    found = {d.record.account_id: d for d in decoded if isinstance(d, Decoded)}
    assert {k: d.record.name for k, d in found.items()} == {
        "acc-j1": "Java Single Object",
        "acc-j2": "Java Confluent",
    }
    # the bundled schema the Java client wrote with is the engine's current version
    current = Codec().catalog.current["buying_groups.AccountEvent"].label
    assert {d.writer for d in found.values()} == {current}
    assert [v[:2] for v in values if v[:1] == b"\xc3"] == [b"\xc3\x01"]
    assert len([v for v in values if v[:1] == b"\x00"]) == 1


async def test_the_java_example_reads_what_the_engines_codec_wrote(
    kafka: Service, schema_registry_url: str, java_example: list[str]
) -> None:
    settings = tenant_settings(kafka.address)
    await ensure_topics(settings)
    framed = await connect_codec(schema_registry_url, settings.topics, Codec())
    sample = SAMPLES["MembershipChanged"]
    assert isinstance(sample, MembershipChanged)
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all")
    await producer.start()
    try:
        topic = settings.topics.membership_changes
        for value in (Codec().encode(sample), framed.encode(sample)):
            await producer.send_and_wait(topic, value, key=sample.group_id.encode())
    finally:
        await producer.stop()
    printed = await asyncio.to_thread(
        run,
        [*java_example, "consume", kafka.address, topic, str(ROOT / "avro"),
         "buying_groups.MembershipChanged", "2", schema_registry_url],
    )  # fmt: skip
    lines = [json.loads(line) for line in printed.splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert (line["group_id"], line["person_id"], line["version"]) == (
            sample.group_id, sample.person_id, sample.version,
        )  # fmt: skip
        assert line["new_role"] == sample.new_role
