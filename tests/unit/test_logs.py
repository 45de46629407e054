"""Log lines are JSON objects."""

from __future__ import annotations

import json
import logging

from streams.ops.logs import JsonFormatter


def test_a_log_line_is_one_json_object() -> None:
    record = logging.LogRecord("streams.x", logging.WARNING, __file__, 1, "lag %d", (42,), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "warning"
    assert entry["logger"] == "streams.x"
    assert entry["message"] == "lag 42"
    assert entry["time"].endswith("+00:00")
