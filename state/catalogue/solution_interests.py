"""Solution interests: what is being sold; each points to one live roles template, for good.

A solution interest may point to a live stage model, and may be told to update existing groups
(``update_existing_groups``) when its stage model changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.records import SolutionInterestDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class SolutionInterest:
    solution_interest_id: str
    name: str
    roles_template_id: str
    stage_model_id: str | None
    update_existing_groups: bool


def read_solution_interest(
    solution_interest_id: str, body: SolutionInterestDefinition
) -> SolutionInterest:
    """The solution interest of ``body`` (its references are checked against the catalogue)."""
    stage_model_id = (body.stage_model_id or "").strip() or None
    return SolutionInterest(
        solution_interest_id=solution_interest_id,
        name=body.name.strip(),
        roles_template_id=body.roles_template_id.strip(),
        stage_model_id=stage_model_id,
        update_existing_groups=body.update_existing_groups,
    )
