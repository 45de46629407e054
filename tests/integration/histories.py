"""Seeded random tenant histories for the end-to-end tests, their expected group facts from the
reference model, and what the tests read back from the broker: the engine's progress (consumer
group lag) and its outputs.

A history comes in three parts, published in order, each awaited until the engine has processed
it: account events; then audience memberships, profiles and activities (keyed by account or by
person, so the engine may interleave them: the final groups do not depend on that interleaving);
then membership and stage commands.
"""

from __future__ import annotations

import os
import random
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import (
    AccountEvent,
    ActivityEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    CommandResult,
    DeadLetter,
    GroupLifecycle,
    InputRecord,
    MembershipAction,
    MembershipChanged,
    MembershipCommand,
    OutputRecord,
    PersonEvent,
    PersonScoreChanged,
    ScoreChanged,
    Source,
    StageChanged,
    StageCommand,
)
from streams.ops.settings import Settings
from streams.runtime.provision import ensure_topics
from tests.integration.engine_harness import destination
from tests.oracles.reference_model import GroupFacts, HistoryItem, World, replay

TITLES = (
    "VP Security",
    "VP Engineering",
    "Director of IT",
    "Sr Director Infrastructure",
    "IT Manager",
    "Security Manager",
    "Engineering Manager",
    "Software Engineer",
    "Network Engineer",
    "Analyst",
    "Consultant",
    "Office Assistant",
)
COUNTRIES = ("US", "US", "US", "DE", "FR")
ACTIVITY_TYPES = ("page_viewed", "email_opened", "event_attended", "form_filled", "webinar")
ROLES = ("Decision Maker", "Influencer", "Practitioner", "Champion")
STAGES = ("Prospect", "Evaluation", "Won", "No response", "Resurgence", "Nowhere")
REGIONS = ("EMEA", "AMER", "APAC")
STATUSES = ("Call booked", "Budget approved", "", "x" * 60)
Emitted: TypeAlias = OutputRecord | DeadLetter
EMITTED_TYPES = (
    MembershipChanged,
    ScoreChanged,
    StageChanged,
    GroupLifecycle,
    PersonScoreChanged,
    CommandResult,
    BuyingGroupSnapshot,
    DeadLetter,
)


def chosen_seed(variable: str) -> int:
    """The seed in environment variable ``variable``, or a fresh one; printed either way."""
    chosen = os.environ.get(variable)
    seed = int(chosen) if chosen else random.SystemRandom().randrange(1_000_000)
    print(f"\nseed: {seed} ({variable}={seed} replays this history)")
    return seed


@dataclass(frozen=True, slots=True, kw_only=True)
class TenantHistory:
    """``accounts``, ``people`` (memberships, profiles, activities) and ``commands``, each in
    publication order; ``members_of``: every person ever placed in each account."""

    accounts: tuple[InputRecord, ...]
    people: tuple[InputRecord, ...]
    commands: tuple[InputRecord, ...] = ()
    members_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Clock:
    """Event times: one step apart, starting three hours ago (never in the future)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC) - timedelta(hours=3)

    def stamped(self, records: Iterable[InputRecord]) -> tuple[InputRecord, ...]:
        out = []
        for record in records:
            self.at += timedelta(milliseconds=500)
            out.append(replace(record, occurred_at=self.at))
        return tuple(out)


def interleaved(rng: random.Random, streams: Sequence[Sequence[InputRecord]]) -> list[InputRecord]:
    """A uniformly random merge of ``streams`` that keeps each stream's own order."""
    turns = [index for index, stream in enumerate(streams) for _ in stream]
    rng.shuffle(turns)
    positions = [0] * len(streams)
    merged = []
    for index in turns:
        merged.append(streams[index][positions[index]])
        positions[index] += 1
    return merged


def _id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(48):012x}"


def account_events(rng: random.Random, account_ids: Sequence[str]) -> list[InputRecord]:
    """A creation per account, renames for some, and the deletion of one account in ten."""
    records: list[InputRecord] = []
    for number, account_id in enumerate(account_ids):
        created = AccountEvent(
            event_id=_id(rng, "acc"),
            occurred_at=datetime.now(UTC),
            account_id=account_id,
            name=f"Company {number}",
            industry=rng.choice(("Software", "Banking", "Retail")),
            region=REGIONS[number % len(REGIONS)],  # not drawn: seeds replay the same histories
        )
        records.append(created)
        if rng.random() < 0.3:
            records.append(replace(created, event_id=_id(rng, "acc"), name=f"Renamed {number}"))
        if rng.random() < 0.1:
            records.append(replace(created, event_id=_id(rng, "acc"), deleted=True))
    return records


