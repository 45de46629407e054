"""The engine assembled from its parts for one worker process: the Faust app, its agents, the
leader's timers, health and metrics. `streams.app` builds it from the environment (for
`faust -A streams.app worker`); `buying-groups worker` from the command line's settings."""

from __future__ import annotations

from events.codec import Codec
from streams.agents import calibrate_references, route_people, track_config, track_groups
from streams.ops import health
from streams.ops.logs import configure_logs
from streams.ops.metrics import Metrics
from streams.ops.settings import Settings
from streams.runtime import ticks
from streams.runtime.catalogue_view import CatalogueView
from streams.runtime.catch_up import RecordReader
from streams.runtime.engine import Engine, faust_app
from streams.runtime.outputs import Emitter


def create_engine(settings: Settings) -> Engine:
    app = faust_app(settings)
    codec = Codec(limits=settings.input_limits)
    engine = Engine(
        settings=settings,
        app=app,
        codec=codec,
        emitter=Emitter(app=app, topics=settings.topics, codec=codec, metrics=Metrics()),
        view=CatalogueView(codec=codec),
        reader=RecordReader(settings.kafka.client_options()),
    )
    track_config.register(engine)
    route_people.register(engine)
    track_groups.register(engine)
    calibrate_references.register(engine)
    ticks.register(engine)
    if settings.read_model.in_worker:
        from streams.read import projection  # noqa: PLC0415 - Redis only when asked for

        projection.register(engine)
    health.register(engine)

    async def logs() -> None:
        configure_logs(json_format=settings.log_format == "json")

    app.task(logs)
    return engine
