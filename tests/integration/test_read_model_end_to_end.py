"""The read side against the real engine, broker and Redis: a tenant's groups reach Redis, every
filter of the API answers what the reference model's final states say, a manual action through
the API round-trips through Kafka and the engine, redelivered and reordered outputs change
nothing, and a rebuild from the topics gives the same Redis. BG_READ_SEED replays a seed."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

import httpx
import pytest

from events.records import (
    AccountEvent,
    BuyingGroupSnapshot,
    InputRecord,
    PersonEvent,
    ScoreChanged,
)
from state.model.group import BuyingGroup
from streams.ops.settings import Settings
from streams.read.keys import Keys
from streams.read.rebuild import rebuild
from streams.read.redis_model import ReadModel, connect
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import engine_worker, tenant_settings
from tests.integration.histories import (
    STATUSES,
    Emitted,
    Outputs,
    chosen_seed,
    facts_diff,
    publish_all,
    reference_world,
    snapshot_facts,
    tenant_history,
    wait_until_processed,
    with_commands,
)
from tests.integration.processes import READY
from tests.integration.read_harness import (
    api_client,
    api_settings,
    bearer,
    keyspace,
    projected,
)
from tests.oracles.reference_model import GroupFacts, group_facts
from tests.services import Service

pytestmark = pytest.mark.integration
ROLES = ("Decision Maker", "Influencer", "Practitioner")
SECRET_EMAIL, SECRET_PHONE = "grace.hopper@example.com", "+1 555 0100"
NEW_STATUS = "Pilot agreed"  # never set by a random history


@dataclass(frozen=True)
class Tenant:
    settings: Settings
    redis_url: str
    groups: Mapping[str, BuyingGroup]  # the reference model's final groups
    outputs: tuple[Emitted, ...]
    inputs: tuple[InputRecord, ...]


def vip(history_last: InputRecord) -> PersonEvent:
    """A person with a full profile: name and title may reach Redis, email and phones never."""
    return PersonEvent(
        event_id="pe-vip", occurred_at=history_last.occurred_at + timedelta(seconds=1),
        person_id="p-vip", account_id="acc-000", first_name="Grace", last_name="Hopper",
        job_title="VP Security", country="US", email=SECRET_EMAIL, phone=SECRET_PHONE,
        mobile_phone=SECRET_PHONE,
    )  # fmt: skip


@pytest.fixture(scope="module")
def tenant(
    kafka: Service, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tenant]:
    """One engine worker with the projection (BG_READ_MODEL=on), fed a random history."""
    rng = random.Random(chosen_seed("BG_READ_SEED"))
    history = with_commands(rng, tenant_history(rng, accounts=8, people=50, activities=2), 3)
    extra = (vip(history.commands[-1]),)
    config = standard_config()
    settings = api_settings(tenant_settings(kafka.address), redis_url)
    worker = engine_worker(settings, tmp_path_factory.mktemp("read-e2e"))
    worker.env |= {"BG_READ_MODEL": "on", "REDIS_URL": redis_url}
    parts = (history.accounts, history.people, history.commands, extra)

    async def feed() -> tuple[Emitted, ...]:
        await publish_all(settings, config)
        outputs = Outputs(settings)
        await outputs.start()
        try:
            await asyncio.to_thread(worker.start)
            await asyncio.to_thread(worker.wait_for_log, READY, 90.0)
            for part in parts:
                await publish_all(settings, part)
                await wait_until_processed(settings, outputs)
            await projected(settings, settings.app_id)
            return tuple(outputs.records)
        finally:
            await outputs.stop()

    try:
        outputs = asyncio.run(feed())
        world = reference_world(config, *parts)
        inputs = tuple(r for part in parts for r in part)
        yield Tenant(settings, redis_url, world.groups(), outputs, inputs)
    finally:
        worker.stop()


def redis_facts(documents: Mapping[str, dict[str, object]]) -> dict[str, GroupFacts]:
    facts = {}
    for group_id, doc in documents.items():
        members = doc["members"]
        assert isinstance(members, list)
        facts[group_id] = GroupFacts(
            name=str(doc["name"]),
            members=frozenset((m["person_id"], m["role"], m["source"]) for m in members),
            completeness=float(doc["completeness"]),  # type: ignore[arg-type]
            stage=doc["stage"],  # type: ignore[arg-type]
            status=doc["status"],  # type: ignore[arg-type]
        )
    return facts


async def all_groups(client: httpx.AsyncClient, **filters: str | float) -> list[str]:
    """Every group id the API lists for `filters`, following the cursors (pages of 3)."""
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | float] = {**filters, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        answer = await client.get("/groups", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        ids += [item["group_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            assert page["total"] == len(ids)
            return ids


async def test_groups_in_redis_are_the_reference_models(tenant: Tenant) -> None:
    want = group_facts(tenant.groups)
    assert facts_diff(snapshot_facts(tenant.outputs), want) == []
    redis = connect(tenant.redis_url)
    keys = Keys.for_tenant(tenant.settings.topic_prefix)
    try:
        raw = {
            gid: await redis.get(keys.group(gid))
            for gid in {r.group_id for r in tenant.outputs if isinstance(r, BuyingGroupSnapshot)}
        }
        documents = {gid: json.loads(doc) for gid, doc in raw.items() if doc is not None}
        assert facts_diff(redis_facts(documents), want) == []
        stored = json.dumps(await keyspace(redis, keys))
        assert SECRET_EMAIL not in stored
        assert SECRET_PHONE not in stored
        assert "Grace" in stored  # the name a page shows
        deleted = {r.person_id for r in tenant.inputs if isinstance(r, PersonEvent) and r.deleted}
        for person_id in deleted:
            assert not await redis.hexists(keys.person(person_id), "job_title")  # type: ignore[misc]
            assert not await redis.smembers(keys.person_groups(person_id))  # type: ignore[misc]
    finally:
        await redis.aclose()


def industries(inputs: tuple[InputRecord, ...]) -> dict[str, str]:
    latest: dict[str, AccountEvent] = {}
    for record in inputs:
        if isinstance(record, AccountEvent):
            latest[record.account_id] = record
    return {a: e.industry for a, e in latest.items() if e.industry and not e.deleted}


async def test_every_filter_answers_what_the_reference_model_says(tenant: Tenant) -> None:
    groups = tenant.groups
    missing = {
        role: {g for g, group in groups.items()
               if all(r.assigned == 0 for r in group.role_completeness if r.role == role)}
        for role in ROLES
    }  # fmt: skip
    industry_of = industries(tenant.inputs)
    async with api_client(tenant.settings) as client:
        assert sorted(await all_groups(client)) == sorted(groups)
        assert sorted(await all_groups(client, solution_interest_id="si-1")) == sorted(groups)
        for role in ROLES:
            got = await all_groups(client, missing_role=role, completeness_lt=50)
            want = {g for g in missing[role] if groups[g].completeness < 50}
            assert sorted(got) == sorted(want), role
        for low, high in ((0, 25), (25, 50), (50, 75), (75, 1000)):
            got = await all_groups(client, completeness_gte=low, completeness_lt=high)
            want = {g for g, group in groups.items() if low <= group.completeness < high}
            assert sorted(got) == sorted(want), (low, high)
        stages = {group.stage.stage for group in groups.values()}
        for stage in sorted(s for s in stages if s is not None):
            got = await all_groups(client, stage=stage)
            assert sorted(got) == sorted(g for g, x in groups.items() if x.stage.stage == stage)
        for industry in set(industry_of.values()):
            got = await all_groups(client, industry=industry)
            want = {g for g, x in groups.items() if industry_of.get(x.account_id) == industry}
            assert sorted(got) == sorted(want), industry
        for account in {group.account_id for group in groups.values()}:
            answer = (await client.get(f"/accounts/{account}/groups")).json()
            assert [i["group_id"] for i in answer["items"]] == [
                g for g, x in groups.items() if x.account_id == account
            ]
        choices = (await client.get("/filters")).json()
        industries_of_groups = {industry_of[g.account_id] for g in groups.values()
                                if g.account_id in industry_of}  # fmt: skip
        assert {c["value"] for c in choices["industries"]} == industries_of_groups
        for kind, name in (("industries", "industry"), ("regions", "region"),
                           ("stages", "stage"), ("solution_interests", "solution_interest_id"),
                           ("missing_roles", "missing_role")):  # fmt: skip
            for choice in choices[kind]:
                found = await all_groups(client, **{name: choice["value"]})
                assert len(found) == choice["groups"], (kind, choice)
        assert {c["value"] for c in choices["missing_roles"]} >= set(ROLES)
        assert choices["regions"], "the history gave no account a region"
        ordered = await all_groups(client, sort="completeness", descending=False)
        completeness = [groups[g].completeness for g in ordered]
        assert completeness == sorted(completeness)
        shares = (await client.get("/distributions")).json()
        assert sum(shares["completeness"].values()) == len(groups)
        assert shares["solution_interest"] == {"si-1": len(groups)}
        assert sum(shares["stage"].values()) == len(groups)


async def test_a_group_reads_with_names_titles_scores_and_history(tenant: Tenant) -> None:
    titles = {r.person_id: r.job_title for r in tenant.inputs if isinstance(r, PersonEvent)}
    with_members = [g for g in tenant.groups.values() if g.members]
    assert with_members
    async with api_client(tenant.settings) as client:
        for group in with_members:
            answer = await client.get(f"/groups/{group.group_id}")
            assert answer.status_code == 200, answer.text
            body = answer.json()
            for member in body["members"]:
                assert member["job_title"] == titles[member["person_id"]]
                if member["person_id"] == "p-vip":
                    assert member["name"] == "Grace Hopper"
            assert body["history"]
            assert body["history"][0]["version"] <= body["version"]
        top = (await client.get("/top/groups")).json()
        assert len(top) == min(5, len(tenant.groups))
        members = (await client.get("/top/members", params={"limit": 100})).json()
        scores = [m["score"] for m in members]
        assert scores == sorted(scores, reverse=True)
        assert {m["person_id"] for m in members} <= {
            p for g in tenant.groups.values() for p in g.members
        }
        added = (await client.get("/members-added")).json()
        current = sum(len(g.members) for g in tenant.groups.values())
        assert sum(row["added"] for row in added) >= current


def folded_parts(outputs: tuple[Emitted, ...]) -> dict[str, dict[tuple[str, str, str], float]]:
    """Every group's score parts as the engine's score changes give them, folded in version
    order here (the projection folds them in Redis)."""
    changes = sorted((r for r in outputs if isinstance(r, ScoreChanged)), key=lambda r: r.version)
    parts: dict[str, dict[tuple[str, str, str], float]] = {}
    for change in changes:
        group = parts.setdefault(change.group_id, {})
        for c in change.contributions:
            part = (c.role or "", c.person_id or "", c.activity_type or "")
            group[part] = c.raw_after
    return {g: {p: x for p, x in found.items() if x != 0} for g, found in parts.items()}


async def test_a_groups_breakdown_is_its_current_score_part_by_part(tenant: Tenant) -> None:
    # Engagement depends on the processing clock (the activity window), so the oracle is the
    # engine's own output: its latest snapshot's raw score and its score changes.
    folded = folded_parts(tenant.outputs)
    explained = 0
    async with api_client(tenant.settings) as client:
        for group in tenant.groups.values():
            body = (await client.get(f"/groups/{group.group_id}")).json()
            breakdown = body["engagement_breakdown"]
            if breakdown is None:
                assert body["engagement_raw"] == 0, group.group_id
                continue
            raw = body["engagement_raw"]
            assert breakdown["engagement_raw"] == raw, group.group_id
            assert breakdown["adds_up"] is True, group.group_id
            assert breakdown["total"] == pytest.approx(raw, rel=1e-9, abs=1e-12)
            got = {(p["role"], p["person_id"], p["activity_type"]): p["points"]
                   for p in breakdown["parts"]}  # fmt: skip
            assert got == folded.get(group.group_id, {}), group.group_id
            assert {person for _r, person, _t in got} <= set(group.members), group.group_id
            for by in ("by_member", "by_role", "by_activity_type"):
                total = sum(row["points"] for row in breakdown[by])
                assert total == pytest.approx(raw, rel=1e-9, abs=1e-12), by
            vip = [m for m in breakdown["by_member"] if m["person_id"] == "p-vip"]
            assert all(m["name"] == "Grace Hopper" for m in vip)
            explained += bool(got)
    assert explained, "no group has engagement to explain"


async def until(check: object, seconds: float = 30.0) -> object:
    deadline = time.monotonic() + seconds
    while True:
        found = await check()  # type: ignore[operator]
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_a_manual_action_round_trips_and_its_result_is_readable(tenant: Tenant) -> None:
    # A group with a member: that person is in the group's account, so the refusal can only be
    # about the role (which group comes first in the random history varies).
    # The random history's own stage commands may already have set a status (setting the current
    # status again is `unchanged`), so the status set here is one the history never sets.
    group = next(group for group in tenant.groups.values() if group.members)
    assert NEW_STATUS not in STATUSES
    assert group.stage.status != NEW_STATUS
    person_id = sorted(group.members)[0]
    path = f"/groups/{group.group_id}"
    async with api_client(tenant.settings) as client:
        answer = await client.put(f"{path}/status", json={"status": NEW_STATUS},
                                  headers=bearer())  # fmt: skip
        assert answer.status_code == 202, answer.text
        (status_id,) = answer.json()["command_ids"]
        answer = await client.post(
            f"{path}/members", json={"members": [{"person_id": person_id, "role": "Astronaut"}]},
            headers=bearer(),
        )  # fmt: skip
        assert answer.status_code == 202, answer.text
        (refused_id,) = answer.json()["command_ids"]

        async def result(command_id: str) -> dict[str, object] | None:
            found = await client.get(f"/commands/{command_id}")
            return found.json() if found.status_code == 200 else None

        applied = await until(lambda: result(status_id))
        assert isinstance(applied, dict)
        assert applied["status"] == "applied", applied
        refused = await until(lambda: result(refused_id))
        assert isinstance(refused, dict)
        assert refused["status"] == "refused", refused
        assert refused["reason"] == "unknown_role"

        async def status() -> bool:
            return bool((await client.get(path)).json()["status"] == NEW_STATUS)

        assert await until(status)


async def test_redelivered_and_reordered_outputs_leave_redis_unchanged(tenant: Tenant) -> None:
    redis = connect(tenant.redis_url)
    keys = Keys.for_tenant(tenant.settings.topic_prefix)
    model = ReadModel(redis, keys, 3600)
    records = [r for r in (*tenant.inputs, *tenant.outputs)
               if isinstance(r, AccountEvent | PersonEvent) or hasattr(r, "version")]  # fmt: skip
    try:
        await projected(tenant.settings, tenant.settings.app_id)
        before = await keyspace(redis, keys)
        shuffled = list(records)
        random.Random(7).shuffle(shuffled)
        changed = [r for r in [*reversed(records), *shuffled] if await model.write(r)]
        assert [type(r).__name__ for r in changed] == []
        assert await keyspace(redis, keys) == before
    finally:
        await redis.aclose()


async def test_rebuild_from_the_topics_gives_the_same_redis(tenant: Tenant) -> None:
    keys = Keys.for_tenant(tenant.settings.topic_prefix)
    live, empty = connect(tenant.redis_url), connect(tenant.redis_url.rsplit("/", 1)[0] + "/3")
    try:
        await projected(tenant.settings, tenant.settings.app_id)
        for key in [k async for k in empty.scan_iter(match=f"{keys.prefix}*")]:
            await empty.delete(key)
        settings = replace(tenant.settings, redis_url=tenant.redis_url.rsplit("/", 1)[0] + "/3")
        report = await rebuild(settings, show_progress=False)
        assert report.written > 0
        assert report.undecodable == 0
        assert await keyspace(empty, keys) == await keyspace(live, keys)
    finally:
        await live.aclose()
        await empty.aclose()
