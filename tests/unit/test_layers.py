"""The layers import one way: data and dashboard (the domain), then layouts, then callbacks.

- ``dashboard/`` and ``data/`` never import ``layouts`` or ``callbacks``; the one exception is
  ``dashboard/factory.py``, the composition root that wires callbacks into the app;
- ``layouts/`` never imports ``callbacks`` and never reads the request (``flask``): a layout
  is a pure function of its arguments;
- ``callbacks/`` is the Dash and Flask glue: it may import everything above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: package -> top-level packages its modules may not import.
FORBIDDEN = {
    "dashboard": {"layouts", "callbacks"},
    "data": {"layouts", "callbacks"},
    "layouts": {"callbacks", "flask"},
}
COMPOSITION_ROOT = Path("dashboard/factory.py")


def imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports, anywhere in it (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(package: str):
    wrong = {
        str(path): sorted(imported_packages(ROOT / path) & FORBIDDEN[package])
        for path in modules(package)
        if path != COMPOSITION_ROOT
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_the_checker_sees_imports_inside_functions(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from callbacks.pages import PageContext\n")
    assert imported_packages(module) == {"callbacks"}
