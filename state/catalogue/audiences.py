"""Account audiences (sets of accounts) and the creation jobs that give them buying groups.

An audience is managed by a rule over account attributes (evaluated whenever the account or the
rule changes) or externally, by membership events. A creation job pairs a solution interest with
an audience: every account in the audience gets a group for the solution interest, now and later.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.records import AudienceDefinition, ConfigKind, CreationJobDefinition
from state.catalogue.errors import ConfigError, ErrorContext, Invalid
from state.conditions.attributes import ACCOUNT_ATTRIBUTES
from state.conditions.reading import read_condition
from state.conditions.tree import Condition

RULE, EXTERNAL = "rule", "external"


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """``rule`` is set exactly when the audience is rule-managed."""

    audience_id: str
    name: str
    rule: Condition | None

    @property
    def external(self) -> bool:
        return self.rule is None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreationJob:
    job_id: str
    solution_interest_id: str
    audience_id: str


def read_audience(audience_id: str, body: AudienceDefinition) -> Audience | Invalid:
    """The audience of ``body``, or what is wrong with it."""
    context = ErrorContext(kind=ConfigKind.AUDIENCE, config_id=audience_id)
    errors: list[ConfigError] = []
    if not body.name.strip():
        errors.append(context.error("name", body.name, "an audience needs a name"))
    rule: Condition | None = None
    if body.managed == RULE:
        if body.rule is None:
            errors.append(context.error("rule", None, "a rule-managed audience needs a rule"))
        else:
            read = read_condition(body.rule, known=ACCOUNT_ATTRIBUTES, context=context, path="rule")
            if isinstance(read, tuple):
                errors.extend(read)
            else:
                rule = read
    elif body.managed == EXTERNAL:
        if body.rule is not None:
            problem = "an externally managed audience has no rule"
            errors.append(context.error("rule", body.rule.node, problem))
    else:
        errors.append(context.error("managed", body.managed, "managed must be rule or external"))
    if errors:
        return Invalid(errors=tuple(errors))
    return Audience(audience_id=audience_id, name=body.name.strip(), rule=rule)


def read_creation_job(job_id: str, body: CreationJobDefinition) -> CreationJob:
    """The job of ``body`` (its references are checked against the catalogue)."""
    return CreationJob(
        job_id=job_id,
        solution_interest_id=body.solution_interest_id,
        audience_id=body.audience_id,
    )
