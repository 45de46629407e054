"""Every bad input of the contract is dead-lettered or refused with its reason, and the engine
goes on with the next record."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from events.records import (
    AccountEvent,
    ActivityEvent,
    CommandStatus,
    ConfigKind,
    ConfigRecord,
    DeadLetter,
    MembershipAction,
    PersonEvent,
    RolesTemplateDefinition,
    Source,
    config_key_for,
)
from tests.integration.engine_harness import Tenant, dead_letter_of
from tests.integration.scenario import Scenario, new_id
from tests.integration.test_engine_precedence import opened
from tests.unit.catalogue_builders import card, leaf

pytestmark = pytest.mark.integration


async def test_undecodable_and_misplaced_bytes_are_dead_lettered(tenant: Tenant) -> None:
    topics = tenant.settings.topics
    garbage, key = os.urandom(40), new_id("p").encode()
    account = AccountEvent(event_id=new_id("ev"), occurred_at=datetime.now(UTC), account_id="a")
    misplaced = tenant.codec.encode(account)
    truncated = tenant.codec.encode(
        AccountEvent(event_id=new_id("ev"), occurred_at=datetime.now(UTC), account_id="a", name="X")
    )[:-6]

    await tenant.publish_raw(topics.persons, key, garbage)
    await tenant.publish_raw(topics.persons, key, misplaced)
    await tenant.publish_raw(topics.accounts, key, truncated)

    assert (await dead_letter_of(tenant, garbage, key)).error_kind == "bad_marker"
    wrong = await dead_letter_of(tenant, misplaced, key)
    assert wrong.error_kind == "wrong_record_type"
    assert "AccountEvent" in wrong.error_message
    broken = await dead_letter_of(tenant, truncated, key)
    assert (broken.topic, broken.error_kind) == (topics.accounts, "truncated")


async def test_missing_id_and_future_time_are_dead_lettered(tenant: Tenant) -> None:
    topics = tenant.settings.topics
    no_id = PersonEvent(event_id=new_id("ev"), occurred_at=datetime.now(UTC), person_id=" ")
    ahead = AccountEvent(
        event_id=new_id("ev"),
        occurred_at=datetime.now(UTC) + timedelta(hours=1),
        account_id=new_id("acc"),
    )
    await tenant.publish_raw(topics.persons, b"blank", tenant.codec.encode(no_id))
    await tenant.publish_raw(topics.accounts, ahead.account_id.encode(), tenant.codec.encode(ahead))

    missing = await dead_letter_of(tenant, tenant.codec.encode(no_id), b"blank")
    assert missing.error_kind == "missing_required_id"
    assert "person_id" in missing.error_message
    future = await dead_letter_of(tenant, tenant.codec.encode(ahead), ahead.account_id.encode())
    assert future.error_kind == "future_timestamp"


async def test_command_for_an_unknown_account_is_refused(tenant: Tenant) -> None:
    scenario = Scenario(tenant)  # no account event is ever sent
    result = await scenario.command(Source.MANUAL, MembershipAction.ADD, "p-1", "Influencer")
    assert (result.status, result.reason) == (CommandStatus.REFUSED, "unknown_account")


async def test_bad_config_never_replaces_a_good_one(tenant: Tenant) -> None:
    broken = ConfigRecord(
        event_id=new_id("cfg"),
        occurred_at=datetime.now(UTC),
        kind=ConfigKind.ROLES_TEMPLATE,
        id="t-1",
        body=RolesTemplateDefinition(
            name="Broken",
            status="live",
            cards=(card("Decision Maker", leaf("job_title", "gtt", "VP")),),
        ),
    )
    key = config_key_for(broken.kind, broken.id).encode()
    await tenant.publish(broken)

    letter = await dead_letter_of(tenant, tenant.codec.encode(broken), key)
    assert letter.error_kind == "config_refused"
    assert "gtt" in letter.error_message
    scenario = await opened(tenant)  # the live template t-1 still assigns roles
    person = new_id("p")
    await scenario.person(person, "VP Security")
    assert (await scenario.wait_for_member(person)).new_role == "Decision Maker"


async def test_activity_waits_for_its_person_then_gives_up(tenant: Tenant) -> None:
    scenario = await opened(tenant)
    early, never = new_id("early"), new_id("ghost")

    def activity(person_id: str) -> ActivityEvent:
        return ActivityEvent(
            event_id=new_id("ev"),
            occurred_at=datetime.now(UTC),
            activity_id=new_id("act"),
            person_id=person_id,
            activity_type="form_filled",
        )

    waiting, lost = activity(early), activity(never)
    await tenant.publish(waiting, lost)
    await scenario.person(early, "Platform Engineer")  # arrives within the 3 s allowed

    letter = await dead_letter_of(tenant, tenant.codec.encode(lost), never.encode())
    assert letter.error_kind == "unknown_person"
    await scenario.wait_for(
        lambda out: any(getattr(r, "cause", None) == waiting.event_id for r in out)
    )
    assert not [
        r
        for r in tenant.outputs
        if isinstance(r, DeadLetter) and r.original_value == tenant.codec.encode(waiting)
    ]
