"""A group rescored from its moved members alone, or by comparing every member, gives what the
full recomputation from every member (``group_raw_score``, ``explain_group_change``) gives."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.records import Source
from state.catalogue.templates import RolesTemplate
from state.membership.evaluation import with_group
from state.model.account import AccountState, PersonState, new_account_state
from state.model.group import BuyingGroup, Member
from state.model.outcome import Context
from state.scoring import group_scores
from state.scoring.group_moves import members_moved
from state.scoring.group_raw import role_totals, with_member_moved
from state.scoring.group_scores import Trigger, group_role_totals, rescore
from state.scoring.person import raw_total
from state.scoring.person_scores import with_person
from tests.oracles.scores import GroupRaw, MemberScore, explain_group_change, group_raw_score
from tests.unit.catalogue_builders import T0
from tests.unit.group_histories import CATALOGUE, Op, changes_of, histories, run

TEMPLATE = CATALOGUE.templates["t-1"]
ROLES = (*(card.role for card in TEMPLATE.cards), "Role no longer in the template")
PEOPLE = tuple(f"p{number}" for number in range(8))
TYPES = ("page_viewed", "email_opened", "form_filled")

points = st.one_of(
    st.integers(0, 20 * 100 * 30).map(lambda hundredths: hundredths / 100),
    st.floats(min_value=0, max_value=1e6),
)
by_types = st.dictionaries(st.sampled_from(TYPES), points, max_size=3)
groups = st.dictionaries(
    st.sampled_from(PEOPLE), st.tuples(st.sampled_from(ROLES), by_types), min_size=1
)
moves = st.lists(st.tuples(st.integers(0, len(PEOPLE) - 1), by_types), max_size=25)


def group_raw(group: BuyingGroup, state: AccountState, template: RolesTemplate) -> GroupRaw:
    """The group raw score recomputed from every member (the engine's first algorithm)."""
    weighting = template.role_weighting
    members = [
        MemberScore(person_id=person_id, role=member.role, by_type=state.people[person_id].by_type)
        for person_id, member in sorted(group.members.items())
        if member.role in weighting and person_id in state.people
    ]
    return group_raw_score(members, weighting)


def _person(person_id: str, by_type: Mapping[str, float]) -> PersonState:
    frozen = MappingProxyType(dict(sorted(by_type.items())))
    return PersonState(person_id=person_id, by_type=frozen, raw=raw_total(frozen))


def _scored(members: dict[str, tuple[str, dict[str, float]]]) -> tuple[AccountState, BuyingGroup]:
    """An account whose people are the members, and their group, scored in full."""
    state = new_account_state("acc-1")
    for person_id, (_, by_type) in members.items():
        state = with_person(state, _person(person_id, by_type))
    group = BuyingGroup(
        group_id="g-1",
        account_id="acc-1",
        solution_interest_id="si-1",
        name="G",
        version=1,
        template_id=TEMPLATE.template_id,
        stage_model_id=None,
        creation_job_id=None,
        created_at=T0,
        updated_at=T0,
        members=MappingProxyType(
            {
                person_id: Member(person_id=person_id, role=role, source=Source.SYSTEM, since=T0)
                for person_id, (role, _) in members.items()
            }
        ),
    )
    group = replace(
        group,
        role_totals=group_role_totals(group, state),
        engagement_raw=group_raw(group, state, TEMPLATE).total,
    )
    return with_group(state, group), group


@settings(max_examples=200, deadline=None)
@given(members=groups, changes=moves)
def test_moving_members_one_at_a_time_matches_the_full_recomputation(
    members: dict[str, tuple[str, dict[str, float]]], changes: list[tuple[int, dict[str, float]]]
) -> None:
    before, group = _scored(members)
    ids = sorted(members)
    for index, by_type in changes:
        person_id = ids[index % len(ids)]
        after = with_person(before, _person(person_id, by_type))
        quick = members_moved(before, after, group, TEMPLATE, {person_id})
        assert quick is not None
        full_before, full_after = (
            group_raw(group, before, TEMPLATE),
            group_raw(group, after, TEMPLATE),
        )
        assert quick.raw == full_after.total
        assert quick.totals == group_role_totals(group, after)
        explained = quick.explained()
        assert explained == explain_group_change(full_before, full_after)
        moved = math.fsum(part.change for part in explained)
        assert moved == pytest.approx(full_after.total - full_before.total, abs=1e-9)
        group = replace(group, role_totals=quick.totals, engagement_raw=quick.raw)
        before = with_group(after, group)


@settings(max_examples=100, deadline=None)
@given(members=groups, first=by_types, second=by_types)
def test_several_members_moving_in_one_input_match_the_full_recomputation(
    members: dict[str, tuple[str, dict[str, float]]],
    first: dict[str, float],
    second: dict[str, float],
) -> None:
    before, group = _scored(members)
    moved = sorted(members)[:2]
    after = before
    for person_id, by_type in zip(moved, (first, second), strict=False):
        after = with_person(after, _person(person_id, by_type))
    quick = members_moved(before, after, group, TEMPLATE, {*moved, "not-a-member"})
    assert quick is not None
    assert quick.raw == group_raw(group, after, TEMPLATE).total
    full = explain_group_change(
        group_raw(group, before, TEMPLATE), group_raw(group, after, TEMPLATE)
    )
    assert quick.explained() == full


@settings(max_examples=200, deadline=None)
@given(members=groups, later=groups, totalled=st.booleans())
def test_comparing_every_member_explains_what_the_full_recomputation_explains(
    members: dict[str, tuple[str, dict[str, float]]],
    later: dict[str, tuple[str, dict[str, float]]],
    totalled: bool,
) -> None:
    """Members join, leave, change role and points at once (as on a tick or a config change)."""
    before, group = _scored(members)
    if not totalled:
        group = replace(group, role_totals=None)
        before = with_group(before, group)
    after_state, after_group = _scored(later)
    after_group = replace(after_group, version=group.version + 1, role_totals=None)
    after = with_group(after_state, after_group)
    context = Context(catalogue=CATALOGUE, cause="c-1", now=T0)
    rescored, records = rescore(before, after, after_group, Trigger.MEMBERSHIP, context)
    full_before = group_raw(group, before, TEMPLATE)
    full_after = group_raw(after_group, after, TEMPLATE)
    assert rescored.engagement_raw == full_after.total
    assert rescored.role_totals == group_role_totals(after_group, after)
    if records:
        (changed,) = records
        expected = explain_group_change(full_before, full_after)
        assert [(p.role, p.person_id, p.activity_type) for p in changed.contributions] == [
            (p.role, p.person_id, p.activity_type) for p in expected
        ]
        assert [(p.weight, p.raw_before, p.raw_after) for p in changed.contributions] == [
            (p.share_after, p.raw_before, p.raw_after) for p in expected
        ]


def test_a_group_is_rescored_in_full_when_its_totals_cannot_be_trusted() -> None:
    members = {"p0": ("Champion", {"page_viewed": 1.0}), "p1": ("Champion", {})}
    before, group = _scored(members)
    after = with_person(before, _person("p0", {"page_viewed": 2.0}))
    assert members_moved(before, after, group, TEMPLATE, {"p0"}) is not None
    assert members_moved(before, after, group, None, {"p0"}) is None
    untotalled = replace(group, role_totals=None)
    assert (
        members_moved(with_group(before, untotalled), after, untotalled, TEMPLATE, {"p0"}) is None
    )
    stale = replace(group, engagement_raw=group.engagement_raw + 1)
    assert members_moved(with_group(before, stale), after, stale, TEMPLATE, {"p0"}) is None
    regrouped = replace(group, version=2)
    assert members_moved(before, after, regrouped, TEMPLATE, {"p0"}) is None


@given(raws=st.lists(st.tuples(st.sampled_from(ROLES), points), max_size=40))
def test_role_totals_round_like_fsum(raws: list[tuple[str, float]]) -> None:
    for total in role_totals(raws):
        values = [raw for role, raw in raws if role == total.role]
        assert total.members == len(values)
        assert total.raw == math.fsum(values)


@given(
    raws=st.lists(points, min_size=1, max_size=20),
    changes=st.lists(st.tuples(st.integers(0, 19), points), max_size=60),
)
def test_role_totals_never_drift_over_many_moves(
    raws: list[float], changes: list[tuple[int, float]]
) -> None:
    totals = role_totals(("r", raw) for raw in raws)
    for index, raw in changes:
        position = index % len(raws)
        moved = with_member_moved(totals, "r", raws[position], raw)
        assert moved is not None
        totals, raws[position] = moved, raw
    assert totals == role_totals(("r", raw) for raw in raws)
    assert totals[0].raw == math.fsum(raws)
    assert with_member_moved(totals, "nobody holds this role", 1.0, 2.0) is None


@settings(max_examples=60, deadline=None)
@given(histories)
def test_any_history_gives_the_same_records_and_state_as_full_rescoring(ops: list[Op]) -> None:
    inputs = changes_of(ops)
    final, records = run(inputs)
    with mock.patch.object(group_scores, "members_moved", return_value=None):
        in_full, records_in_full = run(inputs)
    assert records == records_in_full
    assert final == in_full
