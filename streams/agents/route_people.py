"""`route_people`: person events and activities (keyed by person) to the accounts they concern.

Persons, activities, those of them read on another partition than their person's
(`internal.rerouted-people`, see streams.runtime.rerouting) and the person ticks are
co-partitioned, so one agent at concurrency 1 reads them together with two tables of the same
partitioning: where each person is (`person-routes`) and the activities waiting for a person not
seen yet (`parked-activities`). The decisions are `state.routing.routes.route` and
`state.routing.parking`; this module moves bytes.
"""

from __future__ import annotations

from datetime import timedelta

from events.dead_letters import DeadLetterKind
from events.decoding import Decoded, DecodeFailure, future_timestamp_failure
from events.errors import BadInput
from events.records import ActivityEvent, PersonEvent
from state.model.changes import TickKind
from state.routing.parking import NOTHING_PARKED, Parked, ParkedActivity, expired, park
from state.routing.routes import NotRouted, PersonRoute, Routed, route, state_key
from streams.runtime.engine import Engine, ordered_inputs, wall_clock
from streams.runtime.internal import RoutedChange, Tick
from streams.runtime.outputs import InputMessage
from streams.runtime.partitioning import partition_of
from streams.runtime.rerouting import Rerouting, original
from streams.runtime.state_codec import decode_value, encode_value


class PeopleRouter:
    def __init__(self, engine: Engine) -> None:
        settings = engine.settings
        self.engine = engine
        self.emitter = engine.emitter.for_agent()
        self.topics = settings.topics
        self.ticks_topic = settings.internal_topics.person_ticks
        self.routes = engine.table("person-routes", settings.partitions)
        self.parked = engine.table("parked-activities", settings.partitions)
        self.changes_topic = settings.internal_topics.account_changes
        self.ttl = timedelta(seconds=settings.pending_activity_ttl_s)
        self.rerouting = Rerouting(
            self.emitter, settings.internal_topics.rerouted_people, settings.partitions
        )
        self.input_topics = (
            settings.topics.persons,
            settings.topics.activities,
            self.rerouting.topic,
            self.ticks_topic,
        )
        self.inputs = ordered_inputs(
            engine,
            "route_people",
            table=self.routes,
            handle=self.handle,
            topics=self.input_topics,
            emitter=self.emitter,
        )

    async def handle(self, message: InputMessage) -> None:
        if message.topic == self.ticks_topic:
            await self._tick(message, decode_value(message.value or b"", Tick))
        elif message.topic == self.rerouting.topic:
            await self._input(original(message), rerouted=True)
        else:
            await self._input(message, rerouted=False)

    async def _input(self, message: InputMessage, *, rerouted: bool) -> None:
        """A profile or an activity, routed on its person's partition (moved there first when
        it was read elsewhere and not `rerouted` already)."""
        value = message.value or b""
        decoded: Decoded[PersonEvent] | Decoded[ActivityEvent] | DecodeFailure = (
            await self.engine.decode_as(value, PersonEvent)
            if message.topic == self.topics.persons
            else await self.engine.decode_as(value, ActivityEvent)
        )
        if isinstance(decoded, DecodeFailure):
            await self.emitter.dead_letter(message, decoded)
            return
        record = decoded.record
        now = wall_clock()
        too_new = future_timestamp_failure(record, now=now)
        if too_new is not None:
            await self.emitter.dead_letter(message, too_new)
            return
        if not rerouted and await self.rerouting.moved(message, state_key(record)):
            return
        await self._route(message, record)

    async def _route(self, message: InputMessage, record: PersonEvent | ActivityEvent) -> None:
        key = record.person_id.encode()
        stored = self.routes.get(key)
        prior = None if stored is None else decode_value(stored, PersonRoute)
        routed = route(record, prior)
        if isinstance(record, ActivityEvent) and routed.ignored is NotRouted.UNKNOWN_PERSON:
            await self._park(message, record)
            return
        await self._follow(message, routed, key)
        if isinstance(record, PersonEvent) and routed.person_route is not None:
            await self._release(key, routed.person_route)

    async def _follow(self, message: InputMessage, routed: Routed, person_key: bytes) -> None:
        if routed.ignored is NotRouted.STALE:
            self.emitter.metrics.ignored.labels("stale_profile").inc()
        elif routed.ignored is not None:
            error = BadInput(f"activity cannot be routed: {routed.ignored}")
            await self.emitter.dead_letter(
                message, error, kind=DeadLetterKind(routed.ignored.value)
            )
        for delivery in routed.deliveries:
            change = RoutedChange(account_id=delivery.account_id, change=delivery.change)
            key, value = delivery.account_id.encode(), encode_value(change)
            await self.emitter.send(self.changes_topic, key, value)
        # The route is stored with the batch, once its deliveries are published (see AgentLoop),
        # so that a worker killed in between routes the input again from the old route.
        if routed.person_route is not None:
            self.routes[person_key] = encode_value(routed.person_route)

    async def _park(self, message: InputMessage, activity: ActivityEvent) -> None:
        key = activity.person_id.encode()
        item = ParkedActivity(
            activity=activity,
            parked_at=wall_clock(),
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
        )
        parked, overflow = park(self._parked(key), item)
        self.parked[key] = encode_value(parked)
        if overflow is not None:
            error = BadInput(f"too many activities wait for person {activity.person_id}")
            await self.emitter.dead_letter(message, error, kind=DeadLetterKind.PARKING_FULL)

    async def _release(self, key: bytes, person_route: PersonRoute) -> None:
        parked = self._parked(key)
        if not parked.activities:
            return
        current = person_route
        for item in parked.activities:
            routed = route(item.activity, current)
            current = routed.person_route or current
            await self._follow(_item_message(item), routed, key)
        del self.parked[key]

    async def _tick(self, message: InputMessage, tick: Tick) -> None:
        if tick.kind is not TickKind.PENDING:
            return
        partitions = self.engine.settings.partitions
        for key in list(self.parked.keys()):
            if partition_of(key, partitions) != message.partition:
                continue
            kept, gone = expired(self._parked(key), tick.at, self.ttl)
            if kept.activities:
                self.parked[key] = encode_value(kept)
            else:
                del self.parked[key]
            for item in gone:
                error = BadInput(
                    f"activity {item.activity.activity_id}: no profile for person "
                    f"{item.activity.person_id} within {self.ttl.total_seconds():.0f}s"
                )
                await self.emitter.dead_letter(
                    _item_message(item), error, DeadLetterKind.UNKNOWN_PERSON
                )

    def _parked(self, key: bytes) -> Parked:
        stored = self.parked.get(key)
        return NOTHING_PARKED if stored is None else decode_value(stored, Parked)


def _item_message(item: ParkedActivity) -> InputMessage:
    return InputMessage(
        topic=item.topic,
        partition=item.partition,
        offset=item.offset,
        key=item.key,
        value=item.value,
    )


def register(engine: Engine) -> None:
    router = PeopleRouter(engine)
    engine.agent(
        "route_people",
        engine.topic(*router.inputs.subscribed),
        router.inputs.handle,
        router.emitter,
        tables=(router.routes, router.parked),
    )
