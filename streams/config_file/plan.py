"""What `config apply` would do with a file's records and deletions, against the live config. Pure.

`current_config` folds the config topic's records (or tombstones) into a catalogue as the engine
does, skipping what it refuses or cannot read; `config_plan` validates the file's records in
dependency order on top of it, then the deletions (dependents first), and says for each whether
it is added, changed, unchanged, deleted or refused; `plan_table` and `plan_summary` show it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

from events.records import (
    ConfigBody,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    RoleDefinition,
    WeightingModelDefinition,
    config_key_for,
)
from state.catalogue.catalogue import EMPTY_CATALOGUE, Catalogue
from state.catalogue.changes import ConfigInput, ConfigTombstone, apply_config_change
from state.catalogue.errors import Invalid
from state.catalogue.roles import DEFAULT_ROLE_NAMES
from streams.config_file.document import SECTIONS

# The built-in roles, as if their records were on the topic: listing them in a file is a no-op.
DEFAULT_BODIES: Mapping[str, ConfigBody] = MappingProxyType(
    {
        config_key_for(ConfigKind.ROLE, name): RoleDefinition(name=name)
        for name in DEFAULT_ROLE_NAMES
    }
)
_DELETION_ORDER = {kind: place for place, (_, kind) in enumerate(reversed(SECTIONS))}


class Change(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentConfig:
    """The config on the topic: the catalogue, the accepted body of every key, what was skipped."""

    catalogue: Catalogue = EMPTY_CATALOGUE
    bodies: Mapping[str, ConfigBody] = field(default_factory=lambda: DEFAULT_BODIES)
    read: int = 0
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedChange:
    """What applying one record or deletion does; `publish` is what to send, if anything."""

    change: Change
    kind: ConfigKind
    id: str
    detail: str = ""
    errors: tuple[str, ...] = ()
    publish: ConfigRecord | ConfigTombstone | None = None


def current_config(inputs: Iterable[ConfigInput | str]) -> CurrentConfig:
    """The config after every input in order; refused and unreadable ones are skipped."""
    catalogue, bodies = EMPTY_CATALOGUE, dict(DEFAULT_BODIES)
    read, skipped = 0, list[str]()
    for change in inputs:
        read += 1
        if isinstance(change, str):
            skipped.append(change)
            continue
        result = apply_config_change(catalogue, change)
        if isinstance(result, Invalid):
            skipped.append(f"refused: {result.message}")
            continue
        catalogue, key = result, config_key_for(change.kind, change.id)
        if isinstance(change, ConfigTombstone):
            bodies.pop(key, None)
        else:
            bodies[key] = change.body
    return CurrentConfig(
        catalogue=catalogue, bodies=MappingProxyType(bodies), read=read, skipped=tuple(skipped)
    )


def config_plan(
    current: CurrentConfig, records: Sequence[ConfigRecord], deletions: Sequence[ConfigTombstone]
) -> tuple[PlannedChange, ...]:
    """Each record (in the given, dependency order), then each deletion (dependents first),
    validated on top of `current` and of the records before it."""
    in_file = {config_key_for(record.kind, record.id) for record in records}
    ordered_deletions = sorted(deletions, key=lambda deletion: _DELETION_ORDER[deletion.kind])
    catalogue, planned = current.catalogue, []
    changes: tuple[ConfigInput, ...] = (*records, *ordered_deletions)
    for change in changes:
        step, catalogue = _planned(current, catalogue, change, in_file)
        planned.append(step)
    return tuple(planned)


def _planned(
    current: CurrentConfig, catalogue: Catalogue, change: ConfigInput, in_file: set[str]
) -> tuple[PlannedChange, Catalogue]:
    key = config_key_for(change.kind, change.id)
    previous = current.bodies.get(key)
    unchanged = PlannedChange(change=Change.UNCHANGED, kind=change.kind, id=change.id)
    if isinstance(change, ConfigTombstone) and key in in_file:
        problem = f"{key}: both defined in the file and deleted; do one or the other"
        return replace(unchanged, change=Change.REFUSED, errors=(problem,)), catalogue
    if isinstance(change, ConfigTombstone) and previous is None:
        return replace(unchanged, detail="nothing to delete"), catalogue
    same = isinstance(change, ConfigRecord) and previous == change.body
    if same and not _activates(current.catalogue, change):
        return replace(unchanged, detail=_name(previous)), catalogue
    result = apply_config_change(catalogue, change)
    if isinstance(result, Invalid):
        errors = tuple(error.message for error in result.errors)
        return replace(unchanged, change=Change.REFUSED, errors=errors), catalogue
    if isinstance(change, ConfigTombstone):
        step = replace(unchanged, change=Change.DELETED, detail=_name(previous))
    elif previous is None:
        step = replace(unchanged, change=Change.ADDED, detail=_name(change.body))
    else:
        step = replace(unchanged, change=Change.CHANGED, detail=_changed(previous, change.body))
    return replace(step, publish=change), result


def _activates(catalogue: Catalogue, record: ConfigInput) -> bool:
    """An active weighting model that is not the active one: publishing it again activates it."""
    if isinstance(record, ConfigTombstone):
        return False
    body = record.body
    active = isinstance(body, WeightingModelDefinition) and body.active
    return active and catalogue.active_weighting_model_id != record.id


def _name(body: ConfigBody | None) -> str:
    if body is None:
        return ""
    if isinstance(body, CreationJobDefinition):
        return f"{body.solution_interest_id} for audience {body.audience_id}"
    return body.name


def _changed(previous: ConfigBody, body: ConfigBody) -> str:
    """Which fields of the body change (a weighting model may only become active again)."""
    names = [
        f.name for f in fields(body) if getattr(previous, f.name, None) != getattr(body, f.name)
    ]
    return "changes " + ", ".join(names) if names else "becomes the active model"


def plan_table(plan: Sequence[PlannedChange]) -> str:
    """The plan as a table (one row per record), then every refusal's errors."""
    rows = [("CHANGE", "KIND", "ID", "DETAIL")]
    rows += [(p.change.value, p.kind.value, p.id, p.detail) for p in plan]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)), row[3]]
        ).rstrip()
        for row in rows
    ]
    errors = [error for p in plan for error in p.errors]
    if errors:
        lines += ["", "Refused:", *(f"  - {error}" for error in errors)]
    return "\n".join(lines)


def plan_summary(plan: Sequence[PlannedChange]) -> str:
    counts = {change: sum(p.change is change for p in plan) for change in Change}
    return ", ".join(f"{count} {change.value}" for change, count in counts.items())
