"""The one settings object: built from the environment at start-up, validated there.

No other module reads `os.environ`; everything receives a `Settings` (or the part it needs).
A bad value stops the process with a message naming the variable and the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from ssl import SSLContext, SSLError, create_default_context
from typing import TypeVar

from events.decoding import DEFAULT_LIMITS, Limits
from events.errors import BadInput
from events.topics import DEFAULT_PREFIX, InternalTopics, Topics
from streams.ops.redis_url import checked_redis_url, redacted

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class KafkaSettings:
    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    def client_options(self) -> dict[str, object]:
        """Keyword arguments for aiokafka clients."""
        options: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password
        context = self.ssl_context()
        if context is not None:
            options["ssl_context"] = context
        return options

    def ssl_context(self) -> SSLContext | None:
        """TLS for SSL and SASL_SSL, trusting `ssl_cafile` (or the system's CAs without one)."""
        if self.security_protocol not in ("SSL", "SASL_SSL"):
            return None
        return create_default_context(cafile=self.ssl_cafile)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadModelSettings:
    """The read side (streams/read/): the projection into Redis and the HTTP API.

    `in_worker`: the engine worker also runs `project_read_model` (BG_READ_MODEL=on); off, it
    runs as its own worker group (`buying-groups read-model`). Tokens map a bearer token to the
    actor it stands for; without read tokens, read endpoints are open."""

    in_worker: bool = False
    web_port: int = 6067
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    write_tokens: Mapping[str, str] = field(default_factory=dict, repr=False)
    read_tokens: Mapping[str, str] = field(default_factory=dict, repr=False)
    command_ttl_s: int = 7 * 86400


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    topic_prefix: str = DEFAULT_PREFIX
    app_id: str = "buying-groups"
    partitions: int = 4
    standby_replicas: int = 0
    data_dir: Path = Path(".services/worker")
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    redis_url: str | None = field(default="redis://127.0.0.1:6379/0", repr=False)
    schema_registry_url: str | None = None
    pending_activity_ttl_s: float = 300.0
    decay_interval_s: float = 3600.0
    calibration_interval_s: float = 86400.0
    first_calibration_interval_s: float = 60.0
    first_calibration_min_scores: int = 20
    reconciliation_interval_s: float = 86400.0
    pending_check_interval_s: float = 30.0
    catch_up_interval_s: float = 15.0
    catch_up: bool = True
    # An agent stores a batch when it holds batch_max records, when no more are waiting, or
    # batch_wait_s after its first record (streams.runtime.skeleton).
    batch_max: int = 500
    batch_wait_s: float = 0.05
    session_timeout_s: float = 10.0
    broker_check_interval_s: float = 2.0
    log_format: str = "json"
    input_limits: Limits = DEFAULT_LIMITS
    read_model: ReadModelSettings = field(default_factory=ReadModelSettings)

    @property
    def topics(self) -> Topics:
        return Topics.with_prefix(self.topic_prefix)

    @property
    def internal_topics(self) -> InternalTopics:
        """Topics only this engine reads and writes, e.g. `bg.internal.account-changes`."""
        return InternalTopics.with_prefix(self.topic_prefix)


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise BadInput(f"environment variable {name}: {exc}, got {raw!r}") from exc


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be a whole number of at least 0")
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 < value < 65536:
        raise ValueError("must be a TCP port")
    return value


def _seconds(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a number of seconds above 0")
    return value


def _on_off(raw: str) -> bool:
    if raw not in ("on", "off"):
        raise ValueError("must be on or off")
    return raw == "on"


def _log_format(raw: str) -> str:
    if raw not in ("json", "text"):
        raise ValueError("must be json or text")
    return raw


def _protocol(raw: str) -> str:
    allowed = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
    if raw.upper() not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return raw.upper()


SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def _mechanism(raw: str) -> str:
    if raw.upper() not in SASL_MECHANISMS:
        raise ValueError(f"must be one of {', '.join(SASL_MECHANISMS)}")
    return raw.upper()


def _cafile(raw: str) -> str:
    """A file of PEM certificates that an SSL context loads (the message never quotes it)."""
    try:
        create_default_context(cafile=raw)
    except (OSError, SSLError) as exc:
        reason = exc.strerror or str(exc)
        raise ValueError(f"cannot be loaded as PEM CA certificates ({reason})") from exc
    return raw


def _redis_url(env: Mapping[str, str], default: str | None) -> str | None:
    """REDIS_URL, checked; a message shows it without its password."""
    raw = env.get("REDIS_URL")
    if not raw:
        return default
    try:
        return checked_redis_url(raw)
    except ValueError as exc:
        raise BadInput(f"environment variable REDIS_URL: {exc}, got {redacted(raw)!r}") from exc


def kafka_settings_from_env(env: Mapping[str, str]) -> KafkaSettings:
    """Kafka's address and security. SASL protocols need a mechanism, a user and a password; a
    mechanism, user or password without a SASL protocol is refused rather than ignored."""
    base = KafkaSettings()
    kafka = KafkaSettings(
        bootstrap_servers=_read(env, "KAFKA_BOOTSTRAP_SERVERS", str, base.bootstrap_servers),
        security_protocol=_read(env, "KAFKA_SECURITY_PROTOCOL", _protocol, base.security_protocol),
        sasl_mechanism=_read(env, "KAFKA_SASL_MECHANISM", _mechanism, None),
        sasl_username=env.get("KAFKA_SASL_USERNAME") or None,
        sasl_password=env.get("KAFKA_SASL_PASSWORD") or None,
        ssl_cafile=_read(env, "KAFKA_SSL_CAFILE", _cafile, None),
    )
    _check_security(kafka)
    return kafka


def _check_security(kafka: KafkaSettings) -> None:
    protocol = kafka.security_protocol
    sasl = protocol.startswith("SASL_")
    given = {
        "KAFKA_SASL_MECHANISM": kafka.sasl_mechanism,
        "KAFKA_SASL_USERNAME": kafka.sasl_username,
        "KAFKA_SASL_PASSWORD": kafka.sasl_password,
    }
    for name, value in given.items():
        if sasl and value is None:
            raise BadInput(
                f"environment variable {name}: must be set when KAFKA_SECURITY_PROTOCOL is "
                f"{protocol}"
            )
        if not sasl and value is not None:
            raise BadInput(
                f"environment variable {name}: is set, but KAFKA_SECURITY_PROTOCOL is {protocol} "
                "(only SASL_SSL and SASL_PLAINTEXT use it)"
            )
    if kafka.ssl_cafile is not None and protocol not in ("SSL", "SASL_SSL"):
        raise BadInput(
            f"environment variable KAFKA_SSL_CAFILE: is set, but KAFKA_SECURITY_PROTOCOL is "
            f"{protocol} (only SSL and SASL_SSL use it)"
        )


def settings_from_env(env: Mapping[str, str]) -> Settings:
    """Every setting from the environment; raises BadInput naming a bad variable."""
    base = Settings()
    return Settings(
        kafka=kafka_settings_from_env(env),
        topic_prefix=_read(env, "BG_TOPIC_PREFIX", str, base.topic_prefix),
        app_id=_read(env, "BG_APP_ID", str, base.app_id),
        partitions=_read(env, "BG_PARTITIONS", _positive_int, base.partitions),
        standby_replicas=_read(
            env, "BG_STANDBY_REPLICAS", _non_negative_int, base.standby_replicas
        ),
        data_dir=_read(env, "BG_DATA_DIR", Path, base.data_dir),
        web_host=_read(env, "BG_WEB_HOST", str, base.web_host),
        web_port=_read(env, "BG_WEB_PORT", _port, base.web_port),
        redis_url=_redis_url(env, base.redis_url),
        schema_registry_url=env.get("SCHEMA_REGISTRY_URL") or None,
        pending_activity_ttl_s=_read(
            env, "BG_PENDING_ACTIVITY_TTL_S", _seconds, base.pending_activity_ttl_s
        ),
        decay_interval_s=_read(env, "BG_DECAY_INTERVAL_S", _seconds, base.decay_interval_s),
        calibration_interval_s=_read(
            env, "BG_CALIBRATION_INTERVAL_S", _seconds, base.calibration_interval_s
        ),
        first_calibration_interval_s=_read(
            env, "BG_FIRST_CALIBRATION_INTERVAL_S", _seconds, base.first_calibration_interval_s
        ),
        first_calibration_min_scores=_read(
            env, "BG_FIRST_CALIBRATION_MIN_SCORES", _positive_int, base.first_calibration_min_scores
        ),
        reconciliation_interval_s=_read(
            env, "BG_RECONCILIATION_INTERVAL_S", _seconds, base.reconciliation_interval_s
        ),
        pending_check_interval_s=_read(
            env, "BG_PENDING_CHECK_INTERVAL_S", _seconds, base.pending_check_interval_s
        ),
        catch_up_interval_s=_read(
            env, "BG_CATCH_UP_INTERVAL_S", _seconds, base.catch_up_interval_s
        ),
        catch_up=_read(env, "BG_CATCH_UP", _on_off, base.catch_up),
        batch_max=_read(env, "BG_BATCH_MAX", _positive_int, base.batch_max),
        batch_wait_s=_read(env, "BG_BATCH_WAIT_S", _seconds, base.batch_wait_s),
        session_timeout_s=_read(env, "BG_SESSION_TIMEOUT_S", _seconds, base.session_timeout_s),
        broker_check_interval_s=_read(
            env, "BG_BROKER_CHECK_INTERVAL_S", _seconds, base.broker_check_interval_s
        ),
        log_format=_read(env, "BG_LOG_FORMAT", _log_format, base.log_format),
        input_limits=input_limits_from_env(env),
        read_model=read_model_settings_from_env(env),
    )


def _tokens(raw: str) -> Mapping[str, str]:
    """`actor=token,actor=token` -> {token: actor}."""
    tokens: dict[str, str] = {}
    for item in raw.split(","):
        actor, sep, token = item.strip().partition("=")
        if not sep or not actor.strip() or len(token.strip()) < 16:
            raise ValueError("must be actor=token pairs, tokens of at least 16 characters")
        tokens[token.strip()] = actor.strip()
    return tokens


def read_model_settings_from_env(env: Mapping[str, str]) -> ReadModelSettings:
    """The read side's settings (BG_READ_MODEL*, BG_API_*)."""
    base = ReadModelSettings()
    return ReadModelSettings(
        in_worker=_read(env, "BG_READ_MODEL", _on_off, base.in_worker),
        web_port=_read(env, "BG_READ_MODEL_WEB_PORT", _port, base.web_port),
        api_host=_read(env, "BG_API_HOST", str, base.api_host),
        api_port=_read(env, "BG_API_PORT", _port, base.api_port),
        write_tokens=_read(env, "BG_API_TOKENS", _tokens, {}),
        read_tokens=_read(env, "BG_API_READ_TOKENS", _tokens, {}),
        command_ttl_s=_read(env, "BG_READ_COMMAND_TTL_S", _positive_int, base.command_ttl_s),
    )


def input_limits_from_env(env: Mapping[str, str]) -> Limits:
    """The bounds an input record must keep (a value beyond one is dead-lettered as too_large)."""
    return Limits(
        max_bytes=_read(env, "BG_MAX_RECORD_BYTES", _positive_int, DEFAULT_LIMITS.max_bytes),
        max_string_chars=_read(
            env, "BG_MAX_STRING_CHARS", _positive_int, DEFAULT_LIMITS.max_string_chars
        ),
        max_map_entries=_read(
            env, "BG_MAX_MAP_ENTRIES", _positive_int, DEFAULT_LIMITS.max_map_entries
        ),
        max_array_items=_read(
            env, "BG_MAX_ARRAY_ITEMS", _positive_int, DEFAULT_LIMITS.max_array_items
        ),
    )


def current_settings() -> Settings:
    """The settings of this process, from its environment (the one place that reads it)."""
    import os  # noqa: PLC0415 - the environment is read here and nowhere else

    return settings_from_env(os.environ)
