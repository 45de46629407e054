"""Write the golden bytes of every sample, for every known version of its schema, once.

    .venv/bin/python -m tests.golden.write_golden

Only missing files are written; an existing golden file is never rewritten. Commit new files.
"""

from __future__ import annotations

import io
from pathlib import Path

from fastavro import schemaless_writer

from events import single_object
from events.conversion import to_avro
from events.records import TopicRecord
from events.schemas import WriterSchema, default_catalog, full_name
from tests.golden.samples import SAMPLES

GOLDEN_DIR = Path(__file__).resolve().parent


def golden_path(sample_name: str, writer: WriterSchema) -> Path:
    """`tests/golden/<sample name>.v<version>.bin`."""
    return GOLDEN_DIR / f"{sample_name}.v{writer.version}.bin"


def encode_with(writer: WriterSchema, sample: TopicRecord) -> bytes:
    """`sample` as a producer with schema version `writer` writes it (unknown fields dropped)."""
    buffer = io.BytesIO()
    schemaless_writer(buffer, writer.parsed, to_avro(sample))
    return single_object.frame(writer.fingerprint, buffer.getvalue())


def expected_goldens() -> dict[Path, tuple[str, WriterSchema]]:
    """Every golden file there should be, with its sample name and writer schema."""
    catalog = default_catalog()
    expected = {}
    for sample_name, sample in SAMPLES.items():
        for writer in catalog.versions(full_name(type(sample).__name__)):
            expected[golden_path(sample_name, writer)] = (sample_name, writer)
    return expected


def main() -> None:
    for path, (sample_name, writer) in expected_goldens().items():
        if not path.exists():
            path.write_bytes(encode_with(writer, SAMPLES[sample_name]))
            print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
