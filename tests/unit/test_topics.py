"""Topic names and the records each topic carries."""

from __future__ import annotations

import pytest

from events.errors import BadInput
from events.records import TOPIC_RECORD_TYPES, MembershipCommand, PersonEvent, StageCommand
from events.topics import RECORDS_BY_BASE_NAME, Topics, topic_name


def test_defaults_are_the_contracts_names() -> None:
    assert Topics().all() == (
        "bg.persons",
        "bg.accounts",
        "bg.activities",
        "bg.audience-memberships",
        "bg.commands",
        "bg.config",
        "bg.membership-changes",
        "bg.score-changes",
        "bg.stage-changes",
        "bg.group-lifecycle",
        "bg.person-scores",
        "bg.command-results",
        "bg.groups",
        "bg.dead-letters",
    )
    assert Topics.with_prefix("bg") == Topics()


def test_a_prefix_replaces_bg() -> None:
    topics = Topics.with_prefix("staging-bg")
    assert topics.persons == "staging-bg.persons"
    assert topics.audience_memberships == "staging-bg.audience-memberships"
    assert topics.compacted() == ("staging-bg.config", "staging-bg.groups")
    assert Topics.with_prefix("").persons == "persons"


@pytest.mark.parametrize("prefix", ["bad prefix", "a/b", "x" * 250])
def test_illegal_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(BadInput, match="topic prefix"):
        topic_name("persons", prefix)


def test_each_topic_names_its_records() -> None:
    topics = Topics.with_prefix("t")
    assert topics.records_on("t.persons") == (PersonEvent,)
    assert topics.records_on("t.commands") == (MembershipCommand, StageCommand)
    assert topics.records_on("bg.persons") == ()
    carried = {cls for classes in RECORDS_BY_BASE_NAME.values() for cls in classes}
    assert carried == set(TOPIC_RECORD_TYPES)
