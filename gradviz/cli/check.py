"""``gradviz check EXPR --at ...``: the gradient debugger on the command line. On a saved
trace (``gradviz check FILE.json``) what the file holds is checked: where NaN/Inf were born
and the gradient health; comparing the modes and the paths need the live function.

Exit codes: 0 every check passed, 1 a check failed (modes disagree, a rule is wrong, a NaN or
Inf was born), 2 bad input.
"""

from __future__ import annotations

import argparse

import numpy as onp
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gradviz.debug.attribution import paths
from gradviz.debug.gradcheck import compare_modes
from gradviz.debug.health import health
from gradviz.debug.localise import check_trace
from gradviz.debug.nans import nan_birth
from gradviz.export.serialize import load_trace
from gradviz.cli.arguments import no_point
from gradviz.cli.expression import parse, parse_bindings, trace_expression
from gradviz.errors import GradvizError

__all__ = ["register", "run"]


def register(subparsers) -> None:
    """Add the ``check`` sub-command."""
    parser = subparsers.add_parser(
        "check", help="check derivatives, find NaN/Inf births, gradient health and paths",
        description="Compare reverse mode, forward mode and central finite differences for every "
        "input; on failure name the first operation whose rule is wrong. A saved trace "
        "(FILE.json) is checked for what the file holds: where NaN/Inf were born, and --health.")
    parser.add_argument("expression", help='e.g. "log(x)*y", or a saved trace FILE.json')
    parser.add_argument("--at", metavar="BINDINGS", default=None, action="append",
                        help="values, e.g. x=2,y=3 or x=[1,2]; repeated --at options are merged "
                        "(not with a saved trace)")
    parser.add_argument("--nans", action="store_true", help="show where NaN/Inf were born")
    parser.add_argument("--health", action="store_true", help="adjoint norms and flags per node")
    parser.add_argument("--paths", action="store_true", help="the chain rule's paths --from --to")
    parser.add_argument("--from", dest="source", default=None, help="input of --paths (default: first)")
    parser.add_argument("--to", dest="target", default=None, help="output of --paths (default: f)")
    parser.add_argument("--width", type=int, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(arguments) -> int:
    """Run the checks asked for; return the exit code."""
    console = Console(width=arguments.width, highlight=False)
    if arguments.expression.strip().lower().endswith(".json"):
        return _run_saved(arguments, console)
    if arguments.at is None:
        raise no_point(arguments.expression)
    expression = parse(arguments.expression)
    bindings = parse_bindings(arguments.at)
    with onp.errstate(all="ignore"):  # a NaN is reported below, once, not as a warning
        trace = trace_expression(arguments.expression, bindings)
        births = nan_birth(trace)
    if not arguments.paths and (arguments.source or arguments.target):
        raise GradvizError("--from and --to choose the paths of --paths: add --paths")
    # the paths are found first: a wrong --from or --to is an error before any table is printed
    found = paths(trace, arguments.source or 0, arguments.target) if arguments.paths else None
    values = [bindings[name] for name in expression.variables]
    failed = _print_modes(console, expression.function, values, expression.variables, trace)
    if failed and not births:
        _print_blame(console, trace)
    if arguments.nans or births:
        _print_births(console, births)
    if arguments.health:
        _print_health(console, trace)
    if found is not None:
        _print_paths(console, found)
    return 1 if failed or births else 0


def _run_saved(arguments, console) -> int:
    """The checks a saved trace allows: where NaN/Inf were born, and the gradient health."""
    if arguments.at is not None:
        raise GradvizError("--at is not used with a saved trace: its values are in the file")
    if arguments.paths or arguments.source or arguments.target:
        raise GradvizError("--paths needs the live function (a saved trace has no rules to push "
                           "tangents through): give the expression and --at")
    trace = load_trace(arguments.expression.strip())
    with onp.errstate(all="ignore"):
        births = nan_birth(trace)
    console.print("[dim]a saved trace: its derivatives are not compared again (that needs the "
                  "live function)[/]")
    _print_births(console, births)
    if arguments.health:
        _print_health(console, trace)
    return 1 if births else 0


def _print_modes(console, function, values, names, trace) -> bool:
    with onp.errstate(all="ignore"):
        checks = compare_modes(function, *values)
    table = Table(title="Derivatives of f: reverse vs forward vs central finite differences")
    for column in ("input", "reverse", "forward", "finite differences", "verdict"):
        table.add_column(column, justify="right" if column != "input" else "left")
    for name, check in zip(names, checks):
        verdict = "[green]ok[/]" if check.ok else "[bold red]FAIL[/]"
        table.add_row(name, f"{check.reverse:.6g}", f"{check.forward:.6g}", f"{check.numeric:.6g}", verdict)
    console.print(table)
    if any(onp.size(v) > 1 for v in values):
        console.print("(array inputs: each number is ⟨u, J v⟩ along a random direction v, u = 1)")
    return not all(check.ok for check in checks)


def _print_blame(console, trace) -> None:
    report = check_trace(trace)
    if report.first is not None:
        console.print(f"[bold red]blamed:[/] {report.first.describe()}")
    else:
        console.print("every operation's own rules agree with finite differences")


def _print_births(console, births) -> None:
    if not births:
        console.print("[green]no NaN or Inf anywhere[/]")
        return
    for birth in births.births:
        console.print(f"[bold red]{birth.kind}:[/] {escape(birth.describe())}")
    letter = births.births[0].name[0]  # w, or v (see Tape.letter)
    passed = ", ".join(f"{letter}{i + 1}" for i in sorted(births.passed))
    if passed:
        console.print(f"passed on (not born) at: {passed}")


def _print_health(console, trace) -> None:
    table = Table(title="Gradient health (first reverse sweep)")
    for column in ("node", "op", "‖w̄‖", "rms w̄ / rms w", "saturation", "status"):
        table.add_column(column)
    for node in health(trace).nodes:
        saturation = "" if node.saturation is None else f"{node.saturation:.0%}"
        table.add_row(node.name, node.op, f"{node.adjoint_norm:.4g}", f"{node.ratio:.3g}",
                      saturation, node.status)
    console.print(table)


def _print_paths(console, found) -> None:
    total = sum(path.term for path in found)
    table = Table(title=f"Paths: the terms sum to the derivative ({total:.6g})")
    table.add_column("path")
    table.add_column("local partials")
    table.add_column("product", justify="right")
    for path in found:
        factors = " · ".join("J" if p is None else f"{p:.4g}" for p in path.partials)
        table.add_row(" → ".join(path.names), factors, f"{path.term:.6g}")
    console.print(table)
