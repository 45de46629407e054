"""A sample tenant: accounts, people and activities that look like a B2B marketing database. Pure.

The same `TenantSpec` always gives the same records (ids, event ids and times included): each
part draws from its own random stream derived from the seed, so accounts, people and activities
can be produced separately and lazily. `sample_accounts`, `sample_people` and `sample_activities`
are generators; a benchmark can stream millions of activities without holding them.

- Accounts: industries, regions and countries, employee counts and revenue with a long tail;
  about 8 % are subsidiaries of an earlier account (`parent_account_id`).
- People per account: lognormal around `people_median` (most accounts 5-30, a few hundreds), job
  titles drawn from a weighted list of real B2B titles (messy spellings included), synthetic
  names and `.example` emails; a few have no title or an invalid email.

The tables drawn from (titles, countries, activity kinds, industries, words) are in
streams.demo.tenant_data.
- Activities: `activities` records over the `days` before `now`, in event-time order, busier on
  weekdays and working hours (UTC); about `duplicate_fraction` re-send an earlier activity (same
  `activity_id`, new `event_id`) and about `late_fraction` arrive 1 to 72 hours late.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Generic, TypeVar

from events.errors import BadInput
from events.records import AccountEvent, ActivityEvent, PersonEvent
from streams.demo.tenant_data import (
    ACTIVITY_KINDS,
    BRANDS,
    COUNTRIES,
    FIRST_NAMES,
    HOUR_WEIGHTS,
    INDUSTRIES,
    JOB_TITLES,
    LAST_NAMES,
    TRADES,
    WEEKDAY_WEIGHTS,
)

T = TypeVar("T")
MAX_PEOPLE = 2000
SUBSIDIARY_SHARE = 0.08
NO_TITLE_SHARE = 0.04
RECENT_FOR_DUPLICATES = 500


@dataclass(frozen=True, slots=True)
class _Weighted(Generic[T]):
    """Items to draw with their relative weights."""

    items: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> _Weighted[T]:
        weights = itertools.accumulate(weight for _, weight in pairs)
        return cls(tuple(item for item, _ in pairs), tuple(weights))

    def pick(self, rng: random.Random) -> T:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.items[min(index, len(self.items) - 1)]


_TITLE_DRAW = _Weighted.of([(title, title.weight) for title in JOB_TITLES])
_COUNTRY_DRAW = _Weighted.of([(country, country.weight) for country in COUNTRIES])
_ACTIVITY_DRAW = _Weighted.of([(kind, kind.weight) for kind in ACTIVITY_KINDS])
_INDUSTRY_DRAW = _Weighted.of(INDUSTRIES)
_COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}


@dataclass(frozen=True, slots=True, kw_only=True)
class TenantSpec:
    """What to generate. `now` (UTC-aware) ends the activity period; sizes are parameters."""

    now: datetime
    seed: int = 1
    accounts: int = 100
    activities: int = 10_000
    days: int = 14
    people_median: float = 12.0
    duplicate_fraction: float = 0.01
    late_fraction: float = 0.02

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise BadInput(f"tenant now: needs a time zone, got {self.now.isoformat()}")
        for name in ("accounts", "activities", "days"):
            if getattr(self, name) < (1 if name == "days" else 0):
                raise BadInput(f"tenant {name}: too small, got {getattr(self, name)!r}")
        if not self.people_median >= 1:
            raise BadInput(f"tenant people_median: at least 1, got {self.people_median!r}")
        for name in ("duplicate_fraction", "late_fraction"):
            if not 0 <= getattr(self, name) < 1:
                raise BadInput(f"tenant {name}: must be 0 <= f < 1, got {getattr(self, name)!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SampleActivity:
    """One generated activity, and whether it re-sends an earlier one or arrives late."""

    record: ActivityEvent
    duplicate: bool = False
    late: bool = False


def contract_key(record: AccountEvent | PersonEvent | ActivityEvent) -> str:
    """The Kafka key the contract gives a record: account_id for accounts, else person_id."""
    return record.account_id if isinstance(record, AccountEvent) else record.person_id


def account_id(spec: TenantSpec, index: int) -> str:
    return f"acc-{spec.seed}-{index:06d}"


def person_id(spec: TenantSpec, account_index: int, number: int) -> str:
    return f"per-{spec.seed}-{account_index:06d}-{number:04d}"


def _random(spec: TenantSpec, stream: str, index: int = 0) -> random.Random:
    return random.Random(f"{spec.seed}/{stream}/{index}")  # noqa: S311 - sample data, not secrets


def _event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _whole_ms(moment: datetime) -> datetime:
    """`moment` to the millisecond, as it travels on the wire."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _profiles_at(spec: TenantSpec) -> datetime:
    return _whole_ms(spec.now) - timedelta(days=spec.days, hours=1)


def people_counts(spec: TenantSpec) -> tuple[int, ...]:
    """How many people each account has (lognormal; the first k counts do not depend on the
    number of accounts)."""
    rng, mu = _random(spec, "sizes"), math.log(spec.people_median)
    return tuple(
        max(1, min(MAX_PEOPLE, round(rng.lognormvariate(mu, 0.95)))) for _ in range(spec.accounts)
    )


def _company_name(spec: TenantSpec, index: int) -> str:
    rng = _random(spec, "name", index)
    words = [rng.choice(BRANDS), rng.choice(TRADES)]
    if rng.random() < 0.3:
        words.insert(1, rng.choice(BRANDS))
    return " ".join(dict.fromkeys(words))


