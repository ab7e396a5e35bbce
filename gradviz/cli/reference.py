"""Writes ``docs/cli.md``: every command's ``--help``, so the reference cannot drift.

``python -m gradviz.cli.reference > docs/cli.md``; a test checks the file names every option.
"""

from __future__ import annotations

import os

from gradviz.cli import build_parser

INTRO = """# The command line

Every `gradviz` command and option, as `--help` prints them (this page is generated from
the parser, and a test checks that every option is on it). Exit codes: 0 success, 1 a check or a breakpoint
that failed (`check`, `train` on a non-finite loss, `inspect --plain` stopped at a
breakpoint), 2 bad input, with a one-line message; `--traceback`, anywhere on the line,
shows the whole error.

- An expression that starts with a minus is read as one (`gradviz trace "-log(p)*t" --at
  p=0.5,t=1`); one that looks like an option (`-x`) goes after `--`:
  `gradviz trace --at x=1 -- -x`.
- Repeated `--at` options are merged: `--at x=3 --at y=5` is `--at x=3,y=5`; values may use
  the constants `pi` and `e`.
- Every output (`-o`, `--plot`) is checked before any work is done: an empty name, a
  directory or a missing folder is refused at once.
- Breakpoints that could never fire are refused: `--break-op` names one of the trace's
  operations, `--break-iteration` (counted from 1, as the inspector shows iterations) is
  for training runs and at most `--steps`.
- `gradviz train` stops at the first iteration whose loss or gradient is not finite, and
  shows the weights that produced it; `--keep-going` trains on.
"""


def reference() -> str:
    """The Markdown text of the command-line reference."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help text to the terminal's width
    try:
        return _reference()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _reference() -> str:
    parser = build_parser()
    sections = [INTRO, "## gradviz\n", "```\n" + parser.format_help().rstrip() + "\n```\n"]
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in commands.choices.items():
        sections.append(f"## gradviz {name}\n")
        sections.append("```\n" + command.format_help().rstrip() + "\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    print(reference(), end="")