def audience_stream(rng: random.Random, account_id: str) -> list[InputRecord]:
    """Most accounts join aud-1; some leave afterwards (their group stays), some never join."""
    if rng.random() < 0.1:
        return []
    joins = [True] if rng.random() < 0.8 else [True, False] if rng.random() < 0.5 else [False, True]
    return [
        AudienceMembershipEvent(
            event_id=_id(rng, "aud"),
            occurred_at=datetime.now(UTC),
            audience_id="aud-1",
            account_id=account_id,
            member=member,
        )
        for member in joins
    ]


@dataclass
class PersonDraft:
    """One person's profile as the history goes on."""

    person_id: str
    account_id: str | None
    title: str
    country: str
    places: set[str] = field(default_factory=set)

    def profile(self, rng: random.Random, *, deleted: bool = False) -> PersonEvent:
        if self.account_id is not None:
            self.places.add(self.account_id)
        return PersonEvent(
            event_id=_id(rng, "pe"),
            occurred_at=datetime.now(UTC),
            person_id=self.person_id,
            account_id=self.account_id,
            job_title=None if deleted else self.title,
            country=None if deleted else self.country,
            deleted=deleted,
        )


def person_stream(
    rng: random.Random, draft: PersonDraft, accounts: Sequence[str], activities: int
) -> list[InputRecord]:
    """A profile, updates (titles, countries, moves to other accounts or none), activities
    after the first profile, and a deletion for about one person in ten."""
    records: list[InputRecord] = [draft.profile(rng)]
    for _ in range(rng.randint(0, 3)):
        draw = rng.random()
        if draw < 0.5:
            draft.title = rng.choice(TITLES)
        elif draw < 0.8:
            draft.account_id = rng.choice([*accounts, None]) if rng.random() < 0.9 else None
        else:
            draft.country = rng.choice(COUNTRIES)
        records.append(draft.profile(rng))
    for _ in range(activities):
        at = rng.randint(1, len(records))
        records.insert(at, _activity(rng, draft, records))
    if rng.random() < 0.1:
        records.append(draft.profile(rng, deleted=True))
    return records


def _activity(
    rng: random.Random, draft: PersonDraft, earlier: Sequence[InputRecord]
) -> ActivityEvent:
    previous = [r for r in earlier if isinstance(r, ActivityEvent)]
    if previous and rng.random() < 0.05:  # a re-sent activity: same activity id, new event id
        return replace(rng.choice(previous), event_id=_id(rng, "act"))
    return ActivityEvent(
        event_id=_id(rng, "act"),
        occurred_at=datetime.now(UTC),
        activity_id=_id(rng, "a"),
        person_id=draft.person_id,
        account_id=draft.account_id,
        activity_type=rng.choice(ACTIVITY_TYPES),
    )


def tenant_history(
    rng: random.Random, *, accounts: int, people: int, activities: int
) -> TenantHistory:
    """``accounts`` accounts (one more, ``acc-unnamed``, has no account event), ``people``
    people placed at random, about ``activities`` activities per person."""
    account_ids = [f"acc-{number:03d}" for number in range(accounts)]
    everywhere = [*account_ids, "acc-unnamed"]
    drafts = [
        PersonDraft(
            person_id=f"p-{number:04d}",
            account_id=rng.choice(everywhere),
            title=rng.choice(TITLES),
            country=rng.choice(COUNTRIES),
        )
        for number in range(people)
    ]
    streams = [audience_stream(rng, account_id) for account_id in everywhere]
    streams += [
        person_stream(rng, draft, everywhere, rng.randint(0, 2 * activities)) for draft in drafts
    ]
    clock = Clock()
    members_of: dict[str, list[str]] = {account_id: [] for account_id in everywhere}
    for draft in drafts:
        for place in sorted(draft.places):
            members_of[place].append(draft.person_id)
    return TenantHistory(
        accounts=clock.stamped(account_events(rng, account_ids)),
        people=clock.stamped(interleaved(rng, streams)),
        members_of={key: tuple(value) for key, value in members_of.items()},
    )


def with_commands(rng: random.Random, history: TenantHistory, per_account: int) -> TenantHistory:
    """``history`` and, for every account, up to ``per_account`` membership and stage commands
    (valid and invalid ones), in a random order across accounts."""
    streams = [
        [_command(rng, account_id, people) for _ in range(rng.randint(1, per_account))]
        for account_id, people in sorted(history.members_of.items())
    ]
    clock = Clock()
    clock.at = max(r.occurred_at for r in history.people)
    return replace(history, commands=clock.stamped(interleaved(rng, streams)))


