"""The `buying-groups` command line: one subcommand per module, each exposing `register`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from events.errors import BuyingGroupsError

# Modules that contribute subcommands. Each defines
# `register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None`
# and sets `func` on its parser via `set_defaults(func=...)`, a callable taking the parsed
# arguments and returning the exit code.
COMMAND_MODULES: tuple[str, ...] = (
    "streams.cli.topic_print",
    "streams.config_file.apply",
    "streams.demo.generate",
    "streams.cli.worker",
    "streams.cli.watch",
    "streams.ops.lag",
    "streams.read.cli",
)

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buying-groups",
        description="Real-time buying-group engine on Kafka.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        module = import_module(name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except BuyingGroupsError as exc:
        # A bad setting or a service that does not answer at start: one line, no stack trace.
        print(f"buying-groups {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
