"""The read model's Faust app: `faust -A streams.read.app worker`, or `buying-groups read-model`."""

from __future__ import annotations

from typing import Any

from streams.ops.settings import current_settings
from streams.read.worker import create_read_model_engine

engine = create_read_model_engine(current_settings())
app: Any = engine.app

if __name__ == "__main__":  # `python -m streams.read.app worker`, as `faust -A streams.read.app`
    app.main()
