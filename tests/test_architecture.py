"""The layout's import rules (DESIGN.md): the core never imports a platform SDK or APScheduler."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_SDKS = {"slack_bolt", "slack_sdk", "discord", "apscheduler"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def core_files() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "rules").rglob("*.py")])


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_platform_sdk(path: Path) -> None:
    allowed = {"apscheduler"} if path == ROOT / "bot" / "scheduler.py" else set()
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert not (roots & (PLATFORM_SDKS - allowed)), f"{path.name} imports {roots & PLATFORM_SDKS}"
    assert "adapters" not in roots, f"{path.name} imports an adapter"


@pytest.mark.parametrize("path", sorted((ROOT / "rules").rglob("*.py")), ids=lambda p: p.name)
def test_rules_depend_on_nothing_of_the_bot(path: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert "bot" not in roots


def test_the_check_sees_imports() -> None:
    """Guard the guard: an SDK import in a file is found."""
    sample = ROOT / "adapters" / "console.py"
    assert "bot.services" in imported_modules(sample)
