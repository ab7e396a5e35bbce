"""Every code block in the README and in docs/ runs, so the documentation cannot rot.

``python`` blocks of one file run in order, in one namespace, in a scratch folder. ``bash``
and ``console`` blocks: each ``gradviz …`` command runs through ``gradviz.cli.main`` and must
exit 0 (or the code a ``# exit N`` comment on its line names); ``python examples/….py``
runs the example; the set-up segments (``python3 -m venv``, ``pip install``, ``.venv/bin/python
-m pytest``) are what this test suite is already running inside, so they are skipped.
"""

from __future__ import annotations

import os
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


# --- shown output is the code's output ------------------------------------------------------
# An output block is a fence with no language. It shows the output of the ``python`` block
# right above it (nothing but blank lines between), or of the command an HTML comment
# ``<!-- output: gradviz … -->`` / ``<!-- output: python examples/….py -->`` names just above it.
# Each is compared, line by line with trailing blanks dropped, with a fresh run;
# ``GRADVIZ_UPDATE_DOCS=1`` writes the fresh output into the document instead.
FENCE_OR_TEXT = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[^\n]*\n?", re.S | re.M)
OUTPUT_OF = re.compile(r"<!--\s*output:\s*(.*?)\s*-->\s*$", re.S)


def shown_outputs(path: pathlib.Path) -> list[tuple[str, str, int]]:
    """``(source, shown text, number)``: source is ``"python block N"`` or a command."""
    text, found, previous_end, pythons, last_python_end = path.read_text(), [], 0, 0, None
    for match in FENCE_OR_TEXT.finditer(text):
        language, body = match.group(1), match.group(2)
        between = text[previous_end:match.start()]
        if language == "python":
            pythons += 1
            last_python_end = match.end()
        elif language == "":
            named = OUTPUT_OF.search(between)
            if named:
                found.append((named.group(1), body, len(found) + 1))
            elif last_python_end == previous_end and not between.strip():
                found.append((f"python block {pythons}", body, len(found) + 1))
        previous_end = match.end()
    return found


def _normalised(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def _run_command(command: str, capsys) -> str:
    from gradviz.cli import main

    words = shlex.split(command)
    if words[0] == "gradviz":
        main(words[1:])
    else:
        assert words[0] in ("python", "python3") and words[1].startswith("examples/"), command
        old_argv, sys.argv = sys.argv, words[1:]
        try:
            runpy.run_path(str(ROOT / words[1]), run_name="__main__")
        finally:
            sys.argv = old_argv
    return capsys.readouterr().out


def _python_outputs(path: pathlib.Path, capsys) -> dict[str, str]:
    """Each python block's stdout, the blocks run in order in one namespace, as a file
    ``example.py`` (the name the docs' messages show)."""
    outputs, namespace = {}, {"__name__": "__docs__"}
    capsys.readouterr()
    for number, body in enumerate(blocks(path, ("python",)), 1):
        exec(compile(body, "example.py", "exec"), namespace)  # noqa: S102
        outputs[f"python block {number}"] = capsys.readouterr().out
    return outputs


OUTPUT_DOCUMENTS = [p for p in DOCUMENTS if shown_outputs(p)]


@pytest.mark.parametrize("path", OUTPUT_DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shown_output_is_what_the_code_prints(path, scratch, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # no line of the shown output is wrapped
    shown = shown_outputs(path)
    python = _python_outputs(path, capsys) if any(s.startswith("python block") for s, _, _ in shown) else {}
    for source, text, number in shown:
        fresh = python[source] if source in python else _run_command(source, capsys)
        if os.environ.get("GRADVIZ_UPDATE_DOCS"):
            replaced = "\n".join(_normalised(fresh)) + "\n"
            path.write_text(path.read_text().replace(f"```\n{text}```", f"```\n{replaced}```", 1))
            continue
        assert _normalised(fresh) == _normalised(text), (
            f"{path.name}: output block {number} ({source}) is not what it prints now:\n{fresh}")


def test_debugging_shows_the_outputs_of_its_examples():
    sources = [source for source, _, _ in shown_outputs(ROOT / "docs" / "debugging.md")]
    assert "python examples/debug_nan.py" in sources and "python block 1" in sources
