"""The ``gradviz`` command: argv in, the public API out. Nothing imports this module.

Each module of this package registers its sub-commands here: ``render`` and ``trace``
(gradviz.cli.render), ``inspect`` and ``train`` (gradviz.cli.inspect), ``check``
(gradviz.cli.check); the expression parser is gradviz.cli.expression.

Exit codes: 0 success, 1 a check that failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
from typing import Sequence

from gradviz.errors import GradvizError

__all__ = ["main", "run", "EXIT_OK", "EXIT_CHECK_FAILED", "EXIT_BAD_INPUT"]

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

def _render_commands(commands) -> None:
    from gradviz.cli.render import register

    register(commands)


def _inspect_commands(commands) -> None:
    from gradviz.cli.inspect import register

    register(commands)


def _check_commands(commands) -> None:
    from gradviz.cli.check import register

    register(commands)


#: the modules of the sub-commands, each imported only to build or run one of its commands
#: (the renderer alone brings networkx and graphviz)
_COMMAND_MODULES = {"render": _render_commands, "inspect": _inspect_commands,
                    "check": _check_commands}

#: each command's module and summary, so that ``gradviz --help`` lists the commands without
#: importing them; a test checks that these summaries are the modules' own
COMMANDS = {
    "render": ("render", "draw the evaluation graph with values, tangents, adjoints and partials"),
    "trace": ("render", "print the forward and reverse evaluation-trace tables"),
    "inspect": ("inspect", "step through the forward and reverse sweeps of an expression"),
    "train": ("inspect", "train the lecture's classifier on make_moons, optionally in the inspector"),
    "check": ("check", "check derivatives, find NaN/Inf births, gradient health and paths"),
}

_EPILOG = """examples:
  gradviz render "x1*x2 + sin(x1)" --at x1=2,x2=5 -o graph.png
  gradviz trace "x1*x2 + sin(x1)" --at x1=2,x2=5
  gradviz inspect "x1*x2 + sin(x1)" --at x1=2,x2=5
  gradviz train moons --steps 100 --lr 0.001
  gradviz check "log(x)*y" --at x=2,y=3
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are a GradvizError (one line, exit 2)."""

    #: the command line the examples of errors show; build_parser sets the main parser's to
    #: its sub-command's, which argparse leaves it to report arguments that are left over
    example_prog: str | None = None

    def error(self, message: str):  # type: ignore[override]
        hint = _dash_hint(message, self.example_prog or self.prog)
        raise GradvizError(f"{message}{hint} (see '{self.prog} --help')")


#: an argument that starts with "-" and holds an operator or a parenthesis, e.g. "-log(p)*t";
#: no option looks like that
_EXPRESSION_WITH_MINUS = re.compile(r"-[^-].*[-()*+/@\[\] ^,].*")


def _dash_hint(message: str, prog: str) -> str:
    """argparse read an expression such as ``-x`` as an option: say how to pass it."""
    if "required: expression" in message.lower() or "unrecognized arguments: -" in message:
        return ("; an expression that starts with '-' goes after the options and '--', "
                f"e.g. {prog} --at x=1 -- -x")
    return ""


def _prepare(argv: list[str]) -> tuple[list[str], bool, dict[str, str]]:
    """``--traceback`` taken out wherever it stands, and expressions that start with ``-``
    protected from argparse, which would read them as options (a leading space makes
    argparse take them as positional; :func:`_restore` takes it off again)."""
    show_traceback, prepared, protected = False, [], {}
    for position, argument in enumerate(argv):
        if argument == "--":
            return prepared + argv[position:], show_traceback, protected
        if argument == "--traceback":
            show_traceback = True
        elif _EXPRESSION_WITH_MINUS.fullmatch(argument):
            protected[" " + argument] = argument
            prepared.append(" " + argument)
        else:
            prepared.append(argument)
    return prepared, show_traceback, protected


def _restore(arguments: argparse.Namespace, protected: dict[str, str]) -> None:
    """Undo :func:`_prepare`'s protection; repeated ``--at`` options are merged into one."""
    for name, value in vars(arguments).items():
        if isinstance(value, str) and value in protected:
            setattr(arguments, name, protected[value])
    if isinstance(getattr(arguments, "at", None), list):
        arguments.at = ",".join(arguments.at)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given ``argv``, only the command it names is built in full (the
    others are listed by name and summary), so that nothing else is imported."""
    parser = _Parser(
        prog="gradviz",
        description="See automatic differentiation happen: graphs, tables and a stepping "
        "inspector for forward and reverse mode.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="gradviz 0.1.0")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = _COMMAND_MODULES if argv is None else _module_of(argv)
    named = [argument for argument in argv or () if argument in COMMANDS]
    parser.example_prog = f"gradviz {named[0]}" if named else None
    registered = set()
    for module, register in _COMMAND_MODULES.items():
        if module in wanted:
            register(commands)
            registered.add(module)
    for name, (module, summary) in COMMANDS.items():
        if module in _COMMAND_MODULES and module not in registered:
            commands.add_parser(name, help=summary)
    return parser


def _module_of(argv: Sequence[str]) -> tuple[str, ...]:
    """The module of the command ``argv`` names (its first word that is a command), if any."""
    for argument in argv:
        if argument == "--":
            break
        if argument in COMMANDS:
            return (COMMANDS[argument][0],)
    return ()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 check failed, 2 bad input)."""
    argv, show_traceback, protected = _prepare(list(sys.argv[1:] if argv is None else argv))
    try:
        parser = build_parser(argv)
        arguments = parser.parse_args(argv)
        _restore(arguments, protected)
        if arguments.command is None:
            parser.print_help()
            return EXIT_BAD_INPUT
        return int(arguments.run(arguments) or EXIT_OK)
    except GradvizError as exc:
        if show_traceback:
            raise
        message = str(exc)
        print(f"gradviz: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    """The ``gradviz`` program: :func:`main`, then the end of the process. The objects left
    are not collected first (the operating system frees them at once): after an inspected
    training run, that collection took longer than the inspector takes to quit."""
    code = main()
    gc.freeze()  # the collections at interpreter exit skip frozen objects
    sys.exit(code)


if __name__ == "__main__":
    run()
