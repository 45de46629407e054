"""One sample per top-level record (one per kind for ConfigRecord), encoded once into golden bytes.

Never change a value here: golden files were written from these. When a schema gains a field, add
a value for it; older golden files then decode to the sample with that field at its default.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import TypedDict

from events.records import (
    AccountEvent,
    ActivityContribution,
    ActivityEvent,
    AudienceDefinition,
    AudienceMembershipEvent,
    BuyingGroupSnapshot,
    CommandResult,
    CommandStatus,
    Condition,
    ConfigBody,
    ConfigKind,
    ConfigRecord,
    CreationJobDefinition,
    DeadLetter,
    GroupLifecycle,
    GroupMember,
    LifecycleChange,
    MembershipAction,
    MembershipChange,
    MembershipChanged,
    MembershipCommand,
    PersonEvent,
    PersonScoreChanged,
    RoleCard,
    RoleCompleteness,
    RoleDefinition,
    RolesTemplateDefinition,
    ScoreChanged,
    ScoreContribution,
    SolutionInterestDefinition,
    Source,
    StageChanged,
    StageChangeKind,
    StageCommand,
    StageDefinition,
    StageModelDefinition,
    StageTransition,
    TopicRecord,
    WeightingModelDefinition,
)

AT = datetime(2024, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)
LATER = datetime(2024, 3, 2, 10, 0, tzinfo=UTC)


class EventFields(TypedDict):
    event_id: str
    occurred_at: datetime


class GroupFields(TypedDict):
    group_id: str
    account_id: str
    solution_interest_id: str
    version: int
    cause: str
    emitted_at: datetime


EVENT: EventFields = {"event_id": "evt-1", "occurred_at": AT}
GROUP: GroupFields = {
    "group_id": "acc-1/si-1",
    "account_id": "acc-1",
    "solution_interest_id": "si-1",
    "version": 12,
    "cause": "evt-1",
    "emitted_at": LATER,
}
VP_LEAF = Condition(node="leaf", attribute="job_title", operator="contains", values=("VP", "Head"))
CONDITION = Condition(
    node="all",
    children=(VP_LEAF, Condition(node="leaf", attribute="score", operator="gte", values=("40",))),
)
ROLES = (
    RoleCompleteness(role="champion", assigned=1, required=1, completeness=1.0, counts=True),
    RoleCompleteness(role="user", assigned=0, required=2, completeness=0.0, counts=False),
)

CONFIG_BODIES: dict[ConfigKind, ConfigBody] = {
    ConfigKind.ROLE: RoleDefinition(name="Champion"),
    ConfigKind.ROLES_TEMPLATE: RolesTemplateDefinition(
        name="Enterprise",
        status="live",
        cards=(
            RoleCard(role="champion", weighting="vital", auto_assign=True, conditions=CONDITION),
            RoleCard(
                role="user",
                weighting="minor",
                auto_assign=False,
                required_for_completeness=False,
                members_required=2,
            ),
        ),
    ),
    ConfigKind.SOLUTION_INTEREST: SolutionInterestDefinition(
        name="Analytics", roles_template_id="tpl-1", stage_model_id="sm-1"
    ),
    ConfigKind.STAGE_MODEL: StageModelDefinition(
        name="Sales",
        status="draft",
        stages=(
            StageDefinition(name="aware", kind="entry"),
            StageDefinition(name="won", description="Closed", kind="success"),
        ),
        transitions=(StageTransition(from_stage="aware", to_stage="won"),),
    ),
    ConfigKind.WEIGHTING_MODEL: WeightingModelDefinition(
        name="default", weights=MappingProxyType({"event_attended": 60, "email_opened": 5})
    ),
    ConfigKind.AUDIENCE: AudienceDefinition(
        name="Big accounts",
        managed="rule",
        rule=Condition(node="leaf", attribute="employee_count", operator="gt", values=("1000",)),
    ),
    ConfigKind.CREATION_JOB: CreationJobDefinition(
        solution_interest_id="si-1", audience_id="aud-1"
    ),
}

PERSON = PersonEvent(
    **EVENT,
    person_id="p-1",
    account_id="acc-1",
    email="sam@example.com",
    first_name="Sam",
    last_name="Lee",
    job_title="VP Marketing",
    city="Lyon",
    state="ARA",
    country="FR",
    postal_code="69001",
    phone="+33 1 23",
    mobile_phone="+33 6 45",
    email_invalid=False,
    email_suspended=True,
    attributes=MappingProxyType({"seniority": "senior", "score": "55"}),
)

SAMPLES: dict[str, TopicRecord] = {
    "PersonEvent": PERSON,
    "AccountEvent": AccountEvent(
        **EVENT,
        account_id="acc-1",
        name="Acme",
        industry="Retail",
        region="EMEA",
        country="FR",
        annual_revenue=1.5e9,
        employee_count=12000,
        parent_account_id="acc-0",
        attributes=MappingProxyType({"tier": "gold"}),
    ),
    "ActivityEvent": ActivityEvent(
        **EVENT,
        activity_id="act-1",
        person_id="p-1",
        account_id="acc-1",
        activity_type="event_attended",
        attributes=MappingProxyType({"campaign": "spring"}),
    ),
    "AudienceMembershipEvent": AudienceMembershipEvent(
        **EVENT, audience_id="aud-1", account_id="acc-1", member=True
    ),
    "MembershipCommand": MembershipCommand(
        **EVENT,
        command_id="cmd-1",
        source=Source.MANUAL,
        actor="user-7",
        action=MembershipAction.SET_ROLE,
        account_id="acc-1",
        solution_interest_id="si-1",
        person_id="p-1",
        role="champion",
    ),
    "StageCommand": StageCommand(
        **EVENT,
        command_id="cmd-2",
        source=Source.JOURNEY,
        actor="journey-3",
        account_id="acc-1",
        solution_interest_id="si-1",
        stage="won",
    ),
    **{
        f"ConfigRecord-{kind.value}": ConfigRecord(
            **EVENT, kind=kind, id=f"{kind.value}-1", body=body
        )
        for kind, body in CONFIG_BODIES.items()
    },
    "MembershipChanged": MembershipChanged(
        **GROUP,
        person_id="p-1",
        change=MembershipChange.ROLE_CHANGED,
        previous_role="user",
        new_role="champion",
        source=Source.SYSTEM,
        reason="rule_match",
    ),
    "ScoreChanged": ScoreChanged(
        **GROUP,
        completeness_previous=50.0,
        completeness=75.0,
        role_completeness=ROLES,
        role_completeness_previous=ROLES[:1],
        engagement_raw_previous=10.0,
        engagement_raw=70.0,
        engagement_previous=8.5,
        engagement=59.25,
        reference=118.0,
        reference_version=3,
        trigger="activity",
        contributions=(
            ScoreContribution(
                role="champion",
                person_id="p-1",
                activity_type="event_attended",
                weight=0.625,
                raw_before=10.0,
                raw_after=70.0,
            ),
        ),
    ),
    "StageChanged": StageChanged(
        **GROUP,
        kind=StageChangeKind.STAGE,
        previous_stage="aware",
        stage="won",
        previous_status="open",
        status="open",
        source=Source.JOURNEY,
        actor="journey-3",
        time_in_previous_stage_ms=86_400_000,
    ),
    "GroupLifecycle": GroupLifecycle(
        **GROUP,
        change=LifecycleChange.CREATED,
        name="Analytics for Acme",
        creation_job_id="job-1",
    ),
    "PersonScoreChanged": PersonScoreChanged(
        person_id="p-1",
        account_id="acc-1",
        version=4,
        cause="act-1",
        emitted_at=LATER,
        raw_previous=0.0,
        raw=60.0,
        score_previous=0.0,
        score=50.8,
        reference=118.0,
        reference_version=3,
        contributions=(
            ActivityContribution(activity_type="event_attended", raw_before=0.0, raw_after=60.0),
        ),
    ),
    "CommandResult": CommandResult(
        command_id="cmd-1",
        account_id="acc-1",
        solution_interest_id="si-1",
        group_id="acc-1/si-1",
        person_id="p-1",
        source=Source.MANUAL,
        status=CommandStatus.REFUSED,
        reason="unknown_role",
        message="role 'boss' is not in template tpl-1",
        version=12,
        cause="evt-1",
        emitted_at=LATER,
    ),
    "BuyingGroupSnapshot": BuyingGroupSnapshot(
        group_id="acc-1/si-1",
        account_id="acc-1",
        solution_interest_id="si-1",
        name="Analytics for Acme",
        version=12,
        members=(GroupMember(person_id="p-1", role="champion", source=Source.MANUAL, since=AT),),
        role_completeness=ROLES,
        completeness=75.0,
        engagement_raw=70.0,
        engagement=59.25,
        reference_version=3,
        stage="won",
        stage_entered_at=AT,
        status="open",
        time_in_stage_ms=MappingProxyType({"aware": 86_400_000}),
        created_at=AT,
        updated_at=LATER,
        cause="evt-1",
        emitted_at=LATER,
    ),
    "DeadLetter": DeadLetter(
        original_key=b"p-1",
        original_value=b"\xc3\x01\x00",
        topic="bg.persons",
        partition=3,
        offset=1234,
        error_kind="truncated",
        error_message="single-object header needs 10 bytes, got 3",
        failed_at=LATER,
    ),
}
