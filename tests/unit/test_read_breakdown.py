"""The current score's breakdown: what a score change moves in the parts hash, and how the
parts turn into sums per member, role and activity type."""

from __future__ import annotations

from dataclasses import replace

from events.records import ScoreContribution
from streams.read.breakdown import engagement_breakdown
from streams.read.documents import change_call, moved_parts, part_field
from streams.read.keys import Keys
from tests.unit.read_builders import scored, snapshot

KEYS = Keys.for_tenant("bg")
DM, INF = "Decision Maker", "Influencer"


def part(role: str, person_id: str, kind: str, before: float, after: float) -> ScoreContribution:
    return ScoreContribution(role=role, person_id=person_id, activity_type=kind, weight=0.5,
                             raw_before=before, raw_after=after)  # fmt: skip


def test_a_score_change_moves_its_parts_and_a_part_at_zero_goes() -> None:
    change = replace(scored(snapshot(), "p-1"), contributions=(
        part(DM, "p-1", "page_viewed", 0.0, 0.25), part(INF, "p-2", "email_opened", 0.1, 0.0),
    ))  # fmt: skip
    assert moved_parts(change) == (
        part_field(DM, "p-1", "page_viewed"), "0.25", part_field(INF, "p-2", "email_opened"), "",
    )  # fmt: skip
    call = change_call(change, KEYS)
    assert call.args[8:10] == (0, 2)  # not a stage move; two parts
    assert call.args[10:] == moved_parts(change)


def stored(*parts: tuple[str, str, str, float]) -> dict[str, str]:
    return {part_field(role, person, kind): repr(points) for role, person, kind, points in parts}


def latest(raw: float) -> dict[str, object]:
    return {"version": 7, "engagement_raw": raw}


def test_the_breakdown_sums_parts_per_member_role_and_activity_type() -> None:
    parts = stored((DM, "p-1", "page_viewed", 0.1), (DM, "p-1", "event_attended", 0.2),
                   (INF, "p-2", "page_viewed", 0.4))  # fmt: skip
    found = engagement_breakdown(parts, latest(0.7), {"p-1": "Ada Lovelace", "p-2": None})
    assert found is not None
    assert found["adds_up"] is True
    assert found["version"] == 7
    assert [(p["person_id"], p["points"]) for p in found["parts"]] == [
        ("p-2", 0.4), ("p-1", 0.2), ("p-1", 0.1),
    ]  # fmt: skip
    by_member = [(m["person_id"], m["name"], m["roles"]) for m in found["by_member"]]
    assert by_member == [("p-2", None, [INF]), ("p-1", "Ada Lovelace", [DM])]
    assert [m["points"] for m in found["by_member"]] == [0.4, 0.30000000000000004]
    assert [(r["role"], r["points"]) for r in found["by_role"]] == [
        (INF, 0.4), (DM, 0.30000000000000004),
    ]  # fmt: skip
    kinds = {k["activity_type"]: k["points"] for k in found["by_activity_type"]}
    assert kinds == {"page_viewed": 0.5, "event_attended": 0.2}


def test_parts_that_do_not_give_the_raw_score_say_so() -> None:
    parts = stored((DM, "p-1", "page_viewed", 0.1))
    found = engagement_breakdown(parts, latest(0.7), {})
    assert found is not None
    assert found["adds_up"] is False
    assert found["total"] == 0.1


def test_no_breakdown_before_the_first_score_change() -> None:
    assert engagement_breakdown({}, None, {}) is None
    empty = engagement_breakdown({}, latest(0.0), {})
    assert empty is not None
    assert empty["adds_up"] is True
    assert empty["parts"] == []
