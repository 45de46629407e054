"""The read side's figures: the projection's records per second into Redis, and the API's p50/p99
for a one-group read and for the combined filter "missing Decision Maker and completeness < 50"
over every group of the tenant, at a fixed request rate.

A phase of `bench.run` (after the engine's phases, over the outputs they produced), or alone:

    python -m bench.read_side --size small --redis redis://127.0.0.1:6379/0

which loads the tenant's accounts and people through one engine worker (the `load` phase: every
group is created and filled), then measures the read side over those outputs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import measure, phases
from bench.broker import Broker
from bench.phases import Case, Windows
from bench.tenant import SIZES, tenant_spec
from bench.workers import engine_env, free_port, start_ready
from streams.ops.settings import KafkaSettings, Settings
from streams.read.keys import Keys
from streams.read.projection import read_topics
from streams.read.redis_model import connect
from tests.integration.processes import ROOT, WorkerProcess

RATE = 50.0  # requests per second, each kind
SECONDS = 20.0
FILTER = {"missing_role": "Decision Maker", "completeness_lt": "50", "limit": "20"}
POLL_S = 0.5
WORK = ROOT / ".services" / "bench"


async def projection(case: Case, broker: Broker, redis_url: str) -> dict[str, Any]:
    """Run the projection as its own worker group over every read topic; records per second
    from its readiness to the commit of the last record (commits every ~3 s bound the error)."""
    topics = read_topics(case.settings.topics)
    records = sum([await broker.records_in(t) for t in topics])
    group = f"{case.app_id}-read-model"
    env = {**engine_env(case.settings, case.directory / "read-model-data"),
           "REDIS_URL": redis_url, "BG_READ_MODEL_WEB_PORT": str(free_port())}  # fmt: skip
    worker = case.remember(
        WorkerProcess(module="streams.read.app", env=env, log=case.directory / "read-model.log")
    )
    ready_s = await asyncio.to_thread(start_ready, worker, case.windows.ready_timeout_s)
    started = time.monotonic()
    done = 0
    while time.monotonic() - started < case.windows.load_timeout_s:
        done = sum([await broker.committed(group, t) for t in topics])
        if done >= records:
            break
        await asyncio.sleep(POLL_S)
    seconds = time.monotonic() - started
    await asyncio.to_thread(worker.stop)
    return {"records": records, "projected": done, "seconds": seconds, "ready_s": ready_s,
            "records_per_s": measure.rate(done, seconds)}  # fmt: skip


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    answer = await client.get(path, params=params)
    answer.raise_for_status()
    return time.perf_counter() - started


async def at_rate(client: httpx.AsyncClient, requests: list[tuple[str, dict[str, str]]]) -> Any:
    """Send `requests` open-loop at RATE per second; latency percentiles in milliseconds."""
    start = time.perf_counter()
    tasks = []
    for number, (path, params) in enumerate(requests):
        await asyncio.sleep(max(0.0, start + number / RATE - time.perf_counter()))
        tasks.append(asyncio.create_task(_timed(client, path, params)))
    samples = sorted(await asyncio.gather(*tasks))
    return {
        "requests": len(samples),
        "p50_ms": 1000 * samples[len(samples) // 2],
        "p99_ms": 1000 * samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "rate": RATE,
    }


async def api(case: Case, redis_url: str) -> dict[str, Any]:
    redis = connect(redis_url)
    try:
        groups = await redis.zrange(Keys.for_tenant(case.settings.topic_prefix).score_index(
            "updated"), 0, -1)  # fmt: skip
    finally:
        await redis.aclose()
    port = free_port()
    env = {**engine_env(case.settings, case.directory / "api"), "REDIS_URL": redis_url,
           "BG_API_PORT": str(port), "SCHEMA_REGISTRY_URL": ""}  # fmt: skip
    log = (case.directory / "api.log").open("ab")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "streams.cli.main", "api", "--loglevel", "warning",
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await _until_ready(client)
            count = int(RATE * SECONDS)
            rng = random.Random(1)
            one: list[tuple[str, dict[str, str]]] = [
                (f"/groups/{rng.choice(groups)}", {}) for _ in range(count)
            ]
            combined = [("/groups", FILTER)] * count
            matching = (await client.get("/groups", params=FILTER)).json()["total"]
            return {"groups": len(groups), "filter_matches": matching,
                    "one_group": await at_rate(client, one),
                    "filter": await at_rate(client, combined)}  # fmt: skip
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
        log.close()


async def _until_ready(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)
    raise RuntimeError("the API did not become ready")


async def read_side(case: Case, broker: Broker) -> None:
    """The bench.run phase: projection, then API, over the case's outputs."""
    redis_url = case.settings.redis_url or "redis://127.0.0.1:6379/0"
    try:
        figures = {"projection": await projection(case, broker, redis_url)}
        figures["api"] = await api(case, redis_url)
    finally:
        await forget(case, redis_url)
    case.figures["read_side"] = figures


