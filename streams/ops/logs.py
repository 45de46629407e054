"""Structured logs: one JSON object per line, with ids only (records are never logged); the
Kafka client's repeated complaints (thousands a second while the broker is down) kept to one per
message and interval, with the count of those held back."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


VERDICT = "bg_repeat_limit_verdict"


class RepeatLimit(logging.Filter):
    """Lets one warning or error per (logger, message template) through every `interval_s`
    from loggers under `prefix`; the next one let through says how many were held back."""

    def __init__(
        self,
        prefix: str = "aiokafka",
        interval_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.prefix = prefix
        self.interval_s = interval_s
        self.clock = clock
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith(self.prefix):
            return True
        verdict = record.__dict__.get(VERDICT)  # the same record, at a second handler
        if verdict is None:
            verdict = self._verdict(record)
            record.__dict__[VERDICT] = verdict
        return bool(verdict)

    def _verdict(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self.clock()
        shown_at, held = self._last.get(key, (float("-inf"), 0))
        if now - shown_at < self.interval_s:
            self._last[key] = (shown_at, held + 1)
            return False
        self._last[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it held back)"
        return True


def configure_logs(json_format: bool) -> None:
    """After Faust has set up the root logger's handlers: the JSON format (when asked) and the
    limit on the Kafka client's repeated messages, on every handler."""
    limit = RepeatLimit()
    for handler in logging.getLogger().handlers:
        if json_format:
            handler.setFormatter(JsonFormatter())
        handler.addFilter(limit)
