"""The dataclasses in events.records mirror the .avsc files exactly."""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, datetime
from typing import Any

import pytest

import events.records as records_module
from events.records import (
    TOPIC_RECORD_TYPES,
    ConfigKind,
    ConfigRecord,
    PersonEvent,
    RoleDefinition,
    Source,
    config_key_for,
    group_id_for,
)
from events.schemas import NAMESPACE, read_definitions

DEFINITIONS = read_definitions()
RECORD_CLASSES = {
    name: getattr(records_module, name.rsplit(".", 1)[-1])
    for name, schema in DEFINITIONS.items()
    if schema["type"] == "record"
}
ENUM_CLASSES = {
    name: getattr(records_module, name.rsplit(".", 1)[-1])
    for name, schema in DEFINITIONS.items()
    if schema["type"] == "enum"
}


def test_every_record_and_enum_in_python_has_a_schema() -> None:
    exported = {
        f"{NAMESPACE}.{getattr(records_module, name).__name__}"
        for name in records_module.__all__
        if isinstance(getattr(records_module, name), type)
        and (
            dataclasses.is_dataclass(getattr(records_module, name))
            or issubclass(getattr(records_module, name), enum.Enum)
        )
    }
    assert exported == set(DEFINITIONS)


@pytest.mark.parametrize("name", sorted(RECORD_CLASSES))
def test_dataclass_fields_are_the_schema_fields_in_order(name: str) -> None:
    in_python = [f.name for f in dataclasses.fields(RECORD_CLASSES[name])]
    in_avro = [f["name"] for f in DEFINITIONS[name]["fields"]]
    assert in_python == in_avro


@pytest.mark.parametrize("name", sorted(RECORD_CLASSES))
def test_defaults_in_python_are_the_schema_defaults(name: str) -> None:
    python_fields = {f.name: f for f in dataclasses.fields(RECORD_CLASSES[name])}
    for avro_field in DEFINITIONS[name]["fields"]:
        field = python_fields[avro_field["name"]]
        assert ("default" in avro_field) == _has_default(field), avro_field["name"]
        if "default" in avro_field:
            assert _python_default(field) == avro_field["default"], avro_field["name"]


@pytest.mark.parametrize("name", sorted(ENUM_CLASSES))
def test_enum_values_are_the_schema_symbols(name: str) -> None:
    assert [member.value for member in ENUM_CLASSES[name]] == DEFINITIONS[name]["symbols"]


def test_top_level_records_are_the_contract_records() -> None:
    assert [cls.__name__ for cls in TOPIC_RECORD_TYPES] == [
        "PersonEvent",
        "AccountEvent",
        "ActivityEvent",
        "AudienceMembershipEvent",
        "MembershipCommand",
        "StageCommand",
        "ConfigRecord",
        "MembershipChanged",
        "ScoreChanged",
        "StageChanged",
        "GroupLifecycle",
        "PersonScoreChanged",
        "CommandResult",
        "BuyingGroupSnapshot",
        "DeadLetter",
    ]


def test_group_id_joins_account_and_solution_interest() -> None:
    assert group_id_for("acc-1", "si-9") == "acc-1/si-9"


def test_config_key_joins_kind_and_id() -> None:
    assert config_key_for(ConfigKind.ROLES_TEMPLATE, "tpl-1") == "roles_template:tpl-1"


def test_records_are_frozen_and_keyword_only() -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    person = PersonEvent(event_id="e1", occurred_at=at, person_id="p1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.person_id = "p2"  # type: ignore[misc]
    with pytest.raises(TypeError):
        PersonEvent("e1", at, "p1")  # type: ignore[call-arg]
    assert person.attributes == {}
    assert person.deleted is False


def test_enums_compare_equal_to_their_symbols() -> None:
    symbol: str = Source.MANUAL
    assert symbol == "manual"
    config = ConfigRecord(
        event_id="e",
        occurred_at=datetime(2024, 1, 1, tzinfo=UTC),
        kind="role",  # type: ignore[arg-type]
        id="r1",
        body=RoleDefinition(name="Champion"),
    )
    assert config.kind == "role"


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def _python_default(field: dataclasses.Field[Any]) -> Any:
    value = field.default
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, enum.Enum):
        return value.value
    return dict(value) if hasattr(value, "keys") else value
