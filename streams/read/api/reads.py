"""The read endpoints: one group, lists with combined filters and cursors, dashboards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from events.errors import BadInput
from events.records import group_id_for
from streams.read.api.app import ApiContext
from streams.read.api.filters import Cursor, GroupFilter, SortField
from streams.read.api.models import (
    CommandOutcome,
    Distributions,
    FilterValues,
    Group,
    GroupPage,
    GroupQuery,
    GroupSummary,
    MembersAdded,
    TopMember,
)
from streams.read.api.queries import Page

ID_PATTERN = r"^[^/\s]+$"
PathId = Annotated[str, Path(min_length=1, max_length=200, pattern=ID_PATTERN)]
QueryId = Annotated[str | None, Query(min_length=1, max_length=200, pattern=ID_PATTERN)]
QueryName = Annotated[str | None, Query(min_length=1, max_length=100)]
Percent = Annotated[float, Query(ge=0, le=100)]
Below = Annotated[float | None, Query(gt=0, le=1000, description="exclusive upper bound")]
Limit = Annotated[int, Query(ge=1, le=100, description="page size, at most 100")]
CursorText = Annotated[str | None, Query(min_length=1, max_length=400)]


def _cursor(text: str | None) -> Cursor | None:
    if text is None:
        return None
    try:
        return Cursor.decode(text)
    except BadInput as exc:
        detail = [{"loc": ["query", "cursor"], "msg": str(exc), "input": text}]
        raise HTTPException(422, detail) from exc


def _page(page: Page) -> GroupPage:
    return GroupPage.model_validate(
        {"total": page.total, "items": page.items, "next_cursor": page.next_cursor}
    )


def read_routes(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["read"])
    queries = ctx.queries

    @router.get("/groups/{account_id}/{solution_interest_id}", response_model=Group)
    async def group(account_id: PathId, solution_interest_id: PathId) -> Any:
        """One group: members with names and titles, scores and their explanation, stage and
        time in each stage, and its latest changes."""
        found = await queries.group(group_id_for(account_id, solution_interest_id))
        if found is None:
            raise HTTPException(404, f"no group {account_id}/{solution_interest_id}")
        return found

    @router.get("/groups", response_model=GroupPage)
    async def groups(query: Annotated[GroupQuery, Query()]) -> Any:
        """Groups matching every filter given, sorted, one page at a time."""
        return _page(await queries.groups(query.chosen(), _cursor(query.cursor), query.limit))

    @router.get("/accounts/{account_id}/groups", response_model=GroupPage)
    async def account_groups(
        account_id: PathId, limit: Limit = 20, cursor: CursorText = None
    ) -> Any:
        """The groups of one account, most engaged first."""
        chosen = GroupFilter(account_id=account_id)
        return _page(await queries.groups(chosen, _cursor(cursor), limit))

    @router.get("/solution-interests/{solution_interest_id}/groups", response_model=GroupPage)
    async def interest_groups(
        solution_interest_id: PathId,
        sort: SortField = SortField.ENGAGEMENT,
        descending: bool = True,
        limit: Limit = 20,
        cursor: CursorText = None,
    ) -> Any:
        """The groups of one solution interest."""
        chosen = GroupFilter(
            solution_interest_id=solution_interest_id, sort=sort, descending=descending
        )
        return _page(await queries.groups(chosen, _cursor(cursor), limit))

    @router.get("/distributions", response_model=Distributions)
    async def distributions() -> Any:
        """Groups per completeness band, engagement band, solution interest and stage."""
        return await queries.distributions()

    @router.get("/filters", response_model=FilterValues)
    async def filter_values() -> Any:
        """The values of the list filters of /groups (solution interest, stage, missing role,
        industry, region), each with its number of groups."""
        return await queries.filter_values()

    @router.get("/top/groups", response_model=list[GroupSummary])
    async def top_groups(limit: Annotated[int, Query(ge=1, le=50)] = 5) -> Any:
        """The most engaged groups (5 unless asked)."""
        return await queries.top_groups(limit)

    @router.get("/top/members", response_model=list[TopMember])
    async def top_members(limit: Annotated[int, Query(ge=1, le=100)] = 10) -> Any:
        """Group members by person engagement score."""
        return await queries.top_members(limit)

    @router.get("/members-added", response_model=list[MembersAdded])
    async def members_added() -> Any:
        """Members added per month and role."""
        return await queries.members_added()

    @router.get("/commands/{command_id}", response_model=CommandOutcome)
    async def command(command_id: PathId) -> Any:
        """The engine's result for a command: applied, unchanged or refused with a reason."""
        found = await queries.command(command_id)
        if found is None:
            raise HTTPException(404, f"no result for command {command_id} (yet)")
        return found

    return router
