"""`project_read_model`'s handler with an in-memory twin of the read model: Redis away means
retrying the same record with bounded backoff, reporting not ready and counting one outage; the
handler returns only once the record is written and never raises."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from events.codec import Codec
from events.decoding import Decoded, DecodeFailure
from events.errors import Unavailable
from events.records import TopicRecord
from streams.read.projection import RETRY_S, ProjectionMetrics, Projector
from streams.runtime.outputs import InputMessage
from tests.unit.read_builders import snapshot


class FlakyModel:
    """Fails `failures` times with Unavailable, then keeps what it is given."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: list[TopicRecord] = []

    async def write(self, record: TopicRecord) -> bool:
        if self.failures:
            self.failures -= 1
            raise Unavailable("redis: ConnectionError")
        self.written.append(record)
        return True

    async def ping(self) -> None:
        if self.failures:
            self.failures -= 1
            raise Unavailable("redis: ConnectionError")


def projector(model: FlakyModel, slept: list[float], seen: list[str | None]) -> Projector:
    codec = Codec()

    async def decode(data: bytes) -> Decoded[TopicRecord] | DecodeFailure:
        return codec.decode(data)

    built: Projector

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        seen.append(built.not_ready_because())

    built = Projector(
        model=model,  # type: ignore[arg-type]
        metrics=ProjectionMetrics(CollectorRegistry()),
        decode=decode,
        sleep=sleep,
    )
    return built


def message(value: bytes, offset: int = 0) -> InputMessage:
    return InputMessage(topic="bg.groups", partition=0, offset=offset, key=b"k", value=value)


def value(metrics: ProjectionMetrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return found or 0.0


async def test_redis_away_means_retrying_until_written_and_one_outage() -> None:
    model = FlakyModel(failures=9)
    slept: list[float] = []
    seen: list[str | None] = []
    project = projector(model, slept, seen)
    record = snapshot()
    await project.project(message(Codec().encode(record)))
    assert model.written == [record]
    assert slept == [*RETRY_S, RETRY_S[-1], RETRY_S[-1], RETRY_S[-1]]
    assert max(slept) <= 5.0
    assert all(reason and "redis unavailable" in reason for reason in seen)
    assert project.not_ready_because() is None
    assert value(project.metrics, "bg_read_model_outages_total") == 1
    assert value(project.metrics, "bg_read_model_retries_total") == 9
    assert value(project.metrics, "bg_read_model_redis_up") == 1
    labels = {"topic": "bg.groups", "outcome": "written"}
    assert value(project.metrics, "bg_read_model_records_total", **labels) == 1


async def test_an_undecodable_record_is_counted_and_skipped() -> None:
    model = FlakyModel(failures=0)
    slept: list[float] = []
    seen: list[str | None] = []
    project = projector(model, slept, seen)
    await project.project(message(b"\x00garbage"))
    assert model.written == []
    labels = {"topic": "bg.groups", "outcome": "undecodable"}
    assert value(project.metrics, "bg_read_model_records_total", **labels) == 1


async def test_the_check_follows_an_idle_redis() -> None:
    model = FlakyModel(failures=1)
    slept: list[float] = []
    seen: list[str | None] = []
    project = projector(model, slept, seen)
    await project.check()
    assert project.not_ready_because() is not None
    await project.check()
    assert project.not_ready_because() is None
