"""The report: a Markdown table (one column per case, ratios beside absolute numbers) and a plot.

Input is the run's JSON (`bench/results/results.json`): the command, the machine, the versions and
each case's figures as `bench.phases` and `bench.engine_phases` recorded them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import growth, human_bytes, human_rate, human_ratio, per_unit, ratio

Figures = dict[str, Any]
Row = tuple[str, Callable[[Figures], str]]


def _get(figures: Figures, *path: str) -> Any:
    value: Any = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _num(figures: Figures, *path: str) -> float:
    value = _get(figures, *path)
    return float(value) if isinstance(value, int | float) else 0.0


def ceiling(f: Figures) -> float:
    return _num(f, "ceiling", "per_s")


def engine(f: Figures, workers: int) -> float:
    return _num(f, f"saturated_{workers}w", "per_s")


def _rate_and_ratio(value: float, reference: float) -> str:
    if value <= 0:
        return "not measured"
    return f"{human_rate(value)} ({human_ratio(ratio(value, reference))} of ceiling)"


def _latency(f: Figures, kind: str) -> str:
    summary = _get(f, "latency", kind) or {}
    if not summary.get("count"):
        return "not measured"
    p50, p95, p99 = (summary[f"p{q}_ms"] for q in (50, 95, 99))
    return f"{p50:,.0f} / {p95:,.0f} / {p99:,.0f} ms (n={summary['count']:,})"


def _per(f: Figures, part: str, unit: str) -> str:
    state = _get(f, "state") or {}
    count = state.get(unit, 0)
    return human_bytes(per_unit(state.get(part, 0), count)) if count else "not measured"


def _disk(f: Figures) -> str:
    disk = _get(f, "state", "disk_bytes") or {}
    people = _get(f, "state", "people") or 0
    total = sum(disk.values())
    return f"{human_bytes(total)} ({human_bytes(per_unit(total, people))} per person)"


def _changelog(f: Figures, table: str) -> str:
    log = _get(f, "state", "changelogs", table) or {}
    if not log:
        return "not measured"
    return (
        f"{human_bytes(log['bytes'])} in {log['records']:,} records"
        f" (live {human_bytes(log['live_bytes'])})"
    )


def _seconds(value: float) -> str:
    return f"{value:,.1f} s" if value > 0 else "not measured"


MISSING = "—"  # a figure the run did not have (results of older runs)
PEERS = ("faust_floor", "faust_batched", "quix_peer")  # the figures beside the engine


def peer(f: Figures, key: str) -> float:
    return _num(f, key, "per_s")


def _peer(f: Figures, key: str) -> str:
    """A peer's rate and its share of the ceiling; a dash when the run did not measure it."""
    if _get(f, key) is None:
        return MISSING
    return _rate_and_ratio(peer(f, key), ceiling(f))


def _engine_share(f: Figures, key: str) -> str:
    """The one-worker engine's rate as a share of a peer's."""
    if _get(f, key) is None:
        return MISSING
    return human_ratio(ratio(engine(f, 1), peer(f, key)))


def _changelog_per_activity(f: Figures) -> str:
    figure = _get(f, "changelog_per_activity")
    if figure is None:
        return MISSING
    if not figure.get("activities"):
        return "not measured"
    return (
        f"{human_bytes(figure['accounts_per_activity'])}"
        f" ({human_bytes(figure['accounts_bytes'])} over {figure['activities']:,} activities)"
    )


