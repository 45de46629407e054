"""docs/integrating.md names every refusal reason, every dead-letter kind and every example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from events.dead_letters import DeadLetterKind
from events.decoding import FailureKind

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "integrating.md").read_text(encoding="utf-8")


def refusal_reasons() -> set[str]:
    """Every `Refusal(reason=...)` word in state/, and the `overridden_by_<source>` ones."""
    found: set[str] = set()
    for path in (ROOT / "state").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'Refusal\(\s*reason="(\w+)"', text))
    return found | {"overridden_by_manual", "overridden_by_journey"}


def test_the_reasons_are_found_in_the_code() -> None:
    assert {"unknown_role", "unknown_account", "invalid_transition"} <= refusal_reasons()


@pytest.mark.parametrize("reason", sorted(refusal_reasons()))
def test_every_refusal_reason_is_documented(reason: str) -> None:
    assert f"| `{reason}` |" in DOC


@pytest.mark.parametrize("kind", sorted({*map(str, FailureKind), *map(str, DeadLetterKind)}))
def test_every_dead_letter_kind_is_documented(kind: str) -> None:
    assert f"| `{kind}` |" in DOC


@pytest.mark.parametrize(
    "example",
    [
        "examples/integrating/confluent_producer.py",
        "examples/integrating/confluent_consumer.py",
        "examples/integrating/java/BuyingGroupsExample.java",
        "examples/integrating/java/pom.xml",
    ],
)
def test_every_example_the_doc_names_exists(example: str) -> None:
    assert example in DOC
    assert (ROOT / example).is_file()
