"""Importing gradviz changes nothing in the host process: no process is started and the
allocator is left alone (a Jupyter kernel or a service imports us; their malloc is theirs).

Each check runs a fresh interpreter with an audit hook installed before anything is imported:
starting a process (``subprocess.Popen``, ``os.system``, ``os.posix_spawn``, ``os.fork``,
``os.exec``, which is how ``ctypes.util.find_library`` runs ``ldconfig``) and looking up a
C symbol (``ctypes.dlsym``, how ``mallopt`` would be reached) are reported on stdout.
"""

import json
import subprocess
import sys

import pytest

_WATCH = """
import json, sys
seen = []
SPAWNS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.fork", "os.forkpty",
          "os.exec", "os.spawn", "pty.spawn"}
def hook(event, args):
    if event in SPAWNS:
        seen.append(event)
    elif event == "ctypes.dlsym":
        seen.append("ctypes.dlsym " + str(args[1]))
sys.addaudithook(hook)
"""


def _events_of(program: str) -> list[str]:
    code = _WATCH + program + "\nprint(json.dumps(seen))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_gradviz_starts_no_process_and_leaves_mallopt_alone():
    events = _events_of(
        "import gradviz, gradviz.numpy as np\n"
        "gradviz.grad(lambda x: np.sum(np.tanh(x * 2.0)))(np.ones(5000))\n"
    )
    assert events == []


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # The detectors themselves work: what gradviz used to do at import is seen.
        ("import ctypes.util\nctypes.util.find_library('c')", "subprocess.Popen"),
        ("from gradviz.engine.memory import tune_allocator\ntune_allocator()",
         "ctypes.dlsym mallopt"),
    ],
    ids=["find_library-spawns", "tune_allocator-reaches-mallopt"],
)
def test_the_watch_sees_a_spawn_and_a_mallopt(program, expected):
    if expected == "ctypes.dlsym mallopt" and not sys.platform.startswith("linux"):
        pytest.skip("mallopt is glibc's")
    assert expected in _events_of(program)
