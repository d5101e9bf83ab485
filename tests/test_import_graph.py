"""Imports point one way: no module of the functions, the CLI or the construct library imports, through any
chain, a module that imports it back (docs/DESIGN.md, "Packages")."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: (folder, the package name its modules are imported under)
PACKAGES = (
    (ROOT / "lambda_src" / "scv_shared", "scv_shared"),
    (ROOT / "lambda_src" / "scv_invoker", "scv_invoker"),
    (ROOT / "lambda_src" / "scv_seeder", "scv_seeder"),
    (ROOT / "lambda_src" / "scv_certificate_check", "scv_certificate_check"),
    (ROOT / "cli" / "scvctl", "scvctl"),
    (ROOT / "infra", "scv_salesforce"),
)


def _modules() -> dict[str, Path]:
    modules = {}
    for folder, package in PACKAGES:
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (at module level or inside a function: both run)."""
    found: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            submodules = {f"{module}.{alias.name}" for alias in node.names} & modules.keys()
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(module)
    return {module for module in found if module in modules and module != name}


def test_no_import_runs_in_a_circle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert "scv_invoker.secrets_cache" in graph["scv_invoker.auth"]  # the graph is read at all
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for imported in sorted(graph[name]):
            if state.get(imported) == 1:
                circles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles: " + "; ".join(" → ".join(circle) for circle in circles)


def test_nothing_outside_tests_imports_tests() -> None:
    """tests/ may use tools/ and benchmarks/ may use tools/, never the other way round: a tool that leans on
    a conftest breaks the day the test changes (issue #19)."""
    importers = []
    for folder in ("app.py", "infra", "lambda_src", "cli", "tools", "benchmarks"):
        for path in [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                if any(name == "tests" or name.startswith("tests.") for name in names):
                    importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert importers == []
