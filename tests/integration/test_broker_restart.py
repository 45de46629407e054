"""The broker stopped mid-stream and started again: the worker reconnects by itself, says it is
not ready while the broker is away, and ends with the reference model's groups, every group
version emitted once in effect (no gap; a version seen twice is the same record).

The broker is one of this module's own (tests/integration/own_broker.py: the real broker on free
ports with its own data folder), never the session's. Phase 1 (accounts) is processed first;
phase 2 (audience memberships, profiles and activities) is published whole, and the broker is
stopped once a random share of its outputs appeared: with SIGTERM (Kafka's controlled shutdown)
in one test, with SIGKILL (nothing flushed or handed over) in the other. It stays away for a few
seconds, is started again on the same data folder, and phase 3 (commands) follows once phase 2 is
processed. Each test prints what was in flight and how long each step took.
Set BG_RESTART_SEED to replay a printed seed.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from events.records import DeadLetter
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import tenant_settings
from tests.integration.histories import (
    Outputs,
    chosen_seed,
    crc32_partition,
    engine_lag,
    publish_all,
    reference_world,
    tenant_history,
    wait_until_processed,
    with_commands,
)
from tests.integration.own_broker import OwnBroker
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.test_engine_crash import (
    check_gaps,
    check_groups,
    conflict_text,
    outputs_beyond,
    started_engine,
    version_report,
)

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

AWAY_S = 2.0  # how long the broker stays down once the worker has said it is not ready
BROKER_REASON = "Kafka does not answer"


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnBroker]:
    broker = OwnBroker.on_free_ports(tmp_path_factory.mktemp("own-broker"))
    print(f"\nown broker: formatted and started in {broker.start():.1f} s at {broker.address}")
    yield broker
    broker.stop()


@dataclass(frozen=True, slots=True, kw_only=True)
class Outage:
    """What one broker fault did, measured by the test."""

    fault: str
    in_flight: int  # input records not yet committed by the engine when the broker was stopped
    outputs_before: int  # output records read before the broker was stopped
    exit_s: float  # from the signal to the broker's process being gone
    not_ready_s: float  # from the signal to /readyz answering 503 for the broker
    away_s: float  # from the signal to the broker serving again
    ready_s: float  # from the broker serving again to /readyz answering 200
    caught_up_s: float  # from the broker serving again to no lag on any input

    def line(self) -> str:
        return (
            f"{self.fault}: {self.in_flight} input records in flight, {self.outputs_before} "
            f"outputs before; broker exited in {self.exit_s:.1f} s, /readyz 503 after "
            f"{self.not_ready_s:.1f} s, broker back after {self.away_s:.1f} s; then /readyz 200 "
            f"after {self.ready_s:.1f} s and every input processed after {self.caught_up_s:.1f} s"
        )


async def readiness(worker: WorkerProcess, want: int, reason: str, seconds: float) -> float:
    """Poll /readyz until it answers `want` (with `reason` in its body); the seconds it took."""
    started = time.monotonic()
    seen: tuple[int, str] = (0, "")
    while time.monotonic() - started < seconds:
        try:
            seen = await asyncio.to_thread(http_get, worker, "/readyz")
        except OSError as error:  # the web server is up for the worker's whole life
            raise AssertionError(f"/readyz did not answer: {error!r}") from error
        if seen[0] == want and reason in seen[1]:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"/readyz never answered {want} ({reason}) in {seconds}s; last {seen}")


def worker_state(worker: WorkerProcess) -> str:
    """Whether the worker still runs, and its last warnings and errors (for a failure)."""
    assert worker.proc is not None
    lines = [line for line in worker.log_text().splitlines() if '"level": "info"' not in line]
    tail = "\n".join(line[:300] for line in lines[-25:])
    return f"worker exit code: {worker.proc.poll()}; its last warnings and errors:\n{tail}"


def assert_running(worker: WorkerProcess) -> None:
    assert worker.proc is not None
    assert worker.proc.poll() is None, f"the worker stopped ({worker.proc.returncode})"


async def broker_outage(
    broker: OwnBroker, worker: WorkerProcess, outputs: Outputs, sig: signal.Signals
) -> Outage:
    """Stop the broker with `sig`, check that the worker reports it, start the broker again and
    wait until the worker is ready and has processed every input."""
    settings_lag = await engine_lag(outputs.settings)
    in_flight, outputs_before = sum(settings_lag.values()), len(outputs.records)
    assert in_flight, "the worker had already finished when the broker was stopped"
    signalled = time.monotonic()
    exit_s = await asyncio.to_thread(broker.signal, sig)
    not_ready_s = exit_s + await readiness(worker, 503, BROKER_REASON, 30.0)
    await asyncio.sleep(AWAY_S)
    assert_running(worker)
    await asyncio.to_thread(broker.start)
    back = time.monotonic()
    ready_s = await readiness(worker, 200, "ready", 90.0)
    try:
        await wait_until_processed(outputs.settings, outputs, seconds=120.0, stalled_after=30.0)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{worker_state(worker)}") from error
    return Outage(
        fault=sig.name,
        in_flight=in_flight,
        outputs_before=outputs_before,
        exit_s=exit_s,
        not_ready_s=not_ready_s,
        away_s=back - signalled,
        ready_s=ready_s,
        caught_up_s=time.monotonic() - back,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_broker_restart_mid_stream_loses_and_doubles_nothing(
    own_broker: OwnBroker, sig: signal.Signals, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_RESTART_SEED"))
    history = with_commands(rng, tenant_history(rng, accounts=10, people=100, activities=2), 3)
    config = standard_config()
    expected = reference_world(config, history.accounts, history.people, history.commands)
    phase_two = reference_world(config, history.accounts, history.people).records
    stop_after = int(rng.uniform(0.15, 0.5) * len(phase_two))
    settings = tenant_settings(own_broker.address, partitions=4)
    worker = await started_engine(settings, config, tmp_path, workers)
    outputs = Outputs(settings)
    await outputs.start()
    try:
        await wait_until_processed(settings, outputs)
        await publish_all(settings, history.accounts, crc32_partition)
        await wait_until_processed(settings, outputs)
        await publish_all(settings, history.people, crc32_partition)
        await outputs_beyond(outputs, len(outputs.records) + stop_after, 60.0)
        outage = await broker_outage(own_broker, worker, outputs, sig)
        await publish_all(settings, history.commands, crc32_partition)
        await wait_until_processed(settings, outputs)
    finally:
        await outputs.stop()
    print(f"\n{outage.line()}")
    assert_running(worker)
    assert worker.log_text().count("Kafka stopped answering") >= 1
    letters = [r for r in outputs.records if isinstance(r, DeadLetter)]
    assert [r for r in letters if r.error_kind == "processing_error"] == []
    assert outputs.failures == [], "an output record could not be decoded"
    report = version_report(outputs.records)
    assert report.conflicts == (), conflict_text(report.conflicts)
    print(f"{report.duplicates} true duplicates of group records after the restart")
    check_groups(outputs, expected, worker)
    check_gaps(report)
