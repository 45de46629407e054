"""The worker's HTTP endpoints for SREs, on Faust's web server (`BG_WEB_HOST`:`BG_WEB_PORT`):

- `/healthz`: the process answers.
- `/readyz`: 200 once partitions are assigned, tables recovered and the config view caught up;
  503 with the reason otherwise (during start-up and rebalances).
- `/metrics`: Prometheus text, with consumer lag per topic-partition computed at scrape time.
"""

from __future__ import annotations

from typing import Any

from faust.types import TopicT
from mode.types.signals import BaseSignalT
from prometheus_client import generate_latest

from streams.runtime.engine import Engine

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

    async def healthz(view: Any, _request: Any) -> Any:
        return view.json({"status": "alive"})

    async def readyz(view: Any, _request: Any) -> Any:
        reason = not_ready_because(engine)
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

    app.page("/healthz", name="healthz")(healthz)
    app.page("/readyz", name="readyz")(readyz)
    app.page("/metrics", name="metrics")(scrape)
    app.on_partitions_assigned.connect(on_assigned)
