"""`buying-groups config apply FILE`: check a config file against the live config, then publish it.

The current config is read from the compacted config topic, from its beginning to its end offset,
folding every record (or tombstone) into a catalogue as the engine does: records the engine
refuses or cannot decode are skipped. The file's records are then validated in dependency order
on top of it, and a table shows what is added, changed, unchanged, deleted or refused. Any
refusal: exit 1 and nothing is published. Otherwise the added and changed records, then the
deletions (`--delete kind:id`, as tombstones), are published in that order with acks=all;
`--dry-run` publishes nothing. `current_config`, `config_plan` and `plan_table` are pure.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import os
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from events.codec import Codec
from events.decoding import Decoded
from events.errors import BadInput, Unavailable
from events.records import (
    ConfigBody,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleDefinition,
    WeightingModelDefinition,
    config_key_for,
)
from state.catalogue import EMPTY_CATALOGUE, Catalogue
from state.config import ConfigInput, ConfigTombstone, apply_config_change
from state.config_errors import Invalid
from state.roles import DEFAULT_ROLE_NAMES
from streams.catalogue_view import tombstone_for
from streams.config_file import (
    SECTIONS,
    FileError,
    FileErrors,
    config_entries,
    config_records,
    load_document,
)
from streams.provision import ensure_topics
from streams.settings import Settings, settings_from_env

READ_TIMEOUT_S = 30.0
# The built-in roles, as if their records were on the topic: listing them in a file is a no-op.
DEFAULT_BODIES: Mapping[str, ConfigBody] = MappingProxyType(
    {
        config_key_for(ConfigKind.ROLE, name): RoleDefinition(name=name)
        for name in DEFAULT_ROLE_NAMES
    }
)
_DELETION_ORDER = {kind: place for place, (_, kind) in enumerate(reversed(SECTIONS))}


class Change(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentConfig:
    """The config on the topic: the catalogue, the accepted body of every key, what was skipped."""

    catalogue: Catalogue = EMPTY_CATALOGUE
    bodies: Mapping[str, ConfigBody] = field(default_factory=lambda: DEFAULT_BODIES)
    read: int = 0
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedChange:
    """What applying one record or deletion does; `publish` is what to send, if anything."""

    change: Change
    kind: ConfigKind
    id: str
    detail: str = ""
    errors: tuple[str, ...] = ()
    publish: ConfigRecord | ConfigTombstone | None = None


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


def current_config(inputs: Iterable[ConfigInput | str]) -> CurrentConfig:
    """The config after every input in order; refused and unreadable ones are skipped."""
    catalogue, bodies = EMPTY_CATALOGUE, dict(DEFAULT_BODIES)
    read, skipped = 0, list[str]()
    for change in inputs:
        read += 1
        if isinstance(change, str):
            skipped.append(change)
            continue
        result = apply_config_change(catalogue, change)
        if isinstance(result, Invalid):
            skipped.append(f"refused: {result.message}")
            continue
        catalogue, key = result, config_key_for(change.kind, change.id)
        if isinstance(change, ConfigTombstone):
            bodies.pop(key, None)
        else:
            bodies[key] = change.body
    return CurrentConfig(
        catalogue=catalogue, bodies=MappingProxyType(bodies), read=read, skipped=tuple(skipped)
    )


def config_plan(
    current: CurrentConfig, records: Sequence[ConfigRecord], deletions: Sequence[ConfigTombstone]
) -> tuple[PlannedChange, ...]:
    """Each record (in the given, dependency order), then each deletion (dependents first),
    validated on top of `current` and of the records before it."""
    in_file = {config_key_for(record.kind, record.id) for record in records}
    ordered_deletions = sorted(deletions, key=lambda deletion: _DELETION_ORDER[deletion.kind])
    catalogue, planned = current.catalogue, []
    changes: tuple[ConfigInput, ...] = (*records, *ordered_deletions)
    for change in changes:
        step, catalogue = _planned(current, catalogue, change, in_file)
        planned.append(step)
    return tuple(planned)


def _planned(
    current: CurrentConfig, catalogue: Catalogue, change: ConfigInput, in_file: set[str]
) -> tuple[PlannedChange, Catalogue]:
    key = config_key_for(change.kind, change.id)
    previous = current.bodies.get(key)
    unchanged = PlannedChange(change=Change.UNCHANGED, kind=change.kind, id=change.id)
    if isinstance(change, ConfigTombstone) and key in in_file:
        problem = f"{key}: both defined in the file and deleted; do one or the other"
        return replace(unchanged, change=Change.REFUSED, errors=(problem,)), catalogue
    if isinstance(change, ConfigTombstone) and previous is None:
        return replace(unchanged, detail="nothing to delete"), catalogue
    same = isinstance(change, ConfigRecord) and previous == change.body
    if same and not _activates(current.catalogue, change):
        return replace(unchanged, detail=_name(previous)), catalogue
    result = apply_config_change(catalogue, change)
    if isinstance(result, Invalid):
        errors = tuple(error.message for error in result.errors)
        return replace(unchanged, change=Change.REFUSED, errors=errors), catalogue
    if isinstance(change, ConfigTombstone):
        step = replace(unchanged, change=Change.DELETED, detail=_name(previous))
    elif previous is None:
        step = replace(unchanged, change=Change.ADDED, detail=_name(change.body))
    else:
        step = replace(unchanged, change=Change.CHANGED, detail=_changed(previous, change.body))
    return replace(step, publish=change), result


def _activates(catalogue: Catalogue, record: ConfigInput) -> bool:
    """An active weighting model that is not the active one: publishing it again activates it."""
    if isinstance(record, ConfigTombstone):
        return False
    body = record.body
    active = isinstance(body, WeightingModelDefinition) and body.active
    return active and catalogue.active_weighting_model_id != record.id


def _name(body: ConfigBody | None) -> str:
    if body is None:
        return ""
    if isinstance(body, CreationJobDefinition):
        return f"{body.solution_interest_id} for audience {body.audience_id}"
    return body.name


def _changed(previous: ConfigBody, body: ConfigBody) -> str:
    """Which fields of the body change (a weighting model may only become active again)."""
    names = [
        f.name for f in fields(body) if getattr(previous, f.name, None) != getattr(body, f.name)
    ]
    return "changes " + ", ".join(names) if names else "becomes the active model"


def plan_table(plan: Sequence[PlannedChange]) -> str:
    """The plan as a table (one row per record), then every refusal's errors."""
    rows = [("CHANGE", "KIND", "ID", "DETAIL")]
    rows += [(p.change.value, p.kind.value, p.id, p.detail) for p in plan]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]
        ).rstrip()
        for row in rows
    ]
    errors = [error for p in plan for error in p.errors]
    if errors:
        lines += ["", "Refused:", *(f"  - {error}" for error in errors)]
    return "\n".join(lines)