async def forget(case: Case, redis_url: str) -> None:
    """Delete the case's keys from Redis (as the run deletes its topics)."""
    redis = connect(redis_url)
    try:
        prefix = Keys.for_tenant(case.settings.topic_prefix).prefix
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            await redis.delete(key)
    finally:
        await redis.aclose()


def section(label: str, figures: dict[str, Any]) -> str:
    """The report's "Read side" section for one case."""
    found = figures.get("read_side")
    if not found:
        return ""
    p, a = found["projection"], found["api"]
    return "\n".join([
        f"Case {label}: the projection (its own worker group) wrote {p['projected']:,} of"
        f" {p['records']:,} records into Redis in {p['seconds']:.1f} s:"
        f" **{p['records_per_s']:,.0f} records/s**.",
        "",
        f"API over {a['groups']:,} groups, {a['one_group']['rate']:.0f} requests/s each, "
        f"{a['one_group']['requests']} requests:",
        "",
        "| request | p50 | p99 |",
        "| --- | --- | --- |",
        f"| one group (`GET /groups/{{account}}/{{interest}}`) | {a['one_group']['p50_ms']:.1f} ms"
        f" | {a['one_group']['p99_ms']:.1f} ms |",
        f"| missing Decision Maker and completeness < 50 ({a['filter_matches']:,} groups match,"
        f" first page of 20) | {a['filter']['p50_ms']:.1f} ms | {a['filter']['p99_ms']:.1f} ms |",
        "",
    ])  # fmt: skip


async def alone(args: argparse.Namespace) -> dict[str, Any]:
    stamp = datetime.now(UTC).strftime("%m%d%H%M%S")
    size = SIZES[args.size]
    prefix = f"benchread{stamp}{size.name.replace(' ', '')}"[:60]
    settings = Settings(kafka=KafkaSettings(bootstrap_servers=args.bootstrap), topic_prefix=prefix,
                        app_id=f"{prefix}-engine", partitions=4, redis_url=args.redis)  # fmt: skip
    case = Case(label=size.name, size=size, spec=tenant_spec(size, now=datetime.now(UTC), seed=1),
                settings=settings, directory=WORK / prefix, results=args.results,
                windows=replace(Windows(), load_timeout_s=3600.0), profile=False)  # fmt: skip
    from bench.engine_phases import cleanup  # noqa: PLC0415

    async with Broker(settings.kafka) as broker:
        try:
            steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("prepare", lambda: phases.prepare(case)),
                ("load", lambda: phases.load(case, broker)),
                ("read side", lambda: read_side(case, broker)),
            ]
            for name, step in steps:
                started = time.monotonic()
                phases.log(case, f"{name} ...")
                await step()
                phases.log(case, f"{name} done in {time.monotonic() - started:.0f} s")
        finally:
            await cleanup(case, broker)
    return {"command": "python -m bench.read_side " + " ".join(sys.argv[1:]),
            "size": size.name, "figures": case.figures}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--results", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    run = asyncio.run(alone(args))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "read-side.json").write_text(json.dumps(run, indent=2, default=str) + "\n")
    text = f"# Read side\n\nCommand: `{run['command']}`\n\n" + section(run["size"], run["figures"])
    (args.results / "read-side.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
