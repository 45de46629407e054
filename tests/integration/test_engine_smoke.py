"""The engine end to end, through its topics only: a group forms and a member joins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from events.records import (
    AccountEvent,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
)
from tests.integration.engine_harness import Tenant

pytestmark = pytest.mark.integration


def _id() -> str:
    return uuid.uuid4().hex[:10]


async def test_group_created_and_decision_maker_joins(tenant: Tenant) -> None:
    now = datetime.now(UTC)
    account = f"acc-{_id()}"
    await tenant.publish(
        AccountEvent(event_id=_id(), occurred_at=now, account_id=account, name="Initech"),
        AudienceMembershipEvent(
            event_id=_id(), occurred_at=now, audience_id="aud-1", account_id=account, member=True
        ),
        PersonEvent(
            event_id=_id(),
            occurred_at=now,
            person_id=f"p-{_id()}",
            account_id=account,
            job_title="VP Security",
            country="US",
        ),
    )

    def named(out: list[Any]) -> list[BuyingGroupSnapshot]:
        return [
            r
            for r in out
            if isinstance(r, BuyingGroupSnapshot)
            and r.account_id == account
            and r.name == "Security for Initech"
        ]

    # The account and audience records travel on different topics, in no set order: the group
    # may be created before the account's name is known, and then takes it.
    outputs = await tenant.wait_for(
        lambda out: (
            any(isinstance(r, MembershipChanged) and r.account_id == account for r in out)
            and bool(named(out))
        )
    )
    created = [r for r in outputs if isinstance(r, GroupLifecycle) and r.account_id == account]
    joined = [r for r in outputs if isinstance(r, MembershipChanged) and r.account_id == account]
    assert len(created) == 1, created
    latest = max(
        (r for r in outputs if isinstance(r, BuyingGroupSnapshot) and r.account_id == account),
        key=lambda r: r.version,
    )
    assert latest.name == "Security for Initech"
    assert joined[0].new_role == "Decision Maker"
    assert joined[0].reason == "rule_match"
