#!/usr/bin/env python3
"""Start, stop and inspect the real services the engine needs, on 127.0.0.1:
`python3 scripts/services.py up|down|status|env|kafka-config [--registry] [--secure]`.

The commands and their settings are described in scripts/local_services/cli.py; each service is
a module of scripts/local_services/. Standard library only, so that it runs before the project's
virtual environment exists.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python3 scripts/services.py`: the package by its name
    sys.path.insert(0, str(ROOT))

from scripts.local_services.cli import main  # noqa: E402 - the repository root is on sys.path only now

if __name__ == "__main__":
    sys.exit(main())
