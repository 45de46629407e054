"""The benchmark runner: `python -m bench.run --size small` (or `make bench`).

One run, on one broker and one machine: for each case (by default the chosen size and, to show
growth, the size one tenth of it), a fresh topic prefix and consumer groups, the tenant written
ahead, then the ceiling, the Faust pass-through (one event at a time), the Faust consume-only
floor, the Faust batched pass-through, the Quix Streams peer, the engine at saturation with one
worker (under py-spy) and with two, latency at a fixed rate, restart and restore times and the
state's size.
Writes bench/results/results.json, report.md, report.png and the profile; deletes the topics and
data it created. `--quick` is a short smoke run of a tiny tenant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import engine_phases, phases, read_side
from bench.broker import Broker
from bench.document import commit, machine, render, versions
from bench.hotpath import hot_path
from bench.phases import Case, Windows
from bench.report import write_plot
from bench.tenant import DIMENSIONS, SIZES, Size, grown, tenant_spec
from streams.ops.settings import KafkaSettings, Settings
from tests.integration.processes import ROOT

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".services" / "bench"
GROWTH_BASE = {"small": "tenth", "medium": "small", "large": "medium"}
QUICK = Windows(passthrough_s=15, saturated_s=25, latency_s=15, warmup_s=4)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--quick", action="store_true", help="a tiny tenant, short windows")
    parser.add_argument("--no-growth", action="store_true", help="only the chosen size")
    parser.add_argument(
        "--grow",
        action="append",
        default=[],
        metavar="DIMENSION",
        choices=("accounts", "people", "activities"),
        help="also run the chosen size x10 in this dimension (repeatable)",
    )
    parser.add_argument("--saturated-s", type=float, default=Windows().saturated_s)
    parser.add_argument(
        "--latency-rate",
        type=float,
        default=None,
        help="activities/s for latency (default: a third of the 1-worker rate)",
    )
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="for the read side")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-hotpath", action="store_true", help="skip the in-process probe")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only write report.md and report.png again from results.json",
    )
    parser.add_argument("--keep", action="store_true", help="keep topics and data (debugging)")
    return parser.parse_args(argv)


def plan(args: argparse.Namespace) -> tuple[list[Size], str]:
    """The sizes to run, in order, and the one growth is measured from. By default the size one
    tenth of the chosen one is the base, followed by the base x10 in each dimension alone, then
    the chosen size (x10 in all three). With `--grow`, the chosen size is the base and each size
    grown from it follows."""
    main = SIZES["quick" if args.quick else args.size]
    if args.quick or args.no_growth:
        return [main], main.name
    if args.grow:
        return [main, *(grown(main, dimension) for dimension in args.grow)], main.name
    base_name = GROWTH_BASE.get(main.name)
    if base_name is None:
        return [main], main.name
    base = SIZES[base_name]
    return [base, *(grown(base, dimension) for dimension in DIMENSIONS), main], base.name


def make_case(size: Size, args: argparse.Namespace, stamp: str, windows: Windows) -> Case:
    name = size.name.replace(" ", "-")
    prefix = f"bench{stamp}{name.replace('-', '')}"[:60]
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers=args.bootstrap),
        topic_prefix=prefix,
        app_id=f"{prefix}-engine",
        partitions=4,
        redis_url=args.redis,
    )
    return Case(
        label=size.name,
        size=size,
        spec=tenant_spec(size, now=datetime.now(UTC), seed=args.seed),
        settings=settings,
        directory=WORK / prefix,
        results=args.results,
        windows=windows,
        profile=True,
    )


async def run_case(case: Case, keep: bool) -> None:
    steps: tuple[tuple[str, Callable[[Broker], Awaitable[None]]], ...] = (
        ("prepare", lambda _: phases.prepare(case)),
        ("load", lambda b: phases.load(case, b)),
        ("activities", lambda b: phases.activities(case, b)),
        ("ceiling", lambda _: phases.ceiling(case)),
        ("passthrough", lambda b: phases.passthrough(case, b)),
        ("faust floor", lambda b: phases.faust_floor(case, b)),
        ("faust batched", lambda b: phases.faust_batched(case, b)),
        ("quix peer", lambda b: phases.quix_peer(case, b)),
        ("saturated 1 worker", lambda b: engine_phases.saturate(case, b, 1)),
        ("saturated 2 workers", lambda b: engine_phases.saturate(case, b, 2)),
        ("latency", lambda b: engine_phases.latency(case, b)),
        ("restore", lambda b: engine_phases.restore(case, b)),
        ("read side", lambda b: read_side.read_side(case, b)),
    )
    async with Broker(case.settings.kafka) as broker:
        try:
            for name, step in steps:
                started = time.monotonic()
                phases.log(case, f"{name} ...")
                await step(broker)
                case.figures.setdefault("timings", {})[name] = time.monotonic() - started
                case.figures.setdefault("load_average", {})[name] = os.getloadavg()[0]
                phases.log(case, f"{name} done in {time.monotonic() - started:.0f} s")
        finally:
            await engine_phases.cleanup(case, broker, keep=lambda: keep)


def described(
    args: argparse.Namespace, base: str, probes: list[dict[str, Any]], cases: list[Case]
) -> dict[str, Any]:
    """Everything the report says besides the times of the run."""
    return {
        "machine": machine(),
        "versions": versions(),
        "commit": commit(),
        "main": SIZES["quick" if args.quick else args.size].name,
        "growth_base": base,
        "hotpath": probes,
        "cases": [
            {
                "label": c.label,
                "size": asdict(c.size),
                "windows": asdict(c.windows),
                "figures": c.figures,
            }
            for c in cases
        ],
    }


def write_report(run: dict[str, Any], results: Path) -> None:
    (results / "report.md").write_text(render(run))
    write_plot([(c["label"], c["figures"]) for c in run["cases"]], results / "report.png")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render:
        write_report(json.loads((args.results / "results.json").read_text()), args.results)
        return 0
    command = "python -m bench.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    windows = QUICK if args.quick else Windows(saturated_s=args.saturated_s)
    windows = replace(windows, latency_rate=args.latency_rate)
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%m%d%H%M%S")
    args.results.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sizes, base = plan(args)
    cases = [make_case(size, args, stamp, windows) for size in sizes]
    for case in cases:
        asyncio.run(run_case(case, args.keep))
    probes = [] if args.quick or args.no_hotpath else hot_path()
    run = {
        "command": command.strip(),
        "started": started_at.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": (time.monotonic() - started) / 60,
        **described(args, base, probes, cases),
    }
    (args.results / "results.json").write_text(json.dumps(run, indent=2, default=str) + "\n")
    write_report(run, args.results)
    print(f"report: {args.results / 'report.md'} ({run['minutes']:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