ROWS: tuple[Row, ...] = (
    (
        "Accounts / people",
        lambda f: f"{_num(f, 'tenant', 'accounts'):,.0f} / {_num(f, 'tenant', 'people'):,.0f}",
    ),
    (
        "Activities written (re-sent, late)",
        lambda f: (
            f"{_num(f, 'activities', 'records'):,.0f}"
            f" ({_num(f, 'activities', 'duplicates'):,.0f}, {_num(f, 'activities', 'late'):,.0f})"
        ),
    ),
    (
        "**Ceiling**: bare aiokafka consumer",
        lambda f: f"{human_rate(ceiling(f))} ({_num(f, 'ceiling', 'mib_per_s'):,.1f} MiB/s)",
    ),
    (
        "Faust pass-through agent",
        lambda f: _rate_and_ratio(_num(f, "passthrough", "per_s"), ceiling(f)),
    ),
    ("Faust consume-only agent (floor)", lambda f: _peer(f, "faust_floor")),
    ("Faust batched pass-through, raw producer sends", lambda f: _peer(f, "faust_batched")),
    ("**Quix Streams peer** (1 KB state read-modify-write)", lambda f: _peer(f, "quix_peer")),
    (
        "**Engine, 1 worker** (activities/s to score output)",
        lambda f: _rate_and_ratio(engine(f, 1), ceiling(f)),
    ),
    ("**Engine, 2 workers**", lambda f: _rate_and_ratio(engine(f, 2), ceiling(f))),
    (
        "Engine vs pass-through (1 worker)",
        lambda f: human_ratio(ratio(engine(f, 1), _num(f, "passthrough", "per_s"))),
    ),
    ("Engine vs Faust consume-only (1 worker)", lambda f: _engine_share(f, "faust_floor")),
    (
        "Engine vs Faust batched pass-through (1 worker)",
        lambda f: _engine_share(f, "faust_batched"),
    ),
    ("Engine vs Quix peer (1 worker)", lambda f: _engine_share(f, "quix_peer")),
    ("2 workers / 1 worker", lambda f: f"{ratio(engine(f, 2), engine(f, 1)):.2f}x"),
    (
        "Changes applied/s (committed offsets, 1w / 2w)",
        lambda f: (
            f"{human_rate(_num(f, 'saturated_1w', 'changes_per_s'))} / "
            f"{human_rate(_num(f, 'saturated_2w', 'changes_per_s'))}"
        ),
    ),
    (
        "Profile load, 1 worker (people/s, total)",
        lambda f: (
            f"{human_rate(_num(f, 'load', 'people_per_s'))}, {_seconds(_num(f, 'load', 'seconds'))}"
        ),
    ),
    ("Latency rate (fixed)", lambda f: f"{_num(f, 'latency', 'rate'):,.1f} activities/s"),
    ("**Latency p50 / p95 / p99**, every score output", lambda f: _latency(f, "per_output")),
    ("Latency p50 / p95 / p99, first output per activity", lambda f: _latency(f, "first_output")),
    ("Groups", lambda f: f"{_num(f, 'state', 'groups'):,.0f}"),
    ("State per person (in its account value)", lambda f: _per(f, "people_bytes", "people")),
    ("State per group (in its account value)", lambda f: _per(f, "group_bytes", "groups")),
    ("Person route per person", lambda f: _per(f, "route_bytes", "people")),
    ("RocksDB on disk after a restore", _disk),
    ("Changelog `accounts` appended", lambda f: _changelog(f, "accounts")),
    (
        "Changelog `accounts` bytes per activity (after the load)",
        _changelog_per_activity,
    ),
    ("Changelog `person-routes` appended", lambda f: _changelog(f, "person-routes")),
    ("**Restart** with local state, to ready", lambda f: _seconds(_num(f, "restore", "restart_s"))),
    (
        "**Restore** from changelogs (empty worker)",
        lambda f: _seconds(_num(f, "restore", "empty_s")),
    ),
)

GROWTH_PEERS = {  # growth rows of figures that older runs did not have
    "Faust consume-only": "faust_floor",
    "Faust batched pass-through": "faust_batched",
    "Quix peer": "quix_peer",
}
GROWTH: tuple[tuple[str, Callable[[Figures], float]], ...] = (
    ("Ceiling", ceiling),
    ("Pass-through", lambda f: _num(f, "passthrough", "per_s")),
    *((name, lambda f, key=key: peer(f, key)) for name, key in GROWTH_PEERS.items()),
    ("Engine, 1 worker", lambda f: engine(f, 1)),
    ("Engine, 2 workers", lambda f: engine(f, 2)),
    ("Profile load time", lambda f: _num(f, "load", "seconds")),
    ("Latency p99 (every output)", lambda f: _num(f, "latency", "per_output", "p99_ms")),
    (
        "State per person",
        lambda f: per_unit(_num(f, "state", "people_bytes"), int(_num(f, "state", "people"))),
    ),
    ("RocksDB on disk", lambda f: float(sum((_get(f, "state", "disk_bytes") or {}).values()))),
    ("Restore from changelogs", lambda f: _num(f, "restore", "empty_s")),
)


