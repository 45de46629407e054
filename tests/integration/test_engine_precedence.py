"""Assignment precedence (manual > journey > system), end to end through the real broker."""

from __future__ import annotations

import pytest

from events.records import (
    CommandStatus,
    GroupLifecycle,
    MembershipAction,
    OutputRecord,
    Source,
)
from tests.integration.engine_harness import Tenant
from tests.integration.scenario import Scenario, new_id

pytestmark = pytest.mark.integration
ADD, REMOVE, SET_ROLE = MembershipAction.ADD, MembershipAction.REMOVE, MembershipAction.SET_ROLE


async def opened(tenant: Tenant) -> Scenario:
    """A fresh account in the audience, with its group created."""
    scenario = Scenario(tenant)
    await scenario.open_account()

    def created(out: list[OutputRecord]) -> bool:
        return any(isinstance(r, GroupLifecycle) and r.group_id == scenario.group_id for r in out)

    await scenario.wait_for(created)
    return scenario


async def known_clerk(scenario: Scenario) -> str:
    """A person of the account that no role condition matches."""
    clerk = new_id("clerk")
    await scenario.person(clerk, "Clerk")
    await scenario.person_barrier(clerk)
    return clerk


async def test_manual_add_survives_maintenance(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    clerk = await known_clerk(scenario)
    result = await scenario.command(Source.MANUAL, ADD, clerk, "Influencer")
    assert result.status is CommandStatus.APPLIED

    await scenario.person(clerk, "Receptionist")  # still matches nothing: maintenance would remove
    await scenario.person_barrier(clerk)

    assert (await scenario.roles())[clerk] == ("Influencer", Source.MANUAL)
    assert [c.change.value for c in scenario.membership_changes(clerk)] == ["added"]


async def test_journey_cannot_remove_a_manual_add(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    clerk = await known_clerk(scenario)
    await scenario.command(Source.MANUAL, ADD, clerk, "Influencer")

    result = await scenario.command(Source.JOURNEY, REMOVE, clerk)

    assert result.status is CommandStatus.REFUSED
    assert result.reason == "overridden_by_manual"
    assert (await scenario.roles())[clerk] == ("Influencer", Source.MANUAL)


async def test_journey_add_survives_maintenance(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    clerk = await known_clerk(scenario)
    result = await scenario.command(Source.JOURNEY, ADD, clerk, "Practitioner")
    assert result.status is CommandStatus.APPLIED

    await scenario.person(clerk, "Office Clerk")
    await scenario.person_barrier(clerk)

    assert (await scenario.roles())[clerk] == ("Practitioner", Source.JOURNEY)


async def test_manual_remove_is_not_undone_by_rules(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    vp = new_id("vp")
    await scenario.person(vp, "VP Security")
    joined = await scenario.wait_for_member(vp)
    assert (joined.new_role, joined.source) == ("Decision Maker", Source.SYSTEM)

    result = await scenario.command(Source.MANUAL, REMOVE, vp)
    assert result.status is CommandStatus.APPLIED
    await scenario.person(vp, "VP Security & Risk")  # still matches the Decision Maker card
    await scenario.person_barrier(vp)

    assert vp not in (await scenario.roles())
    assert [c.change.value for c in scenario.membership_changes(vp)] == ["added", "removed"]


async def test_manual_role_edit_beats_later_journey_assign(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    clerk = await known_clerk(scenario)
    await scenario.command(Source.JOURNEY, ADD, clerk, "Practitioner")
    edited = await scenario.command(Source.MANUAL, SET_ROLE, clerk, "Influencer")
    assert edited.status is CommandStatus.APPLIED

    again = await scenario.command(Source.JOURNEY, ADD, clerk, "Practitioner")

    assert again.status is CommandStatus.REFUSED
    assert again.reason == "overridden_by_manual"
    assert (await scenario.roles())[clerk] == ("Influencer", Source.MANUAL)


async def test_leaving_the_account_ends_even_a_manual_membership(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    clerk = await known_clerk(scenario)
    await scenario.command(Source.MANUAL, ADD, clerk, "Influencer")

    await scenario.person(clerk, "Clerk", account=new_id("elsewhere"))
    await scenario.wait_for(lambda _: len(scenario.membership_changes(clerk)) == 2)

    removed = scenario.membership_changes(clerk)[-1]
    assert (removed.change.value, removed.reason) == ("removed", "left_account")
    assert clerk not in (await scenario.roles())
