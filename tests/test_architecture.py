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


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_metrics_adapter_of_the_core_imports_prometheus(path: Path) -> None:
    """The core reports through the `Metrics` port (bot/metrics.py); bot/prometheus.py is its
    one Prometheus implementation, as bot/scheduler.py is the one user of APScheduler."""
    if path == ROOT / "bot" / "prometheus.py":
        return
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert "prometheus_client" not in roots, f"{path.name} imports prometheus_client"


@pytest.mark.parametrize("path", sorted((ROOT / "rules").rglob("*.py")), ids=lambda p: p.name)
def test_rules_depend_on_nothing_of_the_bot(path: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert "bot" not in roots


def test_the_check_sees_imports() -> None:
    """Guard the guard: an SDK import in a file is found."""
    sample = ROOT / "adapters" / "console.py"
    assert "bot.services" in imported_modules(sample)


# -- no import circle ------------------------------------------------------------------------

PACKAGES = ("bot", "rules", "adapters")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def house_modules() -> dict[str, Path]:
    """Every module of the house, by its dotted name."""
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def house_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The house's modules that `name` imports anywhere in it: at the top, inside functions,
    or only for type checking (a circle of annotations is still a circle in the design)."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # "from .render import x" in a/b/c.py is a.b.render; in a/b/__init__.py too.
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import mod" imports the module pkg.mod; "from mod import name", mod.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = house_modules()
    known = set(modules)
    return {name: house_imports(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in `graph` (its modules, the first repeated at the end), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once cleared
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_no_import_circle_in_the_house() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_circle_check_sees_circles() -> None:
    """Guard the guard: a circle (also through a relative import) is found, a tree isn't."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    graph = import_graph()
    assert "adapters.discord.render" in graph["adapters.discord.context"]  # from .render import
    assert "adapters.discord" in graph["adapters.discord.messenger"]  # from adapters.discord import
    assert "bot.ports" in graph["bot.bootstrap"] or "bot.ports" in graph["bot.dispatch"]


# -- adapters reach storage only through the core ---------------------------------------------


@pytest.mark.parametrize(
    "path", sorted((ROOT / "adapters").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_adapters_reach_storage_only_through_the_core(path: Path) -> None:
    """Adapters get the service, `bot.installs` and `bot.state` from `bootstrap`; the database
    itself is the core's (Slack's OAuth tables are slack_sdk's, on the engine it is handed)."""
    imported = imported_modules(path)
    assert not {m for m in imported if m == "bot.storage" or m.startswith("bot.storage.")}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    from_ports = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "bot.ports"
        for alias in node.names
    }
    assert not from_ports & {"Storage", "UnitOfWork"}, f"{path.name} opens storage itself"


def test_the_scheduler_knows_no_database_driver() -> None:
    roots = {name.split(".")[0] for name in imported_modules(ROOT / "bot" / "scheduler.py")}
    assert "sqlalchemy" not in roots
