"""The layers import one way (docs/architecture.md draws them):

    dashboard.core < dashboard.domain < dashboard.infra < dashboard.gateway
        < dashboard.views, dashboard.open_data < dashboard.web < layouts < callbacks

- a module of ``dashboard/`` imports its own layer and the layers below it, never one above;
  ``dashboard/web/factory.py``, the composition root that wires callbacks into the app, is
  the one module allowed to import ``callbacks`` and ``layouts``;
- the domain does no I/O: it never imports the database, the cache, Flask or Dash;
- views and the open-data API never open a session themselves: every public read goes through
  ``dashboard.gateway``, the one place that decides what the public may see (``visibility``);
- ``data/`` (the write side) uses core, domain and infra, never pages or the web app;
- ``layouts/`` never imports ``callbacks`` and never reads the request (``flask``): a layout is
  a pure function of its arguments; ``callbacks/`` is the Dash and Flask glue.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Layers from the bottom up; a module may import its own layer and those listed before it.
LAYERS = (
    ("dashboard.core",),
    ("dashboard.domain",),
    ("dashboard.infra",),
    ("dashboard.gateway",),
    ("dashboard.views", "dashboard.open_data"),
    ("dashboard.web",),
    ("layouts",),
    ("callbacks",),
)
#: Modules above their layer's rule, each with the reason.
EXCEPTIONS = {
    # The composition root: it builds the app out of every layer.
    "dashboard.web.factory": {"layouts", "callbacks"},
}
#: Third-party packages a layer may not import.
FORBIDDEN_LIBRARIES = {
    "dashboard.core": {"sqlalchemy", "flask", "dash", "pandas"},
    "dashboard.domain": {"sqlalchemy", "flask", "dash", "flask_caching", "redis"},
    "layouts": {"flask", "sqlalchemy"},
    "data": {"flask", "dash"},
}
#: Where a public read may be written: sessions and ``visibility`` belong to the gateway.
READS_ONLY_THROUGH_GATEWAY = ("dashboard.views", "dashboard.open_data", "layouts", "callbacks")
DATA_MAY_IMPORT = ("dashboard.core", "dashboard.domain", "dashboard.infra", "data")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Dotted names a module imports, anywhere in it (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_of(name: str) -> int | None:
    for index, prefixes in enumerate(LAYERS):
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes):
            return index
    return None


def sources(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _upward(path: Path) -> list[str]:
    name = module_name(path)
    own = layer_of(name)
    if own is None:
        return []
    allowed = EXCEPTIONS.get(name, set())
    wrong = []
    for imported in sorted(imports_of(path)):
        layer = layer_of(imported)
        if layer is not None and layer > own and imported.split(".")[0] not in allowed:
            wrong.append(imported)
    return wrong


def test_no_module_imports_a_layer_above_its_own():
    wrong = {
        module_name(path): found
        for path in sources("dashboard", "layouts", "callbacks")
        if (found := _upward(path))
    }
    assert wrong == {}


def test_layers_keep_out_of_the_libraries_they_must_not_use():
    wrong = {}
    for path in sources("dashboard", "layouts", "callbacks", "data"):
        name = module_name(path)
        for prefix, libraries in FORBIDDEN_LIBRARIES.items():
            if name == prefix or name.startswith(prefix + "."):
                found = {i.split(".")[0] for i in imports_of(path)} & libraries
                if found:
                    wrong[name] = sorted(found)
    assert wrong == {}


def test_public_reads_go_through_the_gateway():
    """No view, API module, layout or callback opens a session, builds SQL or reads
    ``visibility``: what the public may see is decided in ``dashboard.gateway.published``."""
    wrong = {}
    for path in sources("dashboard/views", "dashboard/open_data", "layouts", "callbacks"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = sorted(
            name
            for name in imports_of(path)
            if name in ("dashboard.infra.db", "dashboard.infra.db.session_scope")
            or name.startswith("sqlalchemy")
        )
        if any(
            (isinstance(node, ast.Attribute) and node.attr == "visibility")
            or (isinstance(node, ast.Name) and node.id in ("PUBLISHED", "DRAFT"))
            for node in ast.walk(tree)
        ):
            found.append("visibility")
        if found:
            wrong[module_name(path)] = found
    assert wrong == {}


def test_the_write_side_uses_no_page_code():
    wrong = {
        module_name(path): found
        for path in sources("data")
        if (
            found := sorted(
                name
                for name in imports_of(path)
                if name.split(".")[0] in ("dashboard", "layouts", "callbacks")
                and not name.startswith(DATA_MAY_IMPORT)
            )
        )
    }
    assert wrong == {}


def test_the_checker_sees_imports_inside_functions(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from callbacks.pages import PageContext\n")
    assert imports_of(module) == {"callbacks.pages", "callbacks.pages.PageContext"}


@pytest.mark.parametrize(
    ("name", "layer"),
    [("dashboard.core.settings", 0), ("dashboard.views.agency.build", 4), ("layouts.home", 6)],
)
def test_modules_are_placed_in_their_layer(name: str, layer: int):
    assert layer_of(name) == layer


def test_every_module_of_a_layer_is_placed_on_the_architecture_page():
    """docs/architecture.md names where each module lives; a new module must be placed there."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layers = ("core", "domain", "infra", "gateway", "web", "views")
    missing = sorted(
        f"dashboard/{layer}/{path.name}"
        for layer in layers
        for path in (ROOT / "dashboard" / layer).glob("*.py")
        if path.name != "__init__.py" and f"`{path.name}`" not in page
    )
    assert missing == []
