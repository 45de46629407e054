"""A sample tenant: accounts, people and activities that look like a B2B marketing database. Pure.

The same `TenantSpec` always gives the same records (ids, event ids and times included): each
part draws from its own random stream derived from the seed, so accounts, people and activities
can be produced separately and lazily. `sample_accounts`, `sample_people` and `sample_activities`
are generators; a benchmark can stream millions of activities without holding them.

- Accounts: industries, regions and countries, employee counts and revenue with a long tail;
  about 8 % are subsidiaries of an earlier account (`parent_account_id`).
- People per account: lognormal around `people_median` (most accounts 5-30, a few hundreds), job
  titles drawn from a weighted list of real B2B titles (`JOB_TITLES`, messy spellings included),
  synthetic names and `.example` emails; a few have no title or an invalid email.
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

T = TypeVar("T")
MAX_PEOPLE = 2000
SUBSIDIARY_SHARE = 0.08
NO_TITLE_SHARE = 0.04
RECENT_FOR_DUPLICATES = 500

# Job titles by seniority and department, each with its relative frequency.
_TITLE_TABLE = """
C-level/Executive: 5 Chief Executive Officer; 2 CEO; 2 Founder & CEO; 3 Chief Operating Officer
C-level/Finance: 3 Chief Financial Officer; 1 CFO
C-level/IT: 3 Chief Information Officer; 1 CIO
C-level/Engineering: 3 Chief Technology Officer; 1 CTO
C-level/Security: 2 Chief Information Security Officer; 1 CISO; 1 Chief Security Officer
C-level/Marketing: 2 Chief Marketing Officer; 1 Chief Revenue Officer; 1 Chief Data Officer
VP/Engineering: 5 VP Engineering; 4 VP of Engineering; 2 Vice President of Engineering
VP/Engineering: 2 SVP Technology; 1 VP, Engineering
VP/Security: 2 VP Information Security; 1 VP Security
VP/IT: 3 VP IT; 2 VP Infrastructure
VP/Sales: 5 VP Sales; 3 Regional VP Sales
VP/Marketing: 5 VP Marketing; 2 VP Demand Generation
VP/Operations: 3 VP Finance; 3 VP Operations; 3 Vice President of Product
Director/Engineering: 8 Director of Engineering; 4 Sr Director Engineering; 2 Director of DevOps
Director/Engineering: 3 Director, Platform Engineering
Director/Security: 4 Director of Information Security; 3 Director, IT Security
Director/Security: 2 Director of Risk Management
Director/IT: 6 IT Director; 4 Director of IT; 2 Director of Infrastructure
Director/Marketing: 6 Director of Marketing; 3 Sr Director, Demand Generation
Director/Sales: 6 Director of Sales; 3 Sales Director
Director/Finance: 4 Director of Finance; 2 Finance Director; 2 Director of Procurement
Director/Product: 3 Director of Product Management; 2 Director of Data Science
Head/Engineering: 3 Head of Engineering; 2 Head of Security; 2 Head of IT
Head/Marketing: 2 Head of Marketing; 1 Head of Procurement
Manager/Engineering: 14 Engineering Manager; 5 Software Development Manager; 3 DevOps Manager
Manager/IT: 12 IT Manager; 4 Infrastructure Manager
Manager/Security: 5 Security Manager; 3 SOC Manager; 3 Information Security Manager
Manager/Marketing: 14 Marketing Manager; 6 Demand Generation Manager
Manager/Marketing: 5 Product Marketing Manager
Manager/Sales: 10 Sales Manager; 12 Account Manager; 6 Customer Success Manager
Manager/Product: 10 Product Manager; 8 Project Manager; 4 Program Manager
Manager/Procurement: 3 Procurement Manager; 2 Purchasing Manager; 1 Sourcing Manager
Manager/Procurement: 1 Vendor Manager
Manager/Operations: 5 Operations Manager; 4 Office Manager; 5 HR Manager
Manager/Legal: 2 Compliance Manager
Engineer/Engineering: 30 Software Engineer; 22 Senior Software Engineer; 6 Staff Engineer
Engineer/Engineering: 3 Principal Engineer; 8 DevOps Engineer; 5 Site Reliability Engineer
Engineer/Engineering: 3 SRE; 8 QA Engineer; 7 Data Engineer; 6 Frontend Developer
Engineer/Engineering: 6 Backend Developer; 6 Full Stack Developer; 3 Sr. Software Engineer
Engineer/Engineering: 2 software engineer; 4 Solutions Architect; 4 Cloud Architect
Engineer/Engineering: 3 Software Architect
Engineer/Security: 6 Security Engineer; 2 Security Architect; 2 Application Security Engineer
Engineer/IT: 6 Network Engineer; 4 Cloud Engineer
Analyst/Security: 5 Security Analyst; 4 SOC Analyst; 2 Risk Analyst
Analyst/Data: 10 Data Analyst; 3 Data Scientist
Analyst/Business: 10 Business Analyst; 6 Financial Analyst; 5 Marketing Analyst; 3 IT Analyst
Legal/Legal: 2 General Counsel; 2 Corporate Counsel; 2 Legal Counsel; 1 Privacy Officer
Legal/Legal: 1 Paralegal
Staff/Procurement: 3 Procurement Specialist; 3 Buyer; 1 Category Manager
Staff/IT: 10 System Administrator; 8 IT Support Specialist; 6 Help Desk Technician
Staff/IT: 4 Database Administrator; 5 IT Specialist
Staff/Sales: 18 Account Executive; 12 Sales Representative; 8 Sales Development Representative
Staff/Marketing: 10 Marketing Specialist; 5 Marketing Coordinator; 4 Content Strategist
Staff/Operations: 4 Recruiter; 3 HR Business Partner; 6 Executive Assistant; 5 Consultant
Staff/Operations: 3 Intern; 4 Customer Support Specialist
"""
# Countries, one a line: code, region and weight, then the cities (a state after a slash).
_COUNTRY_TABLE = """
US NA 50: New York/NY; San Francisco/CA; Austin/TX; Chicago/IL; Seattle/WA; Boston/MA; Denver/CO
CA NA 6: Toronto/ON; Vancouver/BC; Montreal/QC
GB EMEA 8: London; Manchester; Edinburgh
DE EMEA 6: Berlin; Munich; Hamburg; Frankfurt
FR EMEA 4: Paris; Lyon
NL EMEA 2: Amsterdam; Rotterdam
ES EMEA 2: Madrid; Barcelona
IE EMEA 1: Dublin
SE EMEA 1: Stockholm
IN APAC 4: Bangalore; Pune; Hyderabad
JP APAC 3: Tokyo; Osaka
AU APAC 3: Sydney/NSW; Melbourne/VIC
SG APAC 2: Singapore
BR LATAM 3: Sao Paulo; Rio de Janeiro
MX LATAM 2: Mexico City; Monterrey
"""
# Activity types with their relative frequency and one attribute with its values;
# webinar_watched is a custom type (not in the default weighting model).
_ACTIVITY_TABLE = """
page_viewed 34 url: /pricing; /docs/getting-started; /blog/zero-trust-101; /customers; /product
email_opened 20 campaign: Monthly newsletter; Product launch; Webinar invite; Renewal reminder
email_clicked 9 campaign: Monthly newsletter; Product launch; Webinar invite
link_clicked 8 url: /pricing; /docs/integrations; /security/compliance; /trial
form_filled 4 form: Contact sales; Whitepaper download; Free trial; Demo request
event_registered 3 event: Cloud Security Summit; DevOps Days; Quarterly roadmap webinar
event_attended 2 event: Cloud Security Summit; DevOps Days; Quarterly roadmap webinar
interesting_moment 5 moment: Visited pricing three times; Opened the trial setup guide
webinar_watched 5 webinar: Zero trust in practice; Shipping faster with DevFlow
"""
_INDUSTRIES = (
    "Software 18; Technology 12; Financial Services 12; Healthcare 9; Manufacturing 10; Retail 7;"
    " Education 5; Government 4; Telecommunications 4; Energy 3; Media 4; Logistics 4;"
    " Professional Services 8"
)
# Word lists for synthetic names, one list name a line then its words.
_WORD_TABLE = """
first: Ada Alex Amara Ben Carla Chen Dana Diego Elena Emeka Fatima Femi Grace Hana Ivan Jonas Julia
first: Kai Kenji Lars Leila Lucas Maria Mei Nadia Noah Olga Omar Priya Rafael Sara Sofia Tariq
first: Theo Uma Victor Wei Yara Yusuf Zoe
last: Adams Baker Becker Chen Costa Dubois Evans Fischer Garcia Gupta Hansen Ito Jensen Kim Kowalski
last: Larsen Lopez Martin Meyer Moreau Nakamura Nguyen Novak Okafor Olsen Patel Rossi Santos
last: Schmidt Silva Singh Smith Suzuki Tanaka Torres Walker Weber Wilson Yamamoto Zhang
brand: Blue North Bright Iron Silver Cedar Summit Harbor Quantum Vertex Apex Pioneer Atlas Nimbus
brand: Granite Redwood Falcon Orbit Lumen Beacon
trade: Systems Analytics Labs Networks Holdings Group Technologies Capital Health Logistics Media
trade: Energy Solutions Dynamics Software Partners Bank Retail
"""
# Relative activity by UTC hour (0..23) and weekday (Monday first).
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 7, 8, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1)
WEEKDAY_WEIGHTS = (10, 10, 10, 9, 7, 2, 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobTitle:
    title: str
    department: str
    seniority: str
    weight: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Country:
    code: str
    region: str
    weight: float
    cities: tuple[str, ...]  # "City" or "City/State"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityKind:
    name: str
    weight: float
    attribute: str
    values: tuple[str, ...]


def _entries(text: str) -> Iterator[tuple[str, list[str]]]:
    for line in text.strip().splitlines():
        head, _, tail = line.partition(":")
        yield head.strip(), [item.strip() for item in tail.split(";")]


def _titles() -> tuple[JobTitle, ...]:
    found: list[JobTitle] = []
    for head, items in _entries(_TITLE_TABLE):
        seniority, _, department = head.partition("/")
        for item in items:
            weight, _, title = item.partition(" ")
            found.append(
                JobTitle(
                    title=title, department=department, seniority=seniority, weight=float(weight)
                )
            )
    return tuple(found)


JOB_TITLES = _titles()
COUNTRIES = tuple(
    Country(code=code, region=region, weight=float(weight), cities=tuple(cities))
    for (code, region, weight), cities in (
        (head.split(), items) for head, items in _entries(_COUNTRY_TABLE)
    )
)
ACTIVITY_KINDS = tuple(
    ActivityKind(name=name, weight=float(weight), attribute=attribute, values=tuple(values))
    for (name, weight, attribute), values in (
        (head.split(), items) for head, items in _entries(_ACTIVITY_TABLE)
    )
)
INDUSTRIES = tuple(
    (name.strip(), float(weight))
    for name, _, weight in (item.strip().rpartition(" ") for item in _INDUSTRIES.split(";"))
)
_COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}


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


def _words(name: str) -> tuple[str, ...]:
    lines = (line.partition(":") for line in _WORD_TABLE.strip().splitlines())
    return tuple(word for head, _, tail in lines if head == name for word in tail.split())


FIRST_NAMES, LAST_NAMES, BRANDS, TRADES = (_words(n) for n in ("first", "last", "brand", "trade"))


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
