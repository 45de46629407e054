"""state/ and events/ stay pure: no broker, cache, logging or clock imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("state", "events")
FORBIDDEN = ("faust", "aiokafka", "redis", "logging", "time", "mode", "kafka")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN)


def pure_files() -> list[Path]:
    return sorted(path for package in PURE_PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_there_are_pure_modules_to_check() -> None:
    names = {path.relative_to(ROOT).parts[0] for path in pure_files()}
    assert names == set(PURE_PACKAGES)
    # the walk reaches into sub-packages (state/scoring/, state/transitions/, ...)
    assert any(len(path.relative_to(ROOT).parts) > 2 for path in pure_files())


@pytest.mark.parametrize("path", pure_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_io_or_clock_imports(path: Path) -> None:
    bad = [module for module in imported_modules(path) if forbidden(module)]
    assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


def test_the_check_catches_what_it_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import time\nfrom redis.asyncio import Redis\nimport datetime\n")
    assert [m for m in imported_modules(sample) if forbidden(m)] == ["time", "redis.asyncio"]
    assert not forbidden("timeit_helpers")
    assert not forbidden("datetime")
