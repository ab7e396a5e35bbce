"""docs/cli.md names every command and option the parser has: none can go undocumented.

(Compared option by option rather than as text: argparse words its help a little
differently from one Python version to the next.)
"""

import argparse
import pathlib
import re

from gradviz.cli import build_parser

REFERENCE = pathlib.Path(__file__).parents[2] / "docs" / "cli.md"


def test_every_command_and_option_is_in_the_cli_reference():
    written = REFERENCE.read_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [f"gradviz {name}" for name in commands.choices if f"## gradviz {name}" not in written]
    for name, command in commands.choices.items():
        missing += [f"gradviz {name} {option}" for action in command._actions
                    if action.help != argparse.SUPPRESS
                    for option in action.option_strings if not _mentions(written, option)]
    assert not missing, f"{missing}: regenerate with python -m gradviz.cli.reference > docs/cli.md"


def _mentions(text: str, option: str) -> bool:
    """Whether ``option`` stands in ``text`` as a whole word: ``-o`` inside ``--output`` does
    not count."""
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None
