"""The test tooling (corpus, simulator) is its own distribution, `govbudget-devtools` in devtools/.

The runtime distribution ships none of it nor reportlab, and no runtime module imports it when it is
imported: only the commands that need it import it, inside the command (tests/test_cli_devtools.py).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RUNTIME = ("crawler", "parsers", "storage", "tasks", "exports", "web", "cli")
DEVTOOLS = ("govbudget.corpus", "govbudget.simulator", "reportlab")


def _load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _import_time_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Imports that run when the module is imported: not inside a function, not under TYPE_CHECKING."""
    found: list[tuple[int, str]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found += _import_time_imports(ast.Module(body=node.orelse, type_ignores=[]))
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found += [(node.lineno, node.module or "")]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        found += _import_time_imports(node)
    return found


def _is_devtools(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in DEVTOOLS)


def test_no_runtime_module_imports_the_devtools_when_imported() -> None:
    offences = []
    for room in RUNTIME:
        for path in sorted((PROJECT / room).rglob("*.py")):
            tree = ast.parse(path.read_bytes(), filename=str(path))
            offences += [f"{path.relative_to(PROJECT)}:{line}: {module}"
                         for line, module in _import_time_imports(tree) if _is_devtools(module)]
    assert offences == []


def test_devtools_are_imported_only_by_the_command_line() -> None:
    users = set()
    for room in RUNTIME:
        for path in (PROJECT / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_bytes())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(_is_devtools(n) for n in names):
                    users.add(room)
    assert users == {"cli"}


def test_runtime_distribution_lists_no_devtools() -> None:
    main = _load(PROJECT / "pyproject.toml")
    setuptools = main["tool"]["setuptools"]
    listed = [*setuptools["packages"], *setuptools["package-dir"], *setuptools.get("package-data", {})]
    assert [p for p in listed if _is_devtools(p)] == []
    assert [d for d in main["project"]["dependencies"] if d.lower().startswith("reportlab")] == []


def test_devtools_distribution_ships_corpus_and_simulator_with_reportlab() -> None:
    dev = _load(PROJECT / "devtools" / "pyproject.toml")
    setuptools = dev["tool"]["setuptools"]
    assert dev["project"]["name"] == "govbudget-devtools"
    assert sorted(setuptools["packages"]) == [
        "govbudget.corpus", "govbudget.simulator", "govbudget.simulator.country",
        "govbudget.simulator.unseen"]
    assert setuptools["package-dir"] == {"govbudget.corpus": "corpus", "govbudget.simulator": "simulator"}
    for package, folder in setuptools["package-dir"].items():
        assert (PROJECT / "devtools" / folder / "__init__.py").is_file(), package
    assert [d for d in dev["project"]["dependencies"] if d.startswith("reportlab")] == ["reportlab>=4"]
    assert set(setuptools["package-data"]) == {"govbudget.corpus", "govbudget.simulator",
                                               "govbudget.simulator.country"}
