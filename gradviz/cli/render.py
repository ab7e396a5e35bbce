"""The ``gradviz render`` and ``gradviz trace`` sub-commands (registered by gradviz.cli).

Both take an expression and its point (``"x1*x2 + sin(x1)" --at x1=2,x2=5``) or a trace file
saved with ``gradviz trace … -o trace.json``. Every failure is a one-line GradvizError (exit 2)
and never leaves a partial output file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Iterator

from gradviz.cli.arguments import check_output, count, no_point, seconds
from gradviz.errors import GradvizError
from gradviz.cli.expression import FUNCTIONS
from gradviz.renderer.backend import TIMEOUT_SECONDS
from gradviz.renderer.dot import DIRECTIONS, FIELDS, MODES, _seed_numbers
from gradviz.renderer.frames import FRAME_FORMATS
from gradviz.renderer.summarize import DEFAULT_MAX_NODES

__all__ = ["register", "run_render", "run_trace"]

_RENDER_EXAMPLES = f"""examples:
  gradviz render "x1*x2 + sin(x1)" --at x1=2,x2=5 -o graph.svg
  gradviz render "x1*x2 + sin(x1)" --at x1=2,x2=5 --wrt x1 --mode forward -o graph.png
  gradviz render "sum(tanh(x) * w)" --at x=[1,2,3],w=[0.5,-1,2] --direction LR -o g.pdf
  gradviz render "x1*x2 + sin(x1)" --at x1=2,x2=5 > graph.dot     (no -o: DOT source)
  gradviz render trace.json --focus w40 --depth 2 -o part.svg   (a saved trace)
  gradviz render "x1*x2 + sin(x1)" --at x1=2,x2=5 --frames slides --frames-format png
  gradviz render "log(x)*y + sqrt(x - 3)" --at x=2,y=3 --debug -o nan.png  (NaN births, rule
    checks and gradient health drawn on the graph)

output formats, by the extension of -o: .svg .png .pdf .dot .html (the sweeps, stepped in
a browser) .gif (the sweeps animated) .json (networkx node-link) .graphml. --frames DIR writes
one picture per step (DIR/step-001.svg …; --frames-format png for PNG), for slides. No
Graphviz installation is needed.

expressions: numbers, variables, + - * / ** @, unary minus, parentheses and calls of
  {", ".join(FUNCTIONS)};
  constants pi and e. Nothing is ever evaluated as Python.
"""

_TRACE_EXAMPLES = """examples:
  gradviz trace "x1*x2 + sin(x1)" --at x1=2,x2=5
  gradviz trace "x1*x2 + sin(x1)" --at x1=2,x2=5 --wrt x1
  gradviz trace "x1*x2 + sin(x1)" --at x1=2,x2=5 -o trace.json
  gradviz trace "x1*x2 + sin(x1)" --at x1=2,x2=5 --format latex > tables.tex  (booktabs)
  gradviz render trace.json -o graph.png
