"""Bytes for table values and internal topic records: the engine's own, versioned format.

Table changelogs and the engine's internal topics carry the pure domain values (frozen
dataclasses of `state/` and `events/`) pickled with protocol 5 behind a 4-byte header. Decoding
refuses any class outside an allow-list (the project's own packages and a few stdlib value types),
so bytes written into an internal topic by anything else cannot run code. Public topics never use
this format: they carry Avro (see events/codec.py).
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, TypeVar

from events.errors import BadInput
from state.read_only import writable_copy

HEADER = b"BGS\x01"
_OWN_PACKAGES = ("state.", "events.", "streams.internal")
_STDLIB = frozenset(
    {
        ("builtins", "frozenset"),
        ("builtins", "set"),
        ("builtins", "dict"),
        ("builtins", "getattr"),
        ("copyreg", "_reconstructor"),
        ("copyreg", "__newobj__"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("streams.state_codec", "mapping_proxy"),
    }
)
T = TypeVar("T")


def mapping_proxy(items: dict[object, object]) -> MappingProxyType[object, object]:
    """Rebuilds a read-only mapping (the type itself cannot be pickled by reference)."""
    return MappingProxyType(items)


def _reduce_mapping_proxy(
    mapping: MappingProxyType[Any, Any],
) -> tuple[Callable[..., MappingProxyType[Any, Any]], tuple[Any, ...]]:
    return (mapping_proxy, (writable_copy(mapping),))


copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _STDLIB or module.startswith(_OWN_PACKAGES):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"class {module}.{name} is not allowed in engine state")


def encode_value(value: object) -> bytes:
    return HEADER + pickle.dumps(value, protocol=5)


def decode_value(data: bytes, expected: type[T]) -> T:
    """The value in `data`; raises BadInput when it is not an engine value of type `expected`."""
    if not data.startswith(HEADER):
        raise BadInput(f"engine state: unknown header {data[:4]!r}")
    try:
        value = _AllowListUnpickler(io.BytesIO(data[len(HEADER) :])).load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
        raise BadInput(f"engine state: cannot decode a {expected.__name__}: {exc}") from exc
    if not isinstance(value, expected):
        raise BadInput(f"engine state: expected {expected.__name__}, got {type(value).__name__}")
    return value
