"""A calibration round end to end: every partition reports its raw scores, the references are
recalibrated from the tenant's distribution, and every score that moves is emitted once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.records import OutputRecord, PersonScoreChanged, ScoreChanged
from state.model.changes import TickKind
from streams.cli.worker import send_tick
from tests.integration.engine_harness import Tenant
from tests.integration.scenario import Scenario, new_id
from tests.integration.test_engine_precedence import opened

pytestmark = pytest.mark.integration


async def engaged(scenario: Scenario, title: str, activities: dict[str, int]) -> str:
    """A new member of the scenario's group who did `activities` (type -> count) today."""
    person = new_id("p")
    await scenario.person(person, title)
    await scenario.wait_for_member(person)
    last = None
    for kind, count in activities.items():
        for _ in range(count):
            last = await scenario.activity(person, kind)
    assert last is not None
    cause = last.event_id
    await scenario.wait_for(lambda out: any(getattr(r, "cause", None) == cause for r in out))
    return person


async def test_collect_round_recalibrates_and_emits_moved_scores(tenant: Tenant) -> None:
    busy_group, quiet_group = await opened(tenant), await opened(tenant)
    busy = await engaged(busy_group, "VP Security", {"event_attended": 20, "email_clicked": 20})
    quiet = await engaged(quiet_group, "Security Engineer", {"page_viewed": 1})

    await send_tick(tenant.settings, TickKind.COLLECT, datetime.now(UTC))

    def recalibrated(out: list[OutputRecord]) -> bool:
        return any(isinstance(r, ScoreChanged) and r.trigger == "calibration" for r in out) and any(
            isinstance(r, PersonScoreChanged) and r.reference_version == 1 for r in out
        )

    outputs = await tenant.wait_for(recalibrated)
    groups = [r for r in outputs if isinstance(r, ScoreChanged) and r.trigger == "calibration"]
    people = [r for r in outputs if isinstance(r, PersonScoreChanged) and r.reference_version]
    # Raw scores: the busy Decision Maker 20 x 0.6 + 20 x 0.3 = 18, the quiet Practitioner 0.4.
    # People's reference: the 99th percentile of the non-zero raws, 18. Groups: the busy group
    # alone holds 18 * 100/100 = 18 raw points, the quiet one 0.4, so the group reference is 18
    # too. The busy scores stay at 100 and emit nothing; the quiet ones move down, once.
    assert [(g.group_id, g.reference_version) for g in groups] == [(quiet_group.group_id, 1)]
    assert groups[0].reference == pytest.approx(18.0)
    assert groups[0].engagement_previous == pytest.approx(100 * (0.4 / 10) ** 0.5)
    assert groups[0].engagement == pytest.approx(100 * (0.4 / 18) ** 0.5)
    assert [p.person_id for p in people] == [quiet]
    assert people[0].reference == pytest.approx(18.0)
    assert busy not in {p.person_id for p in people}
