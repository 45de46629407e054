"""Reading the fields of a config file's mappings, each mistake a `FileError` naming its path. Pure.

`Fields` reads one mapping of the file (text, choices, flags, whole numbers, lists); what is
missing or of the wrong type is appended to the shared error list with its path
(`templates.security.cards[2].role`) and a default is returned, so that one pass over a file
finds every mistake in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class FileError:
    """Something wrong at `path` in the file (empty path: the file as a whole)."""

    path: str
    problem: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


def read_mapping(
    raw: object, path: str, errors: list[FileError], allowed: tuple[str, ...] | None
) -> dict[str, object]:
    """`raw` as a mapping with text keys (numbers are read as text); other keys are errors."""
    if not isinstance(raw, dict):
        errors.append(FileError(path=path, problem=f"expected a mapping, got {shown(raw)}"))
        return {}
    found: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(key, bool) or not isinstance(key, str | int):
            errors.append(FileError(path=path, problem=f"keys are text, got {shown(key)}"))
        elif allowed is not None and key not in allowed:
            problem = f"unknown key {key!r} (expected {', '.join(allowed)})"
            errors.append(FileError(path=path, problem=problem))
        else:
            found[str(key)] = value
    return found


def shown(value: object) -> str:
    """`value` as an error message shows it: its type and, for a scalar, the value."""
    if value is None:
        return "nothing"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    kind = "true/false" if isinstance(value, bool) else type(value).__name__
    return f"{kind} {value!r}"


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields of one mapping of the file, read with errors naming their paths."""

    values: dict[str, object]
    path: str
    errors: list[FileError]

    @classmethod
    def of(
        cls, raw: object, path: str, errors: list[FileError], allowed: tuple[str, ...] | None
    ) -> Fields:
        """The fields of `raw`; keys outside `allowed` are errors (`allowed` None: any key)."""
        return cls(read_mapping(raw, path, errors, allowed), path, errors)

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> None:
        self.errors.append(FileError(path=self.at(key), problem=problem))

    def text(self, key: str, default: str | None = None) -> str:
        raw = self.values.get(key)
        if raw is None and default is not None:
            return default
        if isinstance(raw, str) and raw.strip():
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return str(raw)
        self.fail(key, "required" if raw is None else f"expected text, got {shown(raw)}")
        return ""

    def optional_text(self, key: str) -> str | None:
        return None if self.values.get(key) is None else self.text(key)

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        text = self.text(key, default)
        if text and text not in options:
            self.fail(key, f"{text!r} is not one of {', '.join(options)}")
        return text

    def flag(self, key: str, default: bool) -> bool:
        raw = self.values.get(key)
        if raw is None or isinstance(raw, bool):
            return default if raw is None else raw
        self.fail(key, f"expected true or false, got {shown(raw)}")
        return default

    def whole(self, key: str, default: int | None) -> int:
        """A whole number; `default` None: required."""
        raw = self.values.get(key)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if raw is not None or default is None:
            self.fail(key, f"expected a whole number, got {shown(raw)}")
        return default or 0

    def items(self, key: str) -> list[object]:
        raw = self.values.get(key)
        if raw is None or isinstance(raw, list):
            return raw or []
        self.fail(key, f"expected a list, got {shown(raw)}")
        return []

    def each(self, key: str, read: Callable[[object, str, list[FileError]], T]) -> tuple[T, ...]:
        """Every item of the list at `key`, each read by `read` at its own path (`cards[2]`)."""
        return tuple(
            read(item, f"{self.at(key)}[{index}]", self.errors)
            for index, item in enumerate(self.items(key))
        )
