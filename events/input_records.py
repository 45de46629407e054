"""The input records: what upstream systems, journeys and people tell the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from events.enums import MembershipAction, Source


def _no_strings() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonEvent:
    event_id: str
    occurred_at: datetime
    person_id: str
    account_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    email_invalid: bool | None = None
    email_suspended: bool | None = None
    attributes: Mapping[str, str] = field(default_factory=_no_strings)
    deleted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountEvent:
    event_id: str
    occurred_at: datetime
    account_id: str
    name: str | None = None
    industry: str | None = None
    region: str | None = None
    country: str | None = None
    annual_revenue: float | None = None
    employee_count: int | None = None
    parent_account_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=_no_strings)
    deleted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityEvent:
    event_id: str
    occurred_at: datetime
    activity_id: str
    person_id: str
    account_id: str | None = None
    activity_type: str
    attributes: Mapping[str, str] = field(default_factory=_no_strings)


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceMembershipEvent:
    event_id: str
    occurred_at: datetime
    audience_id: str
    account_id: str
    member: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MembershipCommand:
    event_id: str
    occurred_at: datetime
    command_id: str
    source: Source
    actor: str
    action: MembershipAction
    account_id: str
    solution_interest_id: str
    person_id: str
    role: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StageCommand:
    event_id: str
    occurred_at: datetime
    command_id: str
    source: Source
    actor: str
    account_id: str
    solution_interest_id: str
    stage: str | None = None
    status: str | None = None
