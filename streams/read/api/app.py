"""`buying-groups api`: the read side's HTTP API (FastAPI, served by uvicorn).

Reads come from Redis (streams.read.api.queries), manual actions go to the commands topic
(streams.read.api.publisher); the dashboard page is at / (streams.read.api.dashboard). OpenAPI
schema at /openapi.json, its page at /docs (Swagger UI), whose scripts and styles come from the
fastapi-offline package (no CDN); /healthz, /readyz and /metrics as on the workers.
Mutating endpoints need a bearer token of BG_API_TOKENS (its actor signs the commands): 401
without one, 403 for a token of BG_API_READ_TOKENS; read endpoints need one of
BG_API_READ_TOKENS (or a write token) when that is set, and are open otherwise.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from redis.asyncio import Redis

from events.errors import BadInput, Unavailable
from streams.ops.metrics import SECONDS
from streams.ops.settings import Settings
from streams.read.api.publisher import CommandPublisher
from streams.read.api.queries import ReadQueries
from streams.read.keys import Keys
from streams.read.redis_model import TRANSIENT, connect

EXPOSITION = "text/plain; version=0.0.4"
bearer = HTTPBearer(auto_error=False, description="a token of BG_API_TOKENS")
Actor = Callable[[HTTPAuthorizationCredentials | None], Awaitable[str]]


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "bg_api_requests", "Requests answered, by route and status",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "bg_api_request_seconds", "Time to answer, by route",
            ["method", "route"], buckets=SECONDS, registry=r,
        )  # fmt: skip
        self.commands = Counter(
            "bg_api_commands_published", "Commands published, by kind", ["kind"], registry=r
        )


@dataclass
class ApiContext:
    """What the routes share: settings, the Redis queries, the command producer, metrics."""

    settings: Settings
    redis: Redis
    queries: ReadQueries
    publisher: CommandPublisher
    metrics: ApiMetrics


def context_for(settings: Settings) -> ApiContext:
    if not settings.redis_url:
        raise BadInput("environment variable REDIS_URL: the API needs Redis, got nothing")
    redis = connect(settings.redis_url)
    return ApiContext(
        settings=settings,
        redis=redis,
        queries=ReadQueries(redis, Keys.for_tenant(settings.topic_prefix)),
        publisher=CommandPublisher(settings),
        metrics=ApiMetrics(),
    )


def token_actor(tokens: Mapping[str, str], given: str) -> str | None:
    """The actor of `given` among `tokens` (compared in constant time), else None."""
    found = None
    for token, actor in tokens.items():
        if hmac.compare_digest(token.encode(), given.encode()):
            found = actor
    return found


def authorised(
    tokens: Callable[[], Mapping[str, str]],
    *,
    optional: bool = False,
    read_only: Callable[[], Mapping[str, str]] = dict,
) -> Actor:
    """A dependency giving the actor of the request's bearer token; 401 without a known one,
    403 for a token of `read_only` (known, but not allowed here). With `optional`, an empty
    token table lets every request through (actor `anonymous`). No answer quotes the token."""

    async def actor(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        table = tokens()
        if optional and not table:
            return "anonymous"
        given = credentials.credentials if credentials else None
        found = token_actor(table, given) if given is not None else None
        if found is not None:
            return found
        if given is not None and token_actor(read_only(), given) is not None:
            raise HTTPException(
                403, "this bearer token may only read",
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )  # fmt: skip
        raise HTTPException(
            401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
        )

    return actor


def _ops_routes(app: FastAPI, ctx: ApiContext) -> None:
    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        reason = None if ctx.publisher.ready else "kafka producer not started"
        try:
            await ctx.redis.ping()
        except TRANSIENT:
            reason = "redis unavailable"
        if reason is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(ctx.metrics.registry), media_type=EXPOSITION)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Unavailable)
    async def unavailable(_request: Request, exc: Unavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(BadInput)
    async def bad_input(_request: Request, exc: BadInput) -> JSONResponse:
        return JSONResponse({"detail": [{"msg": str(exc)}]}, status_code=422)


def _measured(app: FastAPI, metrics: ApiMetrics) -> None:
    @app.middleware("http")
    async def measure(request: Request, call_next: Any) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
        return response


def create_app(settings: Settings, ctx: ApiContext | None = None) -> FastAPI:
    """The ASGI app; `ctx` replaces the one built from `settings` (tests)."""
    from streams.read.api.dashboard import page_routes  # noqa: PLC0415
    from streams.read.api.reads import read_routes  # noqa: PLC0415 - they import this module
    from streams.read.api.writes import write_routes  # noqa: PLC0415

    context = ctx or context_for(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await context.publisher.start()
        try:
            yield
        finally:
            await context.publisher.stop()
            await context.redis.aclose()

    app = FastAPIOffline(  # /docs with its assets from the package, no CDN
        redoc_url=None,  # ReDoc draws its logo from its own CDN: /docs only
        title="buying-groups",
        summary="Buying groups read from Redis; manual actions published as commands.",
        version="1",
        lifespan=lifespan,
    )
    _measured(app, context.metrics)
    _error_handlers(app)
    _ops_routes(app, context)
    reads = settings.read_model
    read_actor = authorised(lambda: {**reads.read_tokens, **reads.write_tokens}
                            if reads.read_tokens else {}, optional=True)  # fmt: skip
    app.include_router(read_routes(context), dependencies=[Depends(read_actor)])
    write_actor = authorised(lambda: reads.write_tokens, read_only=lambda: reads.read_tokens)
    app.include_router(write_routes(context, write_actor))
    app.include_router(page_routes())
    return app
