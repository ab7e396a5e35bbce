"""Fixtures of the renderer tests: the lecture's trace and the golden DOT files."""

import os
from pathlib import Path

import pytest

import gradviz
import gradviz.numpy as np

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def lecture():
    """The lecture's f(x1, x2) = x1·x2 + sin x1 at x1 = 2, x2 = 5."""
    return gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)


@pytest.fixture
def golden():
    """``golden(name, source)`` compares ``source`` with ``golden/NAME``;
    ``GRADVIZ_UPDATE_GOLDEN=1`` rewrites the file instead."""

    def compare(name: str, source: str) -> None:
        path = GOLDEN / name
        if os.environ.get("GRADVIZ_UPDATE_GOLDEN"):
            path.write_text(source, encoding="utf-8")
        assert source == path.read_text(encoding="utf-8"), f"rendered DOT differs from {path}"

    return compare
