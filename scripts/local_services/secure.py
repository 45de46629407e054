"""The throwaway secrets of the secure listeners that `scripts/services up --secure` starts.

A CA and a server certificate for 127.0.0.1 made with openssl, the broker's PKCS#12 keystore
checked by Java's keytool, and random passwords for the SCRAM user and for Redis. They are made
once per `up` (kept until `down` removes them) in one folder readable by its owner only. No
secret is passed on a command line: the tools read them from the environment or from files.

Standard library only, like the rest of scripts/local_services.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

KAFKA_USER = "bg-engine"
SCRAM_MECHANISM = "SCRAM-SHA-512"
VALID_DAYS = 7
SECRETS_FILE = "secrets.json"
SAN = "subjectAltName=IP:127.0.0.1,DNS:localhost\n"


class MaterialError(Exception):
    """A certificate, keystore or password could not be made; the message says which tool."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Material:
    """Where the secure listeners' certificates are, and the passwords they were made with."""

    directory: Path
    keystore_password: str = field(repr=False)
    kafka_user: str
    kafka_password: str = field(repr=False)
    redis_password: str = field(repr=False)

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def keystore(self) -> Path:
        return self.directory / "broker.keystore.p12"

    @property
    def kafka_password_file(self) -> Path:
        return self.directory / "kafka.password"

    @property
    def redis_password_file(self) -> Path:
        return self.directory / "redis.password"


def _tool(argv: Sequence[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        list(argv), capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        raise MaterialError(f"{what} failed ({result.returncode}):\n{result.stderr[-2000:]}")


def _make_certificates(material: Material) -> None:
    home = material.directory
    days = str(VALID_DAYS)
    _tool(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", days,
         "-subj", "/CN=buying-groups throwaway CA", "-keyout", str(home / "ca.key"),
         "-out", str(material.ca_cert)],
        "openssl: making the CA",
    )  # fmt: skip
    _tool(
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", str(material.server_key), "-out", str(home / "server.csr")],
        "openssl: making the server key",
    )  # fmt: skip
    (home / "san.cnf").write_text(SAN)
    _tool(
        ["openssl", "x509", "-req", "-in", str(home / "server.csr"), "-days", days,
         "-CA", str(material.ca_cert), "-CAkey", str(home / "ca.key"), "-CAcreateserial",
         "-extfile", str(home / "san.cnf"), "-out", str(material.server_cert)],
        "openssl: signing the server certificate",
    )  # fmt: skip
    password = {"BG_KEYSTORE_PASSWORD": material.keystore_password}
    _tool(
        ["openssl", "pkcs12", "-export", "-name", "broker", "-in", str(material.server_cert),
         "-inkey", str(material.server_key), "-certfile", str(material.ca_cert),
         "-passout", "env:BG_KEYSTORE_PASSWORD", "-out", str(material.keystore)],
        "openssl: making the broker keystore",
        password,
    )  # fmt: skip
    # The broker is Java: keytool proves that Java reads the keystore before the broker tries.
    _tool(
        ["keytool", "-list", "-keystore", str(material.keystore), "-storetype", "PKCS12",
         "-storepass:env", "BG_KEYSTORE_PASSWORD"],
        "keytool: reading the broker keystore",
        password,
    )  # fmt: skip


def _private(path: Path, text: str) -> None:
    path.touch(mode=0o600)
    path.write_text(text)


def load_material(directory: Path) -> Material | None:
    """The material made earlier in `directory`, or None when there is none (or only part)."""
    try:
        saved = json.loads((directory / SECRETS_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
    material = Material(directory=directory, **saved)
    files = (
        material.ca_cert,
        material.server_cert,
        material.server_key,
        material.keystore,
        material.kafka_password_file,
        material.redis_password_file,
    )
    return material if all(f.exists() for f in files) else None


def ensure_material(directory: Path) -> Material:
    """The material in `directory`, made now when it is missing."""
    existing = load_material(directory)
    if existing is not None:
        return existing
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    material = Material(
        directory=directory,
        keystore_password=secrets.token_urlsafe(18),
        kafka_user=KAFKA_USER,
        kafka_password=secrets.token_urlsafe(18),
        redis_password=secrets.token_urlsafe(18),
    )
    _make_certificates(material)
    saved = {k: v for k, v in asdict(material).items() if k != "directory"}
    _private(directory / SECRETS_FILE, json.dumps(saved))
    _private(material.kafka_password_file, material.kafka_password)
    _private(material.redis_password_file, material.redis_password)
    return material


def scram_config_file(material: Material) -> Path:
    """The `--add-config-file` of Kafka's ConfigCommand that sets the user's SCRAM password."""
    path = material.directory / "scram.properties"
    path.touch(mode=0o600)
    path.write_text(f"{SCRAM_MECHANISM}=iterations=8192,password={material.kafka_password}\n")
    return path


def redis_url(material: Material, port: int, password: str | None = None) -> str:
    """The URL a client of the TLS Redis uses: password, TLS, and the CA it trusts."""
    secret = material.redis_password if password is None else password
    return f"rediss://:{secret}@127.0.0.1:{port}/0?ssl_ca_certs={material.ca_cert}"


def secure_exports(material: Material, kafka_port: int, redis_port: int) -> list[str]:
    """Shell exports for the secure listeners. The secrets are read from their files when the
    exports are evaluated, so the text printed (and perhaps logged) holds none of them."""
    kafka_password = f'"$(cat {material.kafka_password_file})"'
    redis_password = f"$(cat {material.redis_password_file})"
    return [
        f"export SECURE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{kafka_port}",
        f"export SECURE_KAFKA_SASL_MECHANISM={SCRAM_MECHANISM}",
        f"export SECURE_KAFKA_SASL_USERNAME={material.kafka_user}",
        f"export SECURE_KAFKA_SASL_PASSWORD={kafka_password}",
        f"export SECURE_KAFKA_SSL_CAFILE={material.ca_cert}",
        f'export SECURE_REDIS_URL="{redis_url(material, redis_port, redis_password)}"',
    ]


def tls_answers(port: int, secure: Material) -> bool:
    """A TLS handshake on `port` succeeds, with a certificate for 127.0.0.1 signed by our CA."""
    context = ssl.create_default_context(cafile=str(secure.ca_cert))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=2.0) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1"),
        ):
            return True
    except OSError:
        return False
