"""The ``gradviz inspect`` and ``gradviz train`` sub-commands.

``gradviz inspect "x1*x2 + sin(x1)" --at x1=2,x2=5`` steps through an expression's sweeps;
``gradviz train moons`` trains the lecture's classifier with a progress bar and a summary,
``--inspect`` opens the inspector on the run, ``--plot FILE.png`` draws the lecture's figures.
textual, rich and matplotlib are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import math

import numpy as onp

from gradviz.cli.arguments import check_output, count, no_point
from gradviz.errors import GradvizError

__all__ = ["register", "run_inspect", "run_train", "breakpoints_from"]


def _add_display_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plain", action="store_true",
                        help="print each step as text instead of opening the inspector "
                        "(automatic when the output is not a terminal)")
    group = parser.add_argument_group("breakpoints")
    group.add_argument("--no-break-nonfinite", dest="break_nonfinite", action="store_false",
                       help="do not stop where a NaN or Inf is born (on by default)")
    group.add_argument("--break-check", action="store_true",
                       help="stop where a node's JVP or VJP rule fails its check on the recorded "
                       "inputs (gradviz.debug.check_trace); such nodes are marked in the graph")
    group.add_argument("--break-adjoint", type=float, metavar="BOUND",
                       help="stop where an adjoint's magnitude rises above BOUND")
    group.add_argument("--break-op", action="append", default=[], metavar="NAME",
                       help="stop at every node of operation NAME (log, divide …); repeatable")
    group.add_argument("--break-iteration", action="append", type=count(1), default=[], metavar="N",
                       help="stop at the start of training iteration N (from 1); repeatable")


def register(subparsers) -> None:
    """Add ``inspect`` and ``train`` to the ``gradviz`` command."""
    inspect = subparsers.add_parser(
        "inspect", help="step through the forward and reverse sweeps of an expression",
        description="Open the terminal inspector on an expression (or a saved trace .json).")
    inspect.add_argument("expression", help="e.g. \"x1*x2 + sin(x1)\", or a trace saved as .json")
    inspect.add_argument("--at", metavar="BINDINGS", default=None, action="append",
                         help="the point, e.g. x1=2,x2=5 (constants pi, e); repeated --at "
                         "options are merged")
    inspect.add_argument("--wrt", metavar="NAMES", help="the variables that are inputs, e.g. x1 (default: all)")
    _add_display_options(inspect)
    inspect.set_defaults(run=run_inspect)

    train = subparsers.add_parser(
        "train", help="train the lecture's classifier on make_moons, optionally in the inspector",
        description="Train the lecture's moons classifier by gradient descent.")
    train.add_argument("dataset", choices=["moons"], help="the data set (the lecture's moons)")
    train.add_argument("--model", choices=["logistic", "mlp"], default="logistic",
                       help="logistic: the lecture's perceptron; mlp: a small tanh MLP")
    train.add_argument("--hidden", type=count(1), default=8, help="hidden units of the MLP (8)")
    train.add_argument("--steps", type=count(1), default=100, help="steps of gradient descent (100)")
    train.add_argument("--lr", type=float, default=0.001, help="learning rate (0.001)")
    train.add_argument("--samples", type=count(2), default=500, help="make_moons samples (500)")
    train.add_argument("--noise", type=float, default=0.1, help="make_moons noise (0.1)")
    train.add_argument("--seed", type=int, default=0, help="random seed of data and MLP (0)")
    train.add_argument("--inspect", action="store_true", help="open the inspector on the run")
    train.add_argument("--health", action="store_true",
                       help="print a gradient-health summary per iteration: loss, |gradient|, "
                       "vanishing, exploding, saturated and non-finite nodes")
    train.add_argument("--plot", metavar="FILE.png",
                       help="write the lecture's figures: decision boundary and loss per step")
    train.add_argument("--keep-going", action="store_true",
                       help="go on training after a non-finite loss or gradient (by default "
                       "training stops at the first one)")
    train.add_argument("--html", metavar="FILE.html",
                       help="write one self-contained page: an iteration slider, the loss curve, "
                       "the weights, the decision boundary and the graph of each iteration")
    _add_display_options(train)
    train.set_defaults(run=run_train)


def breakpoints_from(arguments) -> list:
    """The breakpoints the options ask for."""
    from gradviz.inspector.breakpoints import AdjointAbove, IterationIs, NonFinite, OperationIs, RuleCheckFails

    found: list = [NonFinite()] if arguments.break_nonfinite else []
    if arguments.break_check:
        found.append(RuleCheckFails())
    if arguments.break_adjoint is not None:
        if not math.isfinite(arguments.break_adjoint) or arguments.break_adjoint <= 0:
            raise GradvizError(f"--break-adjoint needs a positive bound, got {arguments.break_adjoint}")
        found.append(AdjointAbove(arguments.break_adjoint))
    found += [OperationIs(name) for name in arguments.break_op]
    found += [IterationIs(number) for number in arguments.break_iteration]
    return found


def run_inspect(arguments) -> int:
    """``gradviz inspect EXPRESSION --at …``."""
    from gradviz.inspector import inspect

    text = arguments.expression
    if text.strip().lower().endswith(".json"):
        from gradviz.export.serialize import load_trace

        if arguments.at is not None:
            raise GradvizError("--at is not used with a saved trace: its values are in the file")
        trace = load_trace(text.strip())
    else:
        from gradviz.cli.expression import trace_expression

        if not arguments.at:
            raise no_point(text)
        wrt = None if arguments.wrt is None else [name.strip() for name in arguments.wrt.split(",")]
        trace = trace_expression(text, arguments.at, wrt=wrt)
    _check_breakpoints_fit(arguments, trace)
    return inspect(trace, breakpoints=breakpoints_from(arguments), plain=arguments.plain or None)


def _check_breakpoints_fit(arguments, trace) -> None:
    """Refuse breakpoints that could never fire on this one trace."""
    if arguments.break_iteration:
        raise GradvizError("--break-iteration is for training runs (gradviz train moons "
                           "--inspect); an expression is a single iteration")
    _check_operations(arguments, trace, "this trace's")


def _check_operations(arguments, trace, whose: str) -> None:
    """Refuse a ``--break-op`` that names no operation of ``trace``."""
    operations = sorted({node.op for node in trace.nodes if node.op != "input"})
    unknown = [name for name in arguments.break_op if name not in operations]
    if unknown:
        raise GradvizError(f"--break-op {', '.join(unknown)} would never stop: {whose} "
                           f"operations are {', '.join(operations)}")


def _model(arguments):
    from gradviz.train.moons import logistic_model, mlp_model

    return logistic_model() if arguments.model == "logistic" else mlp_model(arguments.hidden, arguments.seed)


def _check_plot_option(path: str | None) -> None:
    if path is None:
        return
    check_output(path, "--plot", "moons.png")
    if not path.lower().endswith(".png"):
        raise GradvizError(f"--plot writes a PNG file: give a name ending in .png, got {path!r}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise GradvizError("--plot needs matplotlib: pip install 'gradviz[plot]'") from None


def run_train(arguments) -> int:
    """``gradviz train moons [--inspect] [--plot FILE.png]``."""
    from gradviz.train.moons import moons_data

    _check_plot_option(arguments.plot)
    if arguments.html and not arguments.html.lower().endswith(".html"):
        raise GradvizError(f"--html writes a web page: give a name ending in .html, got {arguments.html!r}")
    if arguments.lr <= 0 or not math.isfinite(arguments.lr):
        raise GradvizError(f"--lr must be a positive number, got {arguments.lr}")
    late = [n for n in arguments.break_iteration if n > arguments.steps]
    if late:
        raise GradvizError(f"--break-iteration {late[0]} would never stop: training runs "
                           f"iterations 1 to {arguments.steps} (--steps)")
    from gradviz.engine.memory import tune_allocator

    tune_allocator()  # the command owns its process: each step reuses the last step's memory
    inputs, labels = moons_data(arguments.samples, arguments.noise, arguments.seed)
    model = _model(arguments)
    if arguments.inspect:
        return _train_in_inspector(arguments, model, inputs, labels)
    from gradviz.train.moons import accuracy

    watch = _Watch()
    result = _train_with_progress(arguments, model, inputs, labels, watch)
    with onp.errstate(all="ignore"):
        final_loss = float(model.loss(result.params, inputs, labels))
        correct = accuracy(model, result.params, inputs, labels) if _finite(result.params) else None
    if arguments.health:
        _print_health(watch.rows)
    _print_summary(arguments, result, correct, final_loss)
    if watch.births is not None:
        _print_first_nonfinite(arguments, watch)
    if arguments.plot:
        from gradviz.train.plot import plot_training

        plot_training(model, result.params, inputs, labels, result.losses, arguments.plot)
        print(f"wrote {arguments.plot}")
    if arguments.html:
        from gradviz.drawing import training_findings
        from gradviz.renderer.html import write_training_page

        write_training_page(arguments.html, result, inputs, labels, arguments.break_iteration,
                            findings=training_findings(result.traces),
                            title=f"moons · {model.name} · {len(result.losses)} of {arguments.steps} "
                            f"steps at lr {arguments.lr:g}")
        print(f"wrote {arguments.html}")
    return 0 if watch.births is None else 1


def _train_in_inspector(arguments, model, inputs, labels) -> int:
    from gradviz.inspector import inspect
    from gradviz.inspector.run import Run
    from gradviz.train.moons import iterate_training

    iterations = iterate_training(model, inputs, labels, steps=arguments.steps,
                                  learning_rate=arguments.lr, keep_traces=True)
    run = Run((iteration.trace for iteration in iterations), total=arguments.steps, inputs=inputs,
              labels=labels, predict=model.predict, training=True)
    if arguments.break_op:  # every iteration records the same operations: the first says
        _check_operations(arguments, run.trace(0), f"the {model.name} model's")
    return inspect(run, breakpoints=breakpoints_from(arguments), plain=arguments.plain or None)


class _Watch:
    """gradviz.debug on every iteration's trace: its health row, and where the first
    non-finite loss or gradient was born."""

    def __init__(self):
        self.rows: list = []
        self.first = None  # the IterationHealth of the first non-finite iteration
        self.births = None  # nan_birth's report on that iteration's trace

    def __call__(self, iteration) -> None:
        from gradviz.debug.health import training_summary
        from gradviz.debug.nans import nan_birth

        row = training_summary([iteration.trace])[0]
        row.iteration = iteration.number
        self.rows.append(row)
        if self.first is None and not row.finite:
            self.first = row
            with onp.errstate(all="ignore"):
                self.births = nan_birth(iteration.trace)


def _train_with_progress(arguments, model, inputs, labels, watch):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gradviz.train.moons import train

    columns = (TextColumn("training {task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(model.name, total=arguments.steps, loss="…")

        def on_step(iteration) -> None:
            watch(iteration)
            progress.update(task, advance=1, loss=f"{iteration.loss:.6g}")

        return train(model, inputs, labels, steps=arguments.steps, learning_rate=arguments.lr,
                     on_step=on_step, record=True, stop_at_nonfinite=not arguments.keep_going,
                     keep_traces=bool(arguments.html))


def _print_health(rows) -> None:
    """One row per iteration (every k-th of a long run, and the first non-finite one)."""
    from rich.console import Console
    from rich.table import Table

    every = max(1, -(-len(rows) // 25))
    first_bad = next((row.iteration for row in rows if not row.finite), None)
    shown = [row for row in rows if (row.iteration + 1) % every == 0 or row.iteration in
             (rows[0].iteration, first_bad, rows[-1].iteration)]
    title = "gradient health per iteration" + (f" (every {every} iterations)" if every > 1 else "")
    table = Table(title=title, title_justify="left")
    # node counts per flag, then the largest share of saturated inputs of any tanh/sigmoid
    for column in ("iter", "loss", "‖grad‖", "vanish", "explode", "satur.", "NaN/Inf", "max sat"):
        table.add_column(column, justify="right")
    for row in shown:
        style = "bold red" if not row.finite else ("yellow" if row.saturated or row.vanishing
                                                   or row.exploding else "")
        table.add_row(str(row.iteration + 1), f"{row.loss:.6g}", f"{row.gradient_norm:.4g}",
                      str(row.vanishing), str(row.exploding), str(row.saturated),
                      str(row.nonfinite), f"{row.worst_saturation:.0%}", style=style)
    Console(highlight=False).print(table)


def _print_first_nonfinite(arguments, watch) -> None:
    """The lecture's "what is ln(0)?": the iteration, then each pass's first birth."""
    from rich.console import Console
    from rich.markup import escape

    console, row = Console(highlight=False), watch.first
    console.print(f"[bold red]first non-finite at iteration {row.iteration + 1}:[/] loss = "
                  f"{row.loss:.6g}, ‖gradient‖ = {row.gradient_norm:.6g}")
    shown = set()
    for birth in watch.births.births:
        if birth.sweep not in shown:
            shown.add(birth.sweep)
            console.print(f"  [red]{birth.kind}:[/] {escape(birth.describe())}")
    if row.worst_saturation > 0:
        console.print(f"  a tanh is saturated on {row.worst_saturation:.0%} of its inputs (slope "
                      "below 1e-3): predictions of exactly 0 or 1 make ln(0) = -inf")
    console.print(f"  gradviz train moons --inspect --lr {arguments.lr:g} stops there, in the inspector")


def _print_summary(arguments, result, accuracy: float, final_loss: float) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from gradviz.export.notation import format_value

    stopped = result.stopped_at
    steps = (f"stopped at iteration {stopped + 1} of {arguments.steps}" if stopped is not None
             else f"{arguments.steps} steps")
    table = Table(title=f"moons · {result.model.name} · {steps} at lr {arguments.lr:g}",
                  title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    end = f"{final_loss:.6g}" if math.isfinite(final_loss) else f"n/a ({final_loss:g})"
    where = f"at iteration {stopped + 1}" if stopped is not None else "at the end"
    table.add_row("loss", f"{result.losses[0]:.6g} at the start → {end} {where}")
    table.add_row("accuracy", "n/a (the weights are not finite)" if accuracy is None
                  else f"{accuracy:.1%} of {arguments.samples} samples")
    params = result.params if isinstance(result.params, dict) else {"weights": result.params}
    for name, value in params.items():  # Text: "[nan, nan]" is not rich markup
        table.add_row(name, Text(format_value(value, 4, whole=4)))
    if stopped is not None:
        table.add_row("", Text("the weights of that iteration; --keep-going trains on", style="dim"))
    Console(highlight=False).print(table)


def _finite(params) -> bool:
    parts = params.values() if isinstance(params, dict) else [params]
    return all(onp.isfinite(part).all() for part in parts)
