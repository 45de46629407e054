"""Worker processes for integration tests: started as real OS processes, killed for real."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

READY = "[^Worker]: Ready"  # Faust logs it once the worker serves its partitions

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class WorkerProcess:
    """One `python -m <module> [command...] worker` process with its own log file."""

    module: str
    env: dict[str, str]
    log: Path
    args: tuple[str, ...] = ()
    command: tuple[str, ...] = ()  # the words before `worker`, as `read-model` of the CLI
    python: str = sys.executable  # the interpreter (the benchmark's peer has a venv of its own)
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    self.python,
                    "-m",
                    self.module,
                    *self.command,
                    "worker",
                    "--loglevel",
                    "info",
                    *self.args,
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_log(self, needle: str, timeout: float, occurrences: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log_text().count(needle) >= occurrences:
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.2)
        tail = "\n".join(self.log_text().splitlines()[-40:])
        raise AssertionError(f"{self.module}: {needle!r} not logged within {timeout}s:\n{tail}")

    async def ready(self, occurrences: int = 1) -> None:
        """Starts the worker and waits until Faust logs it ready (for the `occurrences`-th time
        in its log: 2 after a restart)."""
        self.start()
        await asyncio.to_thread(self.wait_for_log, READY, 90.0, occurrences)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def http_get(worker: WorkerProcess, path: str) -> tuple[int, str]:
    """Status and body of `path` on the worker's web server (BG_WEB_PORT)."""
    url = f"http://127.0.0.1:{worker.env['BG_WEB_PORT']}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