def _command(rng: random.Random, account_id: str, people: Sequence[str]) -> InputRecord:
    source = rng.choice((Source.MANUAL, Source.JOURNEY))
    actor = "user-1" if source is Source.MANUAL else "journey-7"
    event_id, command_id, now = _id(rng, "cmd-event"), _id(rng, "cmd"), datetime.now(UTC)
    if rng.random() < 0.35:
        stage, status = (
            (None, rng.choice(STATUSES)) if rng.random() < 0.5 else (rng.choice(STAGES), None)
        )
        return StageCommand(
            event_id=event_id,
            occurred_at=now,
            command_id=command_id,
            source=source,
            actor=actor,
            account_id=account_id,
            solution_interest_id="si-1",
            stage=stage,
            status=status,
        )
    return MembershipCommand(
        event_id=event_id,
        occurred_at=now,
        command_id=command_id,
        source=source,
        actor=actor,
        action=rng.choice(tuple(MembershipAction)),
        account_id=account_id,
        solution_interest_id="si-1",
        person_id=rng.choice(people) if people and rng.random() < 0.9 else "p-nobody",
        role=rng.choice(ROLES),
    )


def reference_world(config: Iterable[HistoryItem], *parts: Iterable[InputRecord]) -> World:
    """The reference model after ``config`` then ``parts``, in order, all processed now (the
    facts compared with the engine do not depend on the processing clock)."""
    now = datetime.now(UTC)
    items: list[tuple[datetime, HistoryItem]] = [(now, item) for item in config]
    items += [(now, record) for part in parts for record in part]
    return replay(items)


def snapshot_facts(records: Iterable[Emitted]) -> dict[str, GroupFacts]:
    """The facts of every live group as its latest snapshot (highest version) tells them."""
    latest: dict[str, BuyingGroupSnapshot] = {}
    for record in records:
        if isinstance(record, BuyingGroupSnapshot):
            known = latest.get(record.group_id)
            if known is None or record.version >= known.version:
                latest[record.group_id] = record
    return {
        group_id: GroupFacts(
            name=snap.name,
            members=frozenset((m.person_id, m.role, m.source) for m in snap.members),
            completeness=snap.completeness,
            stage=snap.stage,
            status=snap.status,
        )
        for group_id, snap in latest.items()
        if not snap.deleted
    }


def facts_diff(got: Mapping[str, GroupFacts], want: Mapping[str, GroupFacts]) -> list[str]:
    """One line per group whose facts differ (missing, unexpected or different)."""
    lines = []
    for group_id in sorted(set(got) | set(want)):
        mine, theirs = got.get(group_id), want.get(group_id)
        if mine != theirs:
            lines.append(f"{group_id}: engine {mine} != reference {theirs}")
    return lines


def departed_members(
    got: Mapping[str, GroupFacts], want: Mapping[str, GroupFacts], world: World
) -> set[str] | None:
    """The people the engine still counts as members of a group although the reference model
    has them in another account, or deleted, when that explains every difference (None when it
    does not, and an empty set when there is no difference)."""
    departed: set[str] = set()
    for group_id in set(got) | set(want):
        mine, theirs = got.get(group_id), want.get(group_id)
        if mine == theirs:
            continue
        if mine is None or theirs is None or _labels(mine) != _labels(theirs):
            return None
        account_id = group_id.split("/")[0]
        extra = {person for person, _, _ in mine.members - theirs.members}
        routes = [world.routes.get(person) for person in extra]
        if theirs.members - mine.members or any(
            r is None or (r.account_id == account_id and not r.deleted) for r in routes
        ):
            return None
        departed |= extra
    return departed


def _labels(facts: GroupFacts) -> tuple[str, str | None, str | None]:
    return facts.name, facts.stage, facts.status


def dropped_inputs(log_text: str) -> int:
    """How many records keyed by one of this module's accounts or people (``acc-...``,
    ``p-...``) the worker's consumer dropped as already read; Faust logs them as "DROPPED
    MESSAGE" when DEVLOG=1."""
    return sum(
        1
        for line in log_text.splitlines()
        if "DROPPED MESSAGE" in line and ("k=b'acc-" in line or "k=b'p-" in line)
    )


def crc32_partition(key: bytes, partitions: int) -> int:
    """Where librdkafka's `consistent` partitioner (its default for keyed records) puts `key`:
    CRC-32 of the key, not Java's murmur2."""
    return zlib.crc32(key) % partitions


async def publish_all(
    settings: Settings,
    records: Iterable[InputRecord],
    partitioner: Callable[[bytes, int], int] | None = None,
) -> None:
    """Publish ``records`` in order (per partition), without waiting for each one; creates the
    tenant's topics first if needed. Partitions by murmur2 of the key (the Java client's way),
    or by ``partitioner`` (key, partitions) for the input topics (config keeps its one)."""
    await ensure_topics(settings)
    codec = Codec()
    producer = AIOKafkaProducer(**settings.kafka.client_options(), acks="all", linger_ms=5)
    await producer.start()
    try:
        for record in records:
            topic, key = destination(record, settings)
            partition = None
            if partitioner is not None and topic != settings.topics.config:
                partition = partitioner(key.encode(), settings.partitions)
            await producer.send(topic, codec.encode(record), key=key.encode(), partition=partition)
        await producer.flush()
    finally:
        await producer.stop()