def plan_summary(plan: Sequence[PlannedChange]) -> str:
    counts = {change: sum(p.change is change for p in plan) for change in Change}
    return ", ".join(f"{count} {change.value}" for change, count in counts.items())


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


async def read_config_topic(settings: Settings) -> list[ConfigInput | str]:
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
                return await _inputs_until(consumer, partition, end)
        except TimeoutError as exc:
            message = f"{partition.topic}: not read to offset {end} within {READ_TIMEOUT_S:.0f}s"
            raise Unavailable(message) from exc
    finally:
        await consumer.stop()


async def _inputs_until(
    consumer: AIOKafkaConsumer, partition: TopicPartition, end: int
) -> list[ConfigInput | str]:
    codec, inputs = Codec(), list[ConfigInput | str]()
    while await consumer.position(partition) < end:
        batch = await consumer.getmany(partition, timeout_ms=1000)
        inputs += [
            config_input(m.key, m.value, offset=m.offset, timestamp=_time(m.timestamp), codec=codec)
            for m in batch.get(partition, [])
            if m.offset < end
        ]
    return inputs


def _time(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


async def publish_config(
    settings: Settings, changes: Sequence[ConfigRecord | ConfigTombstone]
) -> None:
    """Send `changes` in order to the config topic, each acknowledged by all in-sync replicas."""
    codec = Codec()
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
    if dry_run:
        exists = await topic_exists(settings, topic)  # reading a missing topic would create it
    else:
        exists = topic not in await ensure_topics(settings)  # a topic created now is empty
    inputs = await read_config_topic(settings) if exists else []
    current = current_config(inputs)
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
    await publish_config(settings, changes)
    out.write(f"{summary}. Published {len(changes)} record(s) to {topic} (acks=all).\n")
    return 0


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


def add_kafka_options(parser: argparse.ArgumentParser) -> None:
    """`--prefix` and `--bootstrap`, which override the environment's settings."""
    parser.add_argument("--prefix", help="topic prefix (env BG_TOPIC_PREFIX; default bg)")
    parser.add_argument(
        "--bootstrap",
        help="Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default 127.0.0.1:9092)",
    )


def command_settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """The settings from `env`, with the prefix and bootstrap servers given on the command line."""
    settings = settings_from_env(env)
    if args.bootstrap:
        kafka = replace(settings.kafka, bootstrap_servers=args.bootstrap)
        settings = replace(settings, kafka=kafka)
    if args.prefix is not None:
        settings = replace(settings, topic_prefix=args.prefix)
    _ = settings.topics  # raises BadInput for a prefix that makes no legal topic name
    return settings


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
        settings = command_settings(args, os.environ)
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
        where = settings.kafka.bootstrap_servers
        print(f"config apply: Kafka at {where}: {exc!r}", file=sys.stderr)
        return 2
