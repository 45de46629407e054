"""The catch-up decisions of streams.runtime.catch_up: which offsets were skipped or stalled on."""

from __future__ import annotations

from streams.runtime.catch_up import lagging_checks, ledger_key, missing_range, stalled_range


def test_nothing_is_missing_for_the_next_offset_or_a_redelivery() -> None:
    assert missing_range(expected=10, offset=10) is None
    assert missing_range(expected=10, offset=3) is None
    assert missing_range(expected=0, offset=0) is None


def test_a_record_further_on_than_expected_reveals_the_skipped_range() -> None:
    assert missing_range(expected=10, offset=11) == (10, 11)
    assert missing_range(expected=10, offset=42) == (10, 42)
    assert missing_range(expected=0, offset=5) == (0, 5)  # nothing of the partition applied yet


def test_a_partition_stalled_after_three_checks_behind_the_broker_without_progress() -> None:
    assert stalled_range(expected=7, lagging=3, end=9) == (7, 9)
    assert stalled_range(expected=7, lagging=2, end=9) is None  # a short pause is normal
    assert stalled_range(expected=9, lagging=5, end=9) is None  # nothing more to read
    assert stalled_range(expected=7, lagging=5, end=None) is None  # end unknown


def test_lagging_checks_count_only_checks_behind_the_broker_without_progress() -> None:
    assert lagging_checks(7, 9, None) == 1
    assert lagging_checks(7, 9, (7, 1)) == 2
    assert lagging_checks(7, 9, (7, 2)) == 3
    assert lagging_checks(8, 9, (7, 2)) == 1  # it moved
    assert lagging_checks(7, 7, (7, 2)) == 0  # caught up with the broker: an idle partition
    assert lagging_checks(7, None, (7, 2)) == 0  # end unknown
    assert lagging_checks(0, 9, (0, 2)) == 3  # nothing of the partition applied yet


def test_ledger_keys_sort_apart_from_account_and_person_keys() -> None:
    key = ledger_key("bg.persons", 3)
    assert key.startswith(b"\x00")
    assert key != ledger_key("bg.persons", 13)
    assert key != ledger_key("bg.activities", 3)
