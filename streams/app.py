"""The Faust application: `faust -A streams.app worker`, or `buying-groups worker`.

topics (persons, activities)  -> route_people   -> internal.account-changes --+
topics (accounts, audiences, commands), internal.account-ticks  ---------------+-> track_groups
track_groups -> membership / score / stage / lifecycle / person-score / command-result topics,
                group snapshots (compacted), dead letters
bg.config -> every worker's catalogue view; track_config -> account ticks
leader timers -> ticks; track_groups -> internal.calibration -> calibrate_references -> ticks
"""

from __future__ import annotations

import faust

from events.codec import Codec
from streams.agents import calibrate_references, route_people, track_config, track_groups
from streams.ops import health
from streams.ops.logs import use_json_logs
from streams.ops.metrics import Metrics
from streams.ops.settings import Settings, current_settings
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
    health.register(engine)
    if settings.log_format == "json":

        async def json_logs() -> None:
            use_json_logs()

        app.task(json_logs)
    return engine


engine = create_engine(current_settings())
app: faust.App = engine.app
