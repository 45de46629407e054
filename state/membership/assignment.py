"""Membership of one group: who holds which role, and the system's auto-assignment.

A person holds at most one role in a group. The system assigns the role of the first (highest
priority) auto-assign card whose condition the person matches, and takes the role away when no
card matches any more; it never touches a person on whom manual or journey has acted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from events.records import MembershipChange, MembershipChanged, Source
from state.catalogue.templates import RolesTemplate
from state.conditions.attributes import Lookup
from state.conditions.tree import matches
from state.membership.precedence import rank, stronger
from state.model.group import BuyingGroup, Member, record_header
from state.model.outcome import Context
from state.model.read_only import writable_copy


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemReasons:
    """The reasons the system gives when it adds (or changes a role) and when it removes."""

    assigned: str
    removed: str


RULES = SystemReasons(assigned="rule_match", removed="rule_no_longer_matches")
RECONCILIATION = SystemReasons(assigned="reconciliation", removed="reconciliation")
TEMPLATE_CHANGED = SystemReasons(assigned="template_changed", removed="template_changed")


def desired_role(template: RolesTemplate | None, lookup: Lookup) -> str | None:
    """The role of the first auto-assign card whose condition the person matches, if any."""
    if template is None:
        return None
    for card in template.cards:
        if card.auto_assign and card.condition is not None and matches(card.condition, lookup):
            return card.role
    return None


def membership_change(
    group: BuyingGroup,
    *,
    person_id: str,
    role: str | None,
    source: Source,
    reason: str,
    context: Context,
) -> tuple[BuyingGroup, tuple[MembershipChanged, ...]]:
    """Give ``person_id`` the role ``role`` (None: no role, not a member); one record if it moved.

    A role change keeps the member's ``since`` and takes the new source. A higher source giving
    a member the role they hold already is a change too: the member takes that source (they are
    now protected from lower ones), and the record is a ``role_changed`` whose previous and new
    roles are equal, which readers of every schema version understand.
    """
    current = group.members.get(person_id)
    previous_role = None if current is None else current.role
    if previous_role == role and not _rises(current, source):
        return group, ()
    members = writable_copy(group.members)
    if role is None:
        del members[person_id]
        change = MembershipChange.REMOVED
    else:
        since = context.now if current is None else current.since
        members[person_id] = Member(person_id=person_id, role=role, source=source, since=since)
        change = MembershipChange.ADDED if current is None else MembershipChange.ROLE_CHANGED
        if current is None:  # kept in person order, which snapshots list them in
            members = dict(sorted(members.items(), key=lambda item: item[0]))
    changed = replace(
        group, members=MappingProxyType(members), version=group.version + 1, updated_at=context.now
    )
    record = _membership_changed(
        changed,
        person_id=person_id,
        change=change,
        roles=(previous_role, role),
        source=source,
        reason=reason,
        context=context,
    )
    return changed, (record,)


def _rises(current: Member | None, source: Source) -> bool:
    """Whether ``source`` is above the source ``current`` holds its role by."""
    return current is not None and rank(source) > rank(current.source)


def _membership_changed(
    group: BuyingGroup,
    *,
    person_id: str,
    change: MembershipChange,
    roles: tuple[str | None, str | None],
    source: Source,
    reason: str,
    context: Context,
) -> MembershipChanged:
    return MembershipChanged(
        **record_header(group, cause=context.cause, now=context.now),
        person_id=person_id,
        change=change,
        previous_role=roles[0],
        new_role=roles[1],
        source=source,
        reason=reason,
    )


def system_assignment(
    group: BuyingGroup,
    template: RolesTemplate | None,
    *,
    person_id: str,
    lookup: Lookup,
    reasons: SystemReasons,
    context: Context,
) -> tuple[BuyingGroup, tuple[MembershipChanged, ...]]:
    """What the system's rules make of ``person_id`` in ``group`` (unless a higher source acted)."""
    if person_id in group.acted:
        return group, ()
    current = group.members.get(person_id)
    if current is not None and current.source is not Source.SYSTEM:
        return group, ()
    role = desired_role(template, lookup)
    reason = reasons.assigned if role is not None else reasons.removed
    return membership_change(
        group, person_id=person_id, role=role, source=Source.SYSTEM, reason=reason, context=context
    )


def remembering(group: BuyingGroup, person_id: str, source: Source) -> BuyingGroup:
    """``group`` remembering that ``source`` (manual or journey) acted on ``person_id``."""
    if source is Source.SYSTEM:
        return group
    highest = stronger(source, group.acted.get(person_id))
    if group.acted.get(person_id) is highest:
        return group
    return replace(group, acted=MappingProxyType({**group.acted, person_id: highest}))


def forgetting(group: BuyingGroup, person_id: str) -> BuyingGroup:
    """``group`` without any memory of ``person_id`` (they left the account)."""
    if person_id not in group.acted:
        return group
    acted = {key: value for key, value in group.acted.items() if key != person_id}
    return replace(group, acted=MappingProxyType(acted))
