"""The engine places keys as Kafka's Java producer does (murmur2, sign bit cleared)."""

from __future__ import annotations

import pytest

from streams.runtime.partitioning import partition_of

# Kafka's own murmur2 test vectors (org.apache.kafka.common.utils.Utils.murmur2), signed.
KAFKA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


@pytest.mark.parametrize("partitions", [1, 3, 4, 12])
def test_keys_land_where_the_java_producer_puts_them(partitions: int) -> None:
    for key, signed in KAFKA_MURMUR2.items():
        assert partition_of(key, partitions) == (signed & 0x7FFFFFFF) % partitions


def test_a_repeated_key_is_answered_the_same_from_the_cache() -> None:
    first = partition_of(b"p-000042", 12)
    hits = partition_of.cache_info().hits
    assert partition_of(b"p-000042", 12) == first
    assert partition_of.cache_info().hits == hits + 1
