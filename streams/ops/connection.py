"""The start-up checks of the connections to Kafka and to Redis: one connection each,
authenticated as configured, before a worker, the projection, the API or a command starts its
clients.

Kafka's clients retry a refused handshake quietly (a worker would hang in its start-up, logging a
stack trace per attempt). This check connects once, within a bound, and says in one sentence
which setting to fix: the credentials (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD), the mechanism
(KAFKA_SASL_MECHANISM), the CA (KAFKA_SSL_CAFILE), the protocol (KAFKA_SECURITY_PROTOCOL) or the
address (KAFKA_BOOTSTRAP_SERVERS). Redis' client would retry a refused password as if Redis were
away; its check names the part of REDIS_URL to fix (the password, the rediss:// scheme of TLS, the
CA of ssl_ca_certs). Messages never hold a password.
"""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import (
    KafkaConnectionError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, RedisError, ResponseError

from events.errors import BadInput, Unavailable
from streams.ops.redis_url import host_port, redacted
from streams.ops.settings import KafkaSettings

DEFAULT_PORT = 9092


def bootstrap_addresses(servers: str) -> list[tuple[str, int]]:
    """`host:port,host:port` as pairs (port 9092 when left out)."""
    addresses = []
    for item in servers.split(","):
        host, sep, port = item.strip().rpartition(":")
        if not sep:
            host, port = port, str(DEFAULT_PORT)
        if not port.isdigit():
            raise BadInput(f"environment variable KAFKA_BOOTSTRAP_SERVERS: bad port in {item!r}")
        addresses.append((host, int(port)))
    return addresses


async def check_kafka(kafka: KafkaSettings, timeout_s: float = 15.0) -> None:
    """Connect and authenticate to the first bootstrap server that answers. Raises BadInput when
    a setting is wrong (the message names it), Unavailable when no server answers in time."""
    reasons = []
    for host, port in bootstrap_addresses(kafka.bootstrap_servers):
        try:
            await asyncio.wait_for(_connect(kafka, host, port, timeout_s), timeout_s)
        except (OSError, TimeoutError, KafkaConnectionError) as exc:
            refused = _refused(kafka, f"{host}:{port}", exc)
            if refused is not None:
                raise refused from exc
            reasons.append(f"{host}:{port}: {exc!r}")
        else:
            return
    raise Unavailable(
        f"Kafka does not answer at KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers} "
        f"({'; '.join(reasons)})"
    )


async def _connect(kafka: KafkaSettings, host: str, port: int, timeout_s: float) -> None:
    options = kafka.client_options()
    del options["bootstrap_servers"]
    try:
        conn = await create_conn(host, port, request_timeout_ms=int(timeout_s * 1000), **options)
    except SaslAuthenticationFailed as exc:
        raise BadInput(
            f"Kafka at {host}:{port} refused the credentials of user {kafka.sasl_username!r} "
            f"({kafka.sasl_mechanism}): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
        ) from exc
    except UnsupportedSaslMechanismError as exc:
        raise BadInput(
            f"Kafka at {host}:{port} does not take KAFKA_SASL_MECHANISM={kafka.sasl_mechanism} "
            "on this listener"
        ) from exc
    conn.close()


def _refused(kafka: KafkaSettings, address: str, exc: BaseException) -> BadInput | None:
    """The setting to blame for a failed handshake, or None when the server did not answer."""
    protocol = kafka.security_protocol
    if isinstance(exc, ssl.SSLCertVerificationError):
        return BadInput(
            f"Kafka at {address}: its certificate is not trusted ({exc.verify_message}): check "
            f"KAFKA_SSL_CAFILE={kafka.ssl_cafile or '(the system CAs)'}"
        )
    if isinstance(exc, (ssl.SSLError, ConnectionResetError)):
        return BadInput(
            f"Kafka at {address} broke off the TLS handshake: is the listener's protocol "
            f"KAFKA_SECURITY_PROTOCOL={protocol}?"
        )
    if isinstance(exc, KafkaConnectionError) and "closed" in str(exc):
        return BadInput(
            f"Kafka at {address} closed the connection at the handshake: is the listener's "
            f"protocol KAFKA_SECURITY_PROTOCOL={protocol}?"
        )
    return None


async def check_redis(url: str, timeout_s: float = 5.0) -> None:
    """PING Redis at `url` once, with the URL's password and TLS. Raises BadInput naming
    REDIS_URL and the part of it to fix when Redis refuses, Unavailable when it does not answer."""
    client = Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    where = host_port(url)
    try:
        await asyncio.wait_for(client.ping(), 2 * timeout_s)
    except (AuthenticationError, ResponseError) as exc:
        raise BadInput(_credentials_refused(where, str(exc))) from exc
    except (RedisError, OSError, TimeoutError) as exc:
        refused = _redis_refused(url, where, exc, timeout_s)
        if refused is not None:
            raise refused from exc
        raise Unavailable(
            f"Redis does not answer at REDIS_URL={redacted(url)} ({type(exc).__name__})"
        ) from exc
    finally:
        await client.aclose()


def _credentials_refused(where: str, reason: str) -> str:
    if "without any password configured" in reason:
        return f"Redis at {where} has no password, but REDIS_URL gives one"
    if "required" in reason.lower():
        return (
            f"Redis at {where} requires a password: give it in REDIS_URL "
            "(redis://:PASSWORD@host:port/db, rediss:// for TLS)"
        )
    return f"Redis at {where} refused the user or password of REDIS_URL: check its password"


def _redis_refused(url: str, where: str, exc: BaseException, timeout_s: float) -> BadInput | None:
    """The part of REDIS_URL to blame for a failed connection, or None when Redis did not
    answer at all."""
    causes = [exc]
    while (cause := causes[-1].__cause__ or causes[-1].__context__) is not None:
        causes.append(cause)
    tls = url.startswith("rediss://")
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return BadInput(
                f"Redis at {where}: its certificate is not trusted ({cause.verify_message}): "
                "check ssl_ca_certs in REDIS_URL (the system CAs when it is left out)"
            )
        if isinstance(cause, ssl.SSLError):
            return BadInput(
                f"Redis at {where} broke off the TLS handshake: does it take TLS (rediss:// "
                "in REDIS_URL)?"
            )
    text = " ".join(str(cause) for cause in causes)
    if not tls and any(isinstance(c, ConnectionResetError) for c in causes):
        return BadInput(
            f"Redis at {where} reset the connection: does it take TLS only (rediss:// in "
            "REDIS_URL)?"
        )
    if not tls and "closed by server" in text:
        return BadInput(
            f"Redis at {where} closed the connection: does it take TLS only (rediss:// in "
            "REDIS_URL)?"
        )
    if tls and "Timeout" in type(exc).__name__:
        return BadInput(
            f"Redis at {where} did not answer the TLS handshake within {timeout_s:.0f}s: is it "
            "a TLS port (rediss:// in REDIS_URL)?"
        )
    return None
