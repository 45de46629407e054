"""A Kafka broker of a test's own, which the test may stop and start again: the real Apache Kafka
broker run by scripts/local_services' functions, on free ports, with its own data folder.

The session's broker (scripts/services up) is never restarted by a test; a test that injects
broker faults starts one of these.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.local_services import kafka, processes
from scripts.local_services.settings import Settings, load_settings
from tests.integration.engine_harness import free_port

STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class OwnBroker:
    settings: Settings

    @classmethod
    def on_free_ports(cls, directory: Path) -> OwnBroker:
        env = {
            **os.environ,
            "BG_SERVICES_DIR": str(directory),
            "BG_KAFKA_PORT": str(free_port()),
            "BG_KAFKA_CONTROLLER_PORT": str(free_port()),
            "BG_KAFKA_HEAP": "512m",
        }
        return cls(load_settings(env))

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.settings.kafka_port}"

    @property
    def _pid_file(self) -> Path:
        return self.settings.services_dir / "kafka" / "kafka.pid"

    def start(self) -> float:
        """Start it (formatting its storage the first time) and wait until it serves; the
        seconds that took."""
        started = time.monotonic()
        kafka.start_kafka(self.settings)
        return time.monotonic() - started

    def signal(self, sig: signal.Signals) -> float:
        """Send `sig` to the broker's JVM and wait until the process is gone; the seconds that
        took (SIGTERM runs Kafka's controlled shutdown, SIGKILL nothing)."""
        pid = processes.read_pid(self._pid_file)
        assert pid is not None, "the broker is not running"
        started = time.monotonic()
        os.killpg(pid, sig)
        while time.monotonic() - started < STOP_TIMEOUT_S:
            if processes.exited(pid):
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"the broker did not exit within {STOP_TIMEOUT_S}s of {sig.name}")

    def stop(self) -> None:
        processes.stop(self._pid_file, "kafka (a test's own)")
