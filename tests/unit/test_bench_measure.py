"""The benchmark's pure helpers: rates, windows, percentiles, latency samples, profile costs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import measure
from bench.profile import centre_of, costs, function_of, parse_collapsed, top_functions
from bench.tenant import SIZES, grown
from events.errors import BadInput


def test_rate_and_ratio_are_zero_without_time_or_reference() -> None:
    assert measure.rate(100, 4.0) == 25.0
    assert measure.rate(100, 0.0) == 0.0
    assert measure.ratio(50.0, 200.0) == 0.25
    assert measure.ratio(50.0, 0.0) == 0.0


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert measure.percentile(values, 0) == 10.0
    assert measure.percentile(values, 50) == 30.0
    assert measure.percentile(values, 100) == 50.0
    assert measure.percentile(values, 25) == 20.0
    assert measure.percentile([1.0, 2.0], 50) == 1.5


def test_percentile_refuses_no_values_and_bad_q() -> None:
    with pytest.raises(ValueError, match="no values"):
        measure.percentile([], 50)
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        measure.percentile([1.0], 101)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=200))
def test_percentiles_are_ordered_and_within_the_samples(samples: list[float]) -> None:
    summary = measure.latency_summary(samples)
    assert min(samples) <= summary.p50_ms <= summary.p95_ms <= summary.p99_ms <= summary.max_ms
    assert summary.max_ms == max(samples)
    assert summary.count == len(samples)


def test_latencies_pair_each_output_with_its_inputs_append_time() -> None:
    appended = {"a": 10.0, "b": 11.0}
    outputs = [("a", 10.25), ("b", 11.5), ("a", 10.5), ("unknown", 12.0)]
    assert measure.latencies_ms(appended, outputs) == [250.0, 500.0, 500.0]


def test_first_seen_keeps_the_earliest_time_of_each_id() -> None:
    events = [("a", 3.0), ("b", 2.0), ("a", 1.0), ("b", 5.0)]
    assert measure.first_seen(events) == {"a": 1.0, "b": 2.0}


def test_steady_window_skips_the_warm_up_and_the_tail() -> None:
    window = measure.steady_window([100.0, 101.0, 130.0, 160.0], skip_seconds=10, tail_seconds=5)
    assert window == measure.Window(start=110.0, end=155.0)
    assert window.seconds == 45.0
    assert measure.steady_window([], 10).seconds == 0.0
    # a run shorter than the warm-up leaves an empty window, not a negative one
    assert measure.steady_window([1.0, 2.0], 10).seconds == 0.0


def test_windowed_rate_counts_events_inside_the_window_only() -> None:
    window = measure.Window(start=10.0, end=20.0)
    times = [5.0, 10.0, 12.0, 19.9, 20.0, 25.0]
    assert measure.count_in(times, window) == 3
    assert measure.windowed_rate(times, window) == 0.3


def test_offsets_rate_uses_the_samples_inside_the_window() -> None:
    samples = [(0.0, 0), (10.0, 100), (20.0, 300), (30.0, 500), (40.0, 2000)]
    assert measure.offsets_rate(samples, measure.Window(start=5.0, end=35.0)) == 20.0
    assert measure.offsets_rate(samples[:1], measure.Window(start=0.0, end=1.0)) == 0.0


def test_growth_and_per_unit() -> None:
    assert measure.growth(10.0, 25.0) == 2.5
    assert measure.growth(0.0, 25.0) is None
    assert measure.per_unit(1000.0, 4) == 250.0
    assert measure.per_unit(1000.0, 0) == 0.0


def test_human_units() -> None:
    assert measure.human_bytes(512) == "512 B"
    assert measure.human_bytes(1536) == "1.5 KiB"
    assert measure.human_bytes(3 * 2**30) == "3.0 GiB"
    assert measure.human_rate(12345.6) == "12,346/s"
    assert measure.human_rate(41.26) == "41.3/s"
    assert measure.human_ratio(0.25) == "25 %"
    assert measure.human_ratio(0.0123) == "1.2 %"
    assert measure.human_ratio(0.000412) == "0.041 %"
    assert measure.human_ratio(0.0) == "0 %"


MAIN = "main (streams/cli/main.py:41)"
TAKE = "take (streams/agents/track_groups.py:51)"
PROFILE = "\n".join(
    [
        f"{MAIN};{TAKE};encode_value (streams/runtime/state_codec.py:63);"
        "fields (dataclasses.py:1248) 30",
        f"{MAIN};{TAKE};decode_value (streams/runtime/state_codec.py:71) 20",
        f"{MAIN};emit (streams/runtime/outputs.py:80);encode (events/codec.py:67) 10",
        f"{MAIN};select (selectors.py:468) 40",
        "not a line",
    ]
)


def test_profile_costs_charge_each_sample_to_the_innermost_centre() -> None:
    stacks = parse_collapsed(PROFILE.splitlines())
    assert len(stacks) == 4
    shares = {cost.name: cost.share for cost in costs(stacks)}
    assert math.isclose(shares["account state pickled (state_codec.encode_value)"], 0.3)
    assert math.isclose(shares["account state unpickled (state_codec.decode_value)"], 0.2)
    assert math.isclose(shares["Avro encoding and decoding (events/codec)"], 0.1)
    # the event loop's wait sits under the CLI's main: engine glue, the innermost known centre
    assert math.isclose(shares["engine glue (streams/)"], 0.4)
    assert centre_of(("select (selectors.py:468)",)) == "other"


def test_top_functions_rank_self_and_inclusive_time() -> None:
    own, anywhere = top_functions(parse_collapsed(PROFILE.splitlines()), 3)
    assert own[0].name == "select (selectors.py)"
    assert math.isclose(own[0].share, 0.4)
    assert anywhere[0].name == "main (streams/cli/main.py)"
    assert math.isclose(anywhere[0].share, 1.0)
    assert function_of("encode_value (streams/runtime/state_codec.py:63)") == (
        "encode_value (streams/runtime/state_codec.py)"
    )


def test_sizes_grow_ten_times_in_one_dimension() -> None:
    small = SIZES["small"]
    assert (small.accounts, small.activities) == (1_000, 1_000_000)
    assert grown(small, "accounts").accounts == 10_000
    assert grown(small, "people").people_median == small.people_median * 10
    assert grown(small, "activities").activities == 10_000_000
    assert grown(small, "activities").accounts == small.accounts
    with pytest.raises(BadInput, match="growth dimension"):
        grown(small, "groups")


def test_the_default_run_grows_the_tenth_one_dimension_at_a_time_then_all_three() -> None:
    from bench.run import parse, plan  # noqa: PLC0415 - the runner, only for its plan

    sizes, base = plan(parse(["--size", "small"]))
    assert [size.name for size in sizes] == [
        "tenth",
        "tenth x10 accounts",
        "tenth x10 people",
        "tenth x10 activities",
        "small",
    ]
    assert base == "tenth"
    assert [size.name for size in plan(parse(["--size", "small", "--no-growth"]))[0]] == ["small"]
    sizes, base = plan(parse(["--size", "tenth", "--grow", "people"]))
    assert [size.name for size in sizes] == ["tenth", "tenth x10 people"]
    assert base == "tenth"
    assert [size.name for size in plan(parse(["--quick"]))[0]] == ["quick"]
