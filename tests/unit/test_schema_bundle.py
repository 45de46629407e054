"""Every `.avsc` an integrator is given parses on its own with a stock Avro library.

As an outsider would use them: one file, read with `json`, handed to fastavro with nothing else
known (`parse_schema` with a fresh set of named types); the per-type files with
`fastavro.schema.load_schema`, which finds the named types they use beside them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema
from fastavro.schema import load_schema, to_parsing_canonical_form

from events.records import TOPIC_RECORD_TYPES
from events.schemas import BUNDLE_DIR, SCHEMA_DIR, bundle, default_catalog, fingerprint, full_name

CATALOG = default_catalog()
BUNDLED = sorted(BUNDLE_DIR.glob("*.avsc"))
HISTORY = sorted((SCHEMA_DIR / "history").glob("*.avsc"))
PER_TYPE = sorted(SCHEMA_DIR.glob("*.avsc"))


def _alone(path: Path) -> Any:
    """The file parsed by fastavro with no other named type known."""
    return parse_schema(json.loads(path.read_text(encoding="utf-8")), named_schemas={})


def test_the_bundle_holds_one_file_per_record_written_to_a_topic() -> None:
    expected = {f"{full_name(cls.__name__)}.avsc" for cls in TOPIC_RECORD_TYPES}
    assert {path.name for path in BUNDLED} == expected


def test_the_bundle_is_up_to_date_with_the_per_type_files() -> None:
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in BUNDLED}
    assert on_disk == bundle(CATALOG), "run: .venv/bin/python scripts/avro_bundle.py"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_schema_parses_alone_as_the_schema_the_engine_writes(path: Path) -> None:
    parsed = _alone(path)
    name = path.name.removesuffix(".avsc")
    assert fingerprint(to_parsing_canonical_form(parsed)) == CATALOG.current[name].fingerprint


@pytest.mark.parametrize("path", HISTORY, ids=lambda p: p.name)
def test_every_earlier_version_parses_alone(path: Path) -> None:
    assert _alone(path)


@pytest.mark.parametrize("path", PER_TYPE, ids=lambda p: p.name)
def test_every_per_type_file_loads_with_fastavro_load_schema(path: Path) -> None:
    loaded = load_schema(str(path), _write_hint=False)
    assert isinstance(loaded, dict)
    assert loaded["name"] == path.name.removesuffix(".avsc")


def test_a_per_type_file_that_uses_other_types_does_not_parse_alone() -> None:
    """Why the bundle exists: the per-type files name the types they share."""
    with pytest.raises(Exception, match="buying_groups"):
        _alone(SCHEMA_DIR / "buying_groups.MembershipChanged.avsc")