def sample_account(spec: TenantSpec, index: int) -> AccountEvent:
    """Account number `index` of the tenant (0-based)."""
    rng = _random(spec, "account", index)
    parent = rng.randrange(index) if index and rng.random() < SUBSIDIARY_SHARE else None
    country = _COUNTRY_DRAW.pick(rng)
    name = _company_name(spec, index if parent is None else parent)
    employees = max(5, min(250_000, round(rng.lognormvariate(math.log(250), 1.4))))
    tier = "Enterprise" if employees >= 2000 else "Mid-Market" if employees >= 200 else "SMB"
    return AccountEvent(
        event_id=_event_id(rng),
        occurred_at=_profiles_at(spec),
        account_id=account_id(spec, index),
        name=name if parent is None else f"{name} ({country.code})",
        industry=_INDUSTRY_DRAW.pick(rng),
        region=country.region,
        country=country.code,
        annual_revenue=float(round(employees * rng.uniform(90_000, 400_000), -3)),
        employee_count=employees,
        parent_account_id=None if parent is None else account_id(spec, parent),
        attributes=MappingProxyType({"tier": tier}),
    )


def sample_accounts(spec: TenantSpec) -> Iterator[AccountEvent]:
    """Every account, parents before their subsidiaries."""
    for index in range(spec.accounts):
        yield sample_account(spec, index)


def sample_people(spec: TenantSpec) -> Iterator[PersonEvent]:
    """Every person, account by account."""
    for index, count in enumerate(people_counts(spec)):
        account, rng = sample_account(spec, index), _random(spec, "people", index)
        domain = re.sub(r"[^a-z0-9]+", "-", (account.name or "").lower()).strip("-") + ".example"
        for number in range(count):
            yield _person(spec, account, person_id(spec, index, number), domain, rng)


def _person(
    spec: TenantSpec, account: AccountEvent, key: str, domain: str, rng: random.Random
) -> PersonEvent:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    title = None if rng.random() < NO_TITLE_SHARE else _TITLE_DRAW.pick(rng)
    home = _COUNTRY_BY_CODE[account.country or "US"]
    country = home if rng.random() < 0.9 else _COUNTRY_DRAW.pick(rng)
    city, _, state = rng.choice(country.cities).partition("/")
    attributes = {"lead_source": rng.choice(("Website", "Webinar", "Trade show", "Partner"))}
    if title is not None:
        attributes |= {"department": title.department, "seniority": title.seniority}
    return PersonEvent(
        event_id=_event_id(rng),
        occurred_at=_profiles_at(spec) + timedelta(minutes=30),
        person_id=key,
        account_id=account.account_id,
        email=f"{first}.{last}.{key.rsplit('-', 1)[-1]}@{domain}".lower(),
        first_name=first,
        last_name=last,
        job_title=None if title is None else title.title,
        city=city,
        state=state or None,
        country=country.code,
        postal_code=f"{rng.randrange(10_000, 99_999)}",
        phone=f"+1-555-01{rng.randrange(100):02d}" if rng.random() < 0.6 else None,
        email_invalid=rng.random() < 0.02,
        email_suspended=rng.random() < 0.01,
        attributes=MappingProxyType(attributes),
    )


def roster(spec: TenantSpec) -> list[tuple[str, str]]:
    """(person_id, account_id) of every person, in the order of `sample_people`."""
    return [
        (person_id(spec, index, number), account_id(spec, index))
        for index, count in enumerate(people_counts(spec))
        for number in range(count)
    ]


def activity_slots(spec: TenantSpec) -> list[tuple[datetime, int]]:
    """Each hour of the period (its start) with how many activities it gets: `spec.activities`
    in all, apportioned by weekday and hour of day."""
    end, hours = _whole_ms(spec.now), spec.days * 24
    starts = [end - timedelta(hours=hours - hour) for hour in range(hours)]
    weights = [WEEKDAY_WEIGHTS[start.weekday()] * HOUR_WEIGHTS[start.hour] for start in starts]
    quotas = [spec.activities * weight / sum(weights) for weight in weights]
    counts = [math.floor(quota) for quota in quotas]
    largest_remainders = sorted(range(hours), key=lambda hour: counts[hour] - quotas[hour])
    for hour in largest_remainders[: spec.activities - sum(counts)]:
        counts[hour] += 1
    return list(zip(starts, counts, strict=True))


def sample_activities(spec: TenantSpec) -> Iterator[SampleActivity]:
    """`spec.activities` activities in event-time order (late ones and re-sends mixed in)."""
    people = roster(spec)
    if not people:
        return
    rng = _random(spec, "activities")
    draw = _Weighted.of([(person, rng.paretovariate(1.3)) for person in people])
    recent: list[ActivityEvent] = []
    numbers = itertools.count()
    for start, count in activity_slots(spec):
        for offset_ms in sorted(rng.randrange(3_600_000) for _ in range(count)):
            if recent and rng.random() < spec.duplicate_fraction:
                again = replace(rng.choice(recent), event_id=_event_id(rng))
                yield SampleActivity(record=again, duplicate=True)
                continue
            late = rng.random() < spec.late_fraction
            delay = timedelta(milliseconds=rng.randrange(3_600_000, 72 * 3_600_000) if late else 0)
            at = start + timedelta(milliseconds=offset_ms) - delay
            record = _activity(spec, rng, next(numbers), draw.pick(rng), at)
            recent = [*recent[-RECENT_FOR_DUPLICATES + 1 :], record]
            yield SampleActivity(record=record, late=late)


def _activity(
    spec: TenantSpec, rng: random.Random, number: int, who: tuple[str, str], at: datetime
) -> ActivityEvent:
    kind = _ACTIVITY_DRAW.pick(rng)
    return ActivityEvent(
        event_id=_event_id(rng),
        occurred_at=at,
        activity_id=f"act-{spec.seed}-{number:09d}",
        person_id=who[0],
        account_id=who[1],
        activity_type=kind.name,
        attributes=MappingProxyType({kind.attribute: rng.choice(kind.values)}),
    )
