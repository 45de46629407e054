"""Kill -9 mid-stream: the restarted engine ends with the reference model's groups, and consumers
that honour `version` see every change exactly once.

Phase 1 (accounts first, then audience memberships, profiles and activities) is published in one
go and the worker is killed with SIGKILL while it works through it, then restarted on the same
data directory. Phase 2 (membership and stage commands) follows once phase 1 is fully processed.
Inputs are placed by librdkafka's default partitioner (CRC-32 of the key), so most reach the
engine on another partition than their key's and take the rerouting hop, through the kill too.
Set BG_CRASH_SEED to replay a printed seed.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

import pytest

from events.records import (
    BuyingGroupSnapshot,
    CommandResult,
    CommandStatus,
    ConfigRecord,
    DeadLetter,
    GroupLifecycle,
    MembershipChanged,
    ScoreChanged,
    StageChanged,
)
from streams.ops.settings import Settings
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    Emitted,
    Outputs,
    chosen_seed,
    crc32_partition,
    departed_members,
    dropped_inputs,
    engine_lag,
    facts_diff,
    publish_all,
    reference_world,
    snapshot_facts,
    tenant_history,
    wait_until_processed,
    with_commands,
)
from tests.integration.processes import WorkerProcess
from tests.oracles.reference_model import World, group_facts
from tests.services import Service

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

GROUP_CHANGES = (MembershipChanged, ScoreChanged, StageChanged, GroupLifecycle)
GroupRecord: TypeAlias = (
    MembershipChanged | ScoreChanged | StageChanged | GroupLifecycle | BuyingGroupSnapshot
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionReport:
    """Per group: the change versions never seen; the records seen more than once (true
    duplicates); the same record kind and version seen with two different contents."""

    gaps: Mapping[str, tuple[int, ...]]
    duplicates: int
    conflicts: tuple[tuple[GroupRecord, GroupRecord], ...]


def _content(record: GroupRecord) -> GroupRecord:
    """``record`` without its emission time (a re-sent record differs in nothing else)."""
    return replace(record, emitted_at=EPOCH)


def conflict_text(conflicts: tuple[tuple[GroupRecord, GroupRecord], ...]) -> str:
    """What differs between the two records of the first conflicts."""
    lines = [f"{len(conflicts)} versions emitted twice with different contents, e.g.:"]
    for earlier, later in conflicts[:3]:
        fields = [f.name for f in dataclasses.fields(earlier) if f.name != "emitted_at"]
        changed = {
            name: (getattr(earlier, name), getattr(later, name))
            for name in fields
            if getattr(earlier, name) != getattr(later, name)
        }
        lines.append(f"{type(earlier).__name__} {earlier.group_id} v{earlier.version}: {changed}")
    return "\n".join(lines)


def version_report(records: Iterable[Emitted]) -> VersionReport:
    """Every group's change records (membership, score, stage, lifecycle) should carry each
    version from 1 to the highest; a record seen twice must be a true duplicate."""
    first: dict[tuple[str, str, int], GroupRecord] = {}
    versions: dict[str, set[int]] = {}
    duplicates = 0
    conflicts = []
    for record in records:
        if not isinstance(record, (*GROUP_CHANGES, BuyingGroupSnapshot)):
            continue
        if isinstance(record, GROUP_CHANGES):
            versions.setdefault(record.group_id, set()).add(record.version)
        earlier = first.setdefault((type(record).__name__, record.group_id, record.version), record)
        if earlier is not record:
            duplicates += 1
            if _content(earlier) != _content(record):
                conflicts.append((earlier, record))
    gaps = {
        group_id: tuple(sorted(set(range(1, max(found) + 1)) - found))
        for group_id, found in versions.items()
        if len(found) != max(found)
    }
    return VersionReport(gaps=gaps, duplicates=duplicates, conflicts=tuple(conflicts))


def command_statuses(records: Iterable[Emitted]) -> dict[str, CommandStatus]:
    return {r.command_id: r.status for r in records if isinstance(r, CommandResult)}


def versions_seen(records: Iterable[Emitted]) -> set[tuple[str, int]]:
    return {(r.group_id, r.version) for r in records if isinstance(r, GROUP_CHANGES)}


async def outputs_beyond(outputs: Outputs, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(outputs.records) < count:
        assert time.monotonic() < deadline, f"only {len(outputs.records)} outputs, want {count}"
        await outputs.poll()


async def started_engine(
    settings: Settings, config: list[ConfigRecord], directory: Path, workers: list[WorkerProcess]
) -> WorkerProcess:
    """One worker, started once the configuration is published; its consumer logs the records
    it drops as already read (DEVLOG=1), the trace of faust-streaming#596."""
    await publish_all(settings, config)
    worker = engine_worker(settings, directory)
    worker.env["DEVLOG"] = "1"
    workers.append(worker)
    await worker.ready()
    return worker


