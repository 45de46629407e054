"""Debian's redis-server (installed when missing): the plaintext one, and with --secure a second
one that takes TLS connections only and requires a password."""

from __future__ import annotations

import os
import shutil
import socket
import ssl

from scripts.local_services.processes import port_open, read_pid, run, say, spawn, wait_until
from scripts.local_services.secure import Material
from scripts.local_services.settings import ServiceError, Settings


def install_redis() -> None:
    if shutil.which("redis-server") is not None:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ServiceError(
            "redis-server is missing: install Redis 7 (apt-get install redis-server)"
        )
    say("installing redis-server with apt-get")
    run(["apt-get", "update", "-qq"], "apt-get update")
    run(["apt-get", "install", "-y", "-qq", "redis-server"], "apt-get install redis-server")


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def start_redis(settings: Settings) -> None:
    home = settings.services_dir / "redis"
    pid_file = home / "redis.pid"
    if redis_answers(settings.redis_port):
        owner = "" if read_pid(pid_file) is not None else " (not started by this script)"
        say(f"redis: already running on 127.0.0.1:{settings.redis_port}{owner}")
        return
    install_redis()
    home.mkdir(parents=True, exist_ok=True)
    spawn(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(settings.redis_port),
         "--save", "", "--appendonly", "no", "--dir", str(home), "--daemonize", "no"],
        home / "redis.log",
        pid_file,
    )  # fmt: skip
    wait_until(lambda: redis_answers(settings.redis_port), "redis", 20.0, home / "redis.log")
    say(f"redis: ready on 127.0.0.1:{settings.redis_port}")


def redis_tls_answers(port: int, secure: Material) -> bool:
    """Redis on `port` takes a TLS connection (certificate checked) and our password."""
    context = ssl.create_default_context(cafile=str(secure.ca_cert))
    auth = f"AUTH {secure.redis_password}\r\nPING\r\n".encode()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=2.0) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
        ):
            sock.sendall(auth)
            reply = b""
            while reply.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    return False
                reply += chunk
            return reply == b"+OK\r\n+PONG\r\n"
    except OSError:
        return False


def start_redis_tls(settings: Settings, secure: Material) -> None:
    """A second Redis that takes TLS connections only and requires a password. Its settings go in
    a file readable by its owner only, so the password is never on a command line."""
    home = settings.services_dir / "redis-tls"
    port = settings.redis_tls_port
    if redis_tls_answers(port, secure):
        say(f"redis TLS: already running on 127.0.0.1:{port}")
        return
    if port_open(port):
        raise ServiceError(f"port {port} is taken by another process (BG_REDIS_TLS_PORT)")
    install_redis()
    home.mkdir(parents=True, exist_ok=True)
    conf = home / "redis.conf"
    conf.touch(mode=0o600)
    conf.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                "port 0",
                f"tls-port {port}",
                f"tls-cert-file {secure.server_cert}",
                f"tls-key-file {secure.server_key}",
                f"tls-ca-cert-file {secure.ca_cert}",
                "tls-auth-clients no",
                f"requirepass {secure.redis_password}",
                'save ""',
                "appendonly no",
                f"dir {home}",
                "daemonize no",
                "",
            ]
        )
    )
    spawn(["redis-server", str(conf)], home / "redis.log", home / "redis-tls.pid")
    wait_until(lambda: redis_tls_answers(port, secure), "redis TLS", 20.0, home / "redis.log")
    say(f"redis TLS: ready on 127.0.0.1:{port} (password required)")
