"""What `buying-groups watch` shows: a fold of the output topics into a terminal dashboard.

Pure: records and their broker append times go in, text comes out. Personal data never shows:
people appear by id, groups by their display name (solution interest and account names).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

from events.records import (
    ActivityEvent,
    BuyingGroupSnapshot,
    DeadLetter,
    GroupLifecycle,
    MembershipChanged,
    PersonEvent,
    ScoreChanged,
    TopicRecord,
)
from state.scoring.calibration import nearest_rank_percentile
from state.scoring.completeness import display_percent

REMEMBERED_INPUTS = 200_000
LATENCY_SAMPLES = 5_000


def percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile of `values` (0 for none)."""
    return nearest_rank_percentile(sorted(values), percent) if values else 0.0


@dataclass
class Dashboard:
    groups: dict[str, BuyingGroupSnapshot] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))
    _input_times: dict[str, int] = field(default_factory=dict)

    def fold(self, record: TopicRecord, appended_ms: int) -> None:
        """Folds in one record read from any topic, with its broker append time."""
        self.counts[type(record).__name__] += 1
        if isinstance(record, ActivityEvent | PersonEvent):
            self._remember_input(record.event_id, appended_ms)
            return
        cause = getattr(record, "cause", None)
        if isinstance(record, ScoreChanged | MembershipChanged) and cause in self._input_times:
            self.latencies_ms.append(appended_ms - self._input_times.pop(cause))
        self._describe(record)

    def _remember_input(self, event_id: str, appended_ms: int) -> None:
        if len(self._input_times) >= REMEMBERED_INPUTS:
            self._input_times.pop(next(iter(self._input_times)))
        self._input_times[event_id] = appended_ms

    def _describe(self, record: TopicRecord) -> None:
        match record:
            case BuyingGroupSnapshot():
                if record.deleted:
                    self.groups.pop(record.group_id, None)
                elif record.version >= self._version(record.group_id):
                    self.groups[record.group_id] = record
            case MembershipChanged():
                role = record.new_role or record.previous_role
                self.recent.append(
                    f"{record.change.value:>12}  {record.person_id} ({role}) in {record.group_id}"
                    f"  [{record.source.value}: {record.reason}]"
                )
            case GroupLifecycle():
                self.recent.append(f"{record.change.value:>12}  {record.name}")
            case DeadLetter():
                self.recent.append(f"{'dead letter':>12}  {record.topic}: {record.error_kind}")
            case _:
                pass

    def _version(self, group_id: str) -> int:
        known = self.groups.get(group_id)
        return -1 if known is None else known.version

    def render(self, top: int = 10) -> str:
        members = sum(len(g.members) for g in self.groups.values())
        lat = list(self.latencies_ms)
        lines = [
            f"groups {len(self.groups)}   members {members}   "
            f"membership changes {self.counts['MembershipChanged']}   "
            f"score changes {self.counts['ScoreChanged']}   "
            f"dead letters {self.counts['DeadLetter']}",
            f"input -> output latency (append to append, last {len(lat)}): "
            f"p50 {percentile(lat, 50):.0f} ms   p99 {percentile(lat, 99):.0f} ms",
            "",
            f"{'top groups by engagement':<44} {'members':>7} {'complete':>8} {'engaged':>8}"
            "  stage",
        ]
        ranked = sorted(self.groups.values(), key=lambda g: (-g.engagement, g.group_id))[:top]
        lines += [
            f"{g.name[:44]:<44} {len(g.members):>7} {display_percent(g.completeness):>7}% "
            f"{display_percent(g.engagement):>8}  {g.stage or '-'}"
            for g in ranked
        ]
        lines += ["", "latest changes:", *self.recent]
        return "\n".join(lines)
