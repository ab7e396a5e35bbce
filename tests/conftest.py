"""Shared test settings: bounded hypothesis profiles keep the whole suite to minutes; a trace
with a wrong user rule, for the debugger's tests in several packages."""

import os

import numpy
import pytest
from hypothesis import HealthCheck, settings

import gradviz
import gradviz.cli
import gradviz.numpy as np
from gradviz.extend import defjvp, defvjp, primitive

settings.register_profile(
    "ci", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("GRADVIZ_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def wrong_cube_trace():
    """A trace through a user primitive ``cube`` whose VJP has the wrong sign (its JVP is right)."""

    @primitive
    def cube(x):
        return x ** 3

    defjvp(cube, lambda t, ans, x: 3 * x ** 2 * t)
    defvjp(cube, lambda ans, x: lambda g: -3 * x ** 2 * g)  # the seeded sign error
    return gradviz.trace(lambda x: np.sum(np.exp(cube(np.sin(x)) * 0.1)), numpy.array([0.3, -0.7]))


@pytest.fixture
def cli(monkeypatch, capsys):
    """``cli(*argv)`` runs ``gradviz.cli.main`` with only the render and trace sub-commands
    (the others belong to other packages and are tested there) and returns
    ``(exit code, stdout, stderr)``."""
    monkeypatch.setattr(gradviz.cli, "_COMMAND_MODULES",
                        {"render": gradviz.cli._COMMAND_MODULES["render"]})

    def run(*argv):
        code = gradviz.cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
