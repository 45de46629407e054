"""Assignment precedence: manual > journey > system.

Each (group, person) pair remembers the highest source that has acted on it; a lower source may
not act on that pair again (its action is refused with ``overridden_by_<source>``, or, for the
system, simply not taken). The same or a higher source may always act. The account invariant
(leaving the account, deletion) is above all three.
"""

from __future__ import annotations

from events.records import Source

_RANK = {Source.SYSTEM: 0, Source.JOURNEY: 1, Source.MANUAL: 2}


def rank(source: Source) -> int:
    """Higher is stronger."""
    return _RANK[source]


def may_act(source: Source, highest_so_far: Source | None) -> bool:
    """Whether ``source`` may act on a pair that ``highest_so_far`` has acted on (None: nobody)."""
    return highest_so_far is None or rank(source) >= rank(highest_so_far)


def stronger(first: Source, second: Source | None) -> Source:
    """The higher of two sources."""
    return first if second is None or rank(first) >= rank(second) else second


def overridden_reason(highest_so_far: Source) -> str:
    """The reason reported when a lower source is refused: ``overridden_by_manual``..."""
    return f"overridden_by_{highest_so_far.value}"
