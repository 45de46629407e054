"""Log lines are JSON objects."""

from __future__ import annotations

import json
import logging

from streams.ops.logs import HiddenCredentials, JsonFormatter, RepeatLimit


def test_a_log_line_is_one_json_object() -> None:
    record = logging.LogRecord("streams.x", logging.WARNING, __file__, 1, "lag %d", (42,), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "warning"
    assert entry["logger"] == "streams.x"
    assert entry["message"] == "lag 42"
    assert entry["time"].endswith("+00:00")


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_the_kafka_clients_repeated_complaints_are_held_back_and_counted() -> None:
    now = [0.0]
    limit = RepeatLimit(interval_s=10.0, clock=lambda: now[0])
    shown = []
    for second in range(25):
        now[0] = float(second)
        for node in range(100):  # a hundred a second, as while the broker is down
            record = _record("aiokafka", logging.ERROR, "Unable connect to node %s", node)
            if limit.filter(record):
                shown.append(record.getMessage())
    assert shown == [
        "Unable connect to node 0",
        "Unable connect to node 0 (and 999 more like it held back)",
        "Unable connect to node 0 (and 999 more like it held back)",
    ]


def test_other_loggers_and_lower_levels_pass_and_a_record_is_judged_once() -> None:
    limit = RepeatLimit(clock=lambda: 0.0)
    assert all(limit.filter(_record("streams.x", logging.ERROR, "same")) for _ in range(3))
    assert all(limit.filter(_record("aiokafka", logging.INFO, "same")) for _ in range(3))
    record = _record("aiokafka.conn", logging.WARNING, "once")
    assert limit.filter(record)
    assert limit.filter(record), "a second handler sees the same record: let it through too"
    assert not limit.filter(_record("aiokafka.conn", logging.WARNING, "once"))


def test_credentials_in_a_url_are_hidden_from_the_access_log() -> None:
    hidden = HiddenCredentials(["tok/en-0123456789abcdef"])
    for path, shown in (
        ("/g?access_token=abc&limit=5", "/g?access_token=***&limit=5"),
        ("/g?API_KEY=abc", "/g?API_KEY=***"),
        ("/g?q=tok%2Fen-0123456789abcdef", "/g?q=***"),
        ("/g/tok/en-0123456789abcdef/x", "/g/***/x"),
        ("/groups?sort=engagement&cursor=c1", "/groups?sort=engagement&cursor=c1"),
    ):
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "POST", path, "1.1", 401), None,
        )  # fmt: skip
        assert hidden.filter(record)
        assert record.getMessage() == f'127.0.0.1:5 - "POST {shown} HTTP/1.1" 401'
