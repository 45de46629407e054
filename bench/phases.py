"""The steps of one benchmark case, in the order `bench.run` calls them.

prepare (topics, config, accounts and people) -> load (one worker takes the profiles in) ->
write the activities -> ceiling -> Faust pass-through, one event at a time -> Faust consume-only
floor -> Faust batched pass-through -> the Quix Streams peer -> saturate with one worker
(profiled) and with two -> latency at a fixed rate (after skipping the backlog) -> restore
(restart, then an empty worker) -> state sizes -> cleanup. Each step adds its figures to
`case.figures`; the pass-throughs, the floor and the peer each read the activity topic from its
beginning in a consumer group of their own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import NewTopic

from bench import measure
from bench.broker import Broker
from bench.tenant import Size, people_total, write_activities, write_profiles
from bench.workers import (
    apply_config,
    engine_worker,
    passthrough_worker,
    quix_worker,
    run_ceiling,
    start_ready,
)
from streams.demo.tenant import TenantSpec
from streams.ops.settings import Settings
from streams.runtime.provision import APPEND_TIME, ensure_topics
from tests.integration.processes import ROOT, WorkerProcess

CONFIG = ROOT / "examples" / "tenant.yaml"
POLL_S = 2.0
PROGRESS_POLL_S = 0.1  # how often the consume-only floor's progress is read


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
    marks: dict[str, dict[int, int]] = field(default_factory=dict)  # end offsets, by name

    @property
    def app_id(self) -> str:
        return self.settings.app_id

    @property
    def changes_topic(self) -> str:
        return self.settings.internal_topics.account_changes

    @property
    def sink(self) -> str:
        return self.sink_of("passthrough")

    def sink_of(self, name: str) -> str:
        """The topic a pass-through or the peer writes (deleted with the case's topics)."""
        return f"{self.settings.topic_prefix}.bench-{name}"

    @property
    def accounts_changelog(self) -> str:
        return f"{self.app_id}-accounts-changelog"

    @property
    def quix_group(self) -> str:
        """The Quix peer's consumer group; its changelog topics are named after it."""
        return f"{self.app_id}-quix"

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


async def activities(case: Case, broker: Broker) -> None:
    """Every activity of the tenant, written after the profiles are in; the end of the accounts
    changelog is marked first, so that what the engine appends to it for activities is known."""
    case.marks["accounts_changelog"] = await broker.end_offsets(case.accounts_changelog)
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
    """The Faust pass-through app, one event at a time, for a fixed time; its rate from the
    sink's append times."""
    sink = await _sink(case, broker, "passthrough")
    worker = passthrough_worker(case.settings, case.directory, sink, f"{case.app_id}-pt")
    case.figures["passthrough"] = await _forwarded(case, broker, case.remember(worker), sink)


async def faust_floor(case: Case, broker: Broker) -> None:
    """A Faust agent that only reads the activities (the pass-through's settings), until it has
    read them all or for the pass-through's time. It writes nothing: its count of events read
    (Faust's own monitor, `events_total`, from the worker's web server) is sampled every
    PROGRESS_POLL_S, and so are its consumer group's committed offsets (Faust commits every 10,000
    events and every 2.8 s, too coarse for a backlog read in seconds: the cross-check
    `committed_per_s`, "committed_lower_bound" when it had fewer than two commits short of the
    end)."""
    group = f"{case.app_id}-floor"
    topic = case.settings.topics.activities
    worker = case.remember(
        passthrough_worker(case.settings, case.directory, "", group, mode="consume", log="floor")
    )
    end = await broker.records_in(topic)
    stats = f"http://127.0.0.1:{worker.env['BENCH_WEB_PORT']}/"
    await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    events: list[tuple[float, int]] = []
    commits: list[tuple[float, int]] = []
    deadline = time.monotonic() + case.windows.passthrough_s
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            while time.monotonic() < deadline:
                events.append(await _events_read(client, stats))
                commits.append((time.time(), await broker.committed(group, topic)))
                if commits[-1][1] >= end:
                    break
                await asyncio.sleep(PROGRESS_POLL_S)
    finally:
        await asyncio.to_thread(worker.stop)
    rate, window = measure.busy_rate(events, end, case.windows.warmup_s / 2)
    committed, _, bounded = measure.committed_rate(commits, end)
    case.figures["faust_floor"] = {
        "records": max((count for _, count in events), default=0),
        "window_s": window.seconds,
        "per_s": rate,
        "committed_per_s": committed,
        "commits": len(measure.changes(commits)),
        "committed_lower_bound": bounded,
    }


async def _events_read(client: httpx.AsyncClient, url: str) -> tuple[float, int]:
    """(time, events read) from a Faust worker's monitor, the time halfway through the request."""
    before = time.time()
    response = await client.get(url)
    after = time.time()
    response.raise_for_status()
    sensors: dict[str, dict[str, Any]] = response.json()
    count = max((int(s.get("events_total", 0)) for s in sensors.values()), default=0)
    return (before + after) / 2, count


async def faust_batched(case: Case, broker: Broker) -> None:
    """The Faust pass-through in batches (`stream.take_events`), each record sent through Faust's
    producer directly and the batch's futures gathered once; its rate from the sink's append
    times."""
    sink = await _sink(case, broker, "batched")
    worker = passthrough_worker(
        case.settings, case.directory, sink, f"{case.app_id}-batched", mode="batched", log="batched"
    )
    case.figures["faust_batched"] = await _forwarded(case, broker, case.remember(worker), sink)


async def quix_peer(case: Case, broker: Broker) -> None:
    """The Quix Streams peer (`bench.quix_peer`: a stateful read-modify-write of about 1 KB per
    record, changelog on, one output per input) for the pass-through's time; its rate from the
    sink's append times."""
    sink = await _sink(case, broker, "quix")
    worker = quix_worker(case.settings, case.directory, sink, case.quix_group)
    case.figures["quix_peer"] = await _forwarded(case, broker, case.remember(worker), sink)


async def _sink(case: Case, broker: Broker, name: str) -> str:
    sink = case.sink_of(name)
    partitions = case.settings.partitions
    await broker.admin.create_topics([NewTopic(sink, partitions, 1, topic_configs=APPEND_TIME)])
    return sink


async def _forwarded(
    case: Case, broker: Broker, worker: WorkerProcess, sink: str
) -> dict[str, float]:
    """Run `worker` for the pass-through's time after it is ready; the records it wrote to
    `sink` and their rate over a steady window of their append times (a warm-up and the last
    second left out, each shorter for a short run: `measure.short_steady_window`)."""
    await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    try:
        await asyncio.sleep(case.windows.passthrough_s)
    finally:
        await asyncio.to_thread(worker.stop)
    times: list[float] = []
    await broker.scan(sink, lambda message: times.append(message.appended_at))
    window = measure.short_steady_window(times, case.windows.warmup_s / 2, tail_seconds=1.0)
    return {
        "records": len(times),
        "window_s": window.seconds,
        "per_s": measure.windowed_rate(times, window),
    }
