"""`buying-groups config apply FILE`: check a config file against the live config, then publish it.

The current config is read from the compacted config topic, from its beginning to its end offset,
folding every record (or tombstone) into a catalogue as the engine does: records the engine
refuses or cannot decode are skipped. The file's records are then validated in dependency order
on top of it, and a table shows what is added, changed, unchanged, deleted or refused. Any
refusal: exit 1 and nothing is published. Otherwise the added and changed records, then the
deletions (`--delete kind:id`, as tombstones), are published in that order with acks=all;
`--dry-run` publishes nothing. The plan itself is pure: streams.config_file.plan.

With a schema registry (SCHEMA_REGISTRY_URL), records are written in Confluent framing with the id
of the ConfigRecord schema registered under the config topic's subject (as the engine registers
it; a dry run registers nothing), and records in either framing are read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from events.codec import Codec
from events.decoding import Decoded
from events.errors import BadInput, Unavailable
from events.records import ConfigKind, ConfigRecord, config_key_for
from events.registry_framing import RegistryIds
from events.schemas import full_name
from state.catalogue.changes import ConfigInput, ConfigTombstone
from streams.cli.options import add_kafka_options, connected_settings, kafka_failed
from streams.config_file.document import (
    FileError,
    FileErrors,
    config_entries,
    config_records,
    load_document,
)
from streams.config_file.plan import (
    Change,
    CurrentConfig,
    config_plan,
    current_config,
    plan_summary,
    plan_table,
)
from streams.ops.settings import Settings
from streams.runtime.catalogue_view import tombstone_for
from streams.runtime.provision import ensure_topics
from streams.runtime.registry import RegistryCodec, SchemaRegistry, subjects

READ_TIMEOUT_S = 30.0


def config_input(
    key: bytes | None, value: bytes | None, *, offset: int, timestamp: datetime, codec: Codec
) -> ConfigInput | str:
    """The config change one record of the config topic holds, or why it cannot be used."""
    if value is not None:
        decoded = codec.decode_as(value, ConfigRecord)
        if isinstance(decoded, Decoded):
            return decoded.record
        return f"offset {offset}: {decoded.message}"
    tombstone = tombstone_for(key, offset, timestamp)
    return tombstone if isinstance(tombstone, ConfigTombstone) else f"offset {offset}: {tombstone}"


def deletion(text: str, *, now: datetime) -> ConfigTombstone:
    """A `--delete kind:id` option as a tombstone; raises BadInput naming the value."""
    kind, _, config_id = text.partition(":")
    if kind not in tuple(ConfigKind) or not config_id.strip():
        kinds = ", ".join(ConfigKind)
        raise BadInput(f"--delete {text!r}: expected kind:id, the kind one of {kinds}")
    return ConfigTombstone(
        event_id=str(uuid.uuid4()), occurred_at=now, kind=ConfigKind(kind), id=config_id
    )


def read_config_file(path: Path, *, now: datetime) -> tuple[ConfigRecord, ...] | FileErrors:
    """The records of the file at `path`, each with a fresh event id, or why it is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileErrors(errors=(FileError(path="", problem=f"cannot be read: {exc}"),))
    document = load_document(text, json_format=path.suffix.lower() == ".json")
    if isinstance(document, FileError):
        return FileErrors(errors=(document,))
    entries = config_entries(document)
    if isinstance(entries, FileErrors):
        return entries
    return config_records(entries, now=now, new_event_id=lambda: str(uuid.uuid4()))


# --- Kafka -------------------------------------------------------------------------------------


async def topic_exists(settings: Settings, topic: str) -> bool:
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        return topic in await admin.list_topics()
    finally:
        await admin.close()


async def config_codec(settings: Settings, *, writing: bool) -> Codec | RegistryCodec:
    """The codec of the config topic: with a registry, one that reads both framings and, when
    `writing`, writes Confluent framing (registering the ConfigRecord schema)."""
    url = settings.schema_registry_url
    if url is None:
        return Codec()
    registry, codec = SchemaRegistry(url), Codec()
    if not writing:
        return RegistryCodec(registry=registry, codec=codec)
    name = full_name(ConfigRecord.__name__)
    schema = codec.catalog.current[name]
    schema_id = await registry.register(subjects(settings.topics)[name], schema)
    ids = RegistryIds().with_schema(schema_id, schema, ours=True)
    return RegistryCodec(registry=registry, codec=Codec(catalog=codec.catalog, registry=ids))


