"""The steps of one benchmark case, in the order `bench.run` calls them.

prepare (topics, config, accounts and people) -> load (one worker takes the profiles in) ->
write the activities -> ceiling -> pass-through -> saturate with one worker (profiled) and with
two -> latency at a fixed rate (after skipping the backlog) -> restore (restart, then an empty
worker) -> state sizes -> cleanup. Each step adds its figures to `case.figures`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.admin import NewTopic

from bench import measure
from bench.broker import Broker
from bench.tenant import Size, people_total, write_activities, write_profiles
from bench.workers import (
    apply_config,
    engine_worker,
    passthrough_worker,
    run_ceiling,
    start_ready,
)
from streams.demo.tenant import TenantSpec
from streams.ops.settings import Settings
from streams.runtime.provision import APPEND_TIME, ensure_topics
from tests.integration.processes import ROOT, WorkerProcess

CONFIG = ROOT / "examples" / "tenant.yaml"
POLL_S = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Windows:
    """How long each measured part runs, in seconds."""

    passthrough_s: float = 30.0
    saturated_s: float = 60.0
    latency_s: float = 45.0
    warmup_s: float = 10.0
    latency_rate: float | None = None  # activities/s; None: a third of the 1-worker rate
    load_timeout_s: float = 3600.0
    ready_timeout_s: float = 900.0


@dataclass
class Case:
    label: str
    size: Size
    spec: TenantSpec
    settings: Settings
    directory: Path
    results: Path
    windows: Windows
    profile: bool = True
    figures: dict[str, Any] = field(default_factory=dict)
    processes: list[WorkerProcess] = field(default_factory=list)  # every one started, to stop

    @property
    def app_id(self) -> str:
        return self.settings.app_id

    @property
    def changes_topic(self) -> str:
        return self.settings.internal_topics.account_changes

    @property
    def sink(self) -> str:
        return f"{self.settings.topic_prefix}.bench-passthrough"

    def worker(self, data: str, log: str, **extra: str) -> WorkerProcess:
        return self.remember(engine_worker(self.settings, self.directory, data, log, **extra))

    def remember(self, process: WorkerProcess) -> WorkerProcess:
        self.processes.append(process)
        return process


def log(case: Case, message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {case.label}: {message}", flush=True)


async def prepare(case: Case) -> None:
    await ensure_topics(case.settings)
    log(case, apply_config(case.settings, CONFIG))
    accounts, people = await write_profiles(case.settings, case.spec)
    case.figures["tenant"] = {
        "accounts": accounts.records,
        "people": people.records,
        "people_median": case.size.people_median,
        "days": case.size.days,
    }


async def load(case: Case, broker: Broker) -> None:
    """One worker takes every account and person in; timed from its readiness to the moment
    its consumer group has committed the last person and the last routed change."""
    worker = case.worker("data-1", "load")
    ready_s = await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    started, people = time.monotonic(), people_total(case.spec)
    try:
        while time.monotonic() - started < case.windows.load_timeout_s:
            persons = await broker.committed(case.app_id, case.settings.topics.persons)
            changes = await broker.committed(case.app_id, case.changes_topic)
            if persons >= people and changes >= await broker.records_in(case.changes_topic):
                break
            await asyncio.sleep(POLL_S)
        seconds = time.monotonic() - started
    finally:
        await asyncio.to_thread(worker.stop)
    case.figures["load"] = {
        "people": people,
        "seconds": seconds,
        "people_per_s": measure.rate(people, seconds),
        "ready_s": ready_s,
        "finished": seconds < case.windows.load_timeout_s,
    }


async def activities(case: Case) -> None:
    written = await write_activities(case.settings, case.spec)
    case.figures["activities"] = {
        "records": written.records,
        "duplicates": written.duplicates,
        "late": written.late,
        "seconds": written.seconds,
        "written_per_s": written.per_second,
    }


async def ceiling(case: Case) -> None:
    result = await asyncio.to_thread(run_ceiling, case.settings, case.settings.topics.activities)
    records, seconds = result["records"], result["seconds"]
    case.figures["ceiling"] = {
        **result,
        "per_s": measure.rate(records, seconds),
        "mib_per_s": measure.rate(result["bytes"] / 2**20, seconds),
    }


async def passthrough(case: Case, broker: Broker) -> None:
    """The Faust pass-through app for a fixed time; its rate from the sink's append times."""
    partitions = case.settings.partitions
    await broker.admin.create_topics(
        [NewTopic(case.sink, partitions, 1, topic_configs=APPEND_TIME)]
    )
    app_id = f"{case.app_id}-pt"
    worker = case.remember(passthrough_worker(case.settings, case.directory, case.sink, app_id))
    await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    await asyncio.sleep(case.windows.passthrough_s)
    await asyncio.to_thread(worker.stop)
    times: list[float] = []
    await broker.scan(case.sink, lambda message: times.append(message.appended_at))
    window = measure.steady_window(times, case.windows.warmup_s / 2, tail_seconds=1.0)
    case.figures["passthrough"] = {
        "records": len(times),
        "window_s": window.seconds,
        "per_s": measure.windowed_rate(times, window),
    }
