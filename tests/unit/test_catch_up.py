"""The catch-up decisions of streams.catch_up: which offsets were skipped or stalled on."""

from __future__ import annotations

from streams.catch_up import ledger_key, missing_range, stalled_range


def test_nothing_is_missing_for_the_next_offset_a_redelivery_or_a_new_partition() -> None:
    assert missing_range(expected=10, offset=10) is None
    assert missing_range(expected=10, offset=3) is None
    assert missing_range(expected=None, offset=500) is None


def test_a_record_further_on_than_expected_reveals_the_skipped_range() -> None:
    assert missing_range(expected=10, offset=11) == (10, 11)
    assert missing_range(expected=10, offset=42) == (10, 42)


def test_a_partition_stalled_only_when_it_made_no_progress_and_the_broker_has_more() -> None:
    assert stalled_range(expected=7, previous=7, end=9) == (7, 9)
    assert stalled_range(expected=7, previous=5, end=9) is None  # it moved since the last check
    assert stalled_range(expected=7, previous=None, end=9) is None  # first check
    assert stalled_range(expected=9, previous=9, end=9) is None  # nothing more to read
    assert stalled_range(expected=None, previous=None, end=9) is None


def test_ledger_keys_sort_apart_from_account_and_person_keys() -> None:
    key = ledger_key("bg.persons", 3)
    assert key.startswith(b"\x00")
    assert key != ledger_key("bg.persons", 13)
    assert key != ledger_key("bg.activities", 3)
