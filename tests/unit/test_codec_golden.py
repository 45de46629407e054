"""Golden bytes, encoded once and committed, keep decoding to their samples."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from events.codec import Codec
from events.decoding import Decoded
from events.records import TopicRecord
from events.schemas import WriterSchema
from tests.golden.samples import SAMPLES
from tests.golden.write_golden import GOLDEN_DIR, expected_goldens

CODEC = Codec()
GOLDENS = expected_goldens()
NAMES = {path.name: path for path in GOLDENS}


def test_every_sample_and_schema_version_has_a_golden_file() -> None:
    missing = sorted(path.name for path in GOLDENS if not path.exists())
    assert not missing, f"run `.venv/bin/python -m tests.golden.write_golden`, commit: {missing}"


def test_no_golden_file_is_left_without_its_sample() -> None:
    assert {p.name for p in GOLDEN_DIR.glob("*.bin")} == set(NAMES)


@pytest.mark.parametrize("file_name", sorted(NAMES))
def test_golden_bytes_decode_to_the_sample(file_name: str) -> None:
    sample_name, writer = GOLDENS[NAMES[file_name]]
    decoded = CODEC.decode(NAMES[file_name].read_bytes())
    assert isinstance(decoded, Decoded)
    assert decoded.writer == writer.label
    assert decoded.record == _as_written_by(writer, SAMPLES[sample_name])


@pytest.mark.parametrize("file_name", sorted(NAMES))
def test_current_schemas_encode_the_sample_to_the_golden_bytes(file_name: str) -> None:
    sample_name, writer = GOLDENS[NAMES[file_name]]
    if writer is CODEC.catalog.current[writer.name]:
        assert CODEC.encode(SAMPLES[sample_name]) == NAMES[file_name].read_bytes()
    else:
        assert CODEC.encode(SAMPLES[sample_name]) != NAMES[file_name].read_bytes()


def test_older_account_event_reads_with_the_new_field_at_its_default() -> None:
    old = (GOLDEN_DIR / "AccountEvent.v1.bin").read_bytes()
    decoded = CODEC.decode(old)
    assert isinstance(decoded, Decoded)
    assert decoded.writer == "buying_groups.AccountEvent.v1"
    assert decoded.record.parent_account_id is None  # type: ignore[union-attr]
    assert decoded.record.name == "Acme"  # type: ignore[union-attr]


def _as_written_by(writer: WriterSchema, sample: TopicRecord) -> TopicRecord:
    """`sample` with the fields `writer` does not have at their defaults."""
    known = {field["name"] for field in writer.schema["fields"]}
    defaults = {f.name: _default(f) for f in dataclasses.fields(sample) if f.name not in known}
    return dataclasses.replace(sample, **defaults)


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    assert field.default is not dataclasses.MISSING, f"{field.name} has no default"
    return field.default
