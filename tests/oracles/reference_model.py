"""The reference model: the domain rules applied to a whole history, one input at a time.

Given an ordered history (input records, config records and tombstones, ticks), it routes each
input exactly as the streaming layer does (``state.routing.routes``), applies it to the account(s)
it concerns (``state.transitions.apply.apply``), and returns the final state of every account, the
catalogue, and every record emitted. The streaming system, fed the same history, must end with
the same groups.

Config records change the catalogue (a refused one is kept in ``refused`` and changes nothing)
and reach every known account as ``ConfigChanged``. Ticks reach every known account; a
calibration tick first computes the new references from all raw scores of the tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from events.records import ConfigRecord, OutputRecord, Source
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import ConfigTombstone, apply_config_change
from state.catalogue.errors import Invalid
from state.model.account import (
    GROUP_REFERENCE_FLOOR,
    PERSON_REFERENCE_FLOOR,
    AccountState,
    new_account_state,
)
from state.model.changes import Change, ConfigChanged, Ticked, TickKind
from state.model.group import BuyingGroup
from state.routing.routes import PersonRoute, RoutedRecord, route, routing_person
from state.scoring.calibration import Reference, calibrate, initial_reference
from state.transitions.apply import apply


@dataclass(frozen=True, slots=True, kw_only=True)
class TickRequested:
    """Periodic work requested at ``occurred_at`` (a calibration computes its references)."""

    event_id: str
    occurred_at: datetime
    kind: TickKind


HistoryItem = RoutedRecord | ConfigRecord | ConfigTombstone | TickRequested


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """Everything after a history: the tenant's state and what it emitted."""

    catalogue: Catalogue = EMPTY_CATALOGUE
    accounts: Mapping[str, AccountState] = field(default_factory=lambda: MappingProxyType({}))
    routes: Mapping[str, PersonRoute] = field(default_factory=lambda: MappingProxyType({}))
    person_reference: Reference = field(
        default_factory=lambda: initial_reference(PERSON_REFERENCE_FLOOR)
    )
    group_reference: Reference = field(
        default_factory=lambda: initial_reference(GROUP_REFERENCE_FLOOR)
    )
    records: tuple[OutputRecord, ...] = ()
    refused: tuple[Invalid, ...] = ()
    ignored: tuple[tuple[str, str], ...] = ()

    def groups(self) -> Mapping[str, BuyingGroup]:
        """Every live group of the tenant, by group id."""
        return MappingProxyType(
            {
                group.group_id: group
                for account in self.accounts.values()
                for group in account.groups.values()
            }
        )


def replay(
    history: Iterable[HistoryItem | tuple[datetime, HistoryItem]], *, start: World | None = None
) -> World:
    """The world after applying ``history`` in order. Each item is processed at its own
    ``occurred_at`` unless given as ``(now, item)``."""
    world = start or World()
    accounts, routes = dict(world.accounts), dict(world.routes)
    records, refused, ignored = list(world.records), list(world.refused), list(world.ignored)
    run = _Run(
        world=world,
        accounts=accounts,
        routes=routes,
        records=records,
        refused=refused,
        ignored=ignored,
    )
    for entry in history:
        now, item = entry if isinstance(entry, tuple) else (entry.occurred_at, entry)
        run.step(item, now)
    return replace(
        run.world,
        accounts=MappingProxyType(accounts),
        routes=MappingProxyType(routes),
        records=tuple(records),
        refused=tuple(refused),
        ignored=tuple(ignored),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupFacts:
    """What the streaming system and the reference model must agree on for one group, leaving
    out what depends on the processing clock (times, engagement, versions)."""

    name: str
    members: frozenset[tuple[str, str, Source]]
    completeness: float
    stage: str | None
    status: str | None


def group_facts(groups: Mapping[str, BuyingGroup]) -> Mapping[str, GroupFacts]:
    """The facts of each group, by group id."""
    return MappingProxyType(
        {
            group_id: GroupFacts(
                name=group.name,
                members=frozenset(
                    (member.person_id, member.role, member.source)
                    for member in group.members.values()
                ),
                completeness=group.completeness,
                stage=group.stage.stage,
                status=group.stage.status,
            )
            for group_id, group in groups.items()
        }
    )


class _Run:
    """The mutable bookkeeping of one replay (local to ``replay``; the rules stay pure)."""

    def __init__(
        self,
        *,
        world: World,
        accounts: dict[str, AccountState],
        routes: dict[str, PersonRoute],
        records: list[OutputRecord],
        refused: list[Invalid],
        ignored: list[tuple[str, str]],
    ) -> None:
        self.world, self.accounts, self.routes = world, accounts, routes
        self.records, self.refused, self.ignored = records, refused, ignored

    def step(self, item: HistoryItem, now: datetime) -> None:
        if isinstance(item, ConfigRecord | ConfigTombstone):
            self._config(item, now)
        elif isinstance(item, TickRequested):
            self._tick(item, now)
        else:
            self._route(item, now)

    def _route(self, record: RoutedRecord, now: datetime) -> None:
        person_id = routing_person(record)
        prior = None if person_id is None else self.routes.get(person_id)
        routed = route(record, prior)
        if person_id is not None and routed.person_route is not None:
            self.routes[person_id] = routed.person_route
        if routed.ignored is not None:
            self.ignored.append((record.event_id, routed.ignored))
        for delivery in routed.deliveries:
            self._deliver(delivery.account_id, delivery.change, now)

    def _deliver(self, account_id: str, change: Change, now: datetime) -> None:
        state = self.accounts.get(account_id) or new_account_state(
            account_id,
            person_reference=self.world.person_reference,
            group_reference=self.world.group_reference,
        )
        outcome = apply(state, change, self.world.catalogue, now)
        self.accounts[account_id] = outcome.state
        self.records.extend(outcome.records)

    def _config(self, item: ConfigRecord | ConfigTombstone, now: datetime) -> None:
        in_use = frozenset(
            interest_id for state in self.accounts.values() for interest_id in state.groups
        )
        changed = apply_config_change(self.world.catalogue, item, interests_with_groups=in_use)
        if isinstance(changed, Invalid):
            self.refused.append(changed)
            return
        self.world = replace(self.world, catalogue=changed)
        change = ConfigChanged(
            event_id=item.event_id, occurred_at=item.occurred_at, kind=item.kind, id=item.id
        )
        self._broadcast(change, now)

    def _tick(self, item: TickRequested, now: datetime) -> None:
        calibration = item.kind is TickKind.CALIBRATION
        if calibration:
            self._calibrate()
        tick = Ticked(
            event_id=item.event_id,
            occurred_at=item.occurred_at,
            kind=item.kind,
            person_reference=self.world.person_reference if calibration else None,
            group_reference=self.world.group_reference if calibration else None,
        )
        self._broadcast(tick, now)

    def _calibrate(self) -> None:
        people = [raw for state in self.accounts.values() for raw in state.person_raws()]
        groups = [raw for state in self.accounts.values() for raw in state.group_raws()]
        self.world = replace(
            self.world,
            person_reference=calibrate(people, PERSON_REFERENCE_FLOOR, self.world.person_reference),
            group_reference=calibrate(groups, GROUP_REFERENCE_FLOOR, self.world.group_reference),
        )

    def _broadcast(self, change: Change, now: datetime) -> None:
        for account_id in sorted(self.accounts):
            self._deliver(account_id, change, now)
