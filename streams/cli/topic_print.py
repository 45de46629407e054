"""`buying-groups print-topic` (alias `tail`): print any topic's records as JSON lines.

Each Kafka record becomes one line: partition, offset, key, record type, writer schema version
and fields (times in ISO 8601, bytes in base64). A value that does not decode is printed with its
failure and its bytes; a tombstone as such. `record_line` is the pure formatting part.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import enum
import json
import math
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure
from events.records import TopicRecord
from events.topics import RECORDS_BY_BASE_NAME, topic_name
from streams.cli.options import add_kafka_options, command_settings
from streams.ops.connection import check_kafka
from streams.ops.settings import Settings, current_settings
from streams.runtime.registry import RegistryCodec, SchemaRegistry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "print-topic",
        aliases=["tail"],
        help="print a topic's records as JSON lines",
        description=__doc__,
    )
    parser.add_argument("topic", help="a topic name, or a name without prefix such as 'persons'")
    parser.add_argument("--from-beginning", action="store_true", help="start at the oldest record")
    parser.add_argument("--max-records", type=int, metavar="N", help="stop after N records")
    parser.add_argument(
        "--timeout", type=float, metavar="S", help="stop after S seconds without a new record"
    )
    add_kafka_options(parser)
    parser.add_argument(
        "--schema-registry",
        metavar="URL",
        help="registry for Confluent-framed values (env SCHEMA_REGISTRY_URL)",
    )
    parser.set_defaults(func=print_topic)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PrintOptions:
    topic: str
    bootstrap: str
    from_beginning: bool
    max_records: int | None
    timeout_s: float | None
    schema_registry: str | None
    client: dict[str, object] = dataclasses.field(repr=False)


def print_options(args: argparse.Namespace, settings: Settings) -> PrintOptions:
    """The options of one run, from the command line and then the settings."""
    settings = command_settings(args, settings)
    base = args.topic
    topic = topic_name(base, settings.topic_prefix) if base in RECORDS_BY_BASE_NAME else base
    bootstrap = settings.kafka.bootstrap_servers
    return PrintOptions(
        topic=topic,
        bootstrap=bootstrap,
        from_beginning=args.from_beginning,
        max_records=args.max_records,
        timeout_s=args.timeout,
        schema_registry=args.schema_registry or settings.schema_registry_url,
        # Security settings (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_CAFILE) as the worker
        client=settings.kafka.client_options(),
    )


def print_topic(args: argparse.Namespace) -> int:
    settings = current_settings()
    options = print_options(args, settings)
    asyncio.run(
        check_kafka(dataclasses.replace(settings.kafka, bootstrap_servers=options.bootstrap))
    )
    try:
        asyncio.run(consume(options, sys.stdout))
    except KafkaError as exc:
        print(f"print-topic: Kafka at {options.bootstrap}: {exc!r}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


async def consume(options: PrintOptions, out: TextIO) -> int:
    """Print records of `options.topic` to `out` until a limit is reached; how many were printed."""
    decode = _decoder(options)
    consumer = AIOKafkaConsumer(
        options.topic,
        **options.client,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if options.from_beginning else "latest",
    )
    await consumer.start()
    printed = 0
    try:
        while options.max_records is None or printed < options.max_records:
            wait_ms = int((options.timeout_s or 1.0) * 1000)
            batch = await consumer.getmany(timeout_ms=wait_ms)
            if not batch and options.timeout_s is not None:
                break
            for message in (m for messages in batch.values() for m in messages):
                if options.max_records is not None and printed >= options.max_records:
                    break
                value = message.value
                decoded = None if value is None else await decode(value)
                out.write(
                    record_line(message.partition, message.offset, message.key, value, decoded)
                )
                out.write("\n")
                out.flush()
                printed += 1
    finally:
        await consumer.stop()
    return printed


Decode = Any  # async (bytes) -> Decoded[TopicRecord] | DecodeFailure


def _decoder(options: PrintOptions) -> Decode:
    if options.schema_registry is None:
        codec = Codec()

        async def decode(value: bytes) -> Decoded[TopicRecord] | DecodeFailure:
            return codec.decode(value)

        return decode
    reader = RegistryCodec(registry=SchemaRegistry(options.schema_registry), codec=Codec())
    return reader.decode


def record_line(
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    decoded: Decoded[TopicRecord] | DecodeFailure | None,
) -> str:
    """One JSON line for a Kafka record; `decoded` is None for a tombstone (`value` None)."""
    line: dict[str, Any] = {"partition": partition, "offset": offset, **_key_fields(key)}
    if isinstance(decoded, Decoded):
        line["type"] = type(decoded.record).__name__
        line["writer"] = decoded.writer
        line["record"] = json_value(decoded.record)
    elif isinstance(decoded, DecodeFailure):
        line["error"] = {"kind": str(decoded.kind), "message": decoded.message}
        line["value_base64"] = _base64(value or b"")
    else:
        line["tombstone"] = True
    return json.dumps(line, ensure_ascii=False, allow_nan=False)


def _key_fields(key: bytes | None) -> dict[str, Any]:
    if key is None:
        return {"key": None}
    try:
        return {"key": key.decode("utf-8")}
    except UnicodeDecodeError:
        return {"key": None, "key_base64": _base64(key)}


def json_value(value: object) -> Any:
    """`value` as JSON data: records as objects, times in ISO 8601, bytes in base64."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [json_value(item) for item in value]
    return _json_scalar(value)


def _json_scalar(value: object) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return _base64(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    return value


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
