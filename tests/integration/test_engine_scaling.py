"""Two workers share the partitions; one is killed with SIGKILL and the other takes its partitions
over. Each step ends with the reference model's groups. Profiles are placed by librdkafka's
default partitioner (CRC-32 of the key), so most take the rerouting hop. Set BG_SCALING_SEED to
replay a seed.

Which worker owns which partitions is read from the broker (the consumer group's members and
their assignments), not from the logs.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from events.records import (
    AudienceMembershipEvent,
    CommandResult,
    CommandStatus,
    InputRecord,
    MembershipAction,
    MembershipCommand,
    PersonEvent,
    Source,
)
from streams.ops.settings import Settings
from streams.runtime.partitioning import partition_of
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    Clock,
    Outputs,
    chosen_seed,
    crc32_partition,
    dropped_inputs,
    facts_diff,
    publish_all,
    reference_world,
    snapshot_facts,
    tenant_history,
    wait_until_processed,
)
from tests.integration.processes import WorkerProcess
from tests.oracles.reference_model import GroupFacts, group_facts
from tests.services import Service

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

PARTITIONS = 4
Assignment = Mapping[str, frozenset[int]]


async def accounts_assignment(settings: Settings) -> Assignment | None:
    """Member id -> the partitions of the accounts topic it owns, once the engine's consumer
    group is stable (None while it rebalances)."""
    admin = AIOKafkaAdminClient(**settings.kafka.client_options())
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([settings.app_id])
    finally:
        await admin.close()
    group = response.to_object()["groups"][0]
    if group["state"] != "Stable":
        return None
    owned: dict[str, frozenset[int]] = {}
    for member in group["members"]:
        assignment = ConsumerProtocolMemberAssignment.decode(member["member_assignment"])
        owned[member["member_id"]] = frozenset(
            partition
            for topic, partitions in assignment.assignment
            if topic == settings.topics.accounts
            for partition in partitions
        )
    return owned


async def settled(settings: Settings, members: int, seconds: float) -> Assignment:
    """The assignment once ``members`` workers split every accounts partition between them,
    each owning some."""
    deadline = time.monotonic() + seconds
    found: Assignment | None = None
    while time.monotonic() < deadline:
        found = await accounts_assignment(settings)
        if found is not None and len(found) == members and all(found.values()):
            owned = [p for partitions in found.values() for p in partitions]
            if sorted(owned) == list(range(PARTITIONS)):
                return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"no split of the accounts partitions over {members} worker(s): {found}")


def account_partitions(records: Sequence[InputRecord]) -> set[int]:
    return {
        partition_of(r.account_id.encode(), PARTITIONS)
        for r in records
        if isinstance(r, AudienceMembershipEvent)
    }


def takeover_inputs(
    rng: random.Random, earlier: Sequence[InputRecord], partitions: frozenset[int]
) -> tuple[InputRecord, ...]:
    """A new Decision Maker in every known account of ``partitions``, and two new accounts of
    those partitions entering the audience with a new Practitioner each."""
    known = sorted({r.account_id for r in earlier if isinstance(r, AudienceMembershipEvent)})
    mine = [a for a in known if partition_of(a.encode(), PARTITIONS) in partitions]
    fresh = [f"acc-new-{n}" for n in range(100)]
    fresh = [a for a in fresh if partition_of(a.encode(), PARTITIONS) in partitions][:2]
    now = datetime.now(UTC)
    records: list[InputRecord] = []
    for account_id in [*mine, *fresh]:
        if account_id in fresh:
            records.append(
                AudienceMembershipEvent(
                    event_id=f"join-{account_id}-{rng.getrandbits(32)}",
                    occurred_at=now,
                    audience_id="aud-1",
                    account_id=account_id,
                    member=True,
                )
            )
        title = "Security Engineer" if account_id in fresh else "VP Security"
        records.append(
            PersonEvent(
                event_id=f"pe-{account_id}-{rng.getrandbits(32)}",
                occurred_at=now,
                person_id=f"p-new-{account_id}",
                account_id=account_id,
                job_title=title,
                country="US",
            )
        )
    clock = Clock()
    clock.at = max(r.occurred_at for r in earlier)
    return clock.stamped(records)


async def started(worker: WorkerProcess, workers: list[WorkerProcess]) -> None:
    worker.env["DEVLOG"] = "1"  # the consumer logs records it drops (faust-streaming#596)
    workers.append(worker)
    await worker.ready()


def check_groups(outputs: Outputs, expected: Mapping[str, GroupFacts], log_text: str) -> None:
    diff = facts_diff(snapshot_facts(outputs.records), expected)
    dropped = dropped_inputs(log_text)
    assert diff == [], f"{dropped} inputs dropped by the consumer;\n" + "\n".join(diff[:10])


async def taken_over(
    settings: Settings, outputs: Outputs, survivor_id: str, more: Sequence[InputRecord]
) -> None:
    """The survivor owns every partition and has processed ``more``."""
    await publish_all(settings, more, crc32_partition)
    assert await settled(settings, 1, 60.0) == {survivor_id: frozenset(range(PARTITIONS))}
    await wait_until_processed(settings, outputs)


async def test_two_workers_share_partitions_and_one_takes_over(
    kafka: Service, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_SCALING_SEED"))
    history = tenant_history(rng, accounts=20, people=60, activities=1)
    config = standard_config()
    settings = tenant_settings(kafka.address, partitions=PARTITIONS)
    await publish_all(settings, config)
    first = engine_worker(settings, tmp_path, name="a")
    second = engine_worker(settings, tmp_path, name="b")
    await started(first, workers)
    outputs = Outputs(settings)
    await outputs.start()
    try:
        await wait_until_processed(settings, outputs)
        (first_id,) = await settled(settings, 1, 30.0)
        await started(second, workers)
        split = await settled(settings, 2, 60.0)
        (second_id,) = set(split) - {first_id}
        print(f"\naccounts partitions: a owns {set(split[first_id])}, b {set(split[second_id])}")
        for part in (history.accounts, history.people):
            await publish_all(settings, part, crc32_partition)
            await wait_until_processed(settings, outputs)
        assert await accounts_assignment(settings) == split, "a rebalance moved partitions"
        expected = group_facts(reference_world(config, history.accounts, history.people).groups())
        check_groups(outputs, expected, first.log_text() + second.log_text())
        owners = {partition_of(g.split("/")[0].encode(), PARTITIONS) for g in expected}
        assert owners & split[first_id], "worker a made no group"
        assert owners & split[second_id], "worker b made no group"
        second.kill()
        more = takeover_inputs(rng, history.people, split[second_id])
        await taken_over(settings, outputs, first_id, more)
    finally:
        await outputs.stop()
    everything = (history.accounts, history.people, more)
    expected = group_facts(reference_world(config, *everything).groups())
    check_groups(outputs, expected, first.log_text())
    check_taken_over(expected, more)


def check_taken_over(expected: Mapping[str, GroupFacts], more: Sequence[InputRecord]) -> None:
    """Every person published for the dead worker's partitions joined their group."""
    joined = {g.split("/")[0]: facts for g, facts in expected.items()}
    taken_over = [r for r in more if isinstance(r, PersonEvent) and r.account_id in joined]
    assert taken_over, "no input for a group of the dead worker's partitions"
    for person in taken_over:
        group = joined[person.account_id or ""]
        assert person.person_id in {m for m, _, _ in group.members}, f"{person.event_id} lost"


