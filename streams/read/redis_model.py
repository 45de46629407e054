"""Writing the read model: one record at a time, each through its atomic script.

`ReadModel.write` says whether Redis changed (False for a stale, duplicate or unused record) and
raises `Unavailable` when Redis does not answer, so that the caller can retry the same record.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import BusyLoadingError, ReadOnlyError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from events.errors import Unavailable
from events.records import (
    AccountEvent,
    BuyingGroupSnapshot,
    CommandResult,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
    PersonScoreChanged,
    ScoreChanged,
    StageChanged,
    TopicRecord,
)
from streams.read import scripts
from streams.read.documents import (
    ScriptCall,
    account_call,
    change_call,
    command_document,
    dumps,
    person_call,
    person_score_call,
    snapshot_call,
)
from streams.read.keys import Keys

# Redis did not answer, or cannot take writes yet: worth retrying the same record.
TRANSIENT = (
    RedisConnectionError, RedisTimeoutError, BusyLoadingError, ReadOnlyError, TryAgainError,
    OSError,
)  # fmt: skip


def connect(url: str) -> Redis:
    """A client of the Redis at `url` (redis:// or rediss:// with password and TLS options)."""
    client: Redis = Redis.from_url(
        url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=2.0
    )
    return client


class ReadModel:
    """The writes of the projection into one tenant's key space."""

    def __init__(self, redis: Redis, keys: Keys, command_ttl_s: int) -> None:
        self.redis = redis
        self.keys = keys
        self.command_ttl_s = command_ttl_s
        self._snapshot = redis.register_script(scripts.SNAPSHOT)
        self._change = redis.register_script(scripts.CHANGE)
        self._person = redis.register_script(scripts.PERSON)
        self._account = redis.register_script(scripts.ACCOUNT)
        self._person_score = redis.register_script(scripts.PERSON_SCORE)

    async def write(self, record: TopicRecord) -> bool:
        """Apply `record`; True when Redis changed. Raises Unavailable when Redis is away."""
        try:
            return await self._write(record)
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}: {exc}") from exc

    async def _write(self, record: TopicRecord) -> bool:  # noqa: PLR0911 - one per record type
        match record:
            case BuyingGroupSnapshot():
                return await self._run(self._snapshot, snapshot_call(record, self.keys))
            case MembershipChanged() | ScoreChanged() | StageChanged() | GroupLifecycle():
                return await self._run(self._change, change_call(record, self.keys))
            case PersonScoreChanged():
                return await self._run(self._person_score, person_score_call(record, self.keys))
            case PersonEvent():
                return await self._run(self._person, person_call(record, self.keys))
            case AccountEvent():
                return await self._run(self._account, account_call(record, self.keys))
            case CommandResult():
                key = self.keys.command(record.command_id)
                document = dumps(command_document(record))
                previous = await self.redis.set(key, document, ex=self.command_ttl_s, get=True)
                return bool(previous != document)
        return False

    async def _run(self, script: Any, call: ScriptCall) -> bool:
        changed = await script(keys=[call.key], args=list(call.args))
        return bool(changed)

    async def ping(self) -> None:
        try:
            await self.redis.ping()
        except TRANSIENT as exc:
            raise Unavailable(f"redis: {type(exc).__name__}: {exc}") from exc
