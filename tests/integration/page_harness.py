"""Helpers for the dashboard page's browser tests: `buying-groups api` as a real process on a
free port, and Debian's chromium driven by Playwright (never downloaded: BG_CHROMIUM or
/usr/bin/chromium, which scripts/install puts there)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from streams.ops.settings import Settings
from tests.integration.engine_harness import free_port
from tests.integration.processes import ROOT
from tests.integration.read_harness import TOKEN


def chromium_path() -> str:
    path = os.environ.get("BG_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        raise AssertionError(f"no browser at {path}: scripts/install installs Debian's chromium")
    return path


@contextmanager
def api_server(settings: Settings, redis_url: str, log: Path) -> Iterator[str]:
    """`buying-groups api` serving the tenant of `settings`; yields its origin once ready."""
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "REDIS_URL": redis_url,
        "BG_API_TOKENS": f"tester={TOKEN}",
        "SCHEMA_REGISTRY_URL": "",  # the encoding of the harness' engine worker
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("BG_API_READ_TOKENS", None)
    command = [sys.executable, "-m", "streams.cli.main", "api", "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_ready(origin, proc, log)
        yield origin
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(origin: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{origin}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"the API at {origin} never got ready:\n{log.read_text()[-3000:]}")


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page with every request it made and every script error it raised."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests outside the page's own origin."""
        return [url for url in self.requests if not url.startswith(f"{self.origin}/")]


def script_errors(message: ConsoleMessage) -> list[str]:
    """A console error of the page's own code (a 404 while a command is pending is expected)."""
    if message.type != "error" or message.text.startswith("Failed to load resource"):
        return []
    return [message.text]


@contextmanager
def watched_page(browser: Browser, origin: str, *, width: int = 1280) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watched = Watched(page, origin)
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("console", lambda message: watched.errors.extend(script_errors(message)))
    try:
        yield watched
    finally:
        context.close()
