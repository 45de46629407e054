"""The live dashboard: latest snapshot per group, latency from input append to output append."""

from __future__ import annotations

from datetime import UTC, datetime

from events.records import (
    ActivityEvent,
    BuyingGroupSnapshot,
    GroupMember,
    MembershipChange,
    MembershipChanged,
    ScoreChanged,
    Source,
)
from streams.cli.dashboard import Dashboard, percentile

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def snapshot(version: int, engagement: float, members: int) -> BuyingGroupSnapshot:
    return BuyingGroupSnapshot(
        group_id="acc-1/si-1", account_id="acc-1", solution_interest_id="si-1",
        name="Security for Initech", version=version,
        members=tuple(
            GroupMember(person_id=f"p{i}", role="Influencer", source=Source.SYSTEM, since=T0)
            for i in range(members)
        ),
        completeness=66.666, engagement_raw=1.0, engagement=engagement, reference_version=0,
        created_at=T0, updated_at=T0, cause="ev-1", emitted_at=T0,
    )  # fmt: skip


def score(cause: str) -> ScoreChanged:
    return ScoreChanged(
        group_id="acc-1/si-1", account_id="acc-1", solution_interest_id="si-1", version=3,
        cause=cause, emitted_at=T0, completeness_previous=0, completeness=50,
        engagement_raw_previous=0, engagement_raw=1, engagement_previous=0, engagement=31.6,
        reference=10, reference_version=0, trigger="activity",
    )  # fmt: skip


def test_latest_snapshot_wins_and_renders_rounded() -> None:
    board = Dashboard()
    board.fold(snapshot(2, 40.0, 3), 1000)
    board.fold(snapshot(1, 10.0, 1), 1001)  # a stale one arrives late
    text = board.render()
    assert "groups 1   members 3" in text
    assert "Security for Initech" in text
    assert " 67%" in text


def test_latency_from_input_append_to_output_append() -> None:
    board = Dashboard()
    activity = ActivityEvent(
        event_id="ev-9", occurred_at=T0, activity_id="a-9", person_id="p1",
        activity_type="page_viewed",
    )  # fmt: skip
    board.fold(activity, 10_000)
    board.fold(score("ev-9"), 10_042)
    board.fold(score("ev-unknown"), 10_050)
    assert list(board.latencies_ms) == [42]
    assert "p50 42 ms" in board.render()


def test_changes_show_ids_not_personal_data() -> None:
    board = Dashboard()
    board.fold(
        MembershipChanged(
            group_id="acc-1/si-1",
            account_id="acc-1",
            solution_interest_id="si-1",
            version=1,
            cause="ev-1",
            emitted_at=T0,
            person_id="p-77",
            change=MembershipChange.ADDED,
            new_role="Champion",
            source=Source.MANUAL,
            reason="manual",
        ),
        5,
    )
    assert "p-77 (Champion) in acc-1/si-1" in board.render()


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0
