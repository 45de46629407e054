"""The read model's pure parts: what each record becomes in Redis, filters and cursors."""

from __future__ import annotations

import pytest

from events.errors import BadInput
from streams.ops.settings import settings_from_env
from streams.read.api.app import token_actor
from streams.read.api.filters import Cursor, GroupFilter, SortField, filter_args
from streams.read.documents import (
    added_field,
    change_call,
    dumps,
    group_indexes,
    person_call,
    snapshot_call,
)
from streams.read.keys import Keys
from tests.unit.read_builders import added, person, scored, snapshot

KEYS = Keys.for_tenant("bg")


def test_every_key_of_a_tenant_shares_one_hash_tag() -> None:
    keys = [KEYS.group("a/s"), KEYS.person("p"), KEYS.by_industry("x"), KEYS.member_scores]
    assert all(key.startswith("rm:{bg}:") for key in keys)


def test_a_group_is_indexed_by_interest_stage_account_and_missing_roles() -> None:
    group = snapshot(members=(("p-1", "Decision Maker"),), stage="Evaluation")
    assert set(group_indexes(group, KEYS)) == {
        "rm:{bg}:s:si:si-1", "rm:{bg}:s:stage:Evaluation", "rm:{bg}:s:account:acc-1",
        "rm:{bg}:s:missing:Influencer", "rm:{bg}:s:missing:Practitioner",
    }  # fmt: skip
    assert KEYS.by_stage(None) in group_indexes(snapshot(), KEYS)


def test_a_snapshot_call_is_the_same_bytes_every_time() -> None:
    group = snapshot(members=(("p-2", "Influencer"), ("p-1", "Decision Maker")))
    first, second = snapshot_call(group, KEYS), snapshot_call(group, KEYS)
    assert first == second
    roles = ("Decision Maker", "Influencer", "Practitioner")
    assert first.args[-7:] == (2, "p-1", "p-2", 3, *roles)  # members, then roles, sorted


def test_a_deleted_group_lists_no_members() -> None:
    call = snapshot_call(snapshot(members=(("p-1", "Influencer"),), deleted=True), KEYS)
    assert call.args[3] == "1"
    assert call.args[-2:] == (0, 0)  # no members, no roles


def test_only_name_and_title_of_a_person_reach_redis() -> None:
    args = person_call(person("p-1"), KEYS).args
    text = dumps(args)
    assert "example.com" not in text
    assert "555" not in text
    assert "Ada" in text
    assert "VP Security" in text


def test_members_added_are_counted_by_month_and_role() -> None:
    group = snapshot()
    assert added_field(added(group, "p-1", "Champion")) == "2026-03|Champion"
    assert added_field(scored(group, "p-1")) == ""
    assert change_call(scored(group, "p-1"), KEYS).args[-1] != ""  # its explanation


def test_cursors_round_trip_and_refuse_what_they_did_not_give() -> None:
    cursor = Cursor(66.66666666666667, "acc-1/si-1")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("not-a-cursor", "WzEsMl0", "WyJ4IiwieSJd", "W251bGwsIngiXQ"):
        with pytest.raises(BadInput, match="cursor"):
            Cursor.decode(bad)


def test_a_filter_intersects_the_index_sets_it_names() -> None:
    chosen = GroupFilter(missing_role="Decision Maker", solution_interest_id="si-1",
                         completeness_below=50.0, sort=SortField.COMPLETENESS)  # fmt: skip
    key, args = filter_args(chosen, KEYS, None, 20)
    assert key == "rm:{bg}:z:completeness"
    assert args[1:4] == [2, "rm:{bg}:s:si:si-1", "rm:{bg}:s:missing:Decision Maker"]
    assert args[-3:] == ["", "", 20]


def test_api_tokens_come_from_the_environment() -> None:
    settings = settings_from_env({"BG_API_TOKENS": "alice=0123456789abcdef,bob=fedcba9876543210"})
    tokens = settings.read_model.write_tokens
    assert token_actor(tokens, "0123456789abcdef") == "alice"
    assert token_actor(tokens, "0123456789abcdeX") is None
    assert "0123456789abcdef" not in repr(settings)
    with pytest.raises(BadInput, match="BG_API_TOKENS"):
        settings_from_env({"BG_API_TOKENS": "alice=short"})
