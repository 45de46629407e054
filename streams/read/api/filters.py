"""Combined filters over the group indexes, and their cursors: pure, no I/O."""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
from dataclasses import dataclass

from events.errors import BadInput
from streams.read.keys import Keys

NO_UPPER_BOUND = 1e300


class SortField(enum.StrEnum):
    COMPLETENESS = "completeness"
    ENGAGEMENT = "engagement"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupFilter:
    """Groups that match every given criterion; ranges are [from, below)."""

    solution_interest_id: str | None = None
    account_id: str | None = None
    stage: str | None = None
    missing_role: str | None = None
    industry: str | None = None
    region: str | None = None
    completeness_from: float = 0.0
    completeness_below: float = NO_UPPER_BOUND
    engagement_from: float = 0.0
    engagement_below: float = NO_UPPER_BOUND
    sort: SortField = SortField.ENGAGEMENT
    descending: bool = True

    def index_sets(self, keys: Keys) -> tuple[str, ...]:
        """The index sets to intersect (none: every group)."""
        sets = []
        if self.solution_interest_id is not None:
            sets.append(keys.by_interest(self.solution_interest_id))
        if self.account_id is not None:
            sets.append(keys.by_account(self.account_id))
        if self.stage is not None:
            sets.append(keys.by_stage(self.stage))
        if self.missing_role is not None:
            sets.append(keys.by_missing_role(self.missing_role))
        if self.industry is not None:
            sets.append(keys.by_industry(self.industry))
        if self.region is not None:
            sets.append(keys.by_region(self.region))
        return tuple(sets)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the sort value and the id of its last group."""

    score: float
    group_id: str

    def encode(self) -> str:
        raw = json.dumps([self.score, self.group_id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor in `text`; BadInput when it is not one this API gave out."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            score, group_id = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise BadInput(f"cursor {text[:40]!r} is not a cursor this API gave out") from exc
        if not isinstance(score, int | float) or not math.isfinite(score):
            raise BadInput(f"cursor {text[:40]!r} is not a cursor this API gave out")
        if not isinstance(group_id, str):
            raise BadInput(f"cursor {text[:40]!r} is not a cursor this API gave out")
        return cls(float(score), group_id)


def filter_args(
    chosen: GroupFilter, keys: Keys, cursor: Cursor | None, size: int
) -> tuple[str, list[str | int | float]]:
    """The key and arguments of the FILTER script for one page."""
    sets = chosen.index_sets(keys)
    args: list[str | int | float] = [keys.prefix, len(sets), *sets]
    args += [chosen.completeness_from, chosen.completeness_below]
    args += [chosen.engagement_from, chosen.engagement_below]
    args += ["1" if chosen.descending else "0"]
    args += [repr(cursor.score), cursor.group_id] if cursor is not None else ["", ""]
    args.append(size)
    return keys.score_index(chosen.sort.value), args
