"""Settings come from the environment once, and a bad value names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.errors import BadInput
from streams.ops.settings import Settings, settings_from_env


def test_defaults_without_environment() -> None:
    settings = settings_from_env({})
    assert settings == Settings()
    assert settings.topics.persons == "bg.persons"
    assert settings.internal_topics.account_ticks == "bg.internal.account-ticks"


def test_values_from_environment() -> None:
    settings = settings_from_env(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092",
            "BG_TOPIC_PREFIX": "staging",
            "BG_PARTITIONS": "12",
            "BG_DATA_DIR": "/var/lib/bg",
            "BG_DECAY_INTERVAL_S": "600",
            "KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        }
    )
    assert settings.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert settings.topics.commands == "staging.commands"
    assert settings.partitions == 12
    assert settings.data_dir == Path("/var/lib/bg")
    assert settings.decay_interval_s == 600.0
    assert settings.kafka.client_options()["sasl_mechanism"] == "SCRAM-SHA-512"
    assert settings.kafka.security_protocol == "SASL_PLAINTEXT"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BG_PARTITIONS", "0"),
        ("BG_PARTITIONS", "four"),
        ("BG_WEB_PORT", "70000"),
        ("BG_DECAY_INTERVAL_S", "-1"),
        ("KAFKA_SECURITY_PROTOCOL", "TELNET"),
        ("BG_MAX_STRING_CHARS", "0"),
        ("BG_CATCH_UP_INTERVAL_S", "soon"),
        ("BG_CATCH_UP", "maybe"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(BadInput, match=rf"environment variable {name}: .*got '{value}'"):
        settings_from_env({name: value})


def test_password_never_shows_in_repr() -> None:
    settings = settings_from_env({"KAFKA_SASL_PASSWORD": "s3cret"})
    assert "s3cret" not in repr(settings)


def test_input_bounds_come_from_the_environment() -> None:
    settings = settings_from_env({"BG_MAX_STRING_CHARS": "64", "BG_MAX_MAP_ENTRIES": "5"})
    limits = settings.input_limits
    assert (limits.max_string_chars, limits.max_map_entries) == (64, 5)
    assert limits.max_bytes == Settings().input_limits.max_bytes
    assert settings_from_env({"BG_CATCH_UP_INTERVAL_S": "2"}).catch_up_interval_s == 2.0
    assert settings_from_env({"BG_CATCH_UP": "off"}).catch_up is False
    assert Settings().catch_up is True
