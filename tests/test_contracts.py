"""Dependency rules of the packages, stated once and checked over every module.

``hallplan.sim`` imports none of the other packages; ``hallplan.forecast`` and
``hallplan.optimize`` import only ``hallplan.sim`` (and themselves); ``hallplan`` proper (CLI,
pipeline, reports, region) may import all of them. Every ``import``/``from`` statement counts,
at module level or inside a function, relative ones resolved, and so do module names given to
``importlib.import_module`` as (f-)strings. Nothing anywhere imports the old top-level names
``sim``, ``forecast``, ``optimize`` or ``scenarios``.
"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SETUP = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
PACKAGE_DIR: dict[str, str] = _SETUP["package-dir"]

# package → the hallplan packages its modules may import (besides third-party libraries)
ALLOWED: dict[str, set[str]] = {
    "hallplan.sim": {"hallplan.sim"},
    "hallplan.forecast": {"hallplan.sim", "hallplan.forecast"},
    "hallplan.optimize": {"hallplan.sim", "hallplan.optimize"},
}
OLD_NAMES = {"sim", "forecast", "optimize", "scenarios"}


def _module_name(path: Path) -> tuple[str, bool]:
    """(dotted name, is a package ``__init__``) of a source file under a mapped folder."""
    for package, folder in sorted(PACKAGE_DIR.items(), key=lambda kv: -len(kv[1])):
        base = ROOT / folder
        if path.is_relative_to(base):
            parts = list(path.relative_to(base).with_suffix("").parts)
            is_init = parts[-1] == "__init__"
            if is_init:
                parts.pop()
            return ".".join([package, *parts]), is_init
    raise AssertionError(f"{path} is in no mapped package folder")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / PACKAGE_DIR[package]).rglob("*.py"))


def _imports(path: Path, name: str | None = None, is_init: bool = False) -> list[tuple[int, str]]:
    """Every module name a file imports (line, dotted name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert name is not None, f"{path}:{node.lineno}: relative import outside a package"
                base = name.split(".") if is_init else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"):
            arg = node.args[0]
            if isinstance(arg, ast.JoinedStr) and arg.values:
                arg = arg.values[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, arg.value.rstrip(".")))
    return found


def _hallplan_package(module: str) -> str | None:
    """The first-level package of a hallplan module name (``hallplan.sim``, … or ``hallplan``
    for hallplan proper); None for a third-party module."""
    parts = module.split(".")
    if parts[0] != "hallplan":
        return None
    if len(parts) > 1 and f"hallplan.{parts[1]}" in PACKAGE_DIR:
        return f"hallplan.{parts[1]}"
    return "hallplan"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package):
    modules = _modules(package)
    assert len(modules) >= 5, f"{package}: found too few modules ({len(modules)}) to check"
    broken = []
    for path in modules:
        name, is_init = _module_name(path)
        assert name == package or name.startswith(package + ".")
        for line, target in _imports(path, name, is_init):
            dep = _hallplan_package(target)
            if dep is not None and dep not in ALLOWED[package]:
                broken.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
    assert not broken, f"{package} may import only {sorted(ALLOWED[package])}:\n" + "\n".join(
        broken)


def test_the_rule_catches_a_forbidden_import(tmp_path):
    """The checker itself: a sim module importing optimize, relatively or not, is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from ..optimize import queueing\n    import hallplan.cli\n"
                   "import importlib\nimportlib.import_module(f'hallplan.forecast.{x}')\n")
    targets = {t for _, t in _imports(bad, "hallplan.sim.bad")}
    deps = {_hallplan_package(t) for t in targets}
    assert {"hallplan.optimize", "hallplan", "hallplan.forecast"} <= deps


def _all_python_sources() -> list[Path]:
    folders = [*PACKAGE_DIR.values(), "tests", "benchmarks"]
    return sorted({p for f in folders for p in (ROOT / f).rglob("*.py")})


def test_nothing_imports_the_old_top_level_names():
    broken = []
    for path in _all_python_sources():
        for line, target in _imports(path, *_module_name_or_none(path)):
            if target.split(".")[0] in OLD_NAMES:
                broken.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            tmp = ast.parse("\n".join(ln for ln in src.splitlines() if not ln.startswith("%")))
            for node in ast.walk(tmp):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                broken += [f"{nb.name} cell {i}: {n}" for n in names
                           if n.split(".")[0] in OLD_NAMES]
    assert not broken, "use the hallplan.* names:\n" + "\n".join(broken)


def _module_name_or_none(path: Path) -> tuple[str | None, bool]:
    try:
        return _module_name(path)
    except AssertionError:
        return None, False


def test_readme_states_the_rule_the_tests_enforce():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "optimize → {sim, forecast}" not in readme
    assert "`forecast` and `optimize` import only `sim`" in readme


def _module_graph() -> dict[str, set[str]]:
    """hallplan module → the hallplan modules it imports (``from pkg import name`` counts
    as importing ``pkg.name`` when that is a module, else ``pkg``)."""
    files = {}
    for folder in PACKAGE_DIR.values():
        for path in (ROOT / folder).rglob("*.py"):
            name, is_init = _module_name(path)
            files[name] = (path, is_init)
    graph: dict[str, set[str]] = {}
    for name, (path, is_init) in files.items():
        deps = set()
        for _, target in _imports(path, name, is_init):
            while target and target not in files:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                deps.add(target)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# cycles still to untangle (each through an import inside a function); a new one fails
KNOWN_CYCLES = [
    ["hallplan.optimize.roster.check", "hallplan.optimize.roster.solution"],  # roster rewrite
    ["hallplan.sim.calling", "hallplan.sim.scenario"],
]


def test_no_new_import_cycles_between_modules():
    """Not even through imports inside functions (cli ↔ region.cli and ticket_log ↔ store
    were such cycles)."""
    graph = _module_graph()
    assert "hallplan.console" in graph["hallplan.region.cli"]
    assert "hallplan.cli" not in graph["hallplan.region.cli"]
    assert "hallplan.forecast.store" not in graph["hallplan.forecast.ticket_log"]
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert sorted(_cycles(graph)) == KNOWN_CYCLES


def test_no_module_chooses_a_matplotlib_backend_or_uses_pyplot():
    """Figures are built with matplotlib.figure.Figure; choosing "Agg" on import (as seven
    modules did) kept charts out of the notebooks."""
    broken = []
    for folder in PACKAGE_DIR.values():
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "use"
                        and getattr(node.func.value, "id", "") == "matplotlib"):
                    broken.append(f"{path.relative_to(ROOT)}:{node.lineno}: matplotlib.use")
            broken += [f"{path.relative_to(ROOT)}:{line}: {t}" for line, t in _imports(path)
                       if t.startswith("matplotlib.pyplot")]
    assert not broken, "\n".join(broken)
