"""What SREs get from a running worker: liveness, readiness and Prometheus metrics with lag."""

from __future__ import annotations

import asyncio

import pytest

from events.records import MembershipAction, Source
from streams.ops.lag import PartitionLag, group_lag, lag_table
from tests.integration.engine_harness import Tenant
from tests.integration.processes import WorkerProcess, http_get
from tests.integration.scenario import Scenario

pytestmark = pytest.mark.integration


async def test_health_readiness_and_metrics(tenant: Tenant, running_engine: WorkerProcess) -> None:
    scenario = Scenario(tenant)  # no account: the command is refused, and counted
    await scenario.command(Source.MANUAL, MembershipAction.ADD, "p-1", "Influencer")

    alive = await asyncio.to_thread(http_get, running_engine, "/healthz")
    ready = await asyncio.to_thread(http_get, running_engine, "/readyz")
    status, metrics = await asyncio.to_thread(http_get, running_engine, "/metrics")

    assert alive[0] == 200
    assert ready == (200, '{"status":"ready"}')
    assert status == 200
    commands = tenant.settings.topics.commands
    assert f'bg_records_consumed_total{{topic="{commands}"}}' in metrics
    assert 'bg_command_refusals_total{reason="unknown_account"}' in metrics
    assert f'bg_consumer_lag{{partition="0",topic="{commands}"}}' in metrics
    assert "bg_processing_seconds_bucket" in metrics
    assert (await asyncio.to_thread(http_get, running_engine, "/table"))[0] == 404


async def test_lag_per_partition_of_the_engine_group(
    tenant: Tenant, running_engine: WorkerProcess
) -> None:
    scenario = Scenario(tenant)
    await scenario.stage(status="Watching")  # something to consume and commit

    async def committed() -> list[PartitionLag]:
        for _ in range(50):
            rows = await group_lag(tenant.settings, tenant.settings.app_id)
            if any(r.topic == tenant.settings.topics.commands and r.committed > 0 for r in rows):
                return rows
            await asyncio.sleep(0.2)
        raise AssertionError("the engine never committed an offset on the commands topic")

    rows = await committed()
    table = lag_table(rows)
    assert tenant.settings.topics.commands in table
    assert table.splitlines()[0].split() == ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"]
    assert all(r.end >= r.committed for r in rows)
