"""Plain mode: the inspector's steps printed as rich text, one after another.

For pipes, logs and CI. One trace: its graph, then every step in the lecture's notation,
each phase closed by its finished table. A training run: one line per iteration, and the
full detail of the iteration where a breakpoint stops it.
"""

from __future__ import annotations

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from gradviz.debug.health import gradient_norm
from gradviz.inspector import views
from gradviz.inspector.state import InspectorState

__all__ = ["print_run", "print_steps"]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_run(state: InspectorState, console: Console | None = None) -> int:
    """Print the run; returns 1 when a breakpoint stopped it, else 0."""
    console = console or _console()
    if state.run.training:
        return _print_training(state, console)
    return print_steps(state, console)


#: Steps printed before plain mode goes on silently (a 100 001-node trace has 300 003).
PRINTED_STEPS = 1000


def print_steps(state: InspectorState, console: Console, *, limit: int = PRINTED_STEPS) -> int:
    """Every step of the current trace from the current position (or up to a breakpoint).

    A long trace prints its first ``limit`` steps and a line saying so; the later ones are
    walked without printing, their breakpoints still checked, and the step where one stops
    the run is printed."""
    total = sum(len(phase.steps) for phase in state.phases)
    console.print(Rule(Text(f"{state.trace.name}: {len(state.trace)} nodes")))  # a name is not markup
    if state.breakpoints:
        console.print(Text("breakpoints: " + ", ".join(b.description for b in state.breakpoints)))
    console.print(views.graph_view(state, height=min(len(views.graph_lines(state)), limit) + 1))
    shown = 0
    while True:
        if shown < limit or state.stopped_by:
            console.print(Rule(style="#808080"))
            console.print(views.where_text(state, breakpoints=False))
            console.print(views.step_text(state))
            if state.position.step == len(state.phase.steps) - 1 and len(state.phase.steps) < limit:
                console.print(views.table_view(state, height=len(state.phase.steps) + 1, wrap=True))
        elif shown == limit:
            checked = ", breakpoints still checked" if state.breakpoints else ""
            console.print(Text(f"… the first {limit:,} of {total:,} steps printed; the rest are "
                               f"not{checked}: step through them in a terminal, or print the "
                               f"tables with 'gradviz trace'"))
        shown += 1
        if state.stopped_by:
            console.print(views.graph_view(state, height=min(len(views.graph_lines(state)), limit) + 1))
            return 1
        before = state.position
        _advance(state)
        if state.position == before or state.position.iteration != before.iteration:
            if state.position.iteration != before.iteration:
                state.back()
            return 0


def _advance(state: InspectorState) -> None:
    """One step, stopping on a breakpoint when the next step fires one."""
    after = state._next(state.position)
    if after is None:
        return
    reason = state._check(after)
    state._go(after, f"stopped: {reason}" if reason else "")
    state.stopped_by = reason


def _iteration_line(state: InspectorState, iteration: int) -> Text:
    run = state.run
    loss = run.loss(iteration)
    named = run.weights(iteration)
    if len(named) == 1:
        weights = f"{named[0][0]} = {views.compact(named[0][1])}"
    else:
        weights = f"{len(named)} parameter arrays"
    trace = run.trace(iteration)
    if trace.reverse_sweeps:
        weights += f"  |gradient| = {views.format_value(gradient_norm(trace), 4)}"
    return Text(f"iteration {iteration + 1:>4}  loss {views.format_value(loss, 6) if loss is not None else '?'}"
                f"  {weights}")


def _print_training(state: InspectorState, console: Console) -> int:
    console.print(Rule("training run"))
    console.print(_iteration_line(state, 0))
    while True:
        start = state.position.iteration
        state.run_to_breakpoint()
        reached = state.position.iteration
        for iteration in range(start + 1, reached + 1):
            console.print(_iteration_line(state, iteration))
        if state.stopped_by:
            console.print(Rule(f"stopped in iteration {reached + 1}", style="red"))
            console.print(views.where_text(state))
            console.print(views.step_text(state))
            console.print(views.graph_view(state, height=len(views.graph_lines(state)) + 1))
            console.print(views.table_view(state, height=len(state.phase.steps) + 1, wrap=True))
            return 1
        return 0
