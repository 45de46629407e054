"""Read-only mappings as the state keeps them (``MappingProxyType`` over a dict): copies and
one-key updates that stay fast for big mappings (the people of an account, a group's members).

Copying the dict behind a read-only mapping runs at C speed; unpacking the read-only mapping
itself (``{**mapping}``, ``dict(mapping)``) goes through it key by key, ten times slower.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def writable_copy(mapping: Mapping[K, V]) -> dict[K, V]:
    """A new dict with the items of ``mapping``, in the same order."""
    if isinstance(mapping, MappingProxyType):
        copied = mapping.copy()
        if type(copied) is dict:
            return copied
    return dict(mapping)


def with_entry(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A read-only copy of ``mapping`` with ``key`` set to ``value``."""
    copied = writable_copy(mapping)
    copied[key] = value
    return MappingProxyType(copied)
