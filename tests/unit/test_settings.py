"""Settings come from the environment once, and a bad value names its variable."""

from __future__ import annotations

from pathlib import Path

import certifi
import pytest

from events.errors import BadInput
from streams.ops.redis_url import redacted
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
            "KAFKA_SASL_MECHANISM": "scram-sha-512",
            "KAFKA_SASL_USERNAME": "bg",
            "KAFKA_SASL_PASSWORD": "s3cret",
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
        ("KAFKA_SASL_MECHANISM", "GSSAPI"),
        ("KAFKA_SSL_CAFILE", "/nonexistent/ca.pem"),
        ("BG_MAX_STRING_CHARS", "0"),
        ("BG_CATCH_UP_INTERVAL_S", "soon"),
        ("BG_CATCH_UP", "maybe"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(BadInput, match=rf"environment variable {name}: .*got '{value}'"):
        settings_from_env({name: value})


SASL_SSL = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": "bg",
    "KAFKA_SASL_PASSWORD": "s3cret",
}
CREDENTIALS = ("KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD")


def test_password_never_shows_in_repr() -> None:
    settings = settings_from_env(SASL_SSL)
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("name", CREDENTIALS)
def test_sasl_needs_every_credential(name: str) -> None:
    with pytest.raises(BadInput, match=rf"^environment variable {name}: must be set when"):
        settings_from_env({**SASL_SSL, name: ""})


@pytest.mark.parametrize("name", CREDENTIALS)
def test_a_credential_without_sasl_is_refused_not_ignored(name: str) -> None:
    with pytest.raises(BadInput, match=rf"^environment variable {name}: is set, but") as caught:
        settings_from_env({name: SASL_SSL[name], "KAFKA_SECURITY_PROTOCOL": "SSL"})
    assert "s3cret" not in str(caught.value)


def test_a_ca_file_must_load_and_needs_tls(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    with pytest.raises(BadInput, match=r"KAFKA_SSL_CAFILE: cannot be loaded as PEM"):
        settings_from_env({**SASL_SSL, "KAFKA_SSL_CAFILE": str(not_pem)})
    with pytest.raises(BadInput, match=r"KAFKA_SSL_CAFILE: is set, but .* is PLAINTEXT"):
        settings_from_env({"KAFKA_SSL_CAFILE": certifi.where()})


def test_tls_context_only_for_tls_protocols() -> None:
    assert settings_from_env(SASL_SSL).kafka.client_options()["ssl_context"] is not None
    assert "ssl_context" not in settings_from_env({}).kafka.client_options()


def test_input_bounds_come_from_the_environment() -> None:
    settings = settings_from_env({"BG_MAX_STRING_CHARS": "64", "BG_MAX_MAP_ENTRIES": "5"})
    limits = settings.input_limits
    assert (limits.max_string_chars, limits.max_map_entries) == (64, 5)
    assert limits.max_bytes == Settings().input_limits.max_bytes
    assert settings_from_env({"BG_CATCH_UP_INTERVAL_S": "2"}).catch_up_interval_s == 2.0
    assert settings_from_env({"BG_CATCH_UP": "off"}).catch_up is False
    assert Settings().catch_up is True


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://:s3cret@127.0.0.1:6379/0", "must start with redis://"),
        ("redis://:s3cret@127.0.0.1:99999/0", "has a port that is not a TCP port number"),
        ("rediss://:s3cret@h/0?ssl_ca_certs=/no/such/ca.pem", "ssl_ca_certs /no/such/ca.pem"),
        (
            "redis://:s3cret@h/0?ssl_ca_certs=/no/such/ca.pem",
            "sets ssl_ca_certs, but only rediss://",
        ),
    ],
)
def test_a_bad_redis_url_is_named_without_its_password(url: str, reason: str) -> None:
    with pytest.raises(BadInput, match=rf"^environment variable REDIS_URL: {reason}") as caught:
        settings_from_env({"REDIS_URL": url})
    assert "s3cret" not in str(caught.value)
    assert ":***@" in str(caught.value)


def test_a_redis_url_with_password_and_tls() -> None:
    url = f"rediss://bg:s3cret@127.0.0.1:6380/0?ssl_ca_certs={certifi.where()}"
    settings = settings_from_env({"REDIS_URL": url})
    assert settings.redis_url == url
    assert "s3cret" not in repr(settings)
    assert redacted(url) == f"rediss://bg:***@127.0.0.1:6380/0?ssl_ca_certs={certifi.where()}"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
