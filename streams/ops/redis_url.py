"""REDIS_URL: the address of Redis, and its password and TLS options when it has them, as
`redis://[[user]:password@]host[:port][/db]` or `rediss://...?ssl_ca_certs=CA.pem` (TLS).

The URL holds a secret, so it is only ever shown `redacted`: with the password as `***`.
"""

from __future__ import annotations

from ssl import SSLError, create_default_context
from urllib.parse import parse_qs, urlsplit

SCHEMES = ("redis", "rediss", "unix")


def redacted(url: str) -> str:
    """`url` with its password, if any, replaced by `***` (what messages and logs may show)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def checked_redis_url(url: str) -> str:
    """`url`, once its scheme, port and CA file (`ssl_ca_certs`) are usable. Raises ValueError
    saying which part is wrong, without quoting the URL."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"must start with {', '.join(s + '://' for s in SCHEMES)}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValueError("has a port that is not a TCP port number") from exc
    cafiles = parse_qs(parts.query).get("ssl_ca_certs", [])
    if cafiles and parts.scheme != "rediss":
        raise ValueError("sets ssl_ca_certs, but only rediss:// (TLS) uses it")
    for cafile in cafiles:
        try:
            create_default_context(cafile=cafile)
        except (OSError, SSLError) as exc:
            reason = exc.strerror or str(exc)
            message = f"ssl_ca_certs {cafile} cannot be loaded as PEM CA ({reason})"
            raise ValueError(message) from exc
    return url


def host_port(url: str) -> str:
    """Where Redis is, as `host:port` (what a message may name besides REDIS_URL)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
