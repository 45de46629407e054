"""`buying-groups read-model` (the projection's own worker group), `buying-groups read-model
rebuild` (fill an empty Redis from the topics) and `buying-groups api` (the HTTP API)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from events.errors import BuyingGroupsError
from streams.cli.options import add_kafka_options, connected_settings, redis_checked
from streams.ops.logs import HiddenCredentials
from streams.ops.settings import Settings
from streams.runtime.provision import ensure_topics


def run_read_model(args: argparse.Namespace) -> int:
    settings = redis_checked(connected_settings(args))
    if args.action == "rebuild":
        return run_rebuild(settings)
    asyncio.run(ensure_topics(settings))
    from streams.read.worker import create_read_model_engine  # noqa: PLC0415 - builds the app

    sys.argv = [
        "buying-groups", "worker", "--loglevel", args.loglevel,
        "--web-host", settings.web_host, "--web-port", str(settings.read_model.web_port),
    ]  # fmt: skip
    create_read_model_engine(settings).app.main()
    return 0


def run_rebuild(settings: Settings) -> int:
    from streams.read.rebuild import rebuild  # noqa: PLC0415 - only this command needs it

    try:
        report = asyncio.run(rebuild(settings))
    except BuyingGroupsError as exc:
        print(f"rebuild: {exc}", file=sys.stderr)
        return 1
    print(
        f"read {report.read} records, {report.written} changed Redis, "
        f"{report.undecodable} undecodable"
    )
    return 0


def run_api(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only this command serves HTTP

    from streams.read.api.app import create_app  # noqa: PLC0415

    settings = redis_checked(connected_settings(args))
    host = args.host or settings.read_model.api_host
    port = args.port or settings.read_model.api_port
    print(f"api: http://{host}:{port}/docs", file=sys.stderr, flush=True)
    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level=args.loglevel)
    tokens = {**settings.read_model.write_tokens, **settings.read_model.read_tokens}
    logging.getLogger("uvicorn.access").addFilter(HiddenCredentials(tokens))  # once it is set up
    uvicorn.Server(config).run()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = subparsers.add_parser(
        "read-model", help="run the projection into Redis as its own worker group, or rebuild"
    )
    model.add_argument("action", nargs="?", choices=["worker", "rebuild"], default="worker")
    model.add_argument("-l", "--loglevel", default="info")
    add_kafka_options(model)
    model.set_defaults(func=run_read_model)
    api = subparsers.add_parser("api", help="serve the HTTP API over the read model")
    api.add_argument("--host", help="default BG_API_HOST (127.0.0.1)")
    api.add_argument("--port", type=int, help="default BG_API_PORT (8080)")
    api.add_argument("-l", "--loglevel", default="info")
    add_kafka_options(api)
    api.set_defaults(func=run_api)
