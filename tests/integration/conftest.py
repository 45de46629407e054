"""Fixtures for tests that drive the real engine: a worker process and a tenant per module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from events.records import ConfigRecord
from streams.ops.settings import Settings
from tests.integration.engine_harness import Tenant, engine_worker, tenant_settings
from tests.integration.processes import READY, WorkerProcess
from tests.services import Service
from tests.unit.catalogue_builders import (
    DM,
    DM_RULE,
    INFLUENCER,
    INFLUENCER_RULE,
    PRACTITIONER,
    PRACTITIONER_RULE,
    SALES_STAGES,
    SALES_TRANSITIONS,
    audience_record,
    card,
    interest_record,
    job_record,
    stage_model_record,
    template_record,
)


def standard_config() -> list[ConfigRecord]:
    """Template t-1 (Decision Maker, Influencer, Practitioner), stage model sm-1, solution
    interest si-1, external audience aud-1, creation job job-1 (si-1 over aud-1)."""
    return [
        template_record(
            "t-1",
            card(DM, DM_RULE, weighting="vital"),
            card(INFLUENCER, INFLUENCER_RULE, weighting="important"),
            card(PRACTITIONER, PRACTITIONER_RULE, weighting="normal"),
        ),
        stage_model_record("sm-1", SALES_STAGES, SALES_TRANSITIONS),
        interest_record("si-1", "t-1", stage_model_id="sm-1"),
        audience_record("aud-1"),
        job_record("job-1", "si-1", "aud-1"),
    ]


@pytest.fixture(scope="module")
def engine_settings(kafka: Service) -> Settings:
    return tenant_settings(kafka.address)


@pytest.fixture(scope="module")
def running_engine(
    engine_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """One worker for the module, with the standard configuration already published."""

    async def configure() -> None:
        tenant = Tenant(engine_settings)
        await tenant.start()
        try:
            await tenant.publish(*standard_config())
        finally:
            await tenant.stop()

    asyncio.run(configure())
    worker = engine_worker(engine_settings, tmp_path_factory.mktemp("engine"))
    worker.start()
    worker.wait_for_log(READY, 90.0)
    yield worker
    worker.stop()


@pytest.fixture
async def tenant(engine_settings: Settings, running_engine: WorkerProcess) -> AsyncIterator[Tenant]:
    client = Tenant(engine_settings)
    await client.start()
    yield client
    await client.stop()


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    """Worker processes a test starts; each is stopped when the test ends."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()
