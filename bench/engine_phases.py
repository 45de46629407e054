"""The engine's measured steps: saturation, latency at a fixed rate, restore, state, cleanup.

Throughput counts activities by their outputs: an activity has gone end to end when a
ScoreChanged or PersonScoreChanged naming it as `cause` has been appended; its time is the first
such append. Latency is, per output, the output's append time minus its input's append time
(both broker LogAppendTime, so one clock).
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Callable

from bench import measure
from bench.broker import Broker, Message
from bench.phases import POLL_S, Case, log
from bench.profile import costs, parse_collapsed, top_functions
from bench.state_size import state_size
from bench.tenant import write_live_activities
from bench.workers import pid_of, start_profiler, start_ready
from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import PersonScoreChanged, ScoreChanged
from tests.integration.processes import WorkerProcess

CODEC = Codec()
PROJECT = ("(streams/", "(state/", "(events/")


def output_topics(case: Case) -> tuple[str, str]:
    return case.settings.topics.person_scores, case.settings.topics.score_changes


async def output_ends(case: Case, broker: Broker) -> dict[str, dict[int, int]]:
    return {topic: await broker.end_offsets(topic) for topic in output_topics(case)}


async def caused_outputs(
    case: Case, broker: Broker, since: dict[str, dict[int, int]]
) -> list[tuple[str, float]]:
    """(cause, append time) of every score output appended after the offsets `since`."""
    found: list[tuple[str, float]] = []

    def visit(message: Message) -> None:
        decoded = CODEC.decode(message.value or b"", (ScoreChanged, PersonScoreChanged))
        if not isinstance(decoded, DecodeFailure):
            record = decoded.record
            assert isinstance(record, ScoreChanged | PersonScoreChanged)
            found.append((record.cause, message.appended_at))

    for topic in output_topics(case):
        await broker.scan(topic, visit, since[topic])
    return found


async def _sample_commits(
    case: Case, broker: Broker, seconds: float, samples: list[tuple[float, int]]
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append((time.time(), await broker.committed(case.app_id, case.changes_topic)))
        await asyncio.sleep(POLL_S)


async def _start_all(case: Case, processes: list[WorkerProcess]) -> list[float]:
    timeout = case.windows.ready_timeout_s
    started = (asyncio.to_thread(start_ready, p, timeout) for p in processes)
    return list(await asyncio.gather(*started))


async def saturate(case: Case, broker: Broker, workers: int) -> None:
    """`workers` engine workers on the backlog of activities for the saturation window; the one
    worker alone is profiled."""
    since = await output_ends(case, broker)
    names = [(f"data-{n}", f"saturated-{workers}w-{n}") for n in range(1, workers + 1)]
    processes = [case.worker(data, log) for data, log in names]
    ready_s = await _start_all(case, processes)
    ready_at, window_s = time.time(), case.windows.saturated_s
    path = case.results / f"profile-{case.size.name.replace(' ', '-')}.txt"
    profiler = None
    if workers == 1 and case.profile:
        profiler = start_profiler(pid_of(processes[0]), window_s, path)
    samples: list[tuple[float, int]] = []
    await _sample_commits(case, broker, window_s, samples)
    stopped_at = time.time()
    await asyncio.gather(*(asyncio.to_thread(p.stop) for p in processes))
    if profiler is not None:
        await asyncio.to_thread(profiler.wait, 120)
        summarise_profile(case)
    firsts = measure.first_seen(await caused_outputs(case, broker, since))
    window = measure.Window(start=ready_at + case.windows.warmup_s, end=stopped_at)
    case.figures[f"saturated_{workers}w"] = {
        "workers": workers,
        "ready_s": ready_s,
        "window_s": window.seconds,
        "activities": len(firsts),
        "per_s": measure.windowed_rate(list(firsts.values()), window),
        "changes_per_s": measure.offsets_rate(samples, window),
    }


def summarise_profile(case: Case) -> None:
    path = case.results / f"profile-{case.size.name.replace(' ', '-')}.txt"
    if not path.exists():
        case.figures["profile"] = {"error": "py-spy wrote no profile"}
        return
    stacks = parse_collapsed(path.read_text().splitlines())
    own, anywhere = top_functions(stacks, 12, within=PROJECT)
    case.figures["profile"] = {
        "file": path.name,
        "samples": sum(samples for _, samples in stacks),
        "costs": [[c.name, c.share] for c in costs(stacks)],
        "self": [[c.name, c.share] for c in own],
        "inclusive": [[c.name, c.share] for c in anywhere],
    }


async def _drained(case: Case, broker: Broker, seconds: float) -> bool:
    topics = (case.settings.topics.activities, case.changes_topic)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [
            await broker.committed(case.app_id, t) >= await broker.records_in(t) for t in topics
        ]
        if all(done):
            return True
        await asyncio.sleep(POLL_S)
    return False


async def latency(case: Case, broker: Broker) -> None:
    """Skip the saturation backlog, then send activities at a fixed, moderate rate to one idle
    worker and time each score output against its input."""
    topics = (case.settings.topics.activities, case.changes_topic)
    taken = await broker.committed(case.app_id, topics[0])  # the backlog the workers took in
    await broker.skip_to_end(case.app_id, topics)
    skipped_to = await broker.records_in(topics[0])
    # The skip is deliberate: without BG_CATCH_UP=off the engine would read the skipped
    # backlog from the broker (streams.runtime.catch_up) before the live activities.
    worker = case.worker("data-1", "latency", BG_CATCH_UP="off")
    await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    await asyncio.sleep(case.windows.warmup_s / 2)  # let the restarted worker settle
    saturated = case.figures.get("saturated_1w", {}).get("per_s", 2.0)
    rate = case.windows.latency_rate or max(1.0, round(saturated / 3, 1))
    since = await output_ends(case, broker)
    run = uuid.uuid4().hex[:8]
    written = await write_live_activities(
        case.settings, case.spec, rate=rate, seconds=case.windows.latency_s, run=run
    )
    drained = await _drained(case, broker, seconds=120.0)
    await asyncio.to_thread(worker.stop)
    live = await broker.committed(case.app_id, topics[0]) - skipped_to
    case.figures["engine_activities"] = {"backlog": taken, "live": max(0, live)}
    outputs = await caused_outputs(case, broker, since)
    samples = measure.latencies_ms(written.appended_at, outputs)
    firsts = measure.latencies_ms(written.appended_at, measure.first_seen(outputs).items())
    case.figures["latency"] = {
        "rate": rate,
        "activities": written.records,
        "drained": drained,
        "per_output": _summary(samples),
        "first_output": _summary(firsts),
    }


def _summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"count": 0}
    summary = measure.latency_summary(samples)
    return {
        "count": summary.count,
        "p50_ms": summary.p50_ms,
        "p95_ms": summary.p95_ms,
        "p99_ms": summary.p99_ms,
        "max_ms": summary.max_ms,
    }


async def restore(case: Case, broker: Broker) -> None:
    """A restart keeping the local RocksDB state, then a worker with none (every changelog read);
    the state of that fresh worker is measured after it stops."""
    timeout = case.windows.ready_timeout_s
    restart = case.worker("data-1", "restart")
    restart_s = await asyncio.to_thread(start_ready, restart, timeout)
    await asyncio.to_thread(restart.stop)
    empty = case.worker("data-restored", "restore")
    restore_s = await asyncio.to_thread(start_ready, empty, timeout)
    await asyncio.to_thread(empty.stop)
    changelogs: dict[str, dict[str, int]] = {}
    for table in ("accounts", "person-routes"):
        since = case.marks.get("accounts_changelog") if table == "accounts" else None
        size = await broker.size(f"{case.app_id}-{table}-changelog", since)
        changelogs[table] = {
            "records": size.records,
            "bytes": size.bytes,
            "keys": size.keys,
            "live_bytes": size.live_bytes,
        }
        if since is not None:
            changelogs[table]["bytes_after_load"] = size.bytes_since
    taken = case.figures.get("engine_activities", {})
    activities = int(taken.get("backlog", 0)) + int(taken.get("live", 0))
    if "bytes_after_load" in changelogs["accounts"]:
        appended = changelogs["accounts"]["bytes_after_load"]
        case.figures["changelog_per_activity"] = {
            "accounts_bytes": appended,
            "activities": activities,
            "accounts_per_activity": measure.per_unit(appended, activities),
        }
    tables = case.directory / "data-restored" / "v1" / "tables"
    state = await asyncio.to_thread(state_size, tables)
    case.figures["restore"] = {"restart_s": restart_s, "empty_s": restore_s}
    case.figures["state"] = {**state_as_dict(state), "changelogs": changelogs}


def state_as_dict(state: object) -> dict[str, object]:
    from dataclasses import asdict  # noqa: PLC0415

    return asdict(state)  # type: ignore[call-overload,no-any-return]


async def cleanup(case: Case, broker: Broker, keep: Callable[[], bool] = lambda: False) -> None:
    # a step that failed may have left a worker running, which would create topics again
    await asyncio.gather(*(asyncio.to_thread(process.stop) for process in case.processes))
    # the Quix peer names its changelog topics `changelog__<group>--<topic>--<store>`
    quix = (f"changelog__{case.quix_group}--", f"repartition__{case.quix_group}--")
    prefixes = (f"{case.settings.topic_prefix}.", f"{case.app_id}-", *quix)
    deleted = await broker.delete_topics(prefixes)
    log(case, f"deleted {len(deleted)} topics")
    if not keep():
        shutil.rmtree(case.directory, ignore_errors=True)
