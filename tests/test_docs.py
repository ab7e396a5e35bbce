"""Every code block in the README and in docs/ runs, so the documentation cannot rot.

``python`` blocks of one file run in order, in one namespace, in a scratch folder. ``bash``
and ``console`` blocks: each ``gradviz …`` command runs through ``gradviz.cli.main`` and must
exit 0 (or the code a ``# exit N`` comment on its line names); ``python examples/….py``
runs the example; the set-up segments (``python3 -m venv``, ``pip install``, ``.venv/bin/python
-m pytest``) are what this test suite is already running inside, so they are skipped.
"""

from __future__ import annotations

import pathlib
import re
import runpy
import shlex
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)
SETUP = ("python3 -m venv", "pip install", ".venv/bin/pip", "-m pytest", "cd ", "git ")
SLOW_EXAMPLES = {"moons_lecture.py", "mlp_moons.py"}


def blocks(path: pathlib.Path, languages: tuple[str, ...]) -> list[str]:
    return [body for language, body in FENCE.findall(path.read_text()) if language in languages]


def commands(path: pathlib.Path) -> list[str]:
    found = []
    for body in blocks(path, ("bash", "console", "sh", "shell")):
        for line in body.splitlines():
            line = line.strip().removeprefix("$ ")
            for segment in line.split("&&"):
                segment = segment.strip()
                if segment and not segment.startswith("#") and not any(s in segment for s in SETUP):
                    found.append(segment)
    return found


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if blocks(p, ("python",))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(path, scratch):
    namespace: dict = {"__name__": "__docs__"}
    for number, body in enumerate(blocks(path, ("python",)), 1):
        try:
            exec(compile(body, f"{path.name} block {number}", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            pytest.fail(f"{path.name} python block {number} failed: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if commands(p)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_commands_run(path, scratch, capsys):
    from gradviz.cli import main

    for command in commands(path):
        expected = 0
        if "# exit" in command:
            command, comment = command.split("# exit")
            expected = int(comment.split()[0])
        words = shlex.split(command.split(" #")[0])
        words = [w.replace(".venv/bin/", "") for w in words]
        if words[0] == "gradviz":
            code = main(words[1:] + (["--plain"] if words[1:2] == ["inspect"] and "--plain" not in words else []))
            assert code == expected, f"{path.name}: '{command}' exited {code}: {capsys.readouterr().err}"
        elif words[0] in ("python", "python3") and words[1].startswith("examples/"):
            if pathlib.Path(words[1]).name in SLOW_EXAMPLES:
                continue  # run at a small size by their own tests
            old_argv = sys.argv
            sys.argv = words[1:]
            try:
                runpy.run_path(str(ROOT / words[1]), run_name="__main__")
            finally:
                sys.argv = old_argv
