"""The enums of the records; their values are the Avro symbols."""

from __future__ import annotations

import enum


class Source(enum.StrEnum):
    """Who made a change; precedence manual > journey > system."""

    MANUAL = "manual"
    JOURNEY = "journey"
    SYSTEM = "system"


class MembershipAction(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"
    SET_ROLE = "set_role"


class MembershipChange(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    ROLE_CHANGED = "role_changed"


class LifecycleChange(enum.StrEnum):
    CREATED = "created"
    DELETED = "deleted"


class StageChangeKind(enum.StrEnum):
    STAGE = "stage"
    STATUS = "status"


class CommandStatus(enum.StrEnum):
    """`unchanged`: the command was accepted but there was nothing to do."""

    APPLIED = "applied"
    REFUSED = "refused"
    UNCHANGED = "unchanged"


class ConfigKind(enum.StrEnum):
    ROLE = "role"
    ROLES_TEMPLATE = "roles_template"
    SOLUTION_INTEREST = "solution_interest"
    STAGE_MODEL = "stage_model"
    WEIGHTING_MODEL = "weighting_model"
    AUDIENCE = "audience"
    CREATION_JOB = "creation_job"