async def killed_and_restarted(
    settings: Settings, outputs: Outputs, worker: WorkerProcess, kill_after: int
) -> None:
    """SIGKILL once ``kill_after`` more outputs appeared, restart on the same data directory and
    wait until everything is processed."""
    await outputs_beyond(outputs, len(outputs.records) + kill_after, 60.0)
    worker.kill()
    seen_at_kill = versions_seen(outputs.records)
    assert await engine_lag(settings), "the worker had already finished when it was killed"
    await worker.ready(2)
    await wait_until_processed(settings, outputs)
    assert versions_seen(outputs.records) - seen_at_kill, "the restarted worker did nothing"
    print(f"\ninput records dropped as already read: {dropped_inputs(worker.log_text())}")


def check_groups(outputs: Outputs, expected: World, worker: WorkerProcess) -> None:
    """(a) the final groups are the reference model's, and so are the command results."""
    got, want = snapshot_facts(outputs.records), group_facts(expected.groups())
    diff = facts_diff(got, want)
    departed = departed_members(got, want, expected)
    assert not departed, f"people kept by the account they left: {sorted(departed)}"
    assert diff == [], "\n".join(diff[:10])
    assert command_statuses(outputs.records) == command_statuses(expected.records)


def check_gaps(report: VersionReport) -> None:
    """(b) every group version from 1 to the highest was emitted."""
    assert not report.gaps, f"group versions never emitted after the kill: {dict(report.gaps)}"


async def test_kill_9_mid_stream_loses_and_doubles_nothing(
    kafka: Service, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_CRASH_SEED"))
    history = with_commands(rng, tenant_history(rng, accounts=30, people=300, activities=4), 4)
    config = standard_config()
    expected = reference_world(config, history.accounts, history.people, history.commands)
    phase_one = reference_world(config, history.accounts, history.people).records
    kill_after = int(rng.uniform(0.15, 0.5) * len(phase_one))
    settings = tenant_settings(kafka.address, partitions=4)
    worker = await started_engine(settings, config, tmp_path, workers)
    outputs = Outputs(settings)
    await outputs.start()
    try:
        await wait_until_processed(settings, outputs)
        await publish_all(settings, history.accounts, crc32_partition)
        await wait_until_processed(settings, outputs)
        await publish_all(settings, history.people, crc32_partition)
        await killed_and_restarted(settings, outputs, worker, kill_after)
        await publish_all(settings, history.commands, crc32_partition)
        await wait_until_processed(settings, outputs)
    finally:
        await outputs.stop()
    letters = [r for r in outputs.records if isinstance(r, DeadLetter)]
    assert [r for r in letters if r.error_kind == "processing_error"] == [], "(c)"
    assert outputs.failures == [], "an output record could not be decoded"
    report = version_report(outputs.records)
    assert report.conflicts == (), conflict_text(report.conflicts)
    print(f"\n{report.duplicates} true duplicates after the restart")
    check_groups(outputs, expected, worker)
    check_gaps(report)
