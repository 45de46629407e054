"""The tree shows the architecture: small folders, imports one way, no product code for tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("events", "state", "streams")
MAX_MODULES = 15
# Modules started from outside rather than imported: the console script and the Faust apps.
ENTRY_POINTS = frozenset({"streams.cli.main", "streams.app", "streams.read.app"})
# Which top-level package may import which (streams -> state -> events).
ALLOWED = {"events": {"events"}, "state": {"state", "events"}, "streams": set(PRODUCT)}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_files() -> list[Path]:
    return sorted(path for package in PRODUCT for path in (ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    """Modules `path` imports (`from a.b import c` counts `a.b` and `a.b.c`), and dotted names
    it spells as strings (modules loaded by name, like the CLI's subcommands)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
    return found


def folders() -> list[Path]:
    return sorted(
        path
        for package in ("state", "streams")
        for path in [ROOT / package, *(ROOT / package).rglob("*/")]
        if path.is_dir() and path.name != "__pycache__"
    )


@pytest.mark.parametrize("folder", folders(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_folder_holds_more_than_fifteen_modules(folder: Path) -> None:
    modules = [path for path in folder.glob("*.py") if path.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES, f"{folder.relative_to(ROOT)}: {len(modules)} modules"


def test_state_and_streams_are_grouped_in_sub_packages() -> None:
    for package in ("state", "streams"):
        subpackages = [
            path for path in (ROOT / package).iterdir() if (path / "__init__.py").exists()
        ]
        assert len(subpackages) >= 5, f"{package}/ has {len(subpackages)} sub-packages"


def test_every_product_module_is_used_by_the_product() -> None:
    """Nothing under events/, state/ or streams/ is there for tests alone (the reference model
    and full recomputations live under tests/oracles/)."""
    used: set[str] = set()
    for path in product_files():
        used |= imports_of(path)
    unused = [
        name
        for path in product_files()
        if path.name != "__init__.py" and (name := module_name(path)) not in used | ENTRY_POINTS
    ]
    assert unused == []


@pytest.mark.parametrize("path", product_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    wrong = sorted(
        name
        for name in imports_of(path)
        if name.split(".")[0] in (*PRODUCT, "tests", "bench")
        and "." in name
        and name.split(".")[0] not in ALLOWED[own]
    )
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_checks_see_what_they_should(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('from tests.oracles.scores import GroupRaw\nNAMES = ("streams.cli.watch",)\n')
    assert {"tests.oracles.scores", "tests.oracles.scores.GroupRaw", "streams.cli.watch"} <= (
        imports_of(sample)
    )
    assert module_name(ROOT / "state" / "scoring" / "__init__.py") == "state.scoring"
