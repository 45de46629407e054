"""Helpers for the read side's integration tests: the API in-process (real Redis, real broker),
the projection's progress, and Redis' content as plain values."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from streams.ops.settings import ReadModelSettings, Settings
from streams.read.api.app import create_app
from streams.read.keys import Keys
from streams.read.projection import read_topics
from streams.read.rebuild import partitions

TOKEN = "test-token-0123456789abcdef"
READ_TOKEN = "read-token-0123456789abcdef"


def api_settings(settings: Settings, redis_url: str, *, read_token: bool = False) -> Settings:
    return replace(
        settings,
        redis_url=redis_url,
        read_model=ReadModelSettings(
            write_tokens={TOKEN: "tester"},
            read_tokens={READ_TOKEN: "reader"} if read_token else {},
        ),
    )


@asynccontextmanager
async def api_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API app, started (Redis client, Kafka producer), behind an in-process client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def projection_lag(settings: Settings, group_id: str) -> int:
    """Records of the read side's topics not yet committed by consumer group `group_id`."""
    options = settings.kafka.client_options()
    admin = AIOKafkaAdminClient(**options)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(**options)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(await partitions(settings, read_topics(settings.topics)))
    finally:
        await consumer.stop()
    assert ends, "the read topics have no partitions"
    done = {tp: meta.offset for tp, meta in committed.items()}
    return sum(max(0, end - done.get(tp, 0)) for tp, end in ends.items())


async def projected(settings: Settings, group_id: str, seconds: float = 90.0) -> None:
    """Wait until consumer group `group_id` has committed every record of the read topics."""
    deadline = time.monotonic() + seconds
    lag = await projection_lag(settings, group_id)
    while lag:
        if time.monotonic() > deadline:
            raise AssertionError(f"projection still {lag} records behind after {seconds}s")
        await asyncio.sleep(0.5)
        lag = await projection_lag(settings, group_id)


Content = dict[str, object]


async def keyspace(redis: Redis, keys: Keys) -> Content:
    """Every key of the tenant, with its value as plain Python (order-free for sets)."""
    content: Content = {}
    async for key in redis.scan_iter(match=f"{keys.prefix}*", count=1000):
        kind = await redis.type(key)
        if kind == "string":
            content[key] = await redis.get(key)
        elif kind == "hash":
            content[key] = await redis.hgetall(key)  # type: ignore[misc]
        elif kind == "set":
            content[key] = sorted(await redis.smembers(key))  # type: ignore[misc]
        elif kind == "zset":
            content[key] = await redis.zrange(key, 0, -1, withscores=True)
        else:
            content[key] = kind
    return content
