"""Which partition a key lives in: the same murmur2 partitioner Kafka's producers use.

aiokafka's murmur2 is pure Python (about 1.6 us per id on this machine kind); every input's
rerouting check hashes its state key, and the same people and accounts come back again and
again, so the answers for the latest 65,536 keys are kept (about 0.1 us for a repeat).
"""

from __future__ import annotations

from functools import lru_cache

from aiokafka.partitioner import murmur2


@lru_cache(maxsize=1 << 16)
def partition_of(key: bytes, partitions: int) -> int:
    return int(murmur2(key) & 0x7FFFFFFF) % partitions
