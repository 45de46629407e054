"""Only streams/ops/settings.py reads the environment; everything else receives Settings."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "streams" / "ops" / "settings.py"}


def reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "getenv") for alias in node.names)
        ):
            return True
    return False


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("events", "state", "streams")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in ALLOWED and reads_environment(ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_the_check_sees_a_read() -> None:
    assert reads_environment(ast.parse("import os\nos.environ.get('X')"))
    assert reads_environment(ast.parse("from os import getenv"))
    assert not reads_environment(ast.parse("import os\nos.path.join('a')"))
