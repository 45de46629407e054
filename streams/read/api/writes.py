"""The mutating endpoints: manual actions, published as commands; 202 with their ids.

Every request is validated, authorised and checked against the read model (404 for an unknown
group) before anything is published, so a refused request publishes nothing. (No postponed
annotations here: FastAPI must see the token dependency, a closure, in the signatures.)
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from events.records import MembershipAction, group_id_for
from streams.read.api.app import Actor, ApiContext
from streams.read.api.models import (
    Accepted,
    MembersWithRoles,
    PeopleToRemove,
    StageUpdate,
    StatusUpdate,
)
from streams.read.api.publisher import Command, membership_commands, stage_command

PathId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/\s]+$")]
GROUP = "/groups/{account_id}/{solution_interest_id}"


def write_routes(ctx: ApiContext, actor_of: Actor) -> APIRouter:
    router = APIRouter(tags=["manual actions"])
    Signed = Annotated[str, Depends(actor_of)]  # noqa: N806 - a type alias for the routes

    async def publish(
        account_id: str, interest: str, kind: str, commands: Sequence[Command]
    ) -> Accepted:
        group_id = group_id_for(account_id, interest)
        if not await ctx.queries.exists(group_id):
            raise HTTPException(404, f"no group {group_id}")
        await ctx.publisher.publish(commands)
        ctx.metrics.commands.labels(kind).inc(len(commands))
        return Accepted(group_id=group_id, command_ids=[c.command_id for c in commands])

    def members(
        actor: str, action: MembershipAction, account_id: str, interest: str,
        people: Sequence[tuple[str, str | None]],
    ) -> list[Command]:  # fmt: skip
        return list(membership_commands(
            actor=actor, action=action, account_id=account_id, solution_interest_id=interest,
            people=people, now=datetime.now(UTC),
        ))  # fmt: skip

    @router.post(f"{GROUP}/members", status_code=202, response_model=Accepted)
    async def add_members(
        account_id: PathId, solution_interest_id: PathId, body: MembersWithRoles, actor: Signed
    ) -> Accepted:
        """Add up to 50 people, each with a role (source `manual`)."""
        people = [(m.person_id, m.role) for m in body.members]
        commands = members(actor, MembershipAction.ADD, account_id, solution_interest_id, people)
        return await publish(account_id, solution_interest_id, "add", commands)

    @router.post(f"{GROUP}/members/remove", status_code=202, response_model=Accepted)
    async def remove_members(
        account_id: PathId, solution_interest_id: PathId, body: PeopleToRemove, actor: Signed
    ) -> Accepted:
        """Remove up to 50 people."""
        people = [(person_id, None) for person_id in body.person_ids]
        commands = members(actor, MembershipAction.REMOVE, account_id, solution_interest_id, people)
        return await publish(account_id, solution_interest_id, "remove", commands)

    @router.post(f"{GROUP}/members/role", status_code=202, response_model=Accepted)
    async def set_roles(
        account_id: PathId, solution_interest_id: PathId, body: MembersWithRoles, actor: Signed
    ) -> Accepted:
        """Change the role of up to 50 members."""
        people = [(m.person_id, m.role) for m in body.members]
        commands = members(
            actor, MembershipAction.SET_ROLE, account_id, solution_interest_id, people
        )
        return await publish(account_id, solution_interest_id, "set_role", commands)

    @router.put(f"{GROUP}/stage", status_code=202, response_model=Accepted)
    async def update_stage(
        account_id: PathId, solution_interest_id: PathId, body: StageUpdate, actor: Signed
    ) -> Accepted:
        """Move the group to a stage (the engine checks the stage model's transitions)."""
        command = stage_command(
            actor=actor, account_id=account_id, solution_interest_id=solution_interest_id,
            stage=body.stage, status=None, now=datetime.now(UTC),
        )  # fmt: skip
        return await publish(account_id, solution_interest_id, "stage", [command])

    @router.put(f"{GROUP}/status", status_code=202, response_model=Accepted)
    async def update_status(
        account_id: PathId, solution_interest_id: PathId, body: StatusUpdate, actor: Signed
    ) -> Accepted:
        """Set the group's free-text status (at most 50 characters)."""
        command = stage_command(
            actor=actor, account_id=account_id, solution_interest_id=solution_interest_id,
            stage=None, status=body.status, now=datetime.now(UTC),
        )  # fmt: skip
        return await publish(account_id, solution_interest_id, "status", [command])

    return router
