"""A fresh tenant is calibrated without waiting for the schedule: while a reference is still at its
floor, the leader asks for a first-calibration round every few seconds, and the first round with
enough non-zero raw scores calibrates it; after that, only the schedule recalibrates."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from events.records import OutputRecord, PersonScoreChanged, ScoreChanged
from streams.ops.settings import Settings
from tests.integration.conftest import standard_config
from tests.integration.engine_harness import Tenant, worker_env
from tests.integration.processes import READY, WorkerProcess
from tests.integration.test_engine_calibration import engaged
from tests.integration.test_engine_precedence import opened

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running_engine(
    engine_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """One worker whose first-calibration rounds run every second, from two non-zero raws."""

    async def configure() -> None:
        tenant = Tenant(engine_settings)
        await tenant.start()
        try:
            await tenant.publish(*standard_config())
        finally:
            await tenant.stop()

    asyncio.run(configure())
    directory = tmp_path_factory.mktemp("engine")
    env = worker_env(
        engine_settings,
        directory / "worker-data",
        BG_FIRST_CALIBRATION_INTERVAL_S="1",
        BG_FIRST_CALIBRATION_MIN_SCORES="2",
    )
    worker = WorkerProcess(module="streams.cli.main", env=env, log=directory / "worker.log")
    worker.start()
    worker.wait_for_log(READY, 90.0)
    yield worker
    worker.stop()


def calibrated(record: OutputRecord) -> bool:
    scored = isinstance(record, PersonScoreChanged | ScoreChanged)
    return scored and getattr(record, "reference_version", 0) > 0


async def test_a_fresh_tenant_is_calibrated_once_enough_scores_exist(tenant: Tenant) -> None:
    busy_group, quiet_group = await opened(tenant), await opened(tenant)
    busy = await engaged(busy_group, "VP Security", {"event_attended": 20, "email_clicked": 20})
    quiet = await engaged(quiet_group, "Security Engineer", {"page_viewed": 1})

    # No tick is sent: the first-calibration rounds find two non-zero raws per reference (busy
    # 18, quiet 0.4; groups the same) and calibrate both references at 18.
    def quiet_moved(out: list[OutputRecord]) -> bool:
        return any(calibrated(r) and getattr(r, "person_id", None) == quiet for r in out) and any(
            isinstance(r, ScoreChanged) and r.trigger == "calibration" for r in out
        )

    outputs = await tenant.wait_for(quiet_moved)
    person = next(r for r in outputs if isinstance(r, PersonScoreChanged) and calibrated(r))
    assert (person.person_id, person.reference_version) == (quiet, 1)
    assert person.reference == pytest.approx(18.0)
    assert person.score == pytest.approx(100 * (0.4 / 18) ** 0.5)
    group = next(r for r in outputs if isinstance(r, ScoreChanged) and r.trigger == "calibration")
    assert (group.group_id, group.reference_version) == (quiet_group.group_id, 1)
    assert group.engagement == pytest.approx(100 * (0.4 / 18) ** 0.5)

    # Calibrated: later rounds leave the references alone until the schedule (a day here).
    busier = await engaged(
        busy_group, "VP Risk", {"event_attended": 20, "email_clicked": 20, "page_viewed": 20}
    )
    await asyncio.sleep(4)
    await tenant.poll()
    people = [r for r in tenant.outputs if isinstance(r, PersonScoreChanged)]
    groups = [r for r in tenant.outputs if isinstance(r, ScoreChanged)]
    versions = {r.reference_version for r in people} | {r.reference_version for r in groups}
    assert versions == {0, 1}
    assert [r.score for r in people if r.person_id == busier][-1] == 100
    assert busy not in {r.person_id for r in people if r.reference_version}