async def test_command_for_a_person_who_moved_away_names_the_reason(
    kafka: Service, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    """Commands are keyed by account and the person's route lives in the person's partition,
    possibly on another worker; the account remembers who left it, so the refusal still says
    that the person is no longer in the account, as the reference model does."""
    config = standard_config()
    settings = tenant_settings(kafka.address, partitions=PARTITIONS)
    await publish_all(settings, config)
    await started(engine_worker(settings, tmp_path), workers)
    now = datetime.now(UTC)
    moved = PersonEvent(
        event_id="pe-2", occurred_at=now, person_id="p-1", account_id="acc-b", job_title="VP IT"
    )
    history: list[InputRecord] = [
        AudienceMembershipEvent(
            event_id="aud-1", occurred_at=now, audience_id="aud-1", account_id="acc-a", member=True
        ),
        replace(moved, event_id="pe-1", occurred_at=now - timedelta(minutes=1), account_id="acc-a"),
        moved,
    ]
    command = MembershipCommand(
        event_id="cmd-event-1",
        occurred_at=now,
        command_id="cmd-1",
        source=Source.MANUAL,
        actor="user-1",
        action=MembershipAction.ADD,
        account_id="acc-a",
        solution_interest_id="si-1",
        person_id="p-1",
        role="Decision Maker",
    )
    outputs = Outputs(settings)
    await outputs.start()
    try:
        await publish_all(settings, history)
        await wait_until_processed(settings, outputs)
        await publish_all(settings, [command])
        await wait_until_processed(settings, outputs)
    finally:
        await outputs.stop()
    expected = reference_world(config, history, [command]).records
    want = [(r.status, r.reason) for r in expected if isinstance(r, CommandResult)]
    got = [(r.status, r.reason) for r in outputs.records if isinstance(r, CommandResult)]
    assert want == [(CommandStatus.REFUSED, "person_not_in_account")]
    assert got == want
