"""The worker's HTTP endpoints for SREs, on Faust's web server (`BG_WEB_HOST`:`BG_WEB_PORT`):

- `/healthz`: the process answers.
- `/readyz`: 200 once partitions are assigned, tables recovered and the config view caught up,
  while Kafka answers the worker's own connection check (every BG_BROKER_CHECK_INTERVAL_S);
  503 with the reason otherwise (during start-up, rebalances and broker outages).
- `/metrics`: Prometheus text, with consumer lag per topic-partition computed at scrape time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from faust.types import TopicT
from mode.types.signals import BaseSignalT
from prometheus_client import generate_latest

from events.errors import BuyingGroupsError
from streams.ops.connection import check_kafka
from streams.ops.metrics import Metrics
from streams.runtime.engine import Engine

log = logging.getLogger(__name__)

# Prometheus' text exposition format; aiohttp sets the charset itself.
EXPOSITION = "text/plain; version=0.0.4"


def not_ready_because(engine: Engine) -> str | None:
    app = engine.app
    if not engine.config_ready.is_set():
        return "config view catching up"
    if app.rebalancing:
        return "rebalancing"
    if app.in_recovery:
        return "recovering tables"
    if not app.consumer.assignment():
        return "no partitions assigned"
    return next((r for r in (check() for check in engine.readiness) if r is not None), None)


@dataclass
class BrokerCheck:
    """The outcome of the worker's last own connection to Kafka (made and authenticated as the
    worker's clients are, then closed). The clients themselves retry quietly and report nothing
    a probe can read while the broker is down, so readiness cannot come from them."""

    metrics: Metrics
    down_since: float | None = None
    reason: str | None = None

    async def run(self, engine: Engine) -> None:
        settings = engine.settings
        try:
            await check_kafka(settings.kafka, timeout_s=max(5.0, settings.broker_check_interval_s))
        except BuyingGroupsError as exc:
            self.failed(str(exc))
        else:
            self.answered()

    def failed(self, reason: str) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.metrics.broker_outages.inc()
            log.warning("Kafka stopped answering: %s", reason)
        self.reason = reason
        self.metrics.broker_up.set(0)

    def answered(self) -> None:
        if self.down_since is not None:
            log.warning("Kafka answers again after %.1f s", time.monotonic() - self.down_since)
        self.down_since = self.reason = None
        self.metrics.broker_up.set(1)

    def not_ready_because(self) -> str | None:
        return None if self.reason is None else f"Kafka does not answer: {self.reason}"


async def refresh_lag(engine: Engine) -> None:
    """Lag per assigned partition of the topics the agents read, the partitions whose offsets
    the engine's consumer group commits, as Kafka's consumer-group tool shows them (not the
    table changelogs or Faust's leader topic, which the consumer also reads but never commits):
    the records after the last one applied, for inputs that an agent applies in order (its
    ledger knows; the consumer's position can be past a record the framework dropped), and after
    the consumer's position for the others. Series of partitions no longer assigned go."""
    consumer = engine.app.consumer
    metrics = engine.emitter.metrics
    assigned = consumer.assignment()
    metrics.assigned.set(len(assigned))
    read = agent_topics(engine)
    lags: dict[tuple[str, int], int] = {}
    for tp in sorted(tp for tp in assigned if tp.topic in read):
        done = engine.applied_up_to(tp.topic, tp.partition)
        if done is None:
            done = await consumer.position(tp)
        highwater = consumer.highwater(tp)
        if done is not None and highwater is not None:
            lags[(tp.topic, tp.partition)] = max(0, highwater - done)
    metrics.lag.clear()  # and set again without awaiting: a scrape sees every series or none
    for (topic, partition), lag in lags.items():
        metrics.lag.labels(topic, str(partition)).set(lag)


def agent_topics(engine: Engine) -> frozenset[str]:
    """The topics the worker's agents read (their offsets are the consumer group's)."""
    channels = [agent.channel for agent in engine.app.agents.values()]
    return frozenset(name for c in channels if isinstance(c, TopicT) for name in c.topics)


def register(engine: Engine) -> None:
    app = engine.app
    metrics = engine.emitter.metrics
    broker = BrokerCheck(metrics)

    async def healthz(view: Any, _request: Any) -> Any:
        return view.json({"status": "alive"})

    async def readyz(view: Any, _request: Any) -> Any:
        reason = broker.not_ready_because() or not_ready_because(engine)
        if reason is None:
            return view.json({"status": "ready"})
        return view.json({"status": "not ready", "reason": reason}, status=503)

    async def scrape(view: Any, _request: Any) -> Any:
        await refresh_lag(engine)
        return view.bytes(generate_latest(metrics.registry), content_type=EXPOSITION)

    async def on_assigned(
        _sender: Any,
        /,
        *args: Any,
        signal: BaseSignalT[Any],  # noqa: ARG001 - mode passes its signal by keyword
        **_kwargs: Any,
    ) -> None:
        assigned = args[0]
        metrics.rebalances.inc()
        metrics.assigned.set(len(assigned))

    async def check_broker() -> None:
        await broker.run(engine)

    app.timer(interval=engine.settings.broker_check_interval_s, name="check_broker")(check_broker)
    app.page("/healthz", name="healthz")(healthz)
    app.page("/readyz", name="readyz")(readyz)
    app.page("/metrics", name="metrics")(scrape)
    app.on_partitions_assigned.connect(on_assigned)
