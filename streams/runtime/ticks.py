"""Periodic work as tick records: the leader's timers send one tick to every partition.

Faust timers run per worker and cannot write tables, so the leader worker sends tick records to
every partition of the internal tick topics, and each partition's agent does the work inside its
stream: decay (at least hourly), calibration (a collect round, see
streams.agents.calibrate_references; until the references are calibrated, also a first-calibration
round every `BG_FIRST_CALIBRATION_INTERVAL_S`), reconciliation (daily), giving up on parked
activities; and,
on a topic of their own that both table-writing agents read, catch-up ticks that look for input
partitions the stream stalled on (see streams.runtime.catch_up).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from state.model.changes import TickKind
from streams.runtime.engine import Engine, wall_clock
from streams.runtime.internal import Tick


def tick_now(work: TickKind) -> Tick:
    at = wall_clock()
    return Tick(tick_id=f"{work.value}-{at.isoformat()}-{uuid.uuid4().hex[:8]}", kind=work, at=at)


def register(engine: Engine) -> None:
    settings = engine.settings
    account_ticks = settings.internal_topics.account_ticks
    person_ticks = settings.internal_topics.person_ticks
    catch_up_ticks = settings.internal_topics.catch_up_ticks
    schedule = (
        ("request_decay", settings.decay_interval_s, account_ticks, TickKind.DECAY),
        ("request_calibration", settings.calibration_interval_s, account_ticks, TickKind.COLLECT),
        (
            "request_first_calibration",
            settings.first_calibration_interval_s,
            account_ticks,
            TickKind.FIRST_COLLECT,
        ),
        (
            "request_reconciliation",
            settings.reconciliation_interval_s,
            account_ticks,
            TickKind.RECONCILIATION,
        ),
        ("request_expiry", settings.pending_check_interval_s, person_ticks, TickKind.PENDING),
        ("request_catch_up", settings.catch_up_interval_s, catch_up_ticks, TickKind.CATCH_UP),
    )
    for name, interval, topic, work in schedule:
        engine.app.timer(interval=interval, on_leader=True, name=name)(
            _requester(engine, topic, work)
        )


def _requester(engine: Engine, topic: str, work: TickKind) -> Callable[[], Awaitable[None]]:
    async def request() -> None:
        await engine.broadcast(topic, tick_now(work), engine.settings.partitions)

    request.__name__ = f"request_{work.value}"
    return request
