"""Any rule table's module can be the first gradviz module a program imports: autograd
programs start with ``import autograd.scipy.stats.norm as norm`` as often as with numpy, and
``import gradviz`` itself loads nothing. Each import runs in a fresh interpreter, where the
order is the program's own."""

from __future__ import annotations

import subprocess
import sys

import pytest

#: gradviz.scipy.stats reaches the numpy table's helpers through the scipy and linear-algebra
#: tables before the numpy table itself (one interpreter per module: each costs an import of
#: numpy and scipy, so one module stands for that path).
FIRST_IMPORTS = ["gradviz.scipy.stats"]


@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_a_rule_module_imported_first_loads_its_tables(module):
    # It failed with "cannot import name ... from partially initialized module
    # gradviz.rules._numpy_helpers": the helpers imported the table before defining its names.
    program = (f"import {module}\n"
               "import gradviz, gradviz.numpy as np\n"
               "print(gradviz.grad(lambda x: np.prod(x) ** 2)(np.array([1.0, 2.0]))[0])\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1]
    assert done.stdout.strip() == "8.0"
