"""`buying-groups worker` (run the engine) and `buying-groups tick` (request periodic work now)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from events.errors import BadInput
from state.model.changes import TickKind
from streams.cli.options import add_kafka_options, connected_settings, kafka_failed, redis_checked
from streams.ops.settings import Settings
from streams.runtime.internal import Tick
from streams.runtime.provision import ensure_topics, partitions_of
from streams.runtime.state_codec import encode_value


def run_worker(args: argparse.Namespace) -> int:
    settings = connected_settings(args)
    if settings.read_model.in_worker:  # the worker projects into Redis too
        redis_checked(settings)
    created = asyncio.run(ensure_topics(settings))
    if created:
        print(f"created {len(created)} topics", file=sys.stderr)
    from streams.assembly import create_engine  # noqa: PLC0415 - the app's modules, only here

    sys.argv = [
        "buying-groups",
        "worker",
        "--loglevel",
        args.loglevel,
        "--web-host",
        settings.web_host,
        "--web-port",
        str(settings.web_port),
    ]
    create_engine(settings).app.main()
    return 0


def tick_record(work: TickKind, at: datetime) -> Tick:
    return Tick(tick_id=f"{work.value}-manual-{uuid.uuid4().hex}", kind=work, at=at)


async def send_tick(settings: Settings, work: TickKind, at: datetime) -> int:
    """One tick to every partition of the topic `work` belongs to, as many as the broker says
    the topic has (a worker made it); returns that count."""
    internal = settings.internal_topics
    topic = internal.person_ticks if work is TickKind.PENDING else internal.account_ticks
    partitions = await partitions_of(settings, topic)
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all")
    await producer.start()
    try:
        value = encode_value(tick_record(work, at))
        for partition in range(partitions):
            await producer.send_and_wait(topic, value=value, key=b"tick", partition=partition)
    finally:
        await producer.stop()
    return partitions


def run_tick(args: argparse.Namespace) -> int:
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    work = TickKind(args.work)
    settings = connected_settings(args)
    try:
        partitions = asyncio.run(send_tick(settings, work, at))
    except BadInput as exc:
        print(f"tick: {exc}", file=sys.stderr)
        return 2
    except KafkaError as exc:
        return kafka_failed("tick", settings, exc)
    print(f"sent a {work.value} tick at {at.isoformat()} to {partitions} partitions")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subparsers.add_parser("worker", help="run the engine (a Faust worker)")
    worker.add_argument("-l", "--loglevel", default="info")
    add_kafka_options(worker)
    worker.set_defaults(func=run_worker)
    tick = subparsers.add_parser(
        "tick", help="request periodic work now (or at --at), on every partition the topic has"
    )
    choices = [w.value for w in TickKind if w is not TickKind.CALIBRATION]
    tick.add_argument("work", choices=choices, help="collect starts a calibration round")
    tick.add_argument("--at", help="the time the work happens at (ISO 8601; default now)")
    add_kafka_options(tick)
    tick.set_defaults(func=run_tick)