"""


def _add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", metavar="EXPRESSION|TRACE.json",
                        help="an expression such as 'x1*x2 + sin(x1)', or a saved trace file")
    parser.add_argument("--at", metavar="BINDINGS", default=None, action="append",
                        help="the point: x1=2,x2=5 (arrays: x=[1,2,3]; constants pi, e); "
                        "repeated --at options are merged")
    parser.add_argument("--wrt", metavar="NAMES", default=None,
                        help="show the forward sweep seeded on these inputs (default: every seed)")


def register(subparsers) -> None:
    """Add ``render`` and ``trace`` to the ``gradviz`` command."""
    formatter = argparse.RawDescriptionHelpFormatter
    render = subparsers.add_parser(
        "render", help="draw the evaluation graph with values, tangents, adjoints and partials",
        description="Draw the evaluation trace w1…wn of an expression: every node with its "
        "value, tangent(s) and adjoint, every edge with its local partial ∂wj/∂wi.",
        epilog=_RENDER_EXAMPLES, formatter_class=formatter)
    _add_source_arguments(render)
    render.add_argument("-o", "--output", metavar="FILE", help="file to write; without it the "
                        "DOT source is printed")
    render.add_argument("--frames", metavar="DIR", help="write one picture per step of the "
                        "sweeps into DIR (step-001.svg …, made if missing), for slides")
    render.add_argument("--frames-format", choices=FRAME_FORMATS, default=None,
                        help="the pictures of --frames: svg (default) or png")
    render.add_argument("--mode", choices=MODES, default="both",
                        help="show tangents (forward), adjoints (reverse) or both")
    render.add_argument("--direction", choices=DIRECTIONS, default="TB",
                        help="TB: top to bottom, LR: left to right")
    render.add_argument("--fields", metavar="LIST", default=None,
                        help=f"comma-separated subset of {','.join(FIELDS)} (default: all)")
    render.add_argument("--focus", metavar="NODE", help="draw only the neighbourhood of NODE (w42)")
    render.add_argument("--depth", metavar="K", type=count(0), default=2,
                        help="with --focus: how many edges around NODE (default 2)")
    render.add_argument("--max-nodes", metavar="N", type=count(0), default=DEFAULT_MAX_NODES,
                        help=f"summarise graphs above N nodes (default {DEFAULT_MAX_NODES}; 0: never)")
    render.add_argument("--timeout", metavar="SECONDS", type=seconds, default=TIMEOUT_SECONDS,
                        help="stop Graphviz if laying out and drawing take longer (default "
                        f"{TIMEOUT_SECONDS:g}); nothing is written then")
    render.add_argument("--digits", type=int, default=4, help="significant digits (default 4)")
    render.add_argument("--no-legend", action="store_true", help="leave the legend out")
    render.add_argument("--no-constants", action="store_true", help="do not draw constant arguments")
    debug = render.add_argument_group("the gradient debugger's findings (gradviz.debug)")
    debug.add_argument("--nans", action="store_true",
                       help="fill red the nodes where a NaN/Inf is born; outline those passing it on")
    debug.add_argument("--check", action="store_true",
                       help="mark the nodes whose JVP/VJP rule fails its check (magenta, dashed)")
    debug.add_argument("--health", action="store_true",
                       help="fill the nodes by log |adjoint|; flag vanishing, exploding, saturated")
    debug.add_argument("--debug", action="store_true", help="all three: --nans --check --health")
    render.set_defaults(run=run_render)

    trace = subparsers.add_parser(
        "trace", help="print the forward and reverse evaluation-trace tables",
        description="Print the lecture's tables: operations to compute each value beside the "
        "operations to compute its tangent (forward) and its adjoint (reverse), with numbers.",
        epilog=_TRACE_EXAMPLES, formatter_class=formatter)
    _add_source_arguments(trace)
    trace.add_argument("-o", "--output", metavar="FILE.json", help="also save the trace as JSON")
    trace.add_argument("--rows", type=_rows, default=_ROWS, metavar="N",
                       help=f"text tables of more than N rows show the first and last N/2 "
                       f"(default {_ROWS}); 'all' prints every row")
    trace.add_argument("--format", choices=("text", "latex", "markdown", "html"), default="text",
                       help="text: the tables drawn for the terminal (default); latex (booktabs, "
                       "\\dot{w}_i and \\bar{w}_i), markdown or html: ready to paste")
    trace.set_defaults(run=run_trace)


_ROWS = 100  # a table's rows printed by default: a 100 001-node trace prints in a second


def _rows(text: str) -> int | None:
    """``--rows``: a positive number, or ``all`` (``None``)."""
    if text.strip().lower() == "all":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of rows or 'all', got {text!r}")
    return int(text)


def _is_trace_file(text: str) -> bool:
    """Whether the EXPRESSION argument names a saved trace file rather than an expression."""
    return text.strip().lower().endswith(".json")


def _load(arguments: argparse.Namespace):
    """The trace an invocation names: a saved file, or the expression traced at ``--at``."""
    text = arguments.expression
    if _is_trace_file(text):
        if arguments.at is not None:
            raise GradvizError("--at is not used with a saved trace: its values are in the file")
        from gradviz.export.serialize import load_trace

        return load_trace(text.strip())
    from gradviz.cli.expression import trace_expression

    if arguments.at is None:
        raise no_point(text)
    return trace_expression(text, arguments.at)


def _seed(arguments: argparse.Namespace):
    return None if arguments.wrt is None else [w.strip() for w in arguments.wrt.split(",") if w.strip()]


def _title(arguments: argparse.Namespace, trace) -> str | None:
    """``f = x1·x2 + sin x1   at x1 = 2, x2 = 5``: the expression in the lecture's notation,
    as its nodes are written (its own text when too long to write out)."""
    if _is_trace_file(arguments.expression):
        return None
    from gradviz.export.notation import expression_text

    point = arguments.at.replace(",", ", ").replace("=", " = ")
    point = point if len(point) <= 60 else point[:57] + "…"
    return f"f = {expression_text(trace) or arguments.expression.strip()}   at {point}"


def _check_extension(path: str) -> None:
    """Fail before any work if the extension of ``-o`` names no format (gradviz.render
    would say so only after the trace, and in terms of its Python arguments)."""
    from gradviz.renderer.files import EXTENSIONS

    if os.path.splitext(path)[1].lstrip(".").lower() not in EXTENSIONS:
        raise GradvizError(f"cannot tell the format of {path!r}: end the name with "
                           + ", ".join("." + e for e in EXTENSIONS))


def run_render(arguments: argparse.Namespace) -> int:
    """``gradviz render``: write the picture, or print the DOT source."""
    from gradviz.drawing import render, to_dot, with_findings
    from gradviz.renderer.frames import check_folder, write_frames

    if arguments.output is not None:
        check_output(arguments.output, "-o")
        _check_extension(arguments.output)
    if arguments.frames_format is not None and arguments.frames is None:
        raise GradvizError("--frames-format is the format of --frames DIR: give the folder too")
    if arguments.frames is not None:
        check_folder(arguments.frames)
    trace = _load(arguments)
    options = dict(fields=arguments.fields, seed=_seed(arguments), mode=arguments.mode,
                   direction=arguments.direction, max_nodes=arguments.max_nodes or None,
                   focus=arguments.focus, depth=arguments.depth, legend=not arguments.no_legend,
                   constants=not arguments.no_constants, title=_title(arguments, trace),
                   digits=arguments.digits, nans=arguments.nans, check=arguments.check,
                   health=arguments.health, debug=arguments.debug)
    if not 1 <= arguments.digits <= 17:
        raise GradvizError(f"--digits must be between 1 and 17, got {arguments.digits}")
    options = with_findings(trace, options)  # the debugger runs once, for every picture
    if arguments.frames is not None:
        written = write_frames(trace, arguments.frames, arguments.frames_format or "svg",
                               timeout=arguments.timeout, **options)
        print(f"wrote {len(written)} pictures to {arguments.frames}", file=sys.stderr)
    if arguments.output is not None:
        render(trace, arguments.output, timeout=arguments.timeout, **options)
        print(f"wrote {arguments.output}", file=sys.stderr)
    elif arguments.frames is None:
        source = to_dot(trace, **options).source
        with _standard_output("the DOT source"):
            sys.stdout.write(source)
    return 0


@contextlib.contextmanager
def _standard_output(what: str) -> Iterator[None]:
    """Writes to standard output that fail (``> /dev/full``: the disk is full) are a one-line
    error naming what could not be written, not a traceback."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:  # "| head" closed the pipe: not an error (see gradviz.cli.main)
        raise
    except OSError as exc:
        # What could not be written stays in the buffer; Python would fail again writing it
        # at exit, so standard output is pointed at nothing from here on.
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
        raise GradvizError(f"cannot write {what} to standard output: "
                           f"{exc.strerror or exc}") from None


