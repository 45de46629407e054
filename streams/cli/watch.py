"""`buying-groups watch`: groups filling up and scores moving, live in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from aiokafka import AIOKafkaConsumer

from events.codec import Codec
from events.decoding import DecodeFailure, Limits
from streams.cli.dashboard import Dashboard
from streams.cli.options import add_kafka_options, connected_settings
from streams.ops.settings import Settings
from streams.runtime.registry import RegistryCodec, SchemaRegistry

CLEAR = "\x1b[H\x1b[2J"


def watched_topics(settings: Settings) -> list[str]:
    topics = settings.topics
    return [
        topics.persons,
        topics.activities,
        topics.groups,
        topics.membership_changes,
        topics.score_changes,
        topics.group_lifecycle,
        topics.dead_letters,
    ]


async def watch(settings: Settings, seconds: float | None, refresh: float) -> Dashboard:
    dashboard = Dashboard()
    codec = Codec(limits=Limits(max_bytes=16 * 1_048_576, max_array_items=100_000))
    url = settings.schema_registry_url
    reader = None if url is None else RegistryCodec(registry=SchemaRegistry(url), codec=codec)
    consumer = AIOKafkaConsumer(
        *watched_topics(settings),
        **settings.kafka.client_options(),
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    started = shown = time.monotonic()
    try:
        while seconds is None or time.monotonic() - started < seconds:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            for messages in batch.values():
                for message in messages:
                    value = message.value or b""
                    decoded = codec.decode(value) if reader is None else await reader.decode(value)
                    if not isinstance(decoded, DecodeFailure):
                        dashboard.fold(decoded.record, message.timestamp)
            if time.monotonic() - shown >= refresh:
                show(dashboard)
                shown = time.monotonic()
    finally:
        await consumer.stop()
    show(dashboard)
    return dashboard


def show(dashboard: Dashboard) -> None:
    prefix = CLEAR if sys.stdout.isatty() else "\n"
    print(prefix + dashboard.render(), flush=True)


def run_watch(args: argparse.Namespace) -> int:
    settings = connected_settings(args)
    try:
        asyncio.run(watch(settings, args.seconds, args.refresh))
    except KeyboardInterrupt:
        return 0
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("watch", help="show groups and scores changing, live")
    parser.add_argument("--seconds", type=float, help="stop after this long (default: never)")
    parser.add_argument("--refresh", type=float, default=1.0, help="seconds between screens")
    add_kafka_options(parser)
    parser.set_defaults(func=run_watch)
