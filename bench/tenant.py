"""The benchmark's tenants: named sizes over `streams.demo.tenant`, written to the broker ahead of
a run.

`streams.demo.tenant` makes the records (long-tailed people per account, real job titles, activities
with daily bursts, re-sends and late arrivals); this module picks their sizes and publishes them
fast: batched sends with many in flight, a progress bar per topic. Live activities (for the latency
run) are the tenant's activities re-dated to the moment they are sent, with fresh ids.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice

from aiokafka import AIOKafkaProducer
from tqdm import tqdm

from events.codec import Codec
from events.errors import BadInput
from events.records import AccountEvent, ActivityEvent, PersonEvent
from streams.demo.generate import Pacer
from streams.demo.tenant import (
    TenantSpec,
    contract_key,
    people_counts,
    sample_accounts,
    sample_activities,
    sample_people,
)
from streams.ops.settings import Settings

IN_FLIGHT = 20_000  # sends awaiting acknowledgement before the writer waits for them
PEOPLE_MEDIAN = 33.0  # lognormal median: about 50 people per account on average, a few hundreds
DIMENSIONS = ("accounts", "people", "activities")
Record = AccountEvent | PersonEvent | ActivityEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class Size:
    """How big a tenant is: accounts, the median of people per account, activities."""

    name: str
    accounts: int
    people_median: float = PEOPLE_MEDIAN
    activities: int
    days: int = 14


SIZES = {
    size.name: size
    for size in (
        Size(name="quick", accounts=20, activities=20_000),
        Size(name="tenth", accounts=100, activities=100_000),
        Size(name="small", accounts=1_000, activities=1_000_000),
        Size(name="medium", accounts=10_000, activities=10_000_000),
        Size(name="large", accounts=100_000, activities=100_000_000),
    )
}


def grown(size: Size, dimension: str, factor: int = 10) -> Size:
    """`size` with one dimension `factor` times bigger: more accounts (of the same shape), more
    people per account, or more activities over the same days."""
    name = f"{size.name} x{factor} {dimension}"
    if dimension == "accounts":
        return replace(size, name=name, accounts=size.accounts * factor)
    if dimension == "people":
        return replace(size, name=name, people_median=size.people_median * factor)
    if dimension == "activities":
        return replace(size, name=name, activities=size.activities * factor)
    raise BadInput(f"growth dimension: one of {', '.join(DIMENSIONS)}, got {dimension!r}")


def tenant_spec(size: Size, *, now: datetime, seed: int) -> TenantSpec:
    return TenantSpec(
        now=now,
        seed=seed,
        accounts=size.accounts,
        people_median=size.people_median,
        activities=size.activities,
        days=size.days,
    )


def people_total(spec: TenantSpec) -> int:
    return sum(people_counts(spec))


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """What one writer sent to one topic; `appended_at` (event id -> broker append time in
    seconds) only where the writer was asked to keep it."""

    topic: str
    records: int
    seconds: float
    duplicates: int = 0
    late: int = 0
    appended_at: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def fast_producer(settings: Settings) -> AIOKafkaProducer:
    """Large batches, a short linger: the writer must not be what a run measures."""
    return AIOKafkaProducer(
        **settings.kafka.client_options(),
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
        max_request_size=4 * 1024 * 1024,
    )


class _Writer:
    """Sends records keyed by the contract, with many sends in flight and a progress bar."""

    def __init__(self, producer: AIOKafkaProducer, *, progress: bool) -> None:
        self.producer, self.codec, self.progress = producer, Codec(), progress

    async def write(
        self, topic: str, records: Iterable[Record], total: int, *, keep_times: bool = False
    ) -> Written:
        started, pending, sent = time.monotonic(), [], 0
        appended: dict[str, float] = {}
        with tqdm(
            total=total, desc=topic, unit="rec", file=sys.stderr, disable=not self.progress
        ) as bar:
            for record in records:
                key = contract_key(record).encode()
                future = await self.producer.send(topic, self.codec.encode(record), key=key)
                pending.append((record.event_id, future))
                if len(pending) >= IN_FLIGHT:
                    sent += await _settle(pending, appended if keep_times else None)
                    bar.update(IN_FLIGHT)
            bar.update(len(pending))
            sent += await _settle(pending, appended if keep_times else None)
        return Written(
            topic=topic, records=sent, seconds=time.monotonic() - started, appended_at=appended
        )


async def _settle(
    pending: list[tuple[str, asyncio.Future[object]]], appended: dict[str, float] | None
) -> int:
    """Wait for every send in `pending`; note each append time when `appended` is given."""
    results = await asyncio.gather(*(future for _, future in pending))
    if appended is not None:
        for (event_id, _), metadata in zip(pending, results, strict=True):
            appended[event_id] = metadata.timestamp / 1000.0  # type: ignore[attr-defined]
    count = len(pending)
    pending.clear()
    return count


async def write_profiles(
    settings: Settings, spec: TenantSpec, *, progress: bool = True
) -> tuple[Written, Written]:
    """Every account, then every person of the tenant."""
    producer = fast_producer(settings)
    await producer.start()
    try:
        writer = _Writer(producer, progress=progress)
        topics = settings.topics
        accounts = await writer.write(topics.accounts, sample_accounts(spec), spec.accounts)
        people = await writer.write(topics.persons, sample_people(spec), people_total(spec))
    finally:
        await producer.stop()
    return accounts, people


async def write_activities(
    settings: Settings, spec: TenantSpec, *, progress: bool = True
) -> Written:
    """Every activity of the tenant, as fast as the broker takes them."""
    counts = {"duplicates": 0, "late": 0}

    def records() -> Iterator[ActivityEvent]:
        for sample in sample_activities(spec):
            counts["duplicates"] += sample.duplicate
            counts["late"] += sample.late
            yield sample.record

    producer = fast_producer(settings)
    await producer.start()
    try:
        writer = _Writer(producer, progress=progress)
        written = await writer.write(settings.topics.activities, records(), spec.activities)
    finally:
        await producer.stop()
    return replace(written, duplicates=counts["duplicates"], late=counts["late"])


def live_activity(record: ActivityEvent, *, number: int, run: str, now: datetime) -> ActivityEvent:
    """A tenant activity as live traffic: happening `now`, with ids no run has used."""
    return replace(
        record,
        event_id=str(uuid.uuid4()),
        activity_id=f"live-{run}-{number:08d}",
        occurred_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
    )


async def write_live_activities(
    settings: Settings, spec: TenantSpec, *, rate: float, seconds: float, run: str
) -> Written:
    """Activities at `rate` per second for `seconds`, each sent alone and acknowledged, with its
    broker append time kept for latency."""
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all", linger_ms=0)
    await producer.start()
    codec, pacer, topic = Codec(), Pacer(rate), settings.topics.activities
    appended: dict[str, float] = {}
    pending: list[tuple[str, asyncio.Future[object]]] = []
    started = time.monotonic()
    try:
        for number, sample in enumerate(islice(sample_activities(spec), round(rate * seconds))):
            await asyncio.sleep(pacer.delay())
            record = live_activity(sample.record, number=number, run=run, now=datetime.now(UTC))
            value, key = codec.encode(record), record.person_id.encode()
            pending.append((record.event_id, await producer.send(topic, value, key=key)))
            if len(pending) >= 100:
                await _settle(pending, appended)
        await _settle(pending, appended)
    finally:
        await producer.stop()
    return Written(
        topic=topic,
        records=len(appended),
        seconds=time.monotonic() - started,
        appended_at=appended,
    )
