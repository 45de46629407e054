"""Every worker's view of the configuration: the compacted config topic, folded in order.

The config topic has one partition; its order is the history of the configuration. Each worker
reads it from the beginning (no consumer group) and folds every record into a `Catalogue` with the
pure `state.catalogue.changes.apply_config_change`, so every worker holds the same catalogue after
the same offset, and a refused record never replaces a good one. Agents that act on a config change
wait until their worker's view has reached that change's offset. With a schema registry
(`registry`, set by `Engine.use_registry`), records in Confluent framing are read too, learning
the schema ids the worker has not met from the registry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from events.codec import Codec
from events.dead_letters import DeadLetterKind
from events.decoding import Decoded, DecodeFailure, FailureKind
from events.records import ConfigKind, ConfigRecord
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import ConfigTombstone, apply_config_change
from state.catalogue.errors import Invalid
from streams.runtime.registry import RegistryCodec


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigVerdict:
    """What one config record did: accepted (`change` names it) or refused (`reason`)."""

    offset: int
    change: ConfigRecord | ConfigTombstone | None
    reason: str | None = None
    kind: DeadLetterKind | FailureKind = DeadLetterKind.CONFIG_REFUSED


def tombstone_for(key: bytes | None, offset: int, at: datetime) -> ConfigTombstone | str:
    """The tombstone for a config key `kind:id`, or why the key is unusable."""
    text = (key or b"").decode("utf-8", errors="replace")
    kind_text, _, config_id = text.partition(":")
    try:
        kind = ConfigKind(kind_text)
    except ValueError:
        return f"config key {text!r}: expected '<kind>:<id>' with a known kind"
    return ConfigTombstone(event_id=f"tombstone@{offset}", occurred_at=at, kind=kind, id=config_id)


@dataclass
class CatalogueView:
    codec: Codec
    registry: RegistryCodec | None = None
    catalogue: Catalogue = EMPTY_CATALOGUE
    next_offset: int = 0
    verdicts: dict[int, ConfigVerdict] = field(default_factory=dict)
    _advanced: asyncio.Condition = field(default_factory=asyncio.Condition)

    def fold(
        self,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        decoded: Decoded[ConfigRecord] | DecodeFailure | None = None,
    ) -> ConfigVerdict:
        """Apply the record at `offset` (records before it must already be folded); `decoded`,
        when given, is its value already decoded."""
        verdict = self._verdict(offset, key, value, decoded)
        self.verdicts[offset] = verdict
        self.next_offset = offset + 1
        return verdict

    def _verdict(
        self,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        decoded: Decoded[ConfigRecord] | DecodeFailure | None,
    ) -> ConfigVerdict:
        if value is None:
            change: ConfigRecord | ConfigTombstone | str = tombstone_for(
                key, offset, datetime.now(UTC)
            )
            if isinstance(change, str):
                return ConfigVerdict(
                    offset=offset, change=None, reason=change, kind=DeadLetterKind.BAD_KEY
                )
        else:
            if decoded is None:
                decoded = self.codec.decode_as(value, ConfigRecord)
            if isinstance(decoded, DecodeFailure):
                return ConfigVerdict(
                    offset=offset, change=None, reason=decoded.message, kind=decoded.kind
                )
            change = decoded.record
        updated = apply_config_change(self.catalogue, change)
        if isinstance(updated, Invalid):
            return ConfigVerdict(offset=offset, change=None, reason=updated.message)
        self.catalogue = updated
        return ConfigVerdict(offset=offset, change=change)

    async def folded(self, offset: int, key: bytes | None, value: bytes | None) -> None:
        async with self._advanced:
            if offset >= self.next_offset:
                decoded = None
                if value is not None and self.registry is not None:
                    decoded = await self.registry.decode_as(value, ConfigRecord)
                self.fold(offset, key, value, decoded)
            self._advanced.notify_all()

    async def reached(self, offset: int) -> ConfigVerdict | None:
        """Wait until the record at `offset` is folded; its verdict (None if compacted away)."""
        async with self._advanced:
            await self._advanced.wait_for(lambda: self.next_offset > offset)
        return self.verdicts.get(offset)
