"""Between records (frozen dataclasses) and the plain values fastavro writes and reads.

Each record class gets a plan, built once from its type hints: per field, a function that turns
the record's value into fastavro's (`enum` -> symbol, tuple -> list, mapping -> dict, a config
body -> `(full name, dict)` for the named union) and one that turns it back while enforcing the
`Limits` and the non-empty required ids (every `str` field named `id` or `*_id`).
A rejected value raises `Rejected`, whose `path` names the field, e.g. `body.cards[2].role`.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from events.decoding import FailureKind, Limits
from events.schemas import full_name

T = TypeVar("T")
ToAvro = Callable[[Any], Any]
FromAvro = Callable[[Any, Limits], Any]


class Rejected(Exception):  # noqa: N818 - internal signal, turned into a DecodeFailure by the codec
    """A decoded value breaks a rule; `path` grows as the error travels up to the record."""

    def __init__(self, kind: FailureKind, path: str, detail: str) -> None:
        super().__init__(kind, path, detail)
        self.kind = kind
        self.path = path
        self.detail = detail

    def under(self, prefix: str) -> Rejected:
        """The same rejection seen from the enclosing value, whose part is `prefix`."""
        if not self.path:
            return Rejected(self.kind, prefix, self.detail)
        separator = "" if self.path.startswith("[") else "."
        return Rejected(self.kind, f"{prefix}{separator}{self.path}", self.detail)


def to_avro(record: object) -> dict[str, Any]:
    """The fastavro datum of `record`."""
    return {name: encode(getattr(record, name)) for name, encode, _ in _plan(type(record))}


def from_avro(cls: type[T], datum: Mapping[str, Any], limits: Limits) -> T:
    """The record of type `cls` from a fastavro datum; raises `Rejected` naming the field."""
    values: dict[str, Any] = {}
    for name, _, decode in _plan(cls):
        try:
            values[name] = decode(datum[name], limits)
        except Rejected as rejected:
            raise rejected.under(name) from None
    return cls(**values)


Plan = tuple[tuple[str, ToAvro, FromAvro], ...]
_PLANS: dict[type[Any], Plan] = {}  # built once per record class, on first use


def _plan(cls: type[Any]) -> Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _build_plan(cls)
    return plan


def _build_plan(cls: type[Any]) -> Plan:
    hints = get_type_hints(cls)
    plan = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        decode = (
            _required_id
            if _is_required_id(field.name, hint)
            else _optional_id
            if _is_optional_id(field.name, hint)
            else _from_avro(hint)
        )
        plan.append((field.name, _to_avro(hint), decode))
    return tuple(plan)


def _is_required_id(name: str, hint: object) -> bool:
    return hint is str and (name == "id" or name.endswith("_id"))


def _is_optional_id(name: str, hint: object) -> bool:
    return _union_arms(hint) in ((str, type(None)), (type(None), str)) and name.endswith("_id")


def _union_arms(hint: object) -> tuple[Any, ...] | None:
    if get_origin(hint) in (Union, types.UnionType):
        return get_args(hint)
    return None


def _to_avro(hint: Any) -> ToAvro:
    arms = _union_arms(hint)
    if arms is not None:
        others = [arm for arm in arms if arm is not type(None)]
        if len(others) > 1:
            return _to_named_union
        inner = _to_avro(others[0])
        return lambda value: None if value is None else inner(value)
    origin = get_origin(hint)
    if origin is tuple:
        item = _to_avro(get_args(hint)[0])
        return lambda value: [item(v) for v in value]
    if origin is Mapping:
        return dict
    if _is_enum(hint):
        return _symbol
    return to_avro if dataclasses.is_dataclass(hint) else _same


def _from_avro(hint: Any) -> FromAvro:
    arms = _union_arms(hint)
    if arms is not None:
        others = [arm for arm in arms if arm is not type(None)]
        if len(others) > 1:
            return _named_union({cls.__name__: cls for cls in others})
        inner = _from_avro(others[0])
        return lambda value, limits: None if value is None else inner(value, limits)
    origin = get_origin(hint)
    if origin is tuple:
        return _array(_from_avro(get_args(hint)[0]))
    if origin is Mapping:
        return _map(_from_avro(get_args(hint)[1]))
    return _from_scalar(hint)


def _from_scalar(hint: Any) -> FromAvro:
    if hint is str:
        return _string
    if _is_enum(hint):
        return lambda value, _limits: hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return lambda value, limits: from_avro(hint, value, limits)
    return lambda value, _limits: value


def _is_enum(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, enum.Enum)


def _symbol(value: enum.Enum) -> Any:
    return value.value


def _to_named_union(value: object) -> tuple[str, dict[str, Any]]:
    return (full_name(type(value).__name__), to_avro(value))


def _same(value: Any) -> Any:
    return value


def _string(value: str, limits: Limits) -> str:
    if len(value) > limits.max_string_chars:
        raise Rejected(
            FailureKind.TOO_LARGE,
            "",
            f"{len(value)} characters, at most {limits.max_string_chars} allowed",
        )
    return value


def _required_id(value: str, limits: Limits) -> str:
    if not value.strip():
        raise Rejected(FailureKind.MISSING_REQUIRED_ID, "", f"required id is empty, got {value!r}")
    return _id_characters(_string(value, limits))


def _optional_id(value: str | None, limits: Limits) -> str | None:
    return None if value is None else _id_characters(_string(value, limits))


def _id_characters(value: str) -> str:
    """The engine tells its own table keys from ids by a NUL byte: no id may hold one."""
    if "\x00" in value:
        raise Rejected(FailureKind.SCHEMA_VIOLATION, "", f"id holds a NUL character: {value!r}")
    return value


def _array(item: FromAvro) -> FromAvro:
    def decode(value: list[Any], limits: Limits) -> tuple[Any, ...]:
        if len(value) > limits.max_array_items:
            raise Rejected(
                FailureKind.TOO_LARGE,
                "",
                f"{len(value)} items, at most {limits.max_array_items} allowed",
            )
        items = []
        for index, element in enumerate(value):
            try:
                items.append(item(element, limits))
            except Rejected as rejected:
                raise rejected.under(f"[{index}]") from None
        return tuple(items)

    return decode


def _map(item: FromAvro) -> FromAvro:
    def decode(value: dict[str, Any], limits: Limits) -> Mapping[str, Any]:
        if len(value) > limits.max_map_entries:
            raise Rejected(
                FailureKind.TOO_LARGE,
                "",
                f"{len(value)} entries, at most {limits.max_map_entries} allowed",
            )
        entries = {}
        for key, element in value.items():
            try:
                entries[_string(key, limits)] = item(element, limits)
            except Rejected as rejected:
                raise rejected.under(f"[{key[:40]!r}]") from None
        return types.MappingProxyType(entries)

    return decode


def _named_union(classes: Mapping[str, type]) -> FromAvro:
    def decode(value: tuple[str, dict[str, Any]], limits: Limits) -> object:
        name, datum = value
        return from_avro(classes[name.rsplit(".", 1)[-1]], datum, limits)

    return decode
