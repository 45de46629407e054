"""Reading the read model: each query in at most three round trips to Redis."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis

from events.errors import Unavailable
from streams.read import scripts
from streams.read.api.filters import Cursor, GroupFilter, filter_args
from streams.read.breakdown import engagement_breakdown
from streams.read.keys import Keys
from streams.read.redis_model import TRANSIENT

SUMMARY_FIELDS = (
    "group_id", "account_id", "solution_interest_id", "name", "version", "completeness",
    "engagement", "stage", "status", "updated_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    items: list[dict[str, Any]]
    next_cursor: str | None


def summary(document: dict[str, Any]) -> dict[str, Any]:
    """A group in a list: its headline figures and the roles it misses."""
    out = {name: document[name] for name in SUMMARY_FIELDS}
    out["members"] = len(document["members"])
    out["missing_roles"] = [r["role"] for r in document["role_completeness"] if r["assigned"] == 0]
    return out


PERSON_FIELDS = ["first_name", "last_name", "job_title"]
# The dashboard's bands: [0, 25), [25, 50), [50, 75), [75, 100].
BANDS = (
    ("0-25", "0", "(25"),
    ("25-50", "25", "(50"),
    ("50-75", "50", "(75"),
    ("75-100", "75", "+inf"),
)


class ReadQueries:
    """The queries of the API over one tenant's key space; Unavailable when Redis is away."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._filter = redis.register_script(scripts.FILTER)

    async def group(self, group_id: str) -> dict[str, Any] | None:
        """One group with names and titles, the explanation and breakdown of its engagement,
        latest changes and stage moves; None if unknown."""
        try:
            return await self._group(group_id)
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc

    async def _group(self, group_id: str) -> dict[str, Any] | None:
        k = self.keys
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(k.group(group_id))
            pipe.zrevrange(k.history(group_id), 0, -1)
            pipe.get(k.explanation(group_id))
            pipe.hgetall(k.score_parts(group_id))
            pipe.zrevrange(k.stage_history(group_id), 0, -1)
            raw, history, explained, parts, moves = await pipe.execute()
        if raw is None:
            return None
        document: dict[str, Any] = json.loads(raw)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(k.account(document["account_id"]), ["name", "industry", "region"])
            for member in document["members"]:
                pipe.hmget(k.person(member["person_id"]), PERSON_FIELDS)
            account, *people = await pipe.execute()
        document["account"] = dict(zip((["name", "industry", "region"]), account, strict=True))
        for member, (first, last, title) in zip(document["members"], people, strict=True):
            member["name"] = " ".join(part for part in (first, last) if part) or None
            member["job_title"] = title
        document["history"] = [json.loads(entry) for entry in history]
        document["stage_history"] = [json.loads(entry) for entry in moves]
        latest = json.loads(explained) if explained else None
        document["explanation"] = latest
        names = {m["person_id"]: m["name"] for m in document["members"]}
        document["engagement_breakdown"] = engagement_breakdown(parts, latest, names)
        return document

    async def exists(self, group_id: str) -> bool:
        try:
            return bool(await self.redis.exists(self.keys.group(group_id)))
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc

    async def groups(self, chosen: GroupFilter, cursor: Cursor | None, size: int) -> Page:
        """One page of the groups that match `chosen`, in its order, after `cursor`."""
        # One row more than the page: a cursor only when a next page has a row to show (a full
        # last page used to give a cursor to an empty page).
        key, args = filter_args(chosen, self.keys, cursor, size + 1)
        try:
            total, *flat = await self._filter(keys=[key], args=args)
            ids, scores = flat[0::2][:size], flat[1::2][:size]
            documents = await self.redis.mget([self.keys.group(i) for i in ids]) if ids else []
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        items = [summary(json.loads(d)) for d in documents if d is not None]
        more = len(flat) > 2 * size
        next_cursor = Cursor(float(scores[-1]), ids[-1]).encode() if more else None
        return Page(total=int(total), items=items, next_cursor=next_cursor)

    async def distributions(self) -> dict[str, Any]:
        """Groups per completeness band, engagement band, solution interest and stage."""
        k = self.keys
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for field in ("completeness", "engagement"):
                    for _label, low, high in BANDS:
                        pipe.zcount(k.score_index(field), low, high)
                pipe.smembers(k.solution_interests)
                pipe.smembers(k.stages)
                *counts, interests, stages = await pipe.execute()
            interests, stages = sorted(interests), sorted(stages)
            async with self.redis.pipeline(transaction=False) as pipe:
                for interest in interests:
                    pipe.scard(k.by_interest(interest))
                for stage in [*stages, None]:
                    pipe.scard(k.by_stage(stage))
                sizes = await pipe.execute()
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        labels = [label for label, _low, _high in BANDS]
        return {
            "completeness": dict(zip(labels, counts[:4], strict=True)),
            "engagement": dict(zip(labels, counts[4:], strict=True)),
            "solution_interest": dict(zip(interests, sizes[: len(interests)], strict=True)),
            "stage": dict(zip([*stages, "none"], sizes[len(interests) :], strict=True)),
        }

    async def filter_values(self) -> dict[str, list[dict[str, Any]]]:
        """The values each list filter can take, with how many groups have each: solution
        interests, stages, missing roles (groups missing it), industries and regions (values
        no group has any more are left out; a role stays, 0 when no group misses it)."""
        k = self.keys
        kinds = {
            "solution_interests": (k.solution_interests, k.by_interest),
            "stages": (k.stages, k.by_stage),
            "missing_roles": (k.roles, k.by_missing_role),
            "industries": (k.industries, k.by_industry),
            "regions": (k.regions, k.by_region),
        }
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for seen, _index in kinds.values():
                    pipe.smembers(seen)
                values = [sorted(found) for found in await pipe.execute()]
            async with self.redis.pipeline(transaction=False) as pipe:
                for (_seen, index), names in zip(kinds.values(), values, strict=True):
                    for name in names:
                        pipe.scard(index(name))
                sizes = iter(await pipe.execute())
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        out: dict[str, list[dict[str, Any]]] = {}
        for kind, names in zip(kinds, values, strict=True):
            counted = [{"value": name, "groups": next(sizes)} for name in names]
            out[kind] = [c for c in counted if c["groups"] or kind == "missing_roles"]
        return out

    async def top_groups(self, size: int) -> list[dict[str, Any]]:
        try:
            ids = await self.redis.zrevrange(self.keys.score_index("engagement"), 0, size - 1)
            documents = await self.redis.mget([self.keys.group(i) for i in ids]) if ids else []
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        return [summary(json.loads(d)) for d in documents if d is not None]

    async def top_members(self, size: int) -> list[dict[str, Any]]:
        """Members of at least one group, by person engagement score, with their groups."""
        k = self.keys
        try:
            ranked = await self.redis.zrevrange(k.member_scores, 0, size - 1, withscores=True)
            async with self.redis.pipeline(transaction=False) as pipe:
                for person_id, _score in ranked:
                    pipe.hmget(k.person(person_id), PERSON_FIELDS)
                    pipe.smembers(k.person_groups(person_id))
                found = await pipe.execute()
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        out = []
        for (person_id, score), (first, last, title), groups in zip(
            ranked, found[0::2], found[1::2], strict=True
        ):
            name = " ".join(part for part in (first, last) if part) or None
            out.append({"person_id": person_id, "name": name, "job_title": title,
                        "score": score, "groups": sorted(groups)})  # fmt: skip
        return out

    async def members_added(self) -> list[dict[str, Any]]:
        """Members added per month and role, oldest month first."""
        try:
            counts = await cast(
                "Awaitable[dict[str, str]]", self.redis.hgetall(self.keys.members_added)
            )
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        rows = []
        for field, count in counts.items():
            month, _, role = field.partition("|")
            rows.append({"month": month, "role": role, "added": int(count)})
        return sorted(rows, key=lambda row: (row["month"], row["role"]))

    async def command(self, command_id: str) -> dict[str, Any] | None:
        try:
            raw = await self.redis.get(self.keys.command(command_id))
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}") from exc
        return json.loads(raw) if raw is not None else None
