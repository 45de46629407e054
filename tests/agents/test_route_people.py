"""`route_people`'s handlers over the real agent loop with in-memory twins (no broker): an
activity of an unknown person is parked and released by the person's profile, parked activities
that waited too long are dead-lettered by the pending tick, bad records are dead-lettered, and
the batch's tables are written once per key, in their partition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.codec import Codec
from events.records import ActivityEvent, PersonEvent
from state.model.changes import TickKind
from streams.agents.route_people import PeopleRouter
from streams.ops.settings import Settings
from streams.runtime.catalogue_view import CatalogueView
from streams.runtime.engine import Engine
from streams.runtime.internal import RoutedChange, Tick
from streams.runtime.skeleton import AgentLoop
from streams.runtime.state_codec import decode_value, encode_value
from tests.agents.twins import App, Event, RecordingEmitter, Stream, message

NOW = datetime.now(UTC).replace(microsecond=0)
CODEC = Codec()
SETTINGS = Settings(partitions=1, topic_prefix="t")
TOPICS = SETTINGS.topics
INTERNAL = SETTINGS.internal_topics


class Router:
    """A `route_people` of one partition, its loop, and what it sent and stored."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.app = App(self.log)
        self.emitter = RecordingEmitter(self.log)
        engine = Engine(
            settings=SETTINGS,
            app=self.app,  # type: ignore[arg-type]
            codec=CODEC,
            emitter=self.emitter,
            view=CatalogueView(codec=CODEC),
            reader=None,  # type: ignore[arg-type]  # no record is skipped: nothing is read back
        )
        engine.config_ready.set()
        self.router = PeopleRouter(engine)
        self.loop: AgentLoop = engine.agent(
            "route_people",
            None,
            self.router.inputs.handle,
            self.router.emitter,
            tables=(self.router.routes, self.router.parked),
        )
        self.offsets: dict[str, int] = {}

    def event(self, topic: str, value: bytes) -> Event:
        offset = self.offsets.get(topic, 0)
        self.offsets[topic] = offset + 1
        record = message(topic, 0, offset, value)
        record.key = b"k"
        return Event(record)

    async def run(self, *events: Event) -> Stream:
        stream = Stream(list(events), self.log)
        await self.loop.run(stream)
        return stream

    def routed(self) -> list[RoutedChange]:
        return [
            decode_value(value, RoutedChange)
            for topic, _, value in self.emitter.sent
            if topic == INTERNAL.account_changes
        ]

    def dead_letters(self) -> list[bytes]:
        return [
            value
            for topic, _, value in self.emitter.sent
            if topic == self.emitter.topics.dead_letters
        ]


def profile(person: str, account: str, at: datetime = NOW) -> bytes:
    return CODEC.encode(
        PersonEvent(event_id=f"pe-{person}", occurred_at=at, person_id=person, account_id=account)
    )


def activity(person: str, n: int, account: str | None = None) -> bytes:
    return CODEC.encode(
        ActivityEvent(
            event_id=f"a-{person}-{n}",
            occurred_at=NOW,
            activity_id=f"a-{person}-{n}",
            person_id=person,
            account_id=account,
            activity_type="page_viewed",
        )
    )


async def test_an_unknown_person_s_activities_wait_and_follow_their_profile() -> None:
    router = Router()
    await router.run(
        router.event(TOPICS.activities, activity("p1", 1)),
        router.event(TOPICS.activities, activity("p1", 2)),
    )
    assert router.routed() == []
    parked = router.app.tables["parked-activities"]
    assert list(parked) == [b"p1"], "both wait under the person"

    await router.run(router.event(TOPICS.persons, profile("p1", "acc-1")))
    routed = router.routed()
    assert [r.account_id for r in routed] == ["acc-1"] * 3
    kinds = [type(r.change).__name__ for r in routed]
    assert kinds == ["PersonChanged", "ActivityRecorded", "ActivityRecorded"]
    assert b"p1" not in parked, "released"
    assert b"p1" in router.app.tables["person-routes"]


async def test_a_profile_and_its_parked_activities_in_one_batch_are_stored_once() -> None:
    router = Router()
    router.log.clear()
    await router.run(
        router.event(TOPICS.activities, activity("p2", 1)),
        router.event(TOPICS.persons, profile("p2", "acc-2")),
        router.event(TOPICS.activities, activity("p2", 2)),
    )
    writes = [line for line in router.log if line.startswith(("write", "delete"))]
    assert sorted(writes) == sorted(
        [
            "write p2@0",  # the route, once
            *(
                f"write \x00next-offset:{topic}:0@0"
                for topic in (TOPICS.activities, TOPICS.persons)
            ),
        ]
    ), "parked and released within the batch: the parked value is never written"
    assert router.log.index("settle 3") < router.log.index(writes[0])
    changelog = [(key, partition) for _, key, _, partition in router.app.producer.sent]
    assert sorted(changelog) == sorted((w[6:-2].encode(), 0) for w in writes), (
        "one changelog record per key written, in its partition"
    )
    assert [type(r.change).__name__ for r in router.routed()] == [
        "PersonChanged",
        "ActivityRecorded",
        "ActivityRecorded",
    ]


async def test_the_pending_tick_dead_letters_activities_that_waited_too_long() -> None:
    router = Router()
    await router.run(router.event(TOPICS.activities, activity("p3", 1)))
    late = NOW + timedelta(seconds=SETTINGS.pending_activity_ttl_s + 3600)
    tick = Tick(tick_id="t-1", kind=TickKind.PENDING, at=late)
    await router.run(router.event(INTERNAL.person_ticks, encode_value(tick)))

    assert len(router.dead_letters()) == 1
    assert b"p3" not in router.app.tables["parked-activities"]
    assert router.routed() == []


async def test_bad_records_are_dead_lettered_and_the_batch_goes_on() -> None:
    router = Router()
    future = NOW + timedelta(hours=1)
    stream = await router.run(
        router.event(TOPICS.persons, b"\x00 not avro"),
        router.event(TOPICS.persons, profile("p4", "acc-4", at=future)),
        router.event(TOPICS.activities, activity("p5", 1, account="acc-5")),
    )
    assert len(router.dead_letters()) == 2, "undecodable, and too far in the future"
    assert [r.account_id for r in router.routed()] == ["acc-5"], "the hinted activity goes on"
    assert len(stream.acked) == 3
    assert router.app.crashes == []
