"""The processes a run starts: engine workers, the Faust pass-through apps, the Quix Streams peer,
the profiler, the ceiling.

Each is a real OS process (`tests.integration.processes.WorkerProcess`), with its own log file;
readiness is Faust's "Worker ready" log line (the Quix peer prints the same line once it has
processed its first record), timed from the process start.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from streams.ops.settings import Settings
from tests.integration.processes import ROOT, WorkerProcess

READY = "Worker ready"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def engine_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    """The engine's settings for a benchmark worker; periodic work is pushed out of the run."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BG_TOPIC_PREFIX": settings.topic_prefix,
        "BG_APP_ID": settings.app_id,
        "BG_PARTITIONS": str(settings.partitions),
        "BG_DATA_DIR": str(data_dir),
        "BG_WEB_PORT": str(free_port()),
        "BG_DECAY_INTERVAL_S": "86400",
        "BG_CALIBRATION_INTERVAL_S": "86400",
        "BG_FIRST_CALIBRATION_INTERVAL_S": "86400",
        "BG_RECONCILIATION_INTERVAL_S": "86400",
    }


def engine_worker(
    settings: Settings, directory: Path, data: str, log: str, **extra: str
) -> WorkerProcess:
    """A worker keeping its state in `directory/data`, logging to `directory/log`."""
    return WorkerProcess(
        module="streams.cli.main",
        env={**engine_env(settings, directory / data), **extra},
        log=directory / f"{log}.log",
    )


def passthrough_worker(
    settings: Settings,
    directory: Path,
    sink: str,
    app_id: str,
    *,
    mode: str = "forward",
    log: str = "passthrough",
) -> WorkerProcess:
    """`bench.passthrough` in `mode` (forward, consume or batched), reading the activities."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BENCH_SOURCE": settings.topics.activities,
        "BENCH_SINK": sink,
        "BENCH_MODE": mode,
        "BENCH_APP_ID": app_id,
        "BENCH_DATA_DIR": str(directory / f"{log}-data"),
        "BENCH_WEB_PORT": str(free_port()),
    }
    return WorkerProcess(module="bench.passthrough", env=env, log=directory / f"{log}.log")


# Quix Streams lives in a virtualenv of its own (scripts/install-bench-peer): its pins conflict
# with the project's.
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"


def quix_worker(settings: Settings, directory: Path, sink: str, group: str) -> WorkerProcess:
    """`bench.quix_peer` reading the activities, its state under `directory/quix-state`."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "BENCH_SOURCE": settings.topics.activities,
        "BENCH_SINK": sink,
        "BENCH_GROUP": group,
        "BENCH_STATE_DIR": str(directory / "quix-state"),
    }
    if not PEER_PYTHON.exists():
        raise FileNotFoundError(f"{PEER_PYTHON} is missing: run scripts/install-bench-peer")
    return WorkerProcess(
        module="bench.quix_peer",
        env=env,
        log=directory / "quix-peer.log",
        python=str(PEER_PYTHON),
    )


def start_ready(worker: WorkerProcess, timeout: float) -> float:
    """Start `worker` and wait for its "Worker ready"; the seconds that took."""
    started = time.monotonic()
    worker.start()
    worker.wait_for_log(READY, timeout=timeout)
    return time.monotonic() - started


def pid_of(worker: WorkerProcess) -> int:
    assert worker.proc is not None, "the worker was not started"
    return worker.proc.pid


def start_profiler(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` at 100 Hz for `seconds` without pausing it; collapsed stacks."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(round(seconds)),
        "--rate",
        "100",
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    return subprocess.Popen(  # noqa: S603 - py-spy from this virtualenv, arguments built here
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )


def run_ceiling(settings: Settings, topic: str) -> dict[str, float]:
    """`python -m bench.ceiling` as its own process; its JSON result."""
    command = [sys.executable, "-m", "bench.ceiling", "--topic", topic]
    command += ["--bootstrap", settings.kafka.bootstrap_servers]
    done = subprocess.run(  # noqa: S603 - this interpreter, arguments built here
        command, cwd=ROOT, capture_output=True, check=True, timeout=1800
    )
    result: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def apply_config(settings: Settings, config: Path) -> str:
    """`buying-groups config apply` with this run's prefix; its last line of output."""
    command = [sys.executable, "-m", "streams.cli.main", "config", "apply", str(config)]
    command += ["--prefix", settings.topic_prefix, "--bootstrap", settings.kafka.bootstrap_servers]
    done = subprocess.run(  # noqa: S603 - this interpreter, arguments built here
        command, cwd=ROOT, capture_output=True, check=False, timeout=300
    )
    lines = done.stdout.decode().strip().splitlines()
    if done.returncode != 0:
        raise RuntimeError(f"config apply failed ({done.returncode}): {lines[-5:]}")
    return lines[-1] if lines else ""
