"""`scripts/services up --secure`: the throwaway CA, certificate and passwords it makes with
openssl and keytool, the broker's SASL_SSL listener it configures, and exports without secrets."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from scripts.local_services import secure
from scripts.local_services.kafka import kafka_properties
from scripts.local_services.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> secure.Material:
    return secure.ensure_material(tmp_path_factory.mktemp("services") / "secure")


def test_the_certificate_is_for_loopback_and_signed_by_the_throwaway_ca(
    material: secure.Material,
) -> None:
    verify = ["openssl", "verify", "-CAfile", str(material.ca_cert), str(material.server_cert)]
    assert subprocess.run(verify, capture_output=True, text=True, check=False).returncode == 0
    names = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", str(material.server_cert)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "IP Address:127.0.0.1" in names


def test_secrets_stay_in_files_of_their_owner_and_made_once(material: secure.Material) -> None:
    for path in (
        material.server_key,
        material.keystore,
        material.kafka_password_file,
        material.redis_password_file,
        material.directory / secure.SECRETS_FILE,
    ):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert secure.ensure_material(material.directory) == material
    assert material.kafka_password not in repr(material)


def test_exports_hold_no_secret_and_give_them_when_evaluated(material: secure.Material) -> None:
    lines = secure.secure_exports(material, 59194, 59180)
    text = "\n".join(lines)
    assert material.kafka_password not in text
    assert material.redis_password not in text
    shell = f'{text}\nprintf "%s\\n%s" "$SECURE_KAFKA_SASL_PASSWORD" "$SECURE_REDIS_URL"'
    out = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True).stdout
    password, url = out.splitlines()
    assert password == material.kafka_password
    assert url == secure.redis_url(material, 59180)


def test_the_broker_gets_a_scram_listener_beside_the_plaintext_one(
    material: secure.Material, tmp_path: Path
) -> None:
    settings = load_settings(
        {"BG_KAFKA_PORT": "19092", "BG_KAFKA_SASL_PORT": "19094", "BG_SERVICES_DIR": str(tmp_path)}
    )
    properties = kafka_properties(settings, tmp_path / "data", material).splitlines()
    assert "listeners=PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094," in "\n".join(
        line[: line.index("CONTROLLER")] for line in properties if line.startswith("listeners=")
    )
    assert "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512" in properties
    assert "inter.broker.listener.name=PLAINTEXT" in properties
    plain = kafka_properties(settings, tmp_path / "data").splitlines()
    assert not [line for line in plain if "sasl" in line.lower()]