def output_topics(settings: Settings) -> tuple[str, ...]:
    topics = settings.topics
    return (
        topics.membership_changes,
        topics.score_changes,
        topics.stage_changes,
        topics.group_lifecycle,
        topics.person_scores,
        topics.command_results,
        topics.groups,
        topics.dead_letters,
    )


def _engine_inputs(settings: Settings) -> list[TopicPartition]:
    """Every partition the engine's consumer group reads, except the ticks that timers send
    every second or two: person ticks (they only expire parked activities) and catch-up ticks
    (they only look for stalled partitions)."""
    topics = settings.topics
    keyed = [
        topics.persons,
        topics.activities,
        topics.accounts,
        topics.audience_memberships,
        topics.commands,
        settings.internal_topics.account_changes,
        settings.internal_topics.account_ticks,
        settings.internal_topics.rerouted_people,
        settings.internal_topics.rerouted_accounts,
    ]
    single = [topics.config, settings.internal_topics.calibration]
    return [TopicPartition(t, p) for t in keyed for p in range(settings.partitions)] + [
        TopicPartition(t, 0) for t in single
    ]


@dataclass
class Outputs:
    """Every record of the engine's output topics, read from the beginning, in arrival order."""

    settings: Settings
    records: list[Emitted] = field(default_factory=list)
    failures: list[DecodeFailure] = field(default_factory=list)
    codec: Codec = field(default_factory=Codec)
    _consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(**self.settings.kafka.client_options())
        await self._consumer.start()
        partitions = range(self.settings.partitions)
        tps = [TopicPartition(t, p) for t in output_topics(self.settings) for p in partitions]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def poll(self, timeout_ms: int = 200) -> None:
        assert self._consumer is not None
        batch = await self._consumer.getmany(timeout_ms=timeout_ms)
        for messages in batch.values():
            for message in messages:
                decoded = self.codec.decode(message.value or b"", EMITTED_TYPES)
                if isinstance(decoded, DecodeFailure):
                    self.failures.append(decoded)
                else:
                    record = decoded.record
                    assert isinstance(record, EMITTED_TYPES)
                    self.records.append(record)

    async def read_to_end(self) -> None:
        """Read until every output partition's end offset as of now."""
        assert self._consumer is not None
        ends = await self._consumer.end_offsets(list(self._consumer.assignment()))
        for tp, end in ends.items():
            while await self._consumer.position(tp) < end:
                await self.poll()


async def engine_lag(settings: Settings) -> dict[TopicPartition, int]:
    """Records not yet committed by the engine's consumer group, per input partition (only the
    non-zero ones). Committed offsets are read before end offsets: the engine flushes what it
    sends before it commits, so no lag means that every record of the inputs, and every record
    the engine derived from them, had been processed when the end offsets were read."""
    options = settings.kafka.client_options()
    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(**options)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(_engine_inputs(settings))
    finally:
        await consumer.stop()
    lag = {}
    for tp, end in ends.items():
        done = committed.get(tp)
        behind = end - max(0, done.offset if done is not None else 0)
        if behind > 0:
            lag[tp] = behind
    return lag


class EngineStalledError(AssertionError):
    """The engine's lag stopped moving while records were left unprocessed."""


async def wait_until_processed(
    settings: Settings, outputs: Outputs, seconds: float = 90.0, stalled_after: float = 30.0
) -> float:
    """Wait until the engine has no lag, then read every output it produced; returns the time
    it took. Raises ``EngineStalledError`` when the lag has not changed for ``stalled_after``
    seconds, and AssertionError when ``seconds`` pass first."""
    started = changed = time.monotonic()
    lag = await engine_lag(settings)
    while lag:
        now = time.monotonic()
        if now - changed > stalled_after:
            raise EngineStalledError(f"engine lag unchanged for {stalled_after}s: {_named(lag)}")
        if now - started > seconds:
            raise AssertionError(f"engine still behind after {seconds}s: {_named(lag)}")
        await outputs.poll(timeout_ms=300)
        latest = await engine_lag(settings)
        if latest != lag:
            lag, changed = latest, time.monotonic()
    await outputs.read_to_end()
    return time.monotonic() - started


def _named(lag: Mapping[TopicPartition, int]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]: {n}" for tp, n in sorted(lag.items()))
