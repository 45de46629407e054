"""A read-only mapping split into shards, so that changing one key copies one shard only.

An account's people are kept this way: an activity changes one person, and copying a mapping of
every person of a big account for it (and freeing the old one) cost more than the rest of the
rule. A key's shard is the CRC-32 of its UTF-8 bytes modulo ``SHARDS``, the same in every
process, so that storage can keep one value per shard (see ``streams.stores.account_store``) and
rewrite only the shards a change touched. Pickling a whole mapping keeps the items only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType
from typing import TypeVar, overload
from zlib import crc32

from state.model.read_only import writable_copy

V = TypeVar("V")
D = TypeVar("D")

SHARDS = 64


def shard_of(key: str) -> int:
    """The shard of ``key``: stable across processes and Python versions."""
    return crc32(key.encode("utf-8", "surrogatepass")) % SHARDS


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Sharded(Mapping[str, V]):
    """Read-only; equal to any mapping with the same items. Iterates shard by shard (in arrival
    order within a shard): sort where the order matters."""

    shards: tuple[Mapping[str, V], ...]
    size: int

    def __getitem__(self, key: str) -> V:
        return self.shards[shard_of(key)][key]

    @overload
    def get(self, key: str, /) -> V | None: ...

    @overload
    def get(self, key: str, default: V | D, /) -> V | D: ...

    def get(self, key: str, default: object = None, /) -> object:
        return self.shards[shard_of(key)].get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.shards[shard_of(key)]

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self.shards)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"Sharded({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Callable[..., Sharded[V]], tuple[tuple[tuple[str, V], ...]]]:
        items = tuple(chain.from_iterable(shard.items() for shard in self.shards))
        return (sharded, (items,))


def sharded(items: Iterable[tuple[str, V]]) -> Sharded[V]:
    """A sharded mapping of ``items`` (a later item replaces an earlier one of the same key)."""
    shards: list[dict[str, V]] = [{} for _ in range(SHARDS)]
    for key, value in items:
        shards[shard_of(key)][key] = value
    frozen = tuple(MappingProxyType(shard) for shard in shards)
    return Sharded(shards=frozen, size=sum(len(shard) for shard in shards))


def from_shards(shards: Iterable[Mapping[str, V]]) -> Sharded[V]:
    """The sharded mapping made of ``shards`` (``SHARDS`` read-only mappings, each holding only
    keys of its own shard)."""
    frozen = tuple(shards)
    if len(frozen) != SHARDS:
        raise ValueError(f"sharded mapping: expected {SHARDS} shards, got {len(frozen)}")
    return Sharded(shards=frozen, size=sum(len(shard) for shard in frozen))


def sharded_with(mapping: Mapping[str, V], key: str, value: V) -> Sharded[V]:
    """``mapping`` (sharded, or any mapping: it is sharded first) with ``key`` set to ``value``."""
    if not isinstance(mapping, Sharded):
        return sharded(chain(mapping.items(), ((key, value),)))
    index = shard_of(key)
    shard = writable_copy(mapping.shards[index])
    size = mapping.size if key in shard else mapping.size + 1
    shard[key] = value
    return _replaced(mapping, index, shard, size)


def sharded_without(mapping: Mapping[str, V], key: str) -> Sharded[V]:
    """``mapping`` (sharded, or any mapping: it is sharded first) without ``key``."""
    if not isinstance(mapping, Sharded):
        return sharded(item for item in mapping.items() if item[0] != key)
    index = shard_of(key)
    if key not in mapping.shards[index]:
        return mapping
    shard = writable_copy(mapping.shards[index])
    del shard[key]
    return _replaced(mapping, index, shard, mapping.size - 1)


def _replaced(mapping: Sharded[V], index: int, shard: dict[str, V], size: int) -> Sharded[V]:
    shards = (*mapping.shards[:index], MappingProxyType(shard), *mapping.shards[index + 1 :])
    return Sharded(shards=shards, size=size)
