"""Every input on the partition its state key belongs to, whatever the producer chose.

An agent's state is partitioned by the record's own id (``state.routing.routes.state_key``):
the person for profiles and activities, the account for account events, audience memberships
and commands, on partition ``murmur2(id) % partitions`` (the Java client's default). Producers
choose partitions otherwise (librdkafka's CRC32, random, round robin, no key), so an agent
checks each decoded input record:

- on its state key's partition: applied there and then, at the cost of one hash. A producer that
  partitions by murmur2 of the id pays nothing else;
- elsewhere: moved, with the original bytes and coordinates, to the agent's rerouted topic on
  the right partition (one extra hop), the send acknowledged before the input counts as handled;
  the agent reads that topic like its other inputs (in order, with the input ledger and
  catch-up) and applies the record there. Counted in ``bg_inputs_rerouted{topic}``.

Records of one key that one producer sent in order reach the rerouted partition in that order.
A Kafka key that is not the record's id, or no key, changes nothing about where the record is
applied; it is counted in ``bg_input_key_mismatches{topic,reason}`` and logged (topic and count,
never the key).
"""

from __future__ import annotations

import logging

from streams.ops.metrics import Metrics
from streams.runtime.internal import Rerouted
from streams.runtime.outputs import Emitter, InputMessage
from streams.runtime.partitioning import partition_of
from streams.runtime.state_codec import decode_value, encode_value

log = logging.getLogger(__name__)


class Rerouting:
    """Moves one agent's misplaced inputs to `topic` (partitioned like the agent's inputs)."""

    def __init__(self, emitter: Emitter, topic: str, partitions: int) -> None:
        self.emitter = emitter
        self.topic = topic
        self.partitions = partitions
        self._mismatches: dict[tuple[str, str], int] = {}

    @property
    def metrics(self) -> Metrics:
        return self.emitter.metrics

    def home(self, state_key: str) -> int:
        """The partition where `state_key`'s state lives."""
        return partition_of(state_key.encode(), self.partitions)

    async def moved(self, message: InputMessage, state_key: str) -> bool:
        """Whether `message` (a decoded input whose state key is `state_key`) was read on another
        partition than its key's and has now been sent there."""
        key = state_key.encode()
        if message.key != key:
            self._key_mismatch(message.topic, "missing" if message.key is None else "different")
        home = self.home(state_key)
        if message.partition == home:
            return False
        moved = Rerouted(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            appended_s=message.appended_s,
        )
        # Acknowledged with the batch (AgentLoop), before the ledger moves past the input.
        await self.emitter.send(self.topic, key, encode_value(moved), partition=home)
        self.metrics.rerouted.labels(message.topic).inc()
        return True

    def _key_mismatch(self, topic: str, reason: str) -> None:
        self.metrics.key_mismatches.labels(topic, reason).inc()
        seen = self._mismatches.get((topic, reason), 0) + 1
        self._mismatches[(topic, reason)] = seen
        if seen & (seen - 1) == 0:  # the 1st, 2nd, 4th, 8th, ... of each kind: bounded logs
            log.warning(
                "input key %s on %s: %d records so far; each is applied by its own id",
                reason, topic, seen,
            )  # fmt: skip


def original(message: InputMessage) -> InputMessage:
    """The input record that `message` (read on a rerouted topic) carries, as it was first read:
    its topic, partition, offset and append time."""
    moved = decode_value(message.value or b"", Rerouted)
    return InputMessage(
        topic=moved.topic,
        partition=moved.partition,
        offset=moved.offset,
        key=moved.key,
        value=moved.value,
        appended_s=moved.appended_s,
    )
