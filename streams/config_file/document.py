"""The config file of `buying-groups config apply`: YAML or JSON text to config records. Pure.

`load_document` reads the text (YAML with only `true`/`false` as booleans, no dates, and a
duplicated key is an error; JSON when the file is `.json`); `config_entries` turns the document
into one `ConfigEntry` per configured thing, in dependency order, or returns `FileErrors`, each
naming its path in the file (`templates.security.cards[2].conditions.all[0].operator`); each
entry's body is read by `streams.config_file.bodies`, its fields by `streams.config_file.fields`.
The format is documented in docs/config-format.md. Rules that need the current catalogue (known
roles, live templates, ...) are checked afterwards by `state.catalogue.changes.apply_config_change`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml

from events.records import ConfigBody, ConfigKind, ConfigRecord, WeightingModelDefinition
from streams.config_file.bodies import STATUSES, config_body
from streams.config_file.fields import FileError, read_mapping

__all__ = [
    "SECTIONS",
    "STATUSES",
    "ConfigEntry",
    "FileError",
    "FileErrors",
    "config_entries",
    "config_records",
    "load_document",
]

# The sections of a file, in dependency order: what a section refers to comes before it.
SECTIONS: tuple[tuple[str, ConfigKind], ...] = (
    ("roles", ConfigKind.ROLE),
    ("stage_models", ConfigKind.STAGE_MODEL),
    ("weighting_models", ConfigKind.WEIGHTING_MODEL),
    ("templates", ConfigKind.ROLES_TEMPLATE),
    ("solution_interests", ConfigKind.SOLUTION_INTEREST),
    ("audiences", ConfigKind.AUDIENCE),
    ("creation_jobs", ConfigKind.CREATION_JOB),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileErrors:
    """A refused file: at least one error."""

    errors: tuple[FileError, ...]

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(error.message for error in self.errors)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigEntry:
    """One configured thing of the file; `path` is where it is written (`templates.security`)."""

    kind: ConfigKind
    id: str
    body: ConfigBody
    path: str


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML where only true/false are booleans (`NO` stays Norway), dates stay text and a
    key written twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class refuses it with its position
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is written twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_DROPPED_TAGS = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_document(text: str, *, json_format: bool = False) -> object | FileError:
    """The document in `text` (YAML, or JSON when `json_format`), or where it does not parse."""
    try:
        if json_format:
            document: object = json.loads(text)
        else:
            document = yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader
    except json.JSONDecodeError as exc:
        return FileError(path="", problem=f"line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return FileError(path="", problem=f"{where}{exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return FileError(path="", problem=f"not YAML: {exc}")
    return document


def config_entries(document: object) -> tuple[ConfigEntry, ...] | FileErrors:
    """Every entry of `document` in dependency order, or every error found in it."""
    errors: list[FileError] = []
    sections = tuple(name for name, _ in SECTIONS)
    top = read_mapping({} if document is None else document, "", errors, sections)
    entries: list[ConfigEntry] = []
    for section, kind in SECTIONS:
        for config_id, raw in read_mapping(top.get(section) or {}, section, errors, None).items():
            path = f"{section}.{config_id}"
            if not config_id.strip():
                errors.append(FileError(path=path, problem="an id must not be blank"))
                continue
            before = len(errors)
            body = config_body(kind, raw, path, errors)
            if len(errors) == before:
                entries.append(ConfigEntry(kind=kind, id=config_id, body=body, path=path))
    errors.extend(_active_model_errors(entries))
    return FileErrors(errors=tuple(errors)) if errors else tuple(entries)


def config_records(
    entries: tuple[ConfigEntry, ...], *, now: datetime, new_event_id: Callable[[], str]
) -> tuple[ConfigRecord, ...]:
    """The records to publish for `entries`: each with a fresh event id, occurred at `now`."""
    return tuple(
        ConfigRecord(
            event_id=new_event_id(), occurred_at=now, kind=entry.kind, id=entry.id, body=entry.body
        )
        for entry in entries
    )


def _active_model_errors(entries: list[ConfigEntry]) -> list[FileError]:
    active = [e for e in entries if isinstance(e.body, WeightingModelDefinition) and e.body.active]
    problem = f"only one weighting model can be active, and {active[0].id!r} is" if active else ""
    return [FileError(path=f"{entry.path}.active", problem=problem) for entry in active[1:]]
