"""Creation jobs, audiences, group creation and deletion, auto-assignment, versions."""

from __future__ import annotations

from datetime import timedelta

from events.records import (
    BuyingGroupSnapshot,
    ConfigKind,
    GroupLifecycle,
    LifecycleChange,
    MembershipChange,
    MembershipChanged,
    OutputRecord,
    ScoreChanged,
    Source,
    StageChanged,
)
from state.catalogue.changes import ConfigTombstone
from state.model.changes import AccountChanged, AccountDeleted, PersonChanged
from tests.unit.catalogue_builders import (
    ACCOUNT,
    DM,
    DM_RULE,
    INFLUENCER,
    INFLUENCER_RULE,
    INTEREST,
    PRACTITIONER,
    T0,
    audience_record,
    card,
    catalogue_of,
    interest_record,
    job_record,
    leaf,
    standard_catalogue,
    template_record,
)
from tests.unit.group_builders import (
    Tenant,
    account,
    config_changed,
    joined,
    memberships,
    person,
    snapshots,
    started,
)


def lifecycles(records: list[OutputRecord] | tuple[OutputRecord, ...]) -> list[GroupLifecycle]:
    return [record for record in records if isinstance(record, GroupLifecycle)]


GROUP_CHANGES = (MembershipChanged, ScoreChanged, GroupLifecycle, StageChanged)


