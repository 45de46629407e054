"""A read-only mapping split into shards, so that changing one key copies one shard only.

An account's people are kept this way: an activity changes one person, and copying a mapping of
every person of a big account for it (and freeing the old one) cost more than the rest of the
rule. A key's shard follows from its hash within this process; the layout is never stored:
pickling keeps the items only and loading shards them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType
from typing import TypeVar, overload

from state.read_only import writable_copy

V = TypeVar("V")
D = TypeVar("D")

SHARDS = 64


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class Sharded(Mapping[str, V]):
    """Read-only; equal to any mapping with the same items. Iterates shard by shard (in arrival
    order within a shard): sort where the order matters."""

    shards: tuple[Mapping[str, V], ...]
    size: int

    def __getitem__(self, key: str) -> V:
        return self.shards[hash(key) % SHARDS][key]

    @overload
    def get(self, key: str, /) -> V | None: ...

    @overload
    def get(self, key: str, default: V | D, /) -> V | D: ...

    def get(self, key: str, default: object = None, /) -> object:
        return self.shards[hash(key) % SHARDS].get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.shards[hash(key) % SHARDS]

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
        shards[hash(key) % SHARDS][key] = value
    frozen = tuple(MappingProxyType(shard) for shard in shards)
    return Sharded(shards=frozen, size=sum(len(shard) for shard in shards))


def sharded_with(mapping: Mapping[str, V], key: str, value: V) -> Sharded[V]:
    """``mapping`` (sharded, or any mapping: it is sharded first) with ``key`` set to ``value``."""
    if not isinstance(mapping, Sharded):
        return sharded(chain(mapping.items(), ((key, value),)))
    index = hash(key) % SHARDS
    shard = writable_copy(mapping.shards[index])
    size = mapping.size if key in shard else mapping.size + 1
    shard[key] = value
    return _replaced(mapping, index, shard, size)


def sharded_without(mapping: Mapping[str, V], key: str) -> Sharded[V]:
    """``mapping`` (sharded, or any mapping: it is sharded first) without ``key``."""
    if not isinstance(mapping, Sharded):
        return sharded(item for item in mapping.items() if item[0] != key)
    index = hash(key) % SHARDS
    if key not in mapping.shards[index]:
        return mapping
    shard = writable_copy(mapping.shards[index])
    del shard[key]
    return _replaced(mapping, index, shard, mapping.size - 1)


def _replaced(mapping: Sharded[V], index: int, shard: dict[str, V], size: int) -> Sharded[V]:
    shards = (*mapping.shards[:index], MappingProxyType(shard), *mapping.shards[index + 1 :])
    return Sharded(shards=shards, size=size)
