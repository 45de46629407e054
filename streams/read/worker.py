"""The read model's own worker group: a Faust app that runs only `project_read_model`.

Its consumer group is `<BG_APP_ID>-read-model`, its web port BG_READ_MODEL_WEB_PORT (/healthz,
/readyz, /metrics), so it scales, stops and lags independently of the engine's workers.
"""

from __future__ import annotations

from dataclasses import replace

from events.codec import Codec
from streams.ops import health
from streams.ops.logs import configure_logs
from streams.ops.metrics import Metrics
from streams.ops.settings import Settings
from streams.read import projection
from streams.runtime.catalogue_view import CatalogueView
from streams.runtime.catch_up import RecordReader
from streams.runtime.engine import Engine, faust_app
from streams.runtime.outputs import Emitter


def read_model_settings(settings: Settings) -> Settings:
    """The engine's settings with the read model's own group, data folder and web port."""
    return replace(
        settings,
        app_id=f"{settings.app_id}-read-model",
        data_dir=settings.data_dir / "read-model",
        web_port=settings.read_model.web_port,
    )


def create_read_model_engine(settings: Settings) -> Engine:
    own = read_model_settings(settings)
    own.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust_app(own)
    codec = Codec(limits=own.input_limits)
    engine = Engine(
        settings=own,
        app=app,
        codec=codec,
        emitter=Emitter(app=app, topics=own.topics, codec=codec, metrics=Metrics()),
        view=CatalogueView(codec=codec),
        reader=RecordReader(own.kafka.client_options()),
    )
    engine.config_ready.set()  # this worker folds no configuration
    projection.register(engine)
    health.register(engine)

    async def logs() -> None:
        configure_logs(json_format=own.log_format == "json")

    app.task(logs)
    return engine