def versions_by_group(records: list[OutputRecord]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for record in records:
        if isinstance(record, GROUP_CHANGES):
            found.setdefault(record.group_id, []).append(record.version)
    return found


def test_joining_the_audience_creates_the_group_and_fills_it_by_auto_assignment() -> None:
    t = started(
        standard_catalogue(),
        person("vp", job_title="VP Sales"),
        person("mgr", job_title="Product Manager"),
        person("eng", job_title="Software Engineer"),
        person("nobody", job_title="Clerk"),
    )
    (created,) = lifecycles(t.records)
    assert (created.change, created.name, created.creation_job_id, created.version) == (
        LifecycleChange.CREATED,
        "Security for Acme",
        "job-1",
        1,
    )
    assert t.roles() == {"vp": DM, "mgr": INFLUENCER, "eng": PRACTITIONER}
    added = memberships(t.records)
    assert {(m.person_id, m.reason, m.source) for m in added} == {
        ("vp", "rule_match", Source.SYSTEM),
        ("mgr", "rule_match", Source.SYSTEM),
        ("eng", "rule_match", Source.SYSTEM),
    }
    assert t.group().completeness == 100.0
    assert snapshots(t.records)[-1].version == t.group().version


def test_the_highest_priority_matching_card_wins() -> None:
    catalogue = standard_catalogue(
        card(INFLUENCER, INFLUENCER_RULE),
        card(DM, DM_RULE),
    )
    t = started(catalogue, person("p", job_title="VP Product Manager"))
    assert t.roles() == {"p": INFLUENCER}


def test_a_profile_change_re_evaluates_the_person_immediately() -> None:
    t = started(standard_catalogue(), person("p", job_title="Engineer"))
    outcome = t.send(PersonChanged(event=person("p", job_title="Engineering Manager")))
    (changed,) = memberships(outcome.records)
    assert (changed.change, changed.previous_role, changed.new_role, changed.reason) == (
        MembershipChange.ROLE_CHANGED,
        PRACTITIONER,
        INFLUENCER,
        "rule_match",
    )
    outcome = t.send(PersonChanged(event=person("p", job_title="Clerk")))
    (removed,) = memberships(outcome.records)
    assert (removed.change, removed.reason) == (MembershipChange.REMOVED, "rule_no_longer_matches")


def test_a_profile_older_than_the_one_applied_is_ignored() -> None:
    later = T0.replace(hour=13)
    t = started(standard_catalogue(), person("p", job_title="Engineer", at=later))
    outcome = t.send(PersonChanged(event=person("p", job_title="VP", at=T0)))
    assert outcome.records == ()
    assert t.roles() == {"p": PRACTITIONER}


def test_cards_without_auto_assign_are_never_filled_by_the_system() -> None:
    catalogue = standard_catalogue(card(DM, DM_RULE, auto_assign=False), card(INFLUENCER))
    t = started(catalogue, person("vp", job_title="VP"))
    assert t.roles() == {}


def test_accounts_joining_later_get_their_group_and_leaving_keeps_it() -> None:
    t = Tenant(standard_catalogue())
    t.send(AccountChanged(event=account()))
    t.send(PersonChanged(event=person("vp", job_title="VP")))
    assert t.state.groups == {}
    t.send(joined())
    assert t.roles() == {"vp": DM}
    outcome = t.send(joined(member=False))
    assert outcome.records == ()
    assert INTEREST in t.state.groups


def test_rule_audiences_follow_account_attributes() -> None:
    retail = leaf("industry", "is", "retail")
    catalogue = standard_catalogue(
        extra=[audience_record("retail", retail), job_record("job-r", INTEREST, "retail")]
    )
    t = Tenant(catalogue)
    t.send(AccountChanged(event=account(industry="Banking")))
    assert t.state.groups == {}
    t.send(AccountChanged(event=account(industry=" Retail ", at=T0.replace(hour=13))))
    assert lifecycles(t.records)[0].creation_job_id == "job-r"


def test_a_new_creation_job_creates_groups_for_accounts_already_in_the_audience() -> None:
    catalogue = catalogue_of([template_record("t-1", card(DM, DM_RULE)), audience_record("aud-1")])
    t = Tenant(catalogue)
    t.send(AccountChanged(event=account()))
    t.send(PersonChanged(event=person("vp", job_title="VP")))
    t.send(joined())
    assert t.state.groups == {}
    t.catalogue = catalogue_of(
        [interest_record(INTEREST, "t-1"), job_record("job-1", INTEREST, "aud-1")], catalogue
    )
    t.send(config_changed(ConfigKind.CREATION_JOB, "job-1"))
    assert t.roles() == {"vp": DM}


def test_a_deleted_job_creates_nothing_more_and_its_groups_stay() -> None:
    catalogue = standard_catalogue()
    t = started(catalogue, person("vp", job_title="VP"))
    tomb = ConfigTombstone(event_id="x", occurred_at=T0, kind=ConfigKind.CREATION_JOB, id="job-1")
    t.catalogue = catalogue_of([tomb], catalogue)
    t.send(config_changed(ConfigKind.CREATION_JOB, "job-1"))
    assert INTEREST in t.state.groups
    other = Tenant(t.catalogue, account_id="acc-2")
    other.send(AccountChanged(event=account("acc-2")))
    other.send(joined(account_id="acc-2"))
    assert other.state.groups == {}


def test_deleting_the_account_deletes_its_groups_and_a_new_group_continues_the_versions() -> None:
    t = started(standard_catalogue(), person("vp", job_title="VP"))
    last = t.group().version
    outcome = t.send(AccountDeleted(event=account(at=T0.replace(hour=13))))
    removed = memberships(outcome.records)
    assert [(m.person_id, m.reason) for m in removed] == [("vp", "group_deleted")]
    (deleted,) = lifecycles(outcome.records)
    assert deleted.change is LifecycleChange.DELETED
    final = snapshots(outcome.records)[-1]
    assert final.deleted
    assert final.members == ()
    assert final.version == deleted.version > last
    assert t.state.groups == {}
    t.send(joined())
    assert t.state.groups == {}  # a deleted account gets no group
    t.send(AccountChanged(event=account(at=T0.replace(hour=14))))
    (_, created) = lifecycles(t.records)[-2:]
    assert created.change is LifecycleChange.CREATED
    assert created.version == deleted.version + 1


def test_versions_strictly_increase_per_group_and_snapshots_carry_the_latest() -> None:
    t = started(
        standard_catalogue(),
        person("vp", job_title="VP"),
        person("mgr", job_title="Manager"),
    )
    t.send(PersonChanged(event=person("mgr", job_title="Clerk")))
    t.send(AccountDeleted(event=account(at=T0.replace(hour=13))))
    for versions in versions_by_group(t.records).values():
        assert versions == sorted(set(versions))
        assert versions == list(range(1, len(versions) + 1))
    latest: dict[str, int] = {}
    for record in t.records:
        if isinstance(record, BuyingGroupSnapshot):
            assert record.version >= latest.get(record.group_id, 0)
            latest[record.group_id] = record.version
        elif isinstance(record, GROUP_CHANGES):
            latest[record.group_id] = record.version


def test_a_score_change_follows_a_membership_change() -> None:
    t = started(standard_catalogue(), person("vp", job_title="VP"))
    kinds = [type(record).__name__ for record in t.records if hasattr(record, "group_id")]
    assert kinds == [
        "GroupLifecycle",
        "MembershipChanged",
        "ScoreChanged",
        "BuyingGroupSnapshot",
    ]
    score = next(record for record in t.records if isinstance(record, ScoreChanged))
    assert (score.completeness_previous, score.trigger) == (0.0, "membership")
    assert score.completeness == 100 / 3


def test_the_group_name_uses_the_account_id_when_no_name_is_known() -> None:
    t = Tenant(standard_catalogue())
    t.send(joined())
    assert t.group().name == f"Security for {ACCOUNT}"


def test_a_group_created_before_the_account_s_name_arrived_takes_the_name() -> None:
    """Account and audience records travel on different topics, in no set order."""
    t = Tenant(standard_catalogue())
    t.send(joined())
    created = t.group()
    outcome = t.send(AccountChanged(event=account(name="Initech")))
    group = t.group()
    assert group.name == "Security for Initech"
    assert group.version == created.version + 1
    [snapshot] = snapshots(outcome.records)
    assert (snapshot.name, snapshot.version) == ("Security for Initech", group.version)
    assert lifecycles(outcome.records) == []


def test_renaming_the_account_renames_its_groups_and_the_same_name_changes_nothing() -> None:
    t = Tenant(standard_catalogue())
    t.send(AccountChanged(event=account(name="Acme")))
    t.send(joined())
    assert t.group().name == "Security for Acme"
    t.send(AccountChanged(event=account(name="Acme Corp", at=T0 + timedelta(hours=1))))
    assert t.group().name == "Security for Acme Corp"
    version = t.group().version
    outcome = t.send(AccountChanged(event=account(name="Acme Corp", at=T0 + timedelta(hours=2))))
    assert t.group().version == version
    assert snapshots(outcome.records) == []


def test_a_deleted_solution_interest_takes_its_groups_with_it() -> None:
    catalogue = standard_catalogue()
    t = started(catalogue, person("vp", job_title="VP"))
    kinds = (ConfigKind.CREATION_JOB, "job-1"), (ConfigKind.SOLUTION_INTEREST, INTEREST)
    tombs = [ConfigTombstone(event_id="x", occurred_at=T0, kind=k, id=i) for k, i in kinds]
    t.catalogue = catalogue_of(tombs, catalogue)
    outcome = t.send(config_changed(ConfigKind.SOLUTION_INTEREST, INTEREST))
    assert lifecycles(outcome.records)[0].change is LifecycleChange.DELETED
    assert t.state.groups == {}
