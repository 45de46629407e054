"""The sample tenant generator: deterministic, realistic in shape, and every record is valid."""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from events.codec import Codec
from events.decoding import Decoded
from events.errors import BadInput
from events.records import AccountEvent, ActivityEvent, PersonEvent
from state.conditions.attributes import person_lookup
from state.membership.assignment import desired_role
from state.scoring.engagement import DEFAULT_WEIGHTS
from streams.config_file.apply import read_config_file
from streams.config_file.document import FileErrors
from streams.config_file.plan import config_plan, current_config
from streams.demo.generate import Pacer
from streams.demo.tenant import (
    SampleActivity,
    TenantSpec,
    activity_slots,
    contract_key,
    people_counts,
    roster,
    sample_accounts,
    sample_activities,
    sample_people,
)
from streams.demo.tenant_data import JOB_TITLES

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 5, 10, 12, 30, 15, 123456, tzinfo=UTC)
SPEC = TenantSpec(now=NOW, seed=7, accounts=120, activities=20_000)
CODEC = Codec()


@pytest.fixture(scope="module")
def activities() -> list[SampleActivity]:
    return list(sample_activities(SPEC))


def test_the_same_seed_gives_the_same_tenant_and_another_seed_another() -> None:
    def tenant(spec: TenantSpec) -> tuple[object, ...]:
        first_activities = itertools.islice(sample_activities(spec), 3000)
        return (*sample_accounts(spec), *sample_people(spec), *first_activities)

    assert tenant(SPEC) == tenant(TenantSpec(now=NOW, seed=7, accounts=120, activities=20_000))
    other = tenant(TenantSpec(now=NOW, seed=8, accounts=120, activities=20_000))
    assert other != tenant(SPEC)


DIGEST = """
import hashlib
from datetime import UTC, datetime
from events.codec import Codec
from streams.demo.tenant import TenantSpec, sample_accounts, sample_activities, sample_people
spec = TenantSpec(now=datetime(2024, 5, 10, tzinfo=UTC), seed=5, accounts=8, activities=500)
records = [*sample_accounts(spec), *sample_people(spec)]
records += [activity.record for activity in sample_activities(spec)]
print(hashlib.sha256(b"".join(Codec().encode(record) for record in records)).hexdigest())
"""


