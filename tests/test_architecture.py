"""The layers of docs/architecture.md, checked on every module's module-level imports: engine,
rules, the namespaces users import, export (the trace's views), the debugger, the renderer /
inspector / training runs, gradviz.drawing, the command line. A module may import its own layer
and the layers below; an import inside a function (a convenience method that loads a view on
use) is not a module-level import and is not checked here; the renderer imports the debugger
nowhere, not even inside a function. And no module keeps a cache in another object's
``__dict__``."""

from __future__ import annotations

import ast
import pathlib

import gradviz

PACKAGE = pathlib.Path(gradviz.__file__).parent

#: Layer of each top-level module or package of gradviz, from the ground up.
LAYERS = {
    "engine": 0, "errors": 0, "_files": 0,
    "rules": 1,
    "numpy": 2, "scipy": 2, "differential": 2, "differential_operators": 2, "extend": 2,
    "misc": 2, "builtins": 2, "checkpoint": 2, "util": 2, "tracer": 2,
    "export": 3,
    "debug": 4, "test_util": 4,
    "renderer": 5, "inspector": 5, "train": 5,
    "drawing": 6,
    "cli": 7,
}


def _part(module: str) -> str | None:
    """``gradviz.export.graph`` → ``export``; ``None`` for anything outside gradviz."""
    names = module.split(".")
    return names[1] if names[0] == "gradviz" and len(names) > 1 else None


def _module_level_imports(path: pathlib.Path) -> list[str]:
    """What ``path`` imports outside any function or class body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, (ast.If, ast.Try)):  # imports under a guard still run at import
            pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return found


def _upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts == ("__init__.py",):
            continue  # the package's face hands on names from every layer
        own = relative.parts[0].removesuffix(".py")
        for module in _module_level_imports(path):
            part = _part(module)
            if part in LAYERS and LAYERS[part] > LAYERS.get(own, len(LAYERS)):
                wrong.append(f"{relative}: {module}")
    return sorted(set(wrong))


def test_every_part_of_the_package_has_a_layer():
    parts = {path.name.removesuffix(".py") for path in PACKAGE.iterdir()
             if path.suffix == ".py" or (path / "__init__.py").exists()}
    assert sorted(parts - set(LAYERS) - {"__init__"}) == []


def test_module_level_imports_point_down_the_layers():
    assert _upward_imports() == []


def test_the_renderer_never_imports_the_debugger():
    """The renderer draws the findings it is given (gradviz.drawing works them out): none of its
    modules imports gradviz.debug, at module level or inside a function."""
    found = []
    for path in sorted((PACKAGE / "renderer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0
                     else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.relative_to(PACKAGE)}: {name}" for name in names if _part(name) == "debug"]
    assert found == []


def test_no_cache_is_kept_in_another_objects_dict():
    """Caches belong to what computes them (a table of its own, weakly keyed, or an attribute set
    up in ``__init__``): no module reads or writes an object's ``__dict__`` behind its back."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "__dict__":
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []
