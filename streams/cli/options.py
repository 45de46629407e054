"""What every command that talks to Kafka shares: the connection options (`--bootstrap`,
`--prefix`) over the environment's settings, the start-up checks of the connections (Kafka, and
Redis for the commands that use it), and how a Kafka failure is reported."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace

from streams.ops.connection import check_kafka, check_redis
from streams.ops.settings import Settings, current_settings


def add_kafka_options(parser: argparse.ArgumentParser) -> None:
    """`--prefix` and `--bootstrap`, which override the environment's settings."""
    defaults = Settings()
    parser.add_argument(
        "--prefix", help=f"topic prefix (env BG_TOPIC_PREFIX; default {defaults.topic_prefix})"
    )
    parser.add_argument(
        "--bootstrap",
        help="Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; "
        f"default {defaults.kafka.bootstrap_servers})",
    )


def command_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """`settings` (from the environment, by streams.ops.settings) with the prefix and bootstrap
    servers given on the command line."""
    if args.bootstrap:
        kafka = replace(settings.kafka, bootstrap_servers=args.bootstrap)
        settings = replace(settings, kafka=kafka)
    if args.prefix is not None:
        settings = replace(settings, topic_prefix=args.prefix)
    _ = settings.topics  # raises BadInput for a prefix that makes no legal topic name
    return settings


def connected_settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's, once one connection to Kafka has
    been made and authenticated with them. Raises BadInput naming the setting to fix, or
    Unavailable when Kafka does not answer (`main` reports either in one line)."""
    settings = command_settings(args, current_settings())
    asyncio.run(check_kafka(settings.kafka))
    return settings


def redis_checked(settings: Settings) -> Settings:
    """`settings`, once Redis at REDIS_URL has answered a PING with the URL's password and TLS
    (for the commands that use Redis). Raises BadInput naming REDIS_URL and the part of it to
    fix, or Unavailable when Redis does not answer."""
    if settings.redis_url:
        asyncio.run(check_redis(settings.redis_url))
    return settings


def kafka_failed(command: str, settings: Settings, exc: Exception) -> int:
    """Say on stderr that Kafka (at the configured servers) failed `command`; the exit code, 2."""
    print(f"{command}: Kafka at {settings.kafka.bootstrap_servers}: {exc!r}", file=sys.stderr)
    return 2
