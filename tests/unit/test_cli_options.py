"""Every subcommand that talks to Kafka takes the same connection options, `--bootstrap` and
`--prefix`, over the environment's settings."""

from __future__ import annotations

import argparse

import pytest

from streams.cli.main import build_parser
from streams.cli.options import command_settings
from streams.ops.settings import settings_from_env

# One valid command line per subcommand, without the connection options.
COMMAND_LINES = {
    "worker": ["worker"],
    "tick": ["tick", "collect"],
    "config": ["config", "apply", "tenant.yaml"],
    "generate": ["generate"],
    "watch": ["watch"],
    "print-topic": ["print-topic", "persons"],
    "tail": ["tail", "persons"],
    "lag": ["lag"],
    "read-model": ["read-model"],
    "api": ["api"],
}


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_subcommand_is_covered() -> None:
    assert _subcommands(build_parser()) == set(COMMAND_LINES)


@pytest.mark.parametrize("name", sorted(COMMAND_LINES))
def test_every_subcommand_takes_bootstrap_and_prefix(name: str) -> None:
    line = [*COMMAND_LINES[name], "--bootstrap", "h:1", "--prefix", "staging"]
    args = build_parser().parse_args(line)
    settings = command_settings(args, settings_from_env({"BG_TOPIC_PREFIX": "prod"}))
    assert settings.kafka.bootstrap_servers == "h:1"
    assert settings.topics.persons == "staging.persons"


@pytest.mark.parametrize("name", sorted(COMMAND_LINES))
def test_without_them_the_environment_decides(name: str) -> None:
    args = build_parser().parse_args(COMMAND_LINES[name])
    env = {"BG_TOPIC_PREFIX": "prod", "KAFKA_BOOTSTRAP_SERVERS": "k:9"}
    settings = command_settings(args, settings_from_env(env))
    assert settings.kafka.bootstrap_servers == "k:9"
    assert settings.topics.persons == "prod.persons"
