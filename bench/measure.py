"""Pure helpers of the benchmark: rates, windows, percentiles, ratios and the units they print in.

Every time here is in seconds (floats); broker append times arrive in milliseconds and are divided
by 1000 by the caller. Nothing here reads a clock or does I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Latency:
    """Percentiles of latency samples, in milliseconds."""

    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """A stretch of time [start, end) in seconds."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


def rate(count: float, seconds: float) -> float:
    """`count` per second; 0 when no time passed."""
    return count / seconds if seconds > 0 else 0.0


def ratio(value: float, reference: float) -> float:
    """`value` as a fraction of `reference`; 0 when there is no reference."""
    return value / reference if reference > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0..100) of `values`, interpolated between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q!r}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(samples_ms: Sequence[float]) -> Latency:
    """p50, p95, p99 and the maximum of latency samples in milliseconds."""
    return Latency(
        count=len(samples_ms),
        p50_ms=percentile(samples_ms, 50),
        p95_ms=percentile(samples_ms, 95),
        p99_ms=percentile(samples_ms, 99),
        max_ms=max(samples_ms),
    )


def latencies_ms(
    appended_at: Mapping[str, float], outputs: Iterable[tuple[str, float]]
) -> list[float]:
    """One sample per output: its append time minus the append time of its cause's input, in ms.
    `appended_at` maps an input's id to its append time (s); outputs are (cause, append time (s));
    outputs whose cause is not in `appended_at` are left out."""
    return [
        (out_at - appended_at[cause]) * 1000.0 for cause, out_at in outputs if cause in appended_at
    ]


def steady_window(times: Sequence[float], skip_seconds: float, tail_seconds: float = 0.0) -> Window:
    """The part of a run whose events are at `times`, less `skip_seconds` of warm-up after the
    first event and `tail_seconds` before the last."""
    if not times:
        return Window(start=0.0, end=0.0)
    first, last = min(times), max(times)
    start = min(first + skip_seconds, last)
    return Window(start=start, end=max(start, last - tail_seconds))


def short_steady_window(
    times: Sequence[float], skip_seconds: float, tail_seconds: float, share: float = 0.2
) -> Window:
    """`steady_window`, for runs that may be short: the warm-up left out is at most `share` of
    the time from the first event to the last, and the tail at most half of that share (a
    fast reader may take a small backlog in fewer seconds than the warm-up)."""
    if not times:
        return Window(start=0.0, end=0.0)
    span = max(times) - min(times)
    return steady_window(
        times, min(skip_seconds, share * span), tail_seconds=min(tail_seconds, share / 2 * span)
    )


def busy_rate(
    samples: Sequence[tuple[float, int]], end: int, skip_seconds: float
) -> tuple[float, Window]:
    """Progress per second of a reader whose count of records read was sampled as (time, count)
    while it read a backlog of `end` records: over the samples after its start and before its
    end (when it was busy throughout), less a warm-up (`short_steady_window`)."""
    busy = [(at, count) for at, count in samples if 0 < count < end]
    window = short_steady_window([at for at, _ in busy], skip_seconds, tail_seconds=0.0)
    return offsets_rate(busy, window), window


def count_in(times: Iterable[float], window: Window) -> int:
    """How many of `times` fall within `window`."""
    return sum(1 for at in times if window.start <= at < window.end)


def first_seen(events: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The earliest time of each id among (id, time) pairs."""
    earliest: dict[str, float] = {}
    for key, at in events:
        if key not in earliest or at < earliest[key]:
            earliest[key] = at
    return earliest


def windowed_rate(times: Sequence[float], window: Window) -> float:
    """Events per second within `window`."""
    return rate(count_in(times, window), window.seconds)


def offsets_rate(samples: Sequence[tuple[float, int]], window: Window) -> float:
    """Progress per second of a counter sampled as (time, value), between the samples nearest
    to the window's edges (inside it)."""
    inside = [(at, value) for at, value in samples if window.start <= at <= window.end]
    if len(inside) < 2:
        return 0.0
    (t0, v0), (t1, v1) = inside[0], inside[-1]
    return rate(v1 - v0, t1 - t0)


def changes(samples: Sequence[tuple[float, int]]) -> list[tuple[float, int]]:
    """Of a counter sampled as (time, value) in time order, the first sample of each new value
    above zero: when a consumer group's commits moved, to within the sampling interval."""
    found: list[tuple[float, int]] = []
    for at, value in samples:
        if value > 0 and (not found or value != found[-1][1]):
            found.append((at, value))
    return found


def committed_rate(samples: Sequence[tuple[float, int]], end: int) -> tuple[float, Window, bool]:
    """Records per second of a consumer group whose committed offsets (summed over partitions)
    were sampled as (time, value), while it was reading a backlog ending at `end`: from its first
    commit to its last one short of `end`, a window in which it was busy throughout. With fewer
    than two such commits, up to the first commit at `end`, which may have come after it had
    read the last record: then the rate is a lower bound, and the flag says so. Returns (rate,
    window, lower bound)."""
    moved = changes(samples)
    busy = [(at, value) for at, value in moved if value < end]
    bounded = len(busy) < 2
    used = moved if bounded else busy
    if len(used) < 2:
        return 0.0, Window(start=0.0, end=0.0), bounded
    (t0, v0), (t1, v1) = used[0], used[-1]
    return rate(v1 - v0, t1 - t0), Window(start=t0, end=t1), bounded


def growth(base: float, grown: float) -> float | None:
    """How many times `grown` is `base` (None without a base)."""
    return grown / base if base > 0 else None


def per_unit(total: float, units: int) -> float:
    """`total` shared over `units` (0 when there are none)."""
    return total / units if units > 0 else 0.0


def human_bytes(count: float) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_rate(per_second: float) -> str:
    """12345.6 -> '12,346/s'; small rates keep one decimal."""
    return f"{per_second:,.1f}/s" if per_second < 100 else f"{per_second:,.0f}/s"


def human_ratio(fraction: float) -> str:
    """0.0123 -> '1.23 %'; tiny fractions keep significant digits."""
    percent = fraction * 100
    if percent == 0:
        return "0 %"
    if percent >= 10:
        return f"{percent:.0f} %"
    if percent >= 1:
        return f"{percent:.1f} %"
    return f"{percent:.2g} %"
