#!/usr/bin/env python3
"""Write `avro/self-contained/`, the integrators' bundle, from the per-type `.avsc` files.

    .venv/bin/python scripts/avro_bundle.py

One file per record written to a topic, every named type it uses defined inline (see
`events/schemas.py`). Run it after changing a schema; `tests/unit/test_schemas.py` fails while
the bundle is out of date. Files of records no longer on a topic are removed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events.schemas import BUNDLE_DIR, bundle, default_catalog


def main() -> int:
    BUNDLE_DIR.mkdir(exist_ok=True)
    texts = bundle(default_catalog())
    for stale in BUNDLE_DIR.glob("*.avsc"):
        if stale.name not in texts:
            stale.unlink()
    for name, text in texts.items():
        path = BUNDLE_DIR / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(BUNDLE_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
