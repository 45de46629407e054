"""`buying-groups generate`: publish a sample tenant (streams.demo.tenant) to the input topics.

Accounts first, then people, then activities at `--rate` per second (0: as fast as the broker
takes them), each keyed as the contract says (accounts by account_id, persons and activities by
person_id), with a progress bar per phase on stderr and the totals on stdout at the end. The same
seed gives the same tenant: publishing it twice re-sends the same ids (the engine drops them as
duplicates); use another seed, or another prefix, for a fresh tenant.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from tqdm import tqdm

from events.codec import Codec
from events.errors import BadInput, Unavailable
from events.records import AccountEvent, ActivityEvent, PersonEvent
from streams.cli.options import add_kafka_options, connected_settings, kafka_failed
from streams.demo.tenant import (
    SampleActivity,
    TenantSpec,
    contract_key,
    people_counts,
    sample_accounts,
    sample_activities,
    sample_people,
)
from streams.ops.settings import Settings
from streams.runtime.provision import ensure_topics

InputEvent = AccountEvent | PersonEvent | ActivityEvent
PENDING_LIMIT = 2000  # sends in flight before waiting for their acknowledgements


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    accounts: int = 0
    people: int = 0
    activities: int = 0
    duplicates: int = 0
    late: int = 0
    seconds: float = 0.0

    def line(self, settings: Settings) -> str:
        topics = settings.topics
        rate = self.activities / self.seconds if self.seconds > 0 else 0.0
        return (
            f"Published {self.accounts:,} accounts to {topics.accounts}, {self.people:,} people to"
            f" {topics.persons} and {self.activities:,} activities ({self.duplicates:,} re-sent,"
            f" {self.late:,} late) to {topics.activities} in {self.seconds:.1f} s"
            f" ({rate:,.0f} activities/s)."
        )


class Pacer:
    """Spaces sends `1 / rate` seconds apart on average (rate 0: no waiting)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._clock = rate, clock
        self._start, self._sent = clock(), 0

    def delay(self) -> float:
        """Seconds to wait before the next send."""
        self._sent += 1
        if self._rate <= 0:
            return 0.0
        return max(0.0, self._start + (self._sent - 1) / self._rate - self._clock())


async def publish_tenant(
    settings: Settings, spec: TenantSpec, *, rate: float = 0.0, progress: bool = True
) -> Totals:
    """Publish the tenant of `spec` (activities at `rate` per second); the totals sent."""
    await ensure_topics(settings)
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all", linger_ms=5)
    await producer.start()
    started, topics, counted = time.monotonic(), settings.topics, _Counted()
    try:
        send = _Sender(producer=producer, codec=Codec(), progress=progress)
        accounts = await send(topics.accounts, sample_accounts(spec), spec.accounts)
        people = await send(topics.persons, sample_people(spec), sum(people_counts(spec)))
        activities = counted.records(sample_activities(spec))
        sent = await send(topics.activities, activities, spec.activities, Pacer(rate))
    finally:
        await producer.stop()
    return Totals(
        accounts=accounts,
        people=people,
        activities=sent,
        duplicates=counted.duplicates,
        late=counted.late,
        seconds=time.monotonic() - started,
    )


class _Counted:
    """Counts the re-sent and late activities passing through `records`."""

    def __init__(self) -> None:
        self.duplicates = self.late = 0

    def records(self, activities: Iterable[SampleActivity]) -> Iterator[ActivityEvent]:
        for activity in activities:
            self.duplicates += activity.duplicate
            self.late += activity.late
            yield activity.record


@dataclass(frozen=True, slots=True, kw_only=True)
class _Sender:
    producer: AIOKafkaProducer
    codec: Codec
    progress: bool

    async def __call__(
        self, topic: str, records: Iterable[InputEvent], total: int, pacer: Pacer | None = None
    ) -> int:
        """Send `records` to `topic`, keyed per the contract; how many were acknowledged."""
        pending: list[asyncio.Future[object]] = []
        sent = 0
        with tqdm(
            total=total, desc=topic, unit="rec", file=sys.stderr, disable=not self.progress
        ) as bar:
            for record in records:
                wait = 0.0 if pacer is None else pacer.delay()
                if wait > 0.001:
                    await asyncio.sleep(wait)
                key, value = contract_key(record).encode("utf-8"), self.codec.encode(record)
                pending.append(await self.producer.send(topic, key=key, value=value))
                if len(pending) >= PENDING_LIMIT:
                    sent += await _acknowledged(pending)
                bar.update()
            sent += await _acknowledged(pending)
        return sent


async def _acknowledged(pending: list[asyncio.Future[object]]) -> int:
    """Wait for every send in `pending` (raising the first failure), then forget them."""
    await asyncio.gather(*pending)
    count = len(pending)
    pending.clear()
    return count


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="publish a realistic sample tenant (accounts, people, activities)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--accounts", type=int, default=100, metavar="N", help="default 100")
    parser.add_argument("--activities", type=int, default=10_000, metavar="N", help="default 10000")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="default 1")
    parser.add_argument(
        "--rate", type=float, default=0.0, metavar="R", help="activities per second (0: no limit)"
    )
    parser.add_argument(
        "--days", type=int, default=14, metavar="D", help="activities span the last D days (14)"
    )
    add_kafka_options(parser)
    parser.set_defaults(func=generate)


def generate(args: argparse.Namespace) -> int:
    try:
        settings = connected_settings(args)
        if args.rate < 0:
            raise BadInput(f"--rate: at least 0, got {args.rate!r}")
        spec = TenantSpec(
            now=datetime.now(UTC),
            seed=args.seed,
            accounts=args.accounts,
            activities=args.activities,
            days=args.days,
        )
    except BadInput as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    try:
        totals = asyncio.run(publish_tenant(settings, spec, rate=args.rate))
    except (KafkaError, Unavailable) as exc:
        return kafka_failed("generate", settings, exc)
    print(totals.line(settings))
    return 0