def table(cases: list[tuple[str, Figures]]) -> str:
    head = "| Figure | " + " | ".join(label for label, _ in cases) + " |"
    rule = "| --- | " + " | ".join("---" for _ in cases) + " |"
    lines = [head, rule]
    lines += [f"| {name} | " + " | ".join(cell(f) for _, f in cases) + " |" for name, cell in ROWS]
    return "\n".join(lines)


def growth_table(base: tuple[str, Figures], grown: list[tuple[str, Figures]]) -> str:
    head = "| Figure | " + " | ".join(f"{label} / {base[0]}" for label, _ in grown) + " |"
    lines = [head, "| --- | " + " | ".join("---" for _ in grown) + " |"]
    for name, value in GROWTH:
        cells = []
        for _, figures in grown:
            times = growth(value(base[1]), value(figures))
            key = GROWTH_PEERS.get(name)
            if key is not None and (key not in base[1] or key not in figures):
                cells.append(MISSING)
            elif times is None or not value(figures):
                cells.append("not measured")
            else:
                cells.append(f"{times:.2f}x")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_plot(cases: list[tuple[str, Figures]], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - only the report needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    labels = [label.replace(" ", "\n", 1) for label, _ in cases]  # "tenth\nx10 people"
    _bars(
        axes[0][0],
        labels,
        "records or activities per second (log)",
        {
            "ceiling": [ceiling(f) for _, f in cases],
            "pass-through": [_num(f, "passthrough", "per_s") for _, f in cases],
            **_measured(
                {
                    "faust consume-only": [peer(f, "faust_floor") for _, f in cases],
                    "faust batched": [peer(f, "faust_batched") for _, f in cases],
                    "quix peer": [peer(f, "quix_peer") for _, f in cases],
                }
            ),
            "engine 1w": [engine(f, 1) for _, f in cases],
            "engine 2w": [engine(f, 2) for _, f in cases],
        },
        log=True,
    )
    _bars(
        axes[0][1],
        labels,
        "latency, ms (every score output)",
        {
            f"p{q}": [_num(f, "latency", "per_output", f"p{q}_ms") for _, f in cases]
            for q in (50, 95, 99)
        },
    )
    _bars(
        axes[1][0],
        labels,
        "state bytes",
        {
            "per person": [
                per_unit(_num(f, "state", "people_bytes"), int(_num(f, "state", "people")))
                for _, f in cases
            ],
            "per group": [
                per_unit(_num(f, "state", "group_bytes"), int(_num(f, "state", "groups")))
                for _, f in cases
            ],
        },
    )
    _bars(
        axes[1][1],
        labels,
        "seconds",
        {
            "profile load": [_num(f, "load", "seconds") for _, f in cases],
            "restart": [_num(f, "restore", "restart_s") for _, f in cases],
            "restore (empty)": [_num(f, "restore", "empty_s") for _, f in cases],
        },
    )
    fig.suptitle("buying-groups benchmark (bench/results/report.md)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _measured(series: dict[str, list[float]]) -> dict[str, list[float]]:
    """The series that any case measured (older runs have no peers)."""
    return {name: values for name, values in series.items() if any(values)}


def _bars(
    axis: Any, labels: list[str], title: str, series: dict[str, list[float]], log: bool = False
) -> None:
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        positions = [x + index * width for x in range(len(labels))]
        bars = axis.bar(positions, values, width, label=name)
        axis.bar_label(
            bars, labels=[f"{v:,.0f}" if v >= 10 else f"{v:.2g}" for v in values], fontsize=7
        )
    axis.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))], labels)
    axis.set_title(title)
    if log:
        axis.set_yscale("log")
    axis.legend(fontsize=8)
