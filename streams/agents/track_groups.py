"""`track_groups`: the per-account processor that keeps every buying group current.

It reads, co-partitioned by account id: routed person changes and activities
(`internal.account-changes`), account events, audience memberships, commands, those of them that
were read on another partition than their account's (`internal.rerouted-accounts`, see
streams.runtime.rerouting), and the account ticks. For each input: decode -> load the account's
state -> `state.transitions.apply.apply` -> store -> emit. Ticks apply to every account of the
tick's partition.
"""

from __future__ import annotations

from datetime import datetime

from events.decoding import DecodeFailure, future_timestamp_failure
from events.records import (
    AccountEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    MembershipCommand,
    OutputRecord,
    StageCommand,
)
from state.model.account import AccountState, new_account_state
from state.model.changes import DOMAIN_TICKS, Change, ConfigChanged, Ticked, TickKind
from state.routing.routes import route, state_key
from state.scoring.calibration import Reference
from state.transitions.apply import apply
from streams.runtime.engine import Engine, ordered_inputs, wall_clock
from streams.runtime.internal import CalibrationSample, RoutedChange, Tick
from streams.runtime.outputs import InputMessage
from streams.runtime.partitioning import partition_of
from streams.runtime.rerouting import Rerouting, original
from streams.runtime.state_codec import decode_value, encode_value
from streams.stores.account_store import AccountStore

ACCOUNT_KEYED = (AccountEvent, AudienceMembershipEvent, MembershipCommand, StageCommand)
REFERENCES_KEY = b"\x00references:"