def test_the_same_seed_gives_the_same_bytes_in_another_process() -> None:
    def digest(hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        command = [sys.executable, "-c", DIGEST]
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        return run.stdout.strip()

    assert digest("1") == digest("2")
    assert len(digest("3")) == 64


def test_a_larger_tenant_starts_with_the_smaller_one() -> None:
    small, large = TenantSpec(now=NOW, accounts=40), TenantSpec(now=NOW, accounts=400)
    assert people_counts(large)[:40] == people_counts(small)
    assert list(sample_accounts(large))[:40] == list(sample_accounts(small))


def test_people_per_account_are_long_tailed() -> None:
    counts = people_counts(TenantSpec(now=NOW, accounts=5000))
    over_100 = sum(count > 100 for count in counts) / len(counts)
    typical = sum(5 <= count <= 30 for count in counts) / len(counts)
    assert 0 < over_100 < 0.03
    assert typical > 0.55
    assert 8 <= statistics.median(counts) <= 16
    assert max(counts) >= 200


def test_accounts_have_firmographics_and_parents_that_come_first() -> None:
    accounts = list(sample_accounts(TenantSpec(now=NOW, accounts=1000)))
    assert len({account.account_id for account in accounts}) == 1000
    position = {account.account_id: index for index, account in enumerate(accounts)}
    children = [account for account in accounts if account.parent_account_id is not None]
    assert 0.03 < len(children) / len(accounts) < 0.15
    assert all(
        position[child.parent_account_id or ""] < position[child.account_id] for child in children
    )
    assert len({account.industry for account in accounts}) >= 10
    assert {account.region for account in accounts} == {"NA", "EMEA", "APAC", "LATAM"}
    employees = [account.employee_count or 0 for account in accounts]
    assert min(employees) >= 5
    assert max(employees) > 20 * statistics.median(employees)
    assert all((account.annual_revenue or 0) > 0 for account in accounts)


def test_people_belong_to_their_accounts_with_synthetic_contact_details() -> None:
    people = list(sample_people(SPEC))
    accounts = {account.account_id: account for account in sample_accounts(SPEC)}
    assert len(people) == sum(people_counts(SPEC))
    assert [(p.person_id, p.account_id) for p in people] == roster(SPEC)
    assert len({person.person_id for person in people}) == len(people)
    same_country = sum(p.country == accounts[p.account_id or ""].country for p in people)
    assert same_country / len(people) > 0.8
    assert all((p.email or "").endswith(".example") for p in people)
    assert 0 < sum(p.job_title is None for p in people) / len(people) < 0.1
    assert 0 < sum(bool(p.email_invalid) for p in people) / len(people) < 0.05


def test_job_titles_cover_the_b2b_functions_with_realistic_weights() -> None:
    departments = {title.department for title in JOB_TITLES}
    assert {
        "Executive",
        "Engineering",
        "Security",
        "IT",
        "Legal",
        "Procurement",
        "Sales",
    } <= departments
    seniorities = Counter[str]()
    for title in JOB_TITLES:
        seniorities[title.seniority] += round(title.weight)
    total = sum(seniorities.values())
    assert seniorities["C-level"] / total < 0.06
    assert seniorities["Engineer"] + seniorities["Manager"] > seniorities["C-level"] * 5


def test_the_sample_templates_match_a_realistic_share_of_the_people() -> None:
    records = read_config_file(ROOT / "examples" / "tenant.yaml", now=NOW)
    assert not isinstance(records, FileErrors)
    plan = config_plan(current_config([]), records, [])
    catalogue = current_config(step.publish for step in plan if step.publish).catalogue
    people = list(sample_people(TenantSpec(now=NOW, accounts=250)))
    for template_id in ("security", "devtools"):
        template = catalogue.templates[template_id]
        cold = Counter(desired_role(template, person_lookup(p, 0.0)) for p in people)
        hot = Counter(desired_role(template, person_lookup(p, 90.0)) for p in people)
        share = 1 - cold[None] / len(people)
        assert 0.1 < share < 0.7, (template_id, share)
        assert 0.002 < cold["Decision Maker"] / len(people) < 0.08, (template_id, cold)
        auto = {card.role for card in template.cards if card.auto_assign}
        assert auto <= set(cold) | set(hot), (template_id, auto - set(hot))
        assert cold["Champion"] == 0
        assert hot["Champion"] > 0


def test_activities_are_in_time_order_with_a_few_late_and_a_few_re_sent(
    activities: list[SampleActivity],
) -> None:
    assert len(activities) == SPEC.activities
    duplicates = [a for a in activities if a.duplicate]
    late = [a for a in activities if a.late]
    assert 0.005 < len(duplicates) / len(activities) < 0.02
    assert 0.01 < len(late) / len(activities) < 0.03
    first_sent: dict[str, ActivityEvent] = {}
    for activity in activities:
        record = activity.record
        if activity.duplicate:  # the same activity again, under a new event id
            original = first_sent[record.activity_id]
            assert record == replace(original, event_id=record.event_id)
            assert record.event_id != original.event_id
        else:
            assert record.activity_id not in first_sent
            first_sent[record.activity_id] = record
    on_time = [a.record.occurred_at for a in activities if not a.late and not a.duplicate]
    assert on_time == sorted(on_time)
    start = NOW - timedelta(days=SPEC.days)
    assert all(start <= moment <= NOW for moment in on_time)
    assert all(a.record.occurred_at <= NOW for a in activities)


def test_a_late_activity_is_at_least_an_hour_behind_the_next_one_on_time(
    activities: list[SampleActivity],
) -> None:
    next_on_time, behind = NOW, []
    for activity in reversed(activities):
        if activity.late:
            behind.append(next_on_time - activity.record.occurred_at)
        elif not activity.duplicate:
            next_on_time = activity.record.occurred_at
    assert behind
    assert min(behind) >= timedelta(hours=1)
    assert max(behind) <= timedelta(hours=73)
    assert max(behind) > timedelta(days=1)


def test_activities_come_in_daily_bursts_of_every_type(activities: list[SampleActivity]) -> None:
    slots = activity_slots(SPEC)
    assert sum(count for _, count in slots) == SPEC.activities
    by_hour, by_day = Counter[int](), Counter[int]()
    for start, count in slots:
        by_hour[start.hour] += count
        by_day[start.weekday()] += count
    assert by_hour[10] > 4 * by_hour[3]
    assert by_day[1] > 3 * by_day[6]
    types = Counter(a.record.activity_type for a in activities)
    assert set(DEFAULT_WEIGHTS) | {"webinar_watched"} == set(types)
    assert types.most_common(1)[0][0] == "page_viewed"


def test_a_few_people_do_most_of_the_activity(activities: list[SampleActivity]) -> None:
    per_person = Counter(a.record.person_id for a in activities)
    accounts = dict(roster(SPEC))
    top = sum(count for _, count in per_person.most_common(len(accounts) // 10))
    assert top / SPEC.activities > 0.3
    assert all(accounts[a.record.person_id] == a.record.account_id for a in activities)


def test_every_record_survives_the_codec_and_carries_its_contract_key() -> None:
    spec = TenantSpec(now=NOW, seed=3, accounts=15, activities=2000)
    records: list[AccountEvent | PersonEvent | ActivityEvent] = [
        *sample_accounts(spec),
        *sample_people(spec),
        *(activity.record for activity in sample_activities(spec)),
    ]
    for record in records:
        decoded = CODEC.decode(CODEC.encode(record))
        assert isinstance(decoded, Decoded)
        assert decoded.record == record
    keys = {type(record).__name__: contract_key(record) for record in records}
    assert keys["AccountEvent"].startswith("acc-3-")
    assert keys["PersonEvent"].startswith("per-3-")
    assert keys["ActivityEvent"].startswith("per-3-")


def test_an_empty_tenant_has_nothing() -> None:
    spec = TenantSpec(now=NOW, accounts=0, activities=100)
    assert list(sample_accounts(spec)) == []
    assert list(sample_people(spec)) == []
    assert list(sample_activities(spec)) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"now": datetime(2024, 5, 10)}, "now"),  # noqa: DTZ001 - the naive time is the point
        ({"accounts": -1}, "accounts"),
        ({"days": 0}, "days"),
        ({"duplicate_fraction": 1.0}, "duplicate_fraction"),
        ({"people_median": 0.5}, "people_median"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"now": NOW, **changes}
    with pytest.raises(BadInput, match=f"tenant {field}"):
        TenantSpec(**arguments)  # type: ignore[arg-type]


def test_the_pacer_spaces_sends_by_the_rate() -> None:
    now = [100.0]
    pacer = Pacer(4.0, clock=lambda: now[0])
    assert pacer.delay() == 0.0
    assert pacer.delay() == pytest.approx(0.25)
    now[0] = 101.0  # the third send was due at 100.5: no wait, and the fourth is due at 100.75
    assert pacer.delay() == 0.0
    assert pacer.delay() == 0.0
    assert pacer.delay() == pytest.approx(0.0)  # the fifth is due at 101.0
    assert pacer.delay() == pytest.approx(0.25)
    unlimited = Pacer(0.0, clock=lambda: now[0])
    assert [unlimited.delay() for _ in range(3)] == [0.0, 0.0, 0.0]
