"""The Redis key space of the read model (docs/read-model.md).

Every key of one tenant (topic prefix) starts with `rm:{<prefix>}:`: the braces are a Redis
Cluster hash tag, so all of a tenant's keys live in one slot and every script and query that
combines them (a group with its indexes, a filter over several indexes) runs on one node.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """The names of a tenant's keys; `prefix` ends with ':'."""

    prefix: str

    @classmethod
    def for_tenant(cls, topic_prefix: str) -> Keys:
        return cls(f"rm:{{{topic_prefix or 'default'}}}:")

    def group(self, group_id: str) -> str:
        """A group's document (JSON string)."""
        return f"{self.prefix}g:{group_id}"

    def history(self, group_id: str) -> str:
        """A group's latest changes: sorted set, score = version, member = JSON entry."""
        return f"{self.prefix}hist:{group_id}"

    def explanation(self, group_id: str) -> str:
        """The explanation of a group's latest engagement move (JSON string)."""
        return f"{self.prefix}explain:{group_id}"

    def score_parts(self, group_id: str) -> str:
        """A group's current engagement, part by part: hash `["<role>","<person>","<activity
        type>"]` -> group points (the parts of every score change folded in version order)."""
        return f"{self.prefix}parts:{group_id}"

    def stage_history(self, group_id: str) -> str:
        """A group's stage and status moves (all but the oldest beyond 500): sorted set,
        score = version, member = JSON entry."""
        return f"{self.prefix}stagehist:{group_id}"

    def person(self, person_id: str) -> str:
        """A person's display data: hash of first_name, last_name, job_title, at, deleted."""
        return f"{self.prefix}p:{person_id}"

    def person_groups(self, person_id: str) -> str:
        """The groups a person is a member of (set of group ids)."""
        return f"{self.prefix}pg:{person_id}"

    def account(self, account_id: str) -> str:
        """An account's display and filter data: hash of name, industry, region, at."""
        return f"{self.prefix}a:{account_id}"

    def command(self, command_id: str) -> str:
        """A command's result (JSON string, expires)."""
        return f"{self.prefix}cmd:{command_id}"

    def score_index(self, field: str) -> str:
        """Sorted set of every live group by `field`: completeness, engagement or updated."""
        return f"{self.prefix}z:{field}"

    @property
    def person_scores(self) -> str:
        """Sorted set of every known person by engagement score."""
        return f"{self.prefix}z:pscore"

    @property
    def member_scores(self) -> str:
        """Sorted set of the people who are members of at least one group, by score."""
        return f"{self.prefix}z:members"

    @property
    def members_added(self) -> str:
        """Hash `<YYYY-MM>|<role>` -> members added in that month with that role."""
        return f"{self.prefix}added"

    @property
    def solution_interests(self) -> str:
        """Set of every solution interest seen (the per-interest distribution's buckets)."""
        return f"{self.prefix}s:sis"

    @property
    def roles(self) -> str:
        """Set of every role of a template seen (the missing-role filter's choices)."""
        return f"{self.prefix}s:roles"

    @property
    def industries(self) -> str:
        """Set of every account industry seen (the industry filter's choices)."""
        return f"{self.prefix}s:industries"

    @property
    def regions(self) -> str:
        """Set of every account region seen (the region filter's choices)."""
        return f"{self.prefix}s:regions"

    @property
    def stages(self) -> str:
        """Set of every stage seen (the per-stage distribution's buckets)."""
        return f"{self.prefix}s:stages"

    def by_interest(self, solution_interest_id: str) -> str:
        return f"{self.prefix}s:si:{solution_interest_id}"

    def by_stage(self, stage: str | None) -> str:
        """Groups in `stage`; None: groups with no stage yet."""
        return f"{self.prefix}s:stage:{stage}" if stage else f"{self.prefix}s:nostage"

    def by_missing_role(self, role: str) -> str:
        return f"{self.prefix}s:missing:{role}"

    def by_account(self, account_id: str) -> str:
        return f"{self.prefix}s:account:{account_id}"

    def by_industry(self, industry: str) -> str:
        return f"{self.prefix}s:industry:{industry}"

    def by_region(self, region: str) -> str:
        return f"{self.prefix}s:region:{region}"
