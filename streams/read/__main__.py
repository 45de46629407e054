"""`python -m streams.read worker`: the read model's own worker (`buying-groups read-model`)."""

from __future__ import annotations

import sys

from streams.cli.main import main

sys.exit(main(["read-model", *sys.argv[1:]]))
