"""Redis stops mid-stream: the engine goes on, the projection (its own worker group) waits without
acknowledging, reports not ready and counts the outage, and catches up alone once Redis is back:
Redis ends equal to the latest snapshots, nothing lost. The Redis here is a real `redis-server`
started by the test on a free port (append-only file on, so that a restart keeps its data)."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from events.records import BuyingGroupSnapshot
from streams.read.keys import Keys
from streams.read.redis_model import connect
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, free_port, tenant_settings
from tests.integration.histories import (
    Outputs,
    chosen_seed,
    publish_all,
    tenant_history,
    wait_until_processed,
)
from tests.integration.processes import READY, WorkerProcess
from tests.integration.read_harness import projected, projection_lag
from tests.services import Service, tcp_answers

pytestmark = pytest.mark.integration


@dataclass
class RedisProcess:
    """A real redis-server, stopped with SIGKILL and started again on the same port and files."""

    directory: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is not installed (scripts/services installs it)"
        self.proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not tcp_answers(f"127.0.0.1:{self.port}"):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    redis = RedisProcess(tmp_path / "redis", free_port())
    redis.directory.mkdir()
    redis.start()
    yield redis
    redis.kill()


def http(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def eventually(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.3)


async def latest_in_redis(
    url: str, keys: Keys, snapshots: dict[str, BuyingGroupSnapshot]
) -> list[str]:
    """Groups whose Redis document is not their latest snapshot (missing, stale, or alive
    although deleted)."""
    redis = connect(url)
    try:
        wrong = []
        for group_id, snap in snapshots.items():
            raw = await redis.get(keys.group(group_id))
            version = json.loads(raw)["version"] if raw is not None else None
            if version != (None if snap.deleted else snap.version):
                wrong.append(f"{group_id}: redis {version}, latest snapshot {snap.version}")
        return wrong
    finally:
        await redis.aclose()


async def test_redis_outage_loses_nothing_and_the_engine_goes_on(
    kafka: Service, own_redis: RedisProcess, tmp_path: Path, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(chosen_seed("BG_OUTAGE_SEED"))
    history = tenant_history(rng, accounts=6, people=40, activities=2)
    half = len(history.people) // 2
    settings = tenant_settings(kafka.address)
    keys = Keys.for_tenant(settings.topic_prefix)
    web_port = free_port()
    env = {"REDIS_URL": own_redis.url, "BG_READ_MODEL_WEB_PORT": str(web_port)}
    engine = engine_worker(settings, tmp_path, "engine")
    projection = engine_worker(settings, tmp_path, "projection")
    projection.module, projection.env = "streams.read.app", {**projection.env, **env}
    workers += [engine, projection]
    await publish_all(settings, standard_config())
    outputs = Outputs(settings)
    await outputs.start()
    try:
        for worker in (engine, projection):
            worker.start()
            await asyncio.to_thread(worker.wait_for_log, READY, 90.0)
        await publish_all(settings, [*history.accounts, *history.people[:half]])
        await wait_until_processed(settings, outputs)
        await projected(settings, f"{settings.app_id}-read-model")

        own_redis.kill()
        before = len(outputs.records)
        await publish_all(settings, history.people[half:])
        await wait_until_processed(settings, outputs)  # the engine goes on without Redis
        assert len(outputs.records) > before
        ready = f"http://127.0.0.1:{web_port}/readyz"
        await eventually(lambda: http(ready)[0] == 503, 30)
        assert "redis unavailable" in http(ready)[1]
        metrics = http(f"http://127.0.0.1:{web_port}/metrics")[1]
        assert "bg_read_model_outages_total 1.0" in metrics
        assert "bg_read_model_redis_up 0.0" in metrics
        await asyncio.sleep(6)  # longer than Faust's commit interval: nothing unwritten is acked
        assert await projection_lag(settings, f"{settings.app_id}-read-model") > 0

        own_redis.start()
        await projected(settings, f"{settings.app_id}-read-model", seconds=120)
        await eventually(lambda: http(ready)[0] == 200, 30)
        latest: dict[str, BuyingGroupSnapshot] = {}
        for record in outputs.records:
            if isinstance(record, BuyingGroupSnapshot):
                latest[record.group_id] = record
        assert latest
        assert await latest_in_redis(own_redis.url, keys, latest) == []
    finally:
        await outputs.stop()