def run_trace(arguments: argparse.Namespace) -> int:
    """``gradviz trace``: print the tables; ``-o`` also saves the trace."""
    from rich.console import Console

    from gradviz.export.tables import forward_table, reverse_table, row_count, streamed_table

    if arguments.output is not None:
        check_output(arguments.output, "-o", "trace.json")
        if not arguments.output.lower().endswith(".json"):
            raise GradvizError(f"a trace is saved as JSON: name the file {arguments.output}.json")
    trace = _load(arguments)
    forward = _seed_numbers([s.label for s in trace.forward_sweeps], _seed(arguments))
    if arguments.output is not None:
        try:
            trace.save(arguments.output)
        except OSError as exc:
            raise GradvizError(f"cannot write {arguments.output}: {exc.strerror or exc}") from None
    if arguments.format != "text":
        from gradviz.export.table_formats import export_tables

        text = export_tables(trace, arguments.format, forward=forward)
        with _standard_output("the tables"):
            sys.stdout.write(text)
        return 0
    console = Console(highlight=False, soft_wrap=False)
    left_out = 0
    with _standard_output("the tables"):
        for kind, numbers in (("forward", forward), ("reverse", range(len(trace.reverse_sweeps)))):
            for k in numbers:
                total = row_count(trace, kind, k)
                if arguments.rows is None and total > 1000:  # printed as it is made
                    for part in streamed_table(trace, kind, k, width=console.width):
                        console.print(part)
                    continue
                table = forward_table if kind == "forward" else reverse_table
                console.print(table(trace, k, rows=arguments.rows))
                left_out = max(left_out, total - (arguments.rows or total))
    if left_out:
        print(f"{left_out:,} rows of the longest table not shown: --rows all prints every row, "
              f"--rows N the first and last N/2", file=sys.stderr)
    if arguments.output:
        print(f"wrote {arguments.output}", file=sys.stderr)
    return 0
