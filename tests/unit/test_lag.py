"""The lag table reads like kafka-consumer-groups --describe."""

from __future__ import annotations

from streams.ops.lag import PartitionLag, lag_table


def test_rows_sorted_with_total() -> None:
    rows = [
        PartitionLag("bg.persons", 1, committed=90, end=100),
        PartitionLag("bg.accounts", 0, committed=5, end=5),
        PartitionLag("bg.persons", 0, committed=120, end=100),  # ahead of a stale end: no lag
    ]
    lines = lag_table(rows).splitlines()
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["bg.accounts", "0"],
        ["bg.persons", "0"],
        ["bg.persons", "1"],
    ]
    assert lines[3].split()[-1] == "10"
    assert lines[-1] == "total lag: 10"
