"""Bytes for table values and internal topic records: the engine's own, versioned format.

Table changelogs and the engine's internal topics carry the pure domain values (frozen
dataclasses of `state/` and `events/`) pickled with protocol 5 behind a 4-byte header. Decoding
refuses any class outside an allow-list (the project's own packages and a few stdlib value types),
so bytes written into an internal topic by anything else cannot run code. Public topics never use
this format: they carry Avro (see events/codec.py).

Values name their classes by module path. Modules that moved keep loading: `MOVED_MODULES` maps
each former path to the module that holds its classes now.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, TypeVar

from events.errors import BadInput
from state.model.read_only import writable_copy

HEADER = b"BGS\x01"
_OWN_PACKAGES = ("state.", "events.", "streams.runtime.internal", "streams.stores.account_store")
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
        ("streams.runtime.state_codec", "mapping_proxy"),
    }
)
T = TypeVar("T")
# Former module paths of stored classes -> their modules now (the layout of state/ and streams/
# before sub-packages).
MOVED_MODULES: dict[str, str] = {
    "state.account": "state.model.account",
    "state.group": "state.model.group",
    "state.changes": "state.model.changes",
    "state.outcome": "state.model.outcome",
    "state.read_only": "state.model.read_only",
    "state.shards": "state.model.shards",
    "state.transitions": "state.transitions.apply",
    "state.apply_account": "state.transitions.account",
    "state.apply_activity": "state.transitions.activity",
    "state.apply_command": "state.transitions.command",
    "state.apply_config": "state.transitions.config",
    "state.apply_person": "state.transitions.person",
    "state.apply_stage": "state.transitions.stage",
    "state.apply_tick": "state.transitions.tick",
    "state.command_checks": "state.transitions.command_checks",
    "state.group_lifecycle": "state.transitions.lifecycle",
    "state.activity_log": "state.scoring.activity_log",
    "state.engagement": "state.scoring.engagement",
    "state.scores": "state.scoring.person",
    "state.person_scores": "state.scoring.person_scores",
    "state.role_totals": "state.scoring.group_raw",
    "state.group_moves": "state.scoring.group_moves",
    "state.group_scores": "state.scoring.group_scores",
    "state.completeness": "state.scoring.completeness",
    "state.calibration": "state.scoring.calibration",
    "state.membership": "state.membership.assignment",
    "state.precedence": "state.membership.precedence",
    "state.evaluation": "state.membership.evaluation",
    "state.attributes": "state.conditions.attributes",
    "state.conditions": "state.conditions.tree",
    "state.condition_records": "state.conditions.reading",
    "state.catalogue": "state.catalogue.catalogue",
    "state.config": "state.catalogue.changes",
    "state.config_deletions": "state.catalogue.deletions",
    "state.config_errors": "state.catalogue.errors",
    "state.roles": "state.catalogue.roles",
    "state.templates": "state.catalogue.templates",
    "state.solution_interests": "state.catalogue.solution_interests",
    "state.stage_models": "state.catalogue.stage_models",
    "state.weighting_models": "state.catalogue.weighting_models",
    "state.audiences": "state.catalogue.audiences",
    "state.routing": "state.routing.routes",
    "state.parking": "state.routing.parking",
    "state.people_storage": "streams.stores.account_store",
    "streams.runtime.account_store": "streams.stores.account_store",
    "streams.state_codec": "streams.runtime.state_codec",
    "streams.internal": "streams.runtime.internal",
}


def mapping_proxy(items: dict[object, object]) -> MappingProxyType[object, object]:
    """Rebuilds a read-only mapping (the type itself cannot be pickled by reference)."""
    return MappingProxyType(items)


def _reduce_mapping_proxy(
    mapping: MappingProxyType[Any, Any],
) -> tuple[Callable[..., MappingProxyType[Any, Any]], tuple[Any, ...]]:
    return (mapping_proxy, (writable_copy(mapping),))


copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)


# Classes that were folded into another: the internal tick enum is the domain's tick kind.
MOVED_CLASSES: dict[tuple[str, str], tuple[str, str]] = {
    ("streams.runtime.internal", "TickWork"): ("state.model.changes", "TickKind"),
}


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        module = MOVED_MODULES.get(module, module)
        module, name = MOVED_CLASSES.get((module, name), (module, name))
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
