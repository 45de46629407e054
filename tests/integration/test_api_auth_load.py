"""The API's mutating endpoints under bounded load on loopback: `buying-groups api` in its own
process (real Redis, real broker) and a client in this one sending REQUESTS requests, at most
CONCURRENCY in flight, to every mutating endpoint. Every request without a valid write token
(none, wrong, near misses, another scheme, a read-only token, the token in the URL instead of
the header) is refused, 401 or 403 for a read-only token, and publishes nothing; the requests
with the write token, mixed in, are each accepted and published once. No token, right or wrong,
appears in the API's log, in its answers or in /metrics.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from streams.ops.settings import Settings
from streams.read.keys import Keys
from streams.read.redis_model import ReadModel, connect
from streams.runtime.provision import ensure_topics
from tests.integration.commands_topic import published_commands
from tests.integration.engine_harness import tenant_settings
from tests.integration.read_harness import READ_TOKEN, TOKEN, api_settings
from tests.integration.secure_harness import api_process
from tests.services import Service
from tests.unit.read_builders import snapshot

pytestmark = pytest.mark.integration

REQUESTS = 1500
CONCURRENCY = 32
GROUP = "/groups/acc-1/si-1"
ENDPOINTS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("POST", f"{GROUP}/members", {"members": [{"person_id": "p-9", "role": "Influencer"}]}),
    ("POST", f"{GROUP}/members/remove", {"person_ids": ["p-9"]}),
    ("POST", f"{GROUP}/members/role", {"members": [{"person_id": "p-9", "role": "Champion"}]}),
    ("PUT", f"{GROUP}/stage", {"stage": "Qualified"}),
    ("PUT", f"{GROUP}/status", {"status": "checked"}),
)


@dataclass(frozen=True, slots=True)
class Credential:
    """What one request says about itself: its Authorization header (or none), the status it
    must get, and the secret it carries (that must never be written out)."""

    kind: str
    header: str | None
    expected: int
    secret: str
    query: dict[str, str] | None = None


def wrong() -> Credential:
    """A fresh wrong token of the same length as the right one."""
    token = f"wrong-{uuid.uuid4().hex}"[: len(TOKEN)]
    return Credential("wrong", f"Bearer {token}", 401, token)


CREDENTIALS: tuple[Callable[[], Credential], ...] = (
    lambda: Credential("none", None, 401, ""),
    lambda: Credential("scheme only", "Bearer", 401, ""),
    wrong,
    lambda: Credential("near miss", f"Bearer {TOKEN[:-1]}X", 401, f"{TOKEN[:-1]}X"),
    lambda: Credential("prefix", f"Bearer {TOKEN[:-4]}", 401, TOKEN[:-4]),
    lambda: Credential("longer", f"Bearer {TOKEN}0", 401, f"{TOKEN}0"),
    lambda: Credential(
        "basic", f"Basic {base64.b64encode(f'tester:{TOKEN}'.encode()).decode()}", 401, TOKEN
    ),
    lambda: Credential("read-only", f"Bearer {READ_TOKEN}", 403, READ_TOKEN),
    lambda: Credential("read-only lowercase", f"bearer {READ_TOKEN}", 403, READ_TOKEN),
    lambda: Credential("in the URL", None, 401, TOKEN, {"access_token": TOKEN}),
    lambda: Credential("in the URL, unnamed", None, 401, TOKEN, {"q": TOKEN}),
)
VALID_EVERY = 7  # one request in seven carries the write token: the API must still accept those


def credential(n: int) -> Credential:
    if n % VALID_EVERY == 0:
        return Credential("valid", f"Bearer {TOKEN}", 202, TOKEN)
    return CREDENTIALS[n % len(CREDENTIALS)]()


@dataclass(frozen=True, slots=True)
class Answer:
    credential: Credential
    status: int
    body: str
    seconds: float


async def send_all(origin: str) -> list[Answer]:
    """REQUESTS requests, at most CONCURRENCY at a time, over one pool of connections."""
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async with httpx.AsyncClient(base_url=origin, limits=limits, timeout=30.0) as client:

        async def one(n: int) -> Answer:
            method, path, body = ENDPOINTS[n % len(ENDPOINTS)]
            given = credential(n)
            headers = {} if given.header is None else {"Authorization": given.header}
            async with gate:
                started = time.perf_counter()
                answer = await client.request(
                    method, path, json=body, headers=headers, params=given.query
                )
                took = time.perf_counter() - started
            return Answer(given, answer.status_code, answer.text, took)

        return await asyncio.gather(*(one(n) for n in range(REQUESTS)))


async def tenant_with_a_group(kafka: Service, redis_url: str) -> Settings:
    settings = api_settings(tenant_settings(kafka.address), redis_url, read_token=True)
    await ensure_topics(settings)
    redis = connect(redis_url)
    try:
        await ReadModel(redis, Keys.for_tenant(settings.topic_prefix), 60).write(snapshot())
    finally:
        await redis.aclose()
    return settings


def api_env(settings: Settings, redis_url: str) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "REDIS_URL": redis_url,
        "BG_API_TOKENS": f"tester={TOKEN}",
        "BG_API_READ_TOKENS": f"reader={READ_TOKEN}",
    }


def metric_sum(metrics: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in metrics.splitlines():
        found = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if found and all(f'{k}="{v}"' in found.group(1) for k, v in labels.items()):
            total += float(found.group(2))
    return total


async def test_mutations_without_a_valid_token_are_refused_under_load_and_no_token_is_logged(
    kafka: Service, redis_url: str, tmp_path: Path
) -> None:
    settings = await tenant_with_a_group(kafka, redis_url)
    log = tmp_path / "api.log"
    with api_process(api_env(settings, redis_url), log) as origin:
        started = time.monotonic()
        answers = await send_all(origin)
        took = time.monotonic() - started
        async with httpx.AsyncClient(base_url=origin) as client:
            metrics = (await client.get("/metrics")).text
    statuses = Counter((a.credential.kind, a.status) for a in answers)
    ms = sorted(a.seconds * 1000 for a in answers)
    print(f"\n{REQUESTS} requests, {CONCURRENCY} in flight: {took:.1f} s, "
          f"{REQUESTS / took:.0f}/s, p50 {ms[len(ms) // 2]:.0f} ms, "
          f"p99 {ms[int(len(ms) * 0.99)]:.0f} ms; {dict(statuses)}")  # fmt: skip
    unexpected = [a for a in answers if a.status != a.credential.expected]
    assert not unexpected, [(a.credential.kind, a.status, a.body) for a in unexpected[:5]]
    accepted = [a for a in answers if a.credential.kind == "valid"]
    refused = [a for a in answers if a.credential.kind != "valid"]
    assert len(refused) > 0.8 * REQUESTS
    assert {a.credential.expected for a in refused} == {401, 403}

    # Nothing refused was published: the topic holds exactly the commands of the accepted ones.
    ids = [i for a in accepted for i in json.loads(a.body)["command_ids"]]
    published = await published_commands(settings)
    assert sorted(c.command_id for c in published) == sorted(ids)
    assert {c.actor for c in published} == {"tester"}

    # The API counted what it answered, and nothing else.
    for status in (401, 403, 202):
        sent = sum(1 for a in answers if a.status == status)
        assert metric_sum(metrics, "bg_api_requests_total", status=str(status)) == sent
    assert metric_sum(metrics, "bg_api_commands_published_total") == len(ids)

    # The log is the real access log (one line per request), and holds no token.
    text = log.read_text(errors="replace")
    for status in (401, 403, 202):
        sent = sum(1 for a in answers if a.status == status)
        assert len(re.findall(rf'HTTP/1\.1" {status} ', text)) == sent, status
    secrets = {a.credential.secret for a in answers if a.credential.secret}
    secrets |= {a.credential.header for a in answers if a.credential.header}
    secrets -= {"Bearer"}
    for secret in secrets:
        assert secret not in text, "a token was logged"
        assert secret not in metrics, "a token is in /metrics"
    for answer in answers:
        if answer.credential.secret:
            assert answer.credential.secret not in answer.body, "a token was answered back"
