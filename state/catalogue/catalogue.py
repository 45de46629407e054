"""The catalogue: all live configuration at one moment, as one immutable value.

Roles, roles templates, solution interests, stage models, weighting models, audiences and
creation jobs, each by id. ``state.catalogue.changes.apply_config_change`` is the only way to
change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from state.catalogue.audiences import Audience, CreationJob
from state.catalogue.roles import DEFAULT_ROLES, Role
from state.catalogue.solution_interests import SolutionInterest
from state.catalogue.stage_models import StageModel
from state.catalogue.templates import RolesTemplate
from state.catalogue.weighting_models import DEFAULT_MODEL, WeightingModel
from state.scoring.engagement import EngagementRules

_V = TypeVar("_V")


def _empty() -> Mapping[str, _V]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogue:
    roles: Mapping[str, Role] = field(default_factory=lambda: DEFAULT_ROLES)
    templates: Mapping[str, RolesTemplate] = field(default_factory=_empty)
    solution_interests: Mapping[str, SolutionInterest] = field(default_factory=_empty)
    stage_models: Mapping[str, StageModel] = field(default_factory=_empty)
    weighting_models: Mapping[str, WeightingModel] = field(default_factory=_empty)
    active_weighting_model_id: str | None = None
    audiences: Mapping[str, Audience] = field(default_factory=_empty)
    creation_jobs: Mapping[str, CreationJob] = field(default_factory=_empty)

    @property
    def weighting_model(self) -> WeightingModel:
        """The active weighting model, or the built-in default when none is active."""
        if self.active_weighting_model_id is None:
            return DEFAULT_MODEL
        return self.weighting_models.get(self.active_weighting_model_id, DEFAULT_MODEL)

    @property
    def engagement_rules(self) -> EngagementRules:
        return self.weighting_model.rules

    def template_for(self, solution_interest_id: str) -> RolesTemplate | None:
        """The live roles template of a solution interest, if both exist."""
        interest = self.solution_interests.get(solution_interest_id)
        if interest is None:
            return None
        template = self.templates.get(interest.roles_template_id)
        return template if template is not None and template.live else None

    def jobs_for_audience(self, audience_id: str) -> tuple[CreationJob, ...]:
        return tuple(
            job for _, job in sorted(self.creation_jobs.items()) if job.audience_id == audience_id
        )

    def templates_using_role(self, role_id: str) -> tuple[str, ...]:
        return tuple(
            template_id
            for template_id, template in sorted(self.templates.items())
            if template.card(role_id) is not None
        )

    def interests_using_template(self, template_id: str) -> tuple[str, ...]:
        return tuple(
            interest_id
            for interest_id, interest in sorted(self.solution_interests.items())
            if interest.roles_template_id == template_id
        )

    def interests_using_stage_model(self, model_id: str) -> tuple[str, ...]:
        return tuple(
            interest_id
            for interest_id, interest in sorted(self.solution_interests.items())
            if interest.stage_model_id == model_id
        )

    def jobs_using(
        self, *, solution_interest_id: str = "", audience_id: str = ""
    ) -> tuple[str, ...]:
        return tuple(
            job_id
            for job_id, job in sorted(self.creation_jobs.items())
            if job.solution_interest_id == solution_interest_id or job.audience_id == audience_id
        )


EMPTY_CATALOGUE = Catalogue()
