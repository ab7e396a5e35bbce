"""Shared by the example tests: import an example script as a module.

Not a ``conftest.py``: a second non-package ``conftest.py`` beside ``tests/renderer``'s clashes
with it (both are module ``conftest``) when both folders are collected with --doctest-modules.
"""

import importlib.util
import pathlib

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load(name):
    """Import ``examples/NAME.py`` as a module (the examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
