"""The report's text: machine, versions, the exact command, the tables and the profile's costs."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib.metadata import version
from typing import Any

from bench import read_side
from bench.measure import human_ratio
from bench.report import Figures, ceiling, engine, growth_table, table
from tests.integration.processes import ROOT

ENTRY_POINTS = ("<module> ", "main (streams/cli/main.py)", "run_worker (streams/cli/worker.py)")


def machine() -> dict[str, str]:
    cpuinfo = _read("/proc/cpuinfo")
    meminfo = _read("/proc/meminfo")
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+) kB", meminfo)
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "memory": f"{int(memory.group(1)) / 2**20:.1f} GiB" if memory else "unknown",
        "os": f"{platform.system()} {platform.release()}",
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    packages = ("faust-streaming", "aiokafka", "rocksdict", "fastavro", "py-spy")
    for package in packages:
        try:
            found[package] = version(package)
        except Exception:
            found[package] = "not installed"
    found["quixstreams (peer)"] = _peer_version()
    pom = _read(str(ROOT / "scripts" / "kafka" / "pom.xml"))
    kafka = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    found["kafka broker"] = os.environ.get("BG_KAFKA_VERSION") or (
        kafka.group(1) if kafka else "unknown"
    )
    return found


def _peer_version() -> str:
    """Quix Streams' version in the peer's own virtualenv (scripts/install-bench-peer)."""
    python = ROOT / ".venv-peer" / "bin" / "python"
    ask = "import importlib.metadata as m; print(m.version('quixstreams'))"
    try:
        found = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
            [python, "-c", ask], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "not installed"
    return found.stdout.strip()


def commit() -> str:
    """The checked-out commit, and how many files differ from it (or BENCH_CODE_COMMIT, for a
    run from an exported copy of a commit)."""
    if os.environ.get("BENCH_CODE_COMMIT"):
        return os.environ["BENCH_CODE_COMMIT"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} ({len(changed)} files changed in the work tree)" if changed else head


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:  # noqa: PTH123 - plain text, read once
            return handle.read()
    except OSError:
        return ""


PEERS_TEXT = (
    "Beside the engine, on the same activity topic in the same run, each from its beginning in a"
    " consumer group of its own: a Faust agent forwarding one event at a time (the pass-through),"
    " a Faust agent that only reads (the consume-only floor; its rate from the count of events"
    " read in Faust's monitor, sampled every 0.1 s), a Faust agent forwarding batches of up to"
    " 1,000 events through Faust's producer directly, and a Quix Streams application that reads,"
    " changes and writes back about 1 KB of RocksDB state per record (changelog on) and writes one"
    " output per input (the peer). A dash: the run did not measure it.\n"
)


def headline(label: str, figures: Figures) -> str:
    top = ceiling(figures)
    one, two = engine(figures, 1), engine(figures, 2)
    latency = figures.get("latency", {})
    per_output = latency.get("per_output", {})
    return (
        f"**{label}**: the engine takes **{one:,.1f} activities/s** end to end with one worker"
        f" ({human_ratio(one / top if top else 0)} of the {top:,.0f} records/s a bare aiokafka"
        f" consumer reads from the same topic) and **{two:,.1f}/s** with two. At a fixed"
        f" {latency.get('rate', 0)} activities/s, score outputs follow their input by"
        f" p50 {per_output.get('p50_ms', 0):,.0f} ms, p95 {per_output.get('p95_ms', 0):,.0f} ms,"
        f" p99 {per_output.get('p99_ms', 0):,.0f} ms."
    )


def biggest_costs(figures: Figures) -> str:
    named = (figures.get("profile") or {}).get("costs", [])[:3]
    if not named:
        return "No profile was taken."
    listed = "; ".join(
        f"{n}. {name}, {share * 100:.0f} %" for n, (name, share) in enumerate(named, 1)
    )
    return f"The three biggest costs in the saturated worker: {listed} of the samples."


def profile_section(label: str, figures: Figures) -> str:
    profile = figures.get("profile") or {}
    if "costs" not in profile:
        return f"No profile for {label}: {profile.get('error', 'not taken')}.\n"
    lines = [
        f"py-spy, 100 Hz, non-blocking, on the one worker during the saturated run of {label}"
        f" ({profile['samples']:,} samples; collapsed stacks in `bench/results/{profile['file']}`)."
        " Each sample is charged to the innermost cost centre on its stack.",
        "",
        "| Cost centre | Share of samples |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {share * 100:.1f} % |" for name, share in profile["costs"]]
    lines += [
        "",
        "Functions with the most samples on the stack (inclusive):",
        "",
        "| Function | Inclusive |",
        "| --- | --- |",
    ]
    lines += [
        f"| `{name}` | {share * 100:.1f} % |"
        for name, share in profile["inclusive"]
        if not name.startswith(ENTRY_POINTS)
    ]
    lines += [
        "",
        "Functions with the most samples as the leaf (self):",
        "",
        "| Function | Self |",
        "| --- | --- |",
    ]
    lines += [f"| `{name}` | {share * 100:.1f} % |" for name, share in profile["self"]]
    return "\n".join(lines) + "\n"


def _engine_variant(probe: dict[str, Any]) -> str:
    """The hot-path variant that is the engine's way (reports of older runs: the decode cache)."""
    return "in parts" if "in parts" in probe["ms_per_activity"] else "decode cache"


def one_dimension(probes: list[dict[str, Any]]) -> str:
    """Growth in one dimension at a time, from the in-process probes (the engine's variant)."""
    variant = _engine_variant(probes[0])
    base = probes[0]["ms_per_activity"][variant]
    said = [
        f"{probe['size']['name']}: {probe['ms_per_activity'][variant] / base:.1f}x"
        for probe in probes[1:]
    ]
    return (
        "One dimension at a time, in-process (see the hot path below), the cost of one activity"
        " in `track_groups` grows by " + "; ".join(said) + " (10x accounts of the same shape do"
        " not change it: each activity touches one account)."
    )


def hotpath_section(run: dict[str, Any]) -> str:
    probes = run["hotpath"]
    variants = list(probes[0]["ms_per_activity"])
    lines = [
        "`bench/hotpath.py`: the per-activity loop of `track_groups` (load the account,"
        " `state.transitions.apply`, store what changed) timed in one process without a broker,"
        f" over the last activities of generated tenants; {len(probes)} probes, each a base or the"
        " base with 10x people per account or 10x activities. Milliseconds per activity for each"
        " way of storing accounts (see the module's docstring); the engine stores them in parts:",
        "",
        "| Probe | People | Account bytes per activity | " + " | ".join(variants) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in variants) + " |",
    ]
    for probe in probes:
        ms = probe["ms_per_activity"]
        lines.append(
            f"| {probe['size']['name']} | {probe['people']:,} |"
            f" {probe['account_bytes_per_activity'] / 1024:,.0f} KiB | "
            + " | ".join(f"{ms[variant]:.2f}" for variant in variants)
            + " |"
        )
    return "\n".join(lines) + "\n"


def render(run: dict[str, Any]) -> str:
    cases = [(case["label"], case["figures"]) for case in run["cases"]]
    figures_of = dict(cases)
    main_label = run.get("main", cases[-1][0])
    main_figures = figures_of[main_label]
    base_label = run.get("growth_base", cases[0][0])
    grown = [(label, figures) for label, figures in cases if label != base_label]
    parts = [
        "# Benchmark report\n",
        f"Command: `{run['command']}` (from the repository root; `make bench` runs the default)."
        f" Started {run['started']}, finished {run['finished']}, {run['minutes']:.1f} min.\n",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in run["machine"].items()) + ".\n",
        "Versions: "
        + ", ".join(f"{k} {v}" for k, v in run["versions"].items())
        + f"; code at commit {run.get('commit', 'unknown')}.\n",
        "## Headline\n",
        headline(main_label, main_figures) + "\n",
        biggest_costs(main_figures) + "\n",
        "## Figures\n",
        "Ratios to the ceiling are printed beside the absolute numbers; what each figure means is"
        " in bench/README.md.\n",
        PEERS_TEXT,
        table(cases) + "\n",
    ]
    if len(cases) > 1:
        parts += [
            "## Growth\n",
            f"Each figure of a case divided by the same figure of {base_label}.\n",
            growth_table((base_label, figures_of[base_label]), grown) + "\n",
        ]
    if run.get("hotpath"):
        parts.append(one_dimension(run["hotpath"]) + "\n\n")
    parts += ["## Profile of the hot path\n", profile_section(main_label, main_figures)]
    if run.get("hotpath"):
        parts += ["## The hot path in-process\n", hotpath_section(run)]
    read = [read_side.section(label, figures) for label, figures in cases]
    if any(read):
        parts += ["## Read side\n", "\n".join(part for part in read if part) + "\n"]
    parts += ["## What was run\n"]
    parts += [what_was_run(case) for case in run["cases"]]
    parts += [
        "",
        "The machine is shared: the broker, the workers, the runner and py-spy use its 2 cores,"
        " and any other work on it (see the load averages) changes the numbers: compare ratios"
        " and repeated runs rather than single figures.",
    ]
    return "\n".join(parts) + "\n"


def what_was_run(case: dict[str, Any]) -> str:
    figures = case["figures"]
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in figures.get("timings", {}).items())
    loads = ", ".join(f"{v:.1f}" for v in figures.get("load_average", {}).values())
    return (
        f"- {case['label']}: size {case['size']}; windows {case['windows']}; step times {steps};"
        f" load average (1 min) at the end of each step {loads}"
    )
