"""The API's request and response bodies: validated and bounded, and the OpenAPI schema's source.

Ids are 1 to 200 characters without '/' or whitespace; role and stage names 1 to 100 characters;
a status at most 50 (the domain's limit); at most 50 people per request (as in the product this
replaces). Unknown fields are refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from streams.read.api.filters import NO_UPPER_BOUND, GroupFilter, SortField

MAX_BATCH = 50
Id = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^/\s]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Status = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


def _distinct(people: list[str]) -> list[str]:
    seen: set[str] = set()
    for person_id in people:
        if person_id in seen:
            raise ValueError(f"person {person_id!r} appears twice")
        seen.add(person_id)
    return people


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberRole(Body):
    person_id: Id
    role: Name


def _distinct_members(members: list[MemberRole]) -> list[MemberRole]:
    _distinct([m.person_id for m in members])
    return members


class MembersWithRoles(Body):
    """People to add to a group, or whose role to change, each with the role."""

    members: Annotated[
        list[MemberRole],
        Field(min_length=1, max_length=MAX_BATCH),
        AfterValidator(_distinct_members),
    ]


class PeopleToRemove(Body):
    person_ids: Annotated[
        list[Id], Field(min_length=1, max_length=MAX_BATCH), AfterValidator(_distinct)
    ]


class StageUpdate(Body):
    stage: Name


class StatusUpdate(Body):
    status: Status


class GroupQuery(Body):
    """Filters that combine (every one given must hold), the order, and the page."""

    solution_interest_id: Id | None = None
    account_id: Id | None = None
    stage: Name | None = None
    missing_role: Name | None = Field(
        None, description="a role with no member, e.g. Decision Maker"
    )
    industry: Name | None = None
    region: Name | None = None
    completeness_gte: float = Field(0.0, ge=0, le=100)
    completeness_lt: float | None = Field(None, gt=0, le=1000, description="exclusive bound")
    engagement_gte: float = Field(0.0, ge=0, le=100)
    engagement_lt: float | None = Field(None, gt=0, le=1000, description="exclusive bound")
    sort: SortField = SortField.ENGAGEMENT
    descending: bool = True
    limit: int = Field(20, ge=1, le=100, description="page size, at most 100")
    cursor: str | None = Field(None, min_length=1, max_length=400)

    def chosen(self) -> GroupFilter:
        return GroupFilter(
            solution_interest_id=self.solution_interest_id, account_id=self.account_id,
            stage=self.stage, missing_role=self.missing_role, industry=self.industry,
            region=self.region, completeness_from=self.completeness_gte,
            completeness_below=_or_none(self.completeness_lt),
            engagement_from=self.engagement_gte,
            engagement_below=_or_none(self.engagement_lt),
            sort=self.sort, descending=self.descending,
        )  # fmt: skip


def _or_none(bound: float | None) -> float:
    return NO_UPPER_BOUND if bound is None else bound


class Accepted(BaseModel):
    """The commands published to the commands topic; their results appear under /commands."""

    group_id: str
    command_ids: list[str]


class Member(BaseModel):
    person_id: str
    name: str | None
    job_title: str | None
    role: str
    source: str
    since: str


class RoleCompleteness(BaseModel):
    role: str
    assigned: int
    required: int
    completeness: float
    counts: bool


class AccountView(BaseModel):
    name: str | None
    industry: str | None
    region: str | None


class Group(BaseModel):
    group_id: str
    account_id: str
    solution_interest_id: str
    name: str
    version: int
    account: AccountView
    members: list[Member]
    role_completeness: list[RoleCompleteness]
    completeness: float
    engagement_raw: float
    engagement: float
    reference_version: int
    stage: str | None
    stage_entered_at: str | None
    status: str | None
    time_in_stage_ms: dict[str, int]
    created_at: str
    updated_at: str
    history: list[dict[str, Any]] = Field(description="latest changes, newest first (at most 50)")
    explanation: EngagementMove | None = Field(
        description="the latest engagement move: contributions per member, role, activity type"
    )
    engagement_breakdown: EngagementBreakdown | None = Field(
        description="the current raw score: points per member, role and activity type"
    )
    stage_history: list[dict[str, Any]] = Field(
        description="stage and status moves, newest first (at most 500)"
    )


class MovedPart(BaseModel):
    role: str | None
    person_id: str | None
    activity_type: str | None
    weight: float = Field(description="the role's share W(role) after the move")
    raw_before: float = Field(description="the part's group points before the move")
    raw_after: float = Field(description="the part's group points after the move")


class EngagementMove(BaseModel):
    """The latest score change: the parts it moved add up to the change of the raw score."""

    version: int
    trigger: str
    engagement_raw_previous: float
    engagement_raw: float
    engagement: float
    reference: float
    reference_version: int
    contributions: list[MovedPart]


class ScorePart(BaseModel):
    role: str
    person_id: str
    name: str | None
    activity_type: str
    points: float = Field(description="group points: W(role) * the member's points of the type")


class MemberPoints(BaseModel):
    person_id: str
    name: str | None
    roles: list[str]
    points: float


class RolePoints(BaseModel):
    role: str
    points: float


class ActivityPoints(BaseModel):
    activity_type: str
    points: float


class EngagementBreakdown(BaseModel):
    """The current raw score, part by part, and summed per member, role and activity type."""

    version: int = Field(description="the group version of the latest score change")
    engagement_raw: float = Field(description="the raw score of the latest score change")
    total: float = Field(description="the sum of the parts")
    adds_up: bool = Field(description="whether the parts give engagement_raw")
    parts: list[ScorePart]
    by_member: list[MemberPoints]
    by_role: list[RolePoints]
    by_activity_type: list[ActivityPoints]


class GroupSummary(BaseModel):
    group_id: str
    account_id: str
    solution_interest_id: str
    name: str
    version: int
    completeness: float
    engagement: float
    stage: str | None
    status: str | None
    updated_at: str
    members: int
    missing_roles: list[str]


class GroupPage(BaseModel):
    total: int = Field(description="groups matching the filters")
    items: list[GroupSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class Distributions(BaseModel):
    completeness: dict[str, int]
    engagement: dict[str, int]
    solution_interest: dict[str, int]
    stage: dict[str, int]


class FilterValue(BaseModel):
    value: str
    groups: int = Field(description="groups with this value (for a role: groups missing it)")


class FilterValues(BaseModel):
    """What each list filter of /groups can take."""

    solution_interests: list[FilterValue]
    stages: list[FilterValue]
    missing_roles: list[FilterValue]
    industries: list[FilterValue]
    regions: list[FilterValue]


class TopMember(BaseModel):
    person_id: str
    name: str | None
    job_title: str | None
    score: float
    groups: list[str]


class MembersAdded(BaseModel):
    month: str
    role: str
    added: int


class CommandOutcome(BaseModel):
    command_id: str
    account_id: str
    solution_interest_id: str
    group_id: str | None
    person_id: str | None
    source: str
    status: str
    reason: str | None
    message: str | None
    version: int | None
    emitted_at: str
