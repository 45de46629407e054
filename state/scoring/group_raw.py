"""A group's members added up per role, kept with the group so that a move of one member's
engagement updates the group without visiting every other member.

For each role held by members, a ``RoleTotal`` keeps how many members hold it and the exact sum
of their raw scores (each raw score is a float; their exact sum is a fraction with a power-of-two
denominator). Rounding that sum once gives the same float as ``math.fsum`` of the members' raw
scores, so a role raw kept this way equals the one recomputed from every member, bit for bit,
however many moves were applied in between.

The group raw score itself, from the role raws:

    W(r)             = weighting(r) / sum of weighting(r') over roles r' with members
    group_raw(g, t)  = sum over roles r with members: W(r) * sum of person_raw over members of r
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleTotal:
    """``members`` people hold ``role``; their raw scores add up to ``numerator / denominator``
    exactly (kept as two integers so that the value pickles as primitives)."""

    role: str
    members: int
    numerator: int = 0
    denominator: int = 1

    @property
    def raw(self) -> float:
        """The members' raw scores added up and rounded once (as ``math.fsum`` does)."""
        return self.numerator / self.denominator


RoleTotals = tuple[RoleTotal, ...]


def role_totals(members: Iterable[tuple[str, float]]) -> RoleTotals:
    """The totals of members given as (role, raw score), one per role held, sorted by role."""
    raws: dict[str, list[float]] = {}
    for role, raw in members:
        raws.setdefault(role, []).append(raw)
    return tuple(_total(role, len(raws[role]), _exact_sum(raws[role])) for role in sorted(raws))


def with_member_moved(
    totals: RoleTotals, role: str, before: float, after: float
) -> RoleTotals | None:
    """``totals`` after one member of ``role`` went from raw score ``before`` to ``after``;
    None if no member holds ``role`` in ``totals``."""
    for index, total in enumerate(totals):
        if total.role == role and total.members > 0:
            exact = Fraction(total.numerator, total.denominator)
            moved = _total(role, total.members, exact - Fraction(before) + Fraction(after))
            return (*totals[:index], moved, *totals[index + 1 :])
    return None


def assigned_by_role(totals: RoleTotals) -> Mapping[str, int]:
    """How many members hold each role."""
    return {total.role: total.members for total in totals if total.members > 0}


def role_raws(totals: RoleTotals, role_weighting: Mapping[str, int]) -> dict[str, float]:
    """The raw score of each role that has members and a weighting, by role."""
    return {
        total.role: total.raw
        for total in totals
        if total.members > 0 and total.role in role_weighting
    }


def _exact_sum(values: list[float]) -> Fraction:
    """The exact sum of ``values`` (their denominators are powers of two)."""
    ratios = [value.as_integer_ratio() for value in values]
    denominator = max((ratio[1] for ratio in ratios), default=1)
    return Fraction(sum(top * (denominator // bottom) for top, bottom in ratios), denominator)


def _total(role: str, members: int, exact: Fraction) -> RoleTotal:
    return RoleTotal(
        role=role, members=members, numerator=exact.numerator, denominator=exact.denominator
    )


def role_share(weighting: int, total_weighting: int) -> float:
    """W(r): a role's weighting over the total weighting of the roles with members."""
    return weighting / total_weighting


def group_points(weighting: int, raw: float, total_weighting: int) -> float:
    """Raw points as group points, ``W(r) * raw``, computed as ``weighting * raw / total``."""
    return weighting * raw / total_weighting


def weighted_total(role_raws: Mapping[str, float], role_weighting: Mapping[str, int]) -> float:
    """The group raw score from the raw score of each role with members (0 without any)."""
    if not role_raws:
        return 0.0
    total_weighting = sum(role_weighting[role] for role in role_raws)
    weighted = math.fsum(role_weighting[role] * raw for role, raw in role_raws.items())
    return weighted / total_weighting