class GroupTracker:
    def __init__(self, engine: Engine) -> None:
        settings = engine.settings
        self.engine = engine
        self.emitter = engine.emitter.for_agent()
        self.partitions = settings.partitions
        self.changes_topic = settings.internal_topics.account_changes
        self.ticks_topic = settings.internal_topics.account_ticks
        self.accounts = engine.table("accounts", settings.partitions)
        self.store = AccountStore(self.accounts)
        self._snapshots: dict[str, BuyingGroupSnapshot] = {}
        topics = settings.topics
        self.rerouting = Rerouting(
            self.emitter, settings.internal_topics.rerouted_accounts, settings.partitions
        )
        self.input_topics = (
            self.changes_topic,
            topics.accounts,
            topics.audience_memberships,
            topics.commands,
            self.rerouting.topic,
            self.ticks_topic,
        )
        self.inputs = ordered_inputs(
            engine,
            "track_groups",
            table=self.accounts,
            handle=self.handle,
            topics=self.input_topics,
            emitter=self.emitter,
        )

    async def handle(self, message: InputMessage) -> None:
        value = message.value or b""
        if message.topic == self.changes_topic:
            routed = decode_value(value, RoutedChange)
            now = message.processed_at()
            await self.handle_change(message.partition, routed.account_id, routed.change, now)
        elif message.topic == self.ticks_topic:
            await self._tick(message.partition, decode_value(value, Tick))
        elif message.topic == self.rerouting.topic:
            await self._input(original(message), rerouted_to=message.partition)
        else:
            await self._input(message)

    async def _input(self, message: InputMessage, rerouted_to: int | None = None) -> None:
        """An account-keyed input, applied on its account's partition (`rerouted_to` when it
        was moved there; else moved there first if it was read elsewhere)."""
        expected = self.engine.settings.topics.records_on(message.topic)
        decoded = await self.engine.decode(message.value or b"", expected)
        if isinstance(decoded, DecodeFailure):
            await self.emitter.dead_letter(message, decoded)
            return
        record = decoded.record
        assert isinstance(record, ACCOUNT_KEYED), f"{message.topic} carries account-keyed records"
        too_new = future_timestamp_failure(record, now=wall_clock())
        if too_new is not None:
            await self.emitter.dead_letter(message, too_new)
            return
        if rerouted_to is None and await self.rerouting.moved(message, state_key(record)):
            return
        partition = message.partition if rerouted_to is None else rerouted_to
        now = message.processed_at()
        for delivery in route(record, None).deliveries:
            await self.handle_change(partition, delivery.account_id, delivery.change, now)

    async def handle_change(
        self, partition: int, account_id: str, change: Change, now: datetime
    ) -> None:
        stored = self.store.load(account_id)
        state = self._new_account(partition, account_id) if stored is None else stored.state
        outcome = apply(state, change, self.engine.view.catalogue, now)
        # Published first, stored after, per batch: see AgentLoop.
        await self.emitter.emit(tuple(r for r in outcome.records if not self._held_back(r)))
        if outcome.state is not state:
            self.store.save(account_id, stored, outcome.state)

    def _held_back(self, record: OutputRecord) -> bool:
        """Whether `record` waits for the end of the batch: a group's snapshot, which the next
        change of the group in the same batch replaces."""
        if isinstance(record, BuyingGroupSnapshot):
            self._snapshots[record.group_id] = record
            return True
        return False

    async def send_snapshots(self) -> None:
        """The latest snapshot of every group the batch changed. `bg.groups` is compacted and
        holds each group's latest state: an earlier snapshot of the same batch would be
        replaced before any consumer could rely on it."""
        snapshots, self._snapshots = self._snapshots, {}
        await self.emitter.emit(tuple(snapshots.values()))

    def _new_account(self, partition: int, account_id: str) -> AccountState:
        person, group = self._references(partition)
        return new_account_state(account_id, person_reference=person, group_reference=group)

    def _references(self, partition: int) -> tuple[Reference | None, Reference | None]:
        stored = self.accounts.get(REFERENCES_KEY + str(partition).encode())
        if stored is None:
            return None, None
        tick = decode_value(stored, Tick)
        return tick.person_reference, tick.group_reference

    def _account_ids(self, partition: int) -> list[str]:
        return sorted(
            account_id
            for account_id in self.store.account_ids()
            if partition_of(account_id.encode(), self.partitions) == partition
        )

    async def _tick(self, partition: int, tick: Tick) -> None:
        change: Change
        if tick.kind is TickKind.CONFIG:
            config_change = await self._config_change(tick)
            if config_change is None:
                return
            change = config_change
        elif tick.kind in (TickKind.COLLECT, TickKind.FIRST_COLLECT):
            await self._collect(partition, tick)
            return
        elif tick.kind in DOMAIN_TICKS:
            if tick.kind is TickKind.CALIBRATION:
                self.accounts[REFERENCES_KEY + str(partition).encode()] = encode_value(tick)
            change = Ticked(
                event_id=tick.tick_id,
                occurred_at=tick.at,
                kind=tick.kind,
                person_reference=tick.person_reference,
                group_reference=tick.group_reference,
            )
        else:
            return
        for account_id in self._account_ids(partition):
            await self.handle_change(partition, account_id, change, tick.at)

    async def _config_change(self, tick: Tick) -> ConfigChanged | None:
        assert tick.config_offset is not None
        verdict = await self.engine.view.reached(tick.config_offset)
        if verdict is None or verdict.change is None:
            return None
        change = verdict.change
        return ConfigChanged(
            event_id=change.event_id, occurred_at=change.occurred_at, kind=change.kind, id=change.id
        )

    async def _collect(self, partition: int, tick: Tick) -> None:
        """This partition's raw scores for the round; none for a first-calibration round once
        its references are calibrated (the round still completes, and changes nothing)."""
        if tick.kind is TickKind.FIRST_COLLECT and self._calibrated(partition):
            await self._send_sample(partition, tick, (), ())
            return
        people: list[float] = []
        groups: list[float] = []
        for account_id in self._account_ids(partition):
            stored = self.store.load(account_id)
            if stored is None:
                continue
            people.extend(stored.state.person_raws())
            groups.extend(stored.state.group_raws())
        await self._send_sample(partition, tick, tuple(people), tuple(groups))

    def _calibrated(self, partition: int) -> bool:
        """Whether the references this partition last received are both past their floor."""
        references = self._references(partition)
        return all(r is not None and r.version > 0 for r in references)

    async def _send_sample(
        self, partition: int, tick: Tick, people: tuple[float, ...], groups: tuple[float, ...]
    ) -> None:
        sample = CalibrationSample(
            round_id=tick.tick_id,
            partition=partition,
            partitions=self.partitions,
            at=tick.at,
            person_raws=people,
            group_raws=groups,
            first=tick.kind is TickKind.FIRST_COLLECT,
        )
        topic = self.engine.settings.internal_topics.calibration
        await self.emitter.send(topic, tick.tick_id.encode(), encode_value(sample))


def register(engine: Engine) -> GroupTracker:
    tracker = GroupTracker(engine)
    engine.agent(
        "track_groups",
        engine.topic(*tracker.inputs.subscribed),
        tracker.inputs.handle,
        tracker.emitter,
        tables=(tracker.accounts,),
        stores=(tracker.store,),
        before_settle=(tracker.send_snapshots,),
    )
    return tracker
