"""Structured logs: one JSON object per line, with ids only (records are never logged); the
Kafka client's repeated complaints (thousands a second while the broker is down) kept to one per
message and interval, with the count of those held back; credentials a client put in a URL
hidden from the API's access log."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import quote


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


# A query parameter whose name says it holds a credential (token, access_token, api_key, ...).
CREDENTIAL_PARAMETER = re.compile(
    r"(?i)([?&][^=&#]*(?:token|key|secret|password|auth)[^=&#]*=)[^&#]*"
)


class HiddenCredentials(logging.Filter):
    """The API takes tokens from the Authorization header only, which is never logged; but a
    client may put one in a URL, which uvicorn's access log records as sent. This filter hides,
    in every argument of a record, each of `secrets` (the API's tokens, as given or URL-encoded)
    and the value of any query parameter named like a credential, as `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({form for s in secrets for form in (s, quote(s, safe=""))},
                              key=len, reverse=True)  # fmt: skip

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.hidden(a) if isinstance(a, str) else a for a in record.args)
        return True

    def hidden(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return CREDENTIAL_PARAMETER.sub(r"\1***", text)


def configure_logs(json_format: bool) -> None:
    """After Faust has set up the root logger's handlers: the JSON format (when asked) and the
    limit on the Kafka client's repeated messages, on every handler."""
    limit = RepeatLimit()
    for handler in logging.getLogger().handlers:
        if json_format:
            handler.setFormatter(JsonFormatter())
        handler.addFilter(limit)
