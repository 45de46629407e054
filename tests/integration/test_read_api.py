"""The HTTP API against the real Redis and broker: bad input is refused with 422 naming the field
and the value, 401 without a known token, 404 for an unknown group or command, and nothing is
published for a refused request; an accepted one publishes one manual command per person."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from events.codec import Codec
from events.decoding import DecodeFailure
from events.records import MembershipAction, MembershipCommand, Source, StageCommand
from streams.ops.settings import Settings
from streams.read.keys import Keys
from streams.read.redis_model import ReadModel, connect
from streams.runtime.provision import ensure_topics
from tests.integration.engine_harness import tenant_settings
from tests.integration.read_harness import READ_TOKEN, api_client, api_settings, bearer
from tests.services import Service
from tests.unit.read_builders import added, moved, snapshot

pytestmark = pytest.mark.integration
GROUP = "/groups/acc-1/si-1"


@pytest.fixture
async def settings(kafka: Service, redis_url: str) -> Settings:
    """A tenant whose Redis holds one group, acc-1/si-1."""
    chosen = api_settings(tenant_settings(kafka.address), redis_url)
    await ensure_topics(chosen)
    redis = connect(redis_url)
    try:
        await ReadModel(redis, Keys.for_tenant(chosen.topic_prefix), 60).write(snapshot())
    finally:
        await redis.aclose()
    return chosen


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(settings) as api:
        yield api


async def commands_on_topic(settings: Settings) -> list[MembershipCommand | StageCommand]:
    consumer = AIOKafkaConsumer(**settings.kafka.client_options(), group_id=None)
    await consumer.start()
    found: list[MembershipCommand | StageCommand] = []
    try:
        tps = [TopicPartition(settings.topics.commands, p) for p in range(settings.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            while await consumer.position(tp) < ends[tp]:
                for message in (await consumer.getmany(tp, timeout_ms=500)).get(tp, []):
                    decoded = Codec().decode(message.value or b"")
                    assert not isinstance(decoded, DecodeFailure)
                    assert isinstance(decoded.record, MembershipCommand | StageCommand)
                    found.append(decoded.record)
    finally:
        await consumer.stop()
    return found


def named(answer: httpx.Response, field: str, value: object) -> None:
    """A 422 whose detail names `field` and the `value` given."""
    assert answer.status_code == 422, answer.text
    details = answer.json()["detail"]
    assert any(d["loc"][-1] == field and d.get("input") == value for d in details), details


MANY = [{"person_id": f"p-{n}", "role": "Influencer"} for n in range(51)]
BAD_BODIES = [
    ("members", {"members": []}, "members", []),
    ("members", {"members": MANY}, "members", MANY),
    ("members", {"members": [{"person_id": "p 1", "role": "X"}]}, "person_id", "p 1"),
    ("members", {"members": [{"person_id": "p-1", "role": "R" * 101}]}, "role", "R" * 101),
    ("members", {"members": [{"person_id": "p-1"}]}, "role", {"person_id": "p-1"}),
    ("members/remove", {"person_ids": ["p-1", "p-1"]}, "person_ids", ["p-1", "p-1"]),
    ("members/remove", {"person_ids": ["p-1"], "extra": 1}, "extra", 1),
    ("members/role", {"members": [{"person_id": "", "role": "X"}]}, "person_id", ""),
]


@pytest.mark.parametrize("case", BAD_BODIES)
async def test_a_bad_body_is_refused_naming_the_field_and_nothing_is_published(
    client: httpx.AsyncClient, settings: Settings, case: tuple[str, object, str, object]
) -> None:
    path, body, field, value = case
    named(await client.post(f"{GROUP}/{path}", json=body, headers=bearer()), field, value)
    assert await commands_on_topic(settings) == []


async def test_a_bad_status_or_stage_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    long = "x" * 51
    named(await client.put(f"{GROUP}/status", json={"status": long}, headers=bearer()), "status",
          long)  # fmt: skip
    named(await client.put(f"{GROUP}/stage", json={"stage": ""}, headers=bearer()), "stage", "")
    named(await client.put(f"{GROUP}/stage", json={}, headers=bearer()), "stage", {})
    assert await commands_on_topic(settings) == []


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"limit": "0"}, "limit", "0"),
        ({"limit": "101"}, "limit", "101"),
        ({"limit": "ten"}, "limit", "ten"),
        ({"sort": "size"}, "sort", "size"),
        ({"completeness_gte": "150"}, "completeness_gte", "150"),
        ({"engagement_lt": "-1"}, "engagement_lt", "-1"),
        ({"missing_role": "R" * 101}, "missing_role", "R" * 101),
        ({"cursor": "not-a-cursor"}, "cursor", "not-a-cursor"),
        ({"colour": "red"}, "colour", "red"),
    ],
)
async def test_a_bad_query_is_refused_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], field: str, value: str
) -> None:
    named(await client.get("/groups", params=params), field, value)


async def test_tokens_are_needed_for_actions(client: httpx.AsyncClient, settings: Settings) -> None:
    body = {"person_ids": ["p-1"]}
    for headers in ({}, bearer("wrong-token-0123456789"), {"Authorization": "Basic eDp5"}):
        answer = await client.post(f"{GROUP}/members/remove", json=body, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
    assert await commands_on_topic(settings) == []


async def test_read_tokens_when_configured(kafka: Service, redis_url: str) -> None:
    chosen = api_settings(tenant_settings(kafka.address), redis_url, read_token=True)
    await ensure_topics(chosen)
    async with api_client(chosen) as api:
        assert (await api.get("/distributions")).status_code == 401
        assert (await api.get("/distributions", headers=bearer(READ_TOKEN))).status_code == 200
        assert (await api.get("/distributions", headers=bearer())).status_code == 200
        assert (await api.get("/healthz")).status_code == 200


async def test_unknown_group_or_command_is_404_and_publishes_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert (await client.get("/groups/acc-404/si-1")).status_code == 404
    assert (await client.get("/commands/cmd-404")).status_code == 404
    answer = await client.put("/groups/acc-404/si-1/status", json={"status": "x"},
                              headers=bearer())  # fmt: skip
    assert answer.status_code == 404
    assert await commands_on_topic(settings) == []


async def test_an_accepted_action_publishes_one_manual_command_per_person(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = {"members": [{"person_id": "p-1", "role": "Champion"},
                        {"person_id": "p-2", "role": "Influencer"}]}  # fmt: skip
    answer = await client.post(f"{GROUP}/members", json=body, headers=bearer())
    assert answer.status_code == 202, answer.text
    ids = answer.json()["command_ids"]
    stage = await client.put(f"{GROUP}/stage", json={"stage": "Prospect"}, headers=bearer())
    assert stage.status_code == 202
    published = await commands_on_topic(settings)
    membership = [c for c in published if isinstance(c, MembershipCommand)]
    assert sorted(c.command_id for c in membership) == sorted(ids)
    assert {(c.person_id, c.role, c.action) for c in membership} == {
        ("p-1", "Champion", MembershipAction.ADD), ("p-2", "Influencer", MembershipAction.ADD),
    }  # fmt: skip
    assert all(c.source is Source.MANUAL and c.actor == "tester" for c in published)
    (moved,) = [c for c in published if isinstance(c, StageCommand)]
    assert moved.stage == "Prospect"
    assert moved.command_id == stage.json()["command_ids"][0]


async def test_operations_and_the_schema(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "alive"}
    assert (await client.get("/readyz")).status_code == 200
    schema = (await client.get("/openapi.json")).json()
    assert "/groups/{account_id}/{solution_interest_id}/members" in schema["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text  # every asset from the API's own origin
    assert (await client.get("/static-offline-docs/swagger-ui-bundle.js")).status_code == 200
    await client.get(GROUP)
    metrics = (await client.get("/metrics")).text
    assert 'route="/groups/{account_id}/{solution_interest_id}"' in metrics


async def test_pages_cover_every_group_once_and_a_full_last_page_has_no_cursor(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # Six groups (acc-1 and five more), engagement with ties: two pages of three, in the
    # order (engagement descending, group id), and no cursor after the second, full, page.
    redis = connect(settings.redis_url or "")
    try:
        model = ReadModel(redis, Keys.for_tenant(settings.topic_prefix), 60)
        for n, engagement in enumerate((10.0, 10.0, 5.0, 5.0, 0.0), start=2):
            await model.write(snapshot(f"acc-{n}", engagement=engagement))
    finally:
        await redis.aclose()
    want = ["acc-1/si-1", "acc-2/si-1", "acc-3/si-1", "acc-4/si-1", "acc-5/si-1", "acc-6/si-1"]
    for descending in (True, False):
        seen: list[str] = []
        params: dict[str, str | int] = {"limit": 3, "descending": str(descending).lower()}
        pages = 0
        while True:
            page = (await client.get("/groups", params=params)).json()
            pages += 1
            assert page["total"] == len(want)
            seen += [item["group_id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert pages == 2
        scores = {g: 10.0 if g in want[:3] else 5.0 for g in want} | {want[-1]: 0.0}
        assert seen == sorted(want, key=lambda g: (-scores[g] if descending else scores[g], g))


async def test_stage_moves_stay_when_they_leave_the_latest_changes(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # Two stage moves, then 60 membership changes: the latest 50 changes hold no stage move any
    # more, the stage history still holds both, newest first.
    redis = connect(settings.redis_url or "")
    try:
        model = ReadModel(redis, Keys.for_tenant(settings.topic_prefix), 60)
        await model.write(moved(snapshot(version=2), "Prospect"))
        await model.write(moved(snapshot(version=3), "Evaluation", "Prospect"))
        for version in range(4, 64):
            await model.write(added(snapshot(version=version), f"p-{version}", "Influencer"))
    finally:
        await redis.aclose()
    body = (await client.get(GROUP)).json()
    assert len(body["history"]) == 50
    assert all(entry["kind"] == "membership" for entry in body["history"])
    assert [(e["version"], e["kind"], e["stage"]) for e in body["stage_history"]] == [
        (3, "stage", "Evaluation"), (2, "stage", "Prospect"),
    ]  # fmt: skip
