"""Fixtures of the renderer tests: the lecture's trace and an isolated command line."""

import pytest

import gradviz
import gradviz.cli
import gradviz.numpy as np


@pytest.fixture
def lecture():
    """The lecture's f(x1, x2) = x1·x2 + sin x1 at x1 = 2, x2 = 5."""
    return gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)


@pytest.fixture
def cli(monkeypatch, capsys):
    """``cli(*argv)`` runs ``gradviz.cli.main`` with only the render and trace sub-commands
    (the others belong to other packages and are tested there) and returns
    ``(exit code, stdout, stderr)``."""
    monkeypatch.setattr(gradviz.cli, "_COMMAND_MODULES", ("gradviz.render.command",))

    def run(*argv):
        code = gradviz.cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
