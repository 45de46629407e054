"""The Apicurio schema registry (Confluent-compatible API), fetched from Maven Central and run
with a Java 21 or newer."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import urllib.request
from pathlib import Path

from scripts.local_services.kafka import DEPENDENCY_PLUGIN
from scripts.local_services.processes import read_pid, run, say, spawn, wait_until
from scripts.local_services.settings import ServiceError, Settings


def fetch_registry(settings: Settings) -> Path:
    runner = settings.registry_home / "quarkus-run.jar"
    if runner.exists():
        return runner
    say(f"fetching Apicurio Registry {settings.registry_version} from Maven Central")
    download = settings.cache_dir / "downloads"
    artifact = f"io.apicurio:apicurio-registry-app:{settings.registry_version}:tar.gz:all"
    run(
        ["mvn", "-B", "-q", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={artifact}",
         f"-DoutputDirectory={download}"],
        "fetching Apicurio Registry with Maven",
    )  # fmt: skip
    archive = download / f"apicurio-registry-app-{settings.registry_version}-all.tar.gz"
    staging = settings.registry_home.with_suffix(".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    found = next(staging.rglob("quarkus-run.jar"), None)
    if found is None:
        raise ServiceError(f"{archive} holds no quarkus-run.jar")
    shutil.move(str(found.parent), str(settings.registry_home))
    shutil.rmtree(staging, ignore_errors=True)
    return runner


def registry_answers(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/apis/ccompat/v7/subjects"
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return int(response.status) == 200
    except (OSError, ValueError):
        return False


def registry_java(env: dict[str, str]) -> str:
    """A Java 21 or newer for the registry (Apicurio 3.x); Kafka itself runs on Java 17."""
    if "BG_REGISTRY_JAVA" in env:
        return env["BG_REGISTRY_JAVA"]
    for home in sorted(Path("/usr/lib/jvm").glob("*"), reverse=True):
        java = home / "bin" / "java"
        if java.exists() and _java_major(java) >= 21:
            return str(java)
    raise ServiceError(
        "the schema registry needs Java 21 or newer: install one, or set BG_REGISTRY_JAVA"
    )


def _java_major(java: Path) -> int:
    result = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    words = result.stderr.split('"')
    version = words[1] if len(words) > 1 else "0"
    head = version.split(".")[0]
    return int(head) if head.isdigit() else 0


def start_registry(settings: Settings) -> None:
    home = settings.services_dir / "registry"
    pid_file = home / "registry.pid"
    if read_pid(pid_file) is not None and registry_answers(settings.registry_port):
        say(f"registry: already running on http://127.0.0.1:{settings.registry_port}")
        return
    runner = fetch_registry(settings)
    home.mkdir(parents=True, exist_ok=True)
    spawn(
        [registry_java(dict(os.environ)), "-Xmx512m", "-Dquarkus.http.host=127.0.0.1",
         f"-Dquarkus.http.port={settings.registry_port}",
         "-Dquarkus.management.host=127.0.0.1",
         f"-Dquarkus.management.port={settings.registry_management_port}",
         "-jar", str(runner)],
        home / "registry.log",
        pid_file,
    )  # fmt: skip
    wait_until(
        lambda: registry_answers(settings.registry_port), "registry", 120.0, home / "registry.log"
    )
    say(f"registry: ready on http://127.0.0.1:{settings.registry_port}/apis/ccompat/v7")