async def read_config_topic(
    settings: Settings, codec: Codec | RegistryCodec
) -> list[ConfigInput | str]:
    """Every record of the config topic from its beginning to its end offset now, in order."""
    partition = TopicPartition(settings.topics.config, 0)
    consumer = AIOKafkaConsumer(
        **settings.kafka.client_options(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                return await _inputs_until(consumer, partition, end, codec)
        except TimeoutError as exc:
            message = f"{partition.topic}: not read to offset {end} within {READ_TIMEOUT_S:.0f}s"
            raise Unavailable(message) from exc
    finally:
        await consumer.stop()


async def _inputs_until(
    consumer: AIOKafkaConsumer,
    partition: TopicPartition,
    end: int,
    codec: Codec | RegistryCodec,
) -> list[ConfigInput | str]:
    inputs = list[ConfigInput | str]()
    while await consumer.position(partition) < end:
        batch = await consumer.getmany(partition, timeout_ms=1000)
        for m in batch.get(partition, []):
            if m.offset < end:
                inputs.append(await _config_input(m.key, m.value, m.offset, m.timestamp, codec))
    return inputs


async def _config_input(
    key: bytes | None,
    value: bytes | None,
    offset: int,
    timestamp_ms: int,
    codec: Codec | RegistryCodec,
) -> ConfigInput | str:
    if value is not None and isinstance(codec, RegistryCodec):
        decoded = await codec.decode_as(value, ConfigRecord)
        return (
            decoded.record
            if isinstance(decoded, Decoded)
            else f"offset {offset}: {decoded.message}"
        )
    plain = codec if isinstance(codec, Codec) else codec.codec
    return config_input(key, value, offset=offset, timestamp=_time(timestamp_ms), codec=plain)


def _time(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


async def publish_config(
    settings: Settings,
    changes: Sequence[ConfigRecord | ConfigTombstone],
    codec: Codec | RegistryCodec,
) -> None:
    """Send `changes` in order to the config topic, each acknowledged by all in-sync replicas."""
    producer = AIOKafkaProducer(
        **settings.kafka.client_options(), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        for change in changes:
            value = codec.encode(change) if isinstance(change, ConfigRecord) else None
            key = config_key_for(change.kind, change.id).encode("utf-8")
            await producer.send_and_wait(settings.topics.config, key=key, value=value)
    finally:
        await producer.stop()


async def apply_records(
    settings: Settings,
    records: Sequence[ConfigRecord],
    deletions: Sequence[ConfigTombstone],
    *,
    dry_run: bool,
    out: TextIO,
) -> int:
    """Plan `records` and `deletions` against the config on the topic, print the plan, publish
    unless refused or `dry_run`; the exit code (1 when anything is refused)."""
    topic = settings.topics.config
    codec = await config_codec(settings, writing=not dry_run)
    current = await config_on_topic(settings, codec, dry_run=dry_run)
    plan = config_plan(current, records, deletions)
    out.write(_read_line(topic, current) + plan_table(plan) + "\n\n")
    summary = plan_summary(plan)
    changes = [step.publish for step in plan if step.publish is not None]
    if any(step.change is Change.REFUSED for step in plan):
        out.write(f"{summary}. Refused: nothing published.\n")
        return 1
    if dry_run or not changes:
        why = f"dry run, {len(changes)} would be" if dry_run else "nothing to change"
        out.write(f"{summary}. Nothing published ({why}).\n")
        return 0
    await publish_config(settings, changes, codec)
    out.write(f"{summary}. Published {len(changes)} record(s) to {topic} (acks=all).\n")
    return 0


async def config_on_topic(
    settings: Settings, codec: Codec | RegistryCodec, *, dry_run: bool
) -> CurrentConfig:
    """The config on the topic; a dry run creates no topic, any other run the missing ones."""
    topic = settings.topics.config
    if dry_run:
        exists = await topic_exists(settings, topic)  # reading a missing topic would create it
    else:
        exists = topic not in await ensure_topics(settings)  # a topic created now is empty
    return current_config(await read_config_topic(settings, codec) if exists else [])


def _read_line(topic: str, current: CurrentConfig) -> str:
    line = f"Current config: {current.read} record(s) read from {topic}"
    if not current.skipped:
        return line + ".\n\n"
    shown = "".join(f"  - {reason}\n" for reason in current.skipped[:5])
    more = len(current.skipped) - 5
    return f"{line}, {len(current.skipped)} skipped (as the engine skips them):\n{shown}" + (
        f"  ... and {more} more\n\n" if more > 0 else "\n"
    )


# --- the command -------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = subparsers.add_parser(
        "config", help="manage the configuration (roles, templates, ...)"
    )
    actions = config.add_subparsers(dest="config_command", required=True)
    parser = actions.add_parser(
        "apply",
        help="validate a YAML or JSON config file and publish what changes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, help="the config file (format: docs/config-format.md)")
    parser.add_argument("--dry-run", action="store_true", help="show the changes, publish nothing")
    parser.add_argument(
        "--delete",
        action="append",
        default=[],
        metavar="KIND:ID",
        help="also delete this config record, e.g. creation_job:old-job (repeatable)",
    )
    add_kafka_options(parser)
    parser.set_defaults(func=config_apply)


def config_apply(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        settings = connected_settings(args)
        deletions = [deletion(text, now=now) for text in args.delete]
    except BadInput as exc:
        print(f"config apply: {exc}", file=sys.stderr)
        return 2
    records = read_config_file(args.file, now=now)
    if isinstance(records, FileErrors):
        lines = [f"{args.file} is refused:", *(f"  - {m}" for m in records.messages)]
        print("\n".join([*lines, "Nothing published."]), file=sys.stdout)
        return 1
    try:
        return asyncio.run(
            apply_records(settings, records, deletions, dry_run=args.dry_run, out=sys.stdout)
        )
    except (KafkaError, Unavailable) as exc:
        return kafka_failed("config apply", settings, exc)
    except BadInput as exc:  # the registry refused the ConfigRecord schema
        print(f"config apply: {exc}", file=sys.stderr)
        return 2
