"""The inspector's stepping model, free of any UI: a cursor over (iteration, phase, step).

A *run* is the list of traces being inspected: one trace, a :class:`~gradviz.Recording`
of a training loop, or a training loop that produces its traces on demand. Each trace is
cut into *phases*: the evaluation of its values (only when no forward sweep was recorded,
as in training, where values come first and the reverse sweep after), each forward sweep
(value and tangent rows filled together, as in the lecture's forward table) and each
reverse sweep, stepped one contribution ``w̄i += w̄j·∂wj/∂wi`` at a time.

Every number shown is read from the recorded sweeps; the only arithmetic done here is the
running sum of contributions, in the order the reverse sweep added them. Every move
remembers where it came from, so :meth:`InspectorState.back` returns exactly there.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> state = InspectorState(Run([gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)]))
    >>> state.step(); state.step()          # w1, w2 (the seeds), then w3
    >>> state.current.node, state.phase.title
    (2, 'forward sweep 1 of 2, seeded on x1')
    >>> state.back(); state.current.node
    1
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as onp

from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import unbox
from gradviz.errors import GradvizError

__all__ = ["Run", "Phase", "StepInfo", "Position", "InspectorState", "Breakpoint", "Findings",
           "NonFinite", "RuleCheckFails", "AdjointAbove", "OperationIs", "IterationIs"]


class Position(NamedTuple):
    """Where the cursor is: training iteration, phase of that trace, step of that phase."""

    iteration: int
    phase: int
    step: int


class StepInfo(NamedTuple):
    """One step of a phase. ``node`` is the row it fills (the node highlighted).

    Forward: ``step`` is the engine's :class:`Step` (``None`` for a seed or a zero tangent).
    Reverse: a seed has ``source = None``; a contribution has the node that sends it
    (``source``), its argument number and the number added (``term``).
    """

    node: int
    step: Step | None = None
    source: int | None = None
    argnum: int | None = None
    term: Any = None


# --- a run: the traces being inspected -------------------------------------------------------


class Run:
    """The traces to step through, pulled lazily from ``traces`` (a list or an iterator).

    Args:
        traces: :class:`Trace` objects in iteration order, or an iterator producing them (a
            training loop that runs only as far as the inspector looks).
        total: how many iterations there will be, if known.
        inputs, labels, predict: a classifier's data and ``predict(params, X)``: when given,
            the decision boundary is drawn.
        training: show the training panels (loss, weights); default: more than one trace.
    """

    def __init__(self, traces: Iterable[Trace], *, total: int | None = None, inputs=None,
                 labels=None, predict: Callable | None = None, training: bool | None = None):
        self._source: Iterator[Trace] | None = None
        if isinstance(traces, Sequence):
            self.traces: list[Trace] = list(traces)
            total = len(self.traces) if total is None else total
        else:
            self.traces = []
            self._source = iter(traces)
        if not self.traces and self._source is None:
            raise GradvizError("nothing to inspect: the run has no traces (was grad called "
                               "inside the gradviz.record() block?)")
        self.total = total
        self.inputs, self.labels, self.predict = inputs, labels, predict
        self.training = (total is None or total > 1) if training is None else training
        self._phases: dict[int, list[Phase]] = {}

    def trace(self, iteration: int) -> Trace | None:
        """The trace of ``iteration``, running the source as far as needed; ``None`` past the end."""
        while iteration >= len(self.traces) and self._source is not None:
            try:
                self.traces.append(next(self._source))
            except StopIteration:
                self._source = None
                self.total = len(self.traces)
        return self.traces[iteration] if 0 <= iteration < len(self.traces) else None

    @property
    def known(self) -> int:
        """How many iterations have run so far."""
        return len(self.traces)

    def phases(self, iteration: int) -> list[Phase]:
        """The phases of one trace, built once."""
        if iteration not in self._phases:
            trace = self.trace(iteration)
            self._phases[iteration] = [] if trace is None else build_phases(trace)
        return self._phases[iteration]

    def loss(self, iteration: int) -> float | None:
        """The (first) output's value at ``iteration``, when it is a scalar."""
        trace = self.trace(iteration)
        if trace is None or not trace.outputs:
            return None
        value = unbox(trace.tape.node(trace.outputs[0]).value)
        return float(value) if onp.size(value) == 1 else None

    def weights(self, iteration: int) -> list[tuple[str, Any]]:
        """``(input name, value)`` for every input of the trace: the parameters in training."""
        trace = self.trace(iteration)
        if trace is None:
            return []
        return [(name, unbox(trace.tape.node(i).value))
                for name, i in zip(trace.input_names, trace.inputs)]

    def params(self, iteration: int):
        """The parameters as ``predict`` takes them (rebuilt from the trace's inputs)."""
        trace = self.trace(iteration)
        arguments = trace.arguments() if trace is not None else None
        if arguments is not None and len(arguments) == 1:  # in the structure they were given
            return unbox_tree(arguments[0])
        named = self.weights(iteration)
        if len(named) == 1:
            return named[0][1]
        return {name.split("'")[1] if "'" in name else name: value for name, value in named}


def unbox_tree(value):
    """``value`` (arrays in lists, tuples, dicts) with every box opened."""
    from gradviz.engine.tree import flatten, unflatten

    leaves, treedef = flatten(value)
    return unflatten(treedef, [unbox(leaf) for leaf in leaves])


# --- phases ----------------------------------------------------------------------------------


@dataclass
class Phase:
    """One pass over a trace: ``kind`` is ``"evaluate"``, ``"forward"`` or ``"reverse"``."""

    kind: str
    number: int
    count: int
    sweep: Sweep | None
    steps: list[StepInfo]
    title: str
    #: reverse only: for each node, the step numbers of the contributions it received
    received: dict[int, list[int]] | None = None

    def step_of(self, node: int) -> int | None:
        """The step that completes ``node``'s row in this phase, if it has one."""
        if self.received is not None and node in self.received:
            return self.received[node][-1]
        for number, info in enumerate(self.steps):
            if info.node == node:
                return number
        return None


def _seed_name(trace: Trace, sweep: Sweep) -> str:
    ones = [i for i, seed in sweep.seeds.items() if onp.any(unbox(seed) != 0)]
    if len(ones) == 1 and ones[0] in trace.inputs:
        return trace.input_names[trace.inputs.index(ones[0])]
    return sweep.label.removeprefix("seed ") or "seed"


def _forward_phase(trace: Trace, sweep: Sweep, number: int, count: int) -> Phase:
    by_node = {step.node: step for step in sweep.steps}
    inputs = set(trace.inputs)
    order = list(trace.inputs) + [n.index for n in trace.nodes if n.index not in inputs]
    steps = [StepInfo(index, by_node.get(index)) for index in order]
    title = f"forward sweep {number + 1} of {count}, seeded on {_seed_name(trace, sweep)}"
    return Phase("forward", number, count, sweep, steps, title)


def _reverse_phase(trace: Trace, sweep: Sweep, number: int, count: int) -> Phase:
    steps = [StepInfo(index) for index in sorted(sweep.seeds, reverse=True)]
    received: dict[int, list[int]] = {info.node: [k] for k, info in enumerate(steps)}
    for step in sweep.steps:
        for argnum, parent, term in step.terms:
            received.setdefault(parent, []).append(len(steps))
            steps.append(StepInfo(parent, step, step.node, argnum, term))
    label = sweep.label.removeprefix("seed ")
    title = f"reverse sweep {number + 1} of {count}" + (f", seeded on {label}" if label else "")
    return Phase("reverse", number, count, sweep, steps, title, received)


def build_phases(trace: Trace) -> list[Phase]:
    """The phases of ``trace`` in the order they are stepped."""
    phases = []
    forward, reverse = trace.forward_sweeps, trace.reverse_sweeps
    if not forward:
        steps = [StepInfo(node.index) for node in trace.nodes]
        phases.append(Phase("evaluate", 0, 1, None, steps, "evaluating the values"))
    phases += [_forward_phase(trace, s, k, len(forward)) for k, s in enumerate(forward)]
    phases += [_reverse_phase(trace, s, k, len(reverse)) for k, s in enumerate(reverse)]
    return phases


def _magnitude(value: Any) -> float:
    value = unbox(value)
    if value is None or onp.size(value) == 0:
        return 0.0
    return float(onp.max(onp.abs(value)))


def _received(phase: Phase, number: int) -> Any:
    """What step ``number`` of a reverse phase adds to its node's adjoint: a seed or a term."""
    info = phase.steps[number]
    return phase.sweep.seeds[info.node] if info.source is None else info.term


def _add(total: Any, term: Any) -> Any:
    return term if total is None else total + term


def running_adjoint(phase: Phase, node: int, upto: int) -> Any:
    """``w̄node`` after the steps ``0 … upto`` of a reverse phase: its recorded contributions
    added in the order the sweep added them (``None``: nothing received yet)."""
    total = None
    for number in (phase.received or {}).get(node, ()):
        if number > upto:
            break
        total = _add(total, _received(phase, number))
    return total


# --- the debugger's findings ----------------------------------------------------------------


class Findings:
    """:mod:`gradviz.debug`'s verdicts on one trace, each computed once, when first asked.

    ``nans`` is :func:`~gradviz.debug.nan_birth`'s report; ``checks`` is
    :func:`~gradviz.debug.check_trace`'s (it evaluates every primitive again, so it runs only
    when a :class:`RuleCheckFails` breakpoint is set).
    """

    def __init__(self, trace: Trace, *, checks: bool):
        self.trace = trace
        self.checked = checks
        self._nans = self._checks = None

    @property
    def nans(self):
        if self._nans is None:
            from gradviz.debug.nans import nan_birth

            with onp.errstate(all="ignore"):
                self._nans = nan_birth(self.trace)
        return self._nans

    @property
    def checks(self):
        if self._checks is None:
            from gradviz.debug.localise import check_trace

            self._checks = check_trace(self.trace)
        return self._checks

    def _sweep_number(self, sweep: Sweep | None) -> int | None:
        """Where ``sweep`` is in the trace's sweeps (a birth's ``sweep_index``); ``None``: not there."""
        return next((k for k, s in enumerate(self.trace.sweeps) if s is sweep), None)

    def birth(self, sweep: str, node: int, of: Sweep | None = None):
        """The birth at ``node`` in pass ``sweep`` (of the sweep ``of``), or ``None``."""
        number = None if of is None else self._sweep_number(of)
        for birth in self.nans.births:
            if birth.sweep == sweep and birth.index == node and (of is None or birth.sweep_index == number):
                return birth
        return None

    def marks(self, node: int) -> list[tuple[str, str]]:
        """Short tags for the graph: ``("NaN born", "bold red")``, ``("rule ✗ VJP", …)``."""
        tags = []
        if node in self.nans.born:
            verb = "arrived" if node in self.nans.arrived else "born"
            tags.append((f"NaN/Inf {verb}", "bold white on red"))
        if self.checked and self.checks.status(node) == "fail":
            rules = sorted({c.rule for c in self.checks.failures if c.index == node})
            tags.append((f"rule ✗ {'/'.join(rules) or 'cut identity'}", "bold white on magenta"))
        return tags

    def details(self, node: int, phase: Phase) -> list[tuple[str, str]]:
        """One line per finding at ``node`` that belongs to ``phase``, for the step panel."""
        passes = {"evaluate": ("primal",), "forward": ("primal", "forward") if phase.number == 0
                  else ("forward",), "reverse": ("reverse",)}[phase.kind]
        number = self._sweep_number(phase.sweep)
        lines = [(f"⚠ {born_reason(birth)}", "bold red") for birth in self.nans.births
                 if birth.index == node and birth.sweep in passes
                 and (birth.sweep == "primal" or birth.sweep_index == number)]
        if self.checked:
            rules = ("JVP",) if phase.kind == "forward" else ("VJP",) if phase.kind == "reverse" else ()
            lines += [(f"✗ {c.describe()}", "bold magenta") for c in self.checks.failures
                      if c.index == node and c.rule in rules]
        return lines[:2]


# --- breakpoints -----------------------------------------------------------------------------


class Breakpoint:
    """A condition checked on each step while running; :meth:`check` returns why it stops."""

    description = "breakpoint"

    def check(self, state: InspectorState) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<breakpoint: {self.description}>"


class NonFinite(Breakpoint):
    """Stops where a NaN or an infinity is born: a non-finite value, tangent or adjoint
    contribution computed from finite numbers (so it stops on the node that made it).

    The births are :func:`gradviz.debug.nan_birth`'s, as ``gradviz check`` and the renderer
    show them: a value where the node is evaluated, a tangent in the forward sweep that made
    it, a contribution at the reverse step that sent it.
    """

    description = "a NaN or Inf is born"

    def check(self, state: InspectorState) -> str | None:
        findings, phase, info = state.findings(), state.phase, state.current
        birth = None
        if state.position.phase == 0:  # the evaluation, or forward sweep 1: values are computed
            birth = findings.birth("primal", info.node)
        if birth is None and phase.kind == "forward":
            birth = findings.birth("forward", info.node, phase.sweep)
        if birth is None and phase.kind == "reverse" and info.source is not None:
            birth = findings.birth("reverse", info.source, phase.sweep)
            birth = birth if birth is not None and birth.argnum == info.argnum else None
        return None if birth is None else born_reason(birth)


_BORN = {"primal": "a non-finite value", "forward": "a non-finite tangent",
         "reverse": "a non-finite adjoint contribution"}


def born_reason(birth) -> str:
    """``w4 = -inf: a non-finite value is born at 'log' (log(w3) with w3 = 0)``; an arrival
    from outside is described as such."""
    from gradviz.export.notation import bar_name, dot_name

    if birth.kind == "arrived":
        return birth.describe()

    if birth.sweep == "primal":
        target = f"{birth.name} ="
    elif birth.sweep == "forward":
        target = f"{dot_name(birth.name)} ="
    else:
        target = f"{bar_name(birth.inputs[birth.argnum][0])} +="
    inputs = ", ".join(f"{label} = {value}" for label, value in birth.inputs)
    return (f"{target} {birth.result}: {_BORN[birth.sweep]} is born at '{birth.op}' "
            f"({birth.formula} with {inputs})")


class RuleCheckFails(Breakpoint):
    """Stops at a node whose JVP or VJP rule fails :func:`gradviz.debug.check_trace`'s check
    on its recorded inputs (or where the cut identity breaks): where the first forward sweep
    uses a wrong JVP, and where a reverse sweep sends the contribution of a wrong VJP."""

    description = "a rule fails its check"

    def check(self, state: InspectorState) -> str | None:
        report, phase, info = state.findings().checks, state.phase, state.current
        if phase.kind == "forward" and phase.number == 0:
            wrong = [c for c in report.failures if c.index == info.node and c.rule == "JVP"]
            return wrong[0].describe() if wrong else None
        if phase.kind != "reverse" or info.source is None:
            return None
        wrong = [c for c in report.failures if c.index == info.source and c.rule == "VJP"]
        if wrong:
            return wrong[0].describe() if wrong[0].argnum == info.argnum else None
        if info.source in report.cut_failures and info.step.terms[0][0] == info.argnum:
            node = state.trace.nodes[info.source]
            defect = report.defects[info.source]
            return (f"the cut identity breaks at {node.name} ('{node.op}'): its VJP and JVP "
                    f"disagree by {defect:.4g}")
        return None


class AdjointAbove(Breakpoint):
    """Stops where ``|w̄i|`` (its largest element) first rises above ``bound``."""

    def __init__(self, bound: float):
        if not bound > 0:
            raise GradvizError(f"the adjoint bound must be a positive number, got {bound}")
        self.bound = float(bound)
        self.description = f"|adjoint| > {bound:g}"

    def check(self, state: InspectorState) -> str | None:
        phase, info = state.phase, state.current
        if phase.kind != "reverse":
            return None
        # step is the last contribution to info.node so far: add it to the sum of the earlier
        # ones, as running_adjoint would
        step = state.position.step
        earlier = running_adjoint(phase, info.node, step - 1)
        before = _magnitude(earlier)
        after = _magnitude(_add(earlier, _received(phase, step)))
        if after > self.bound >= before:
            from gradviz.export.notation import bar_name

            name = state.trace.nodes[info.node].name
            return f"|{bar_name(name)}| = {after:.4g} rose above {self.bound:g}"
        return None


class OperationIs(Breakpoint):
    """Stops on every node made by the operation ``name`` (``log``, ``divide`` …): where its
    value is computed and where it sends its adjoint."""

    def __init__(self, name: str):
        self.name = name
        self.description = f"operation '{name}'"

    def check(self, state: InspectorState) -> str | None:
        trace, phase, info = state.trace, state.phase, state.current
        if phase.kind == "reverse":
            first = info.source is not None and info.step.terms[0][0] == info.argnum
            node = trace.nodes[info.source] if first else None
        else:
            node = trace.nodes[info.node]
        if node is not None and node.op == self.name:
            return f"{node.name} is a '{self.name}'"
        return None


class IterationIs(Breakpoint):
    """Stops at the first step of training iteration ``number`` (counted from 1, as the
    inspector shows them: iteration 1 of 100 … 100 of 100)."""

    def __init__(self, number: int):
        if number < 1:
            raise GradvizError(f"the iteration breakpoint must be 1 or more, got {number}")
        self.number = number
        self.description = f"iteration {number}"

    def check(self, state: InspectorState) -> str | None:
        if state.position == Position(self.number - 1, 0, 0):
            return f"iteration {self.number} begins"
        return None


# --- the cursor ------------------------------------------------------------------------------


class InspectorState:
    """The cursor over a :class:`Run`, its history, the breakpoints and a status message.

    Every move returns nothing and sets :attr:`message`; the views read
    :attr:`position`, :attr:`trace`, :attr:`phase` and :attr:`current`.
    """

    def __init__(self, run: Run, breakpoints: Sequence[Breakpoint] = ()):
        self.run = run
        if run.trace(0) is None:
            raise GradvizError("nothing to inspect: the run has no traces")
        self.breakpoints: list[Breakpoint] = list(breakpoints)
        self.position = Position(0, 0, 0)
        #: every earlier (position, message, breakpoint stop), most recent last
        self.history: list[tuple[Position, str, str | None]] = []
        self.message = ""
        self.stopped_by: str | None = None

    # --- where we are ---

    @property
    def trace(self) -> Trace:
        return self.run.trace(self.position.iteration)

    @property
    def phases(self) -> list[Phase]:
        return self.run.phases(self.position.iteration)

    @property
    def phase(self) -> Phase:
        return self.phases[self.position.phase]

    @property
    def current(self) -> StepInfo:
        return self.phase.steps[self.position.step]

    def findings(self, iteration: int | None = None) -> Findings:
        """The debugger's verdicts on the trace of ``iteration`` (default: the current one)."""
        iteration = self.position.iteration if iteration is None else iteration
        cache = self.__dict__.setdefault("_findings", {})
        checks = any(isinstance(b, RuleCheckFails) for b in self.breakpoints)
        found = cache.get(iteration)
        if found is None or found.checked != checks:
            if len(cache) > 4:
                cache.clear()
            found = cache[iteration] = Findings(self.run.trace(iteration), checks=checks)
        return found

    def snapshot(self) -> tuple:
        """Everything the views depend on, for comparing two moments."""
        return (self.position, self.message, self.stopped_by, len(self.breakpoints))

    # --- moves ---

    def _go(self, position: Position, message: str = "") -> None:
        if position != self.position:
            self.history.append((self.position, self.message, self.stopped_by))
            self.position = position
        self.message = message
        self.stopped_by = None

    def _next(self, position: Position) -> Position | None:
        """The position after ``position``, crossing phases and iterations; ``None`` at the end."""
        iteration, phase, step = position
        phases = self.run.phases(iteration)
        if step + 1 < len(phases[phase].steps):
            return Position(iteration, phase, step + 1)
        for later in range(phase + 1, len(phases)):
            if phases[later].steps:
                return Position(iteration, later, 0)
        if self.run.trace(iteration + 1) is None:
            return None
        return Position(iteration + 1, 0, 0)

    def step(self) -> None:
        """One row forward (one contribution in a reverse sweep)."""
        after = self._next(self.position)
        if after is None:
            self.message = "the end of the run: step back with ←, or quit with q"
            return
        self._go(after)

    def back(self) -> None:
        """Undo the last move, whatever it was: the screen is exactly as it was then."""
        if not self.history:
            self.message = "at the start: nothing to step back to"
            return
        self.position, self.message, self.stopped_by = self.history.pop()

    def finish_sweep(self) -> None:
        """To the last step of this phase (or of the next one, when already there)."""
        iteration, phase, step = self.position
        if step == len(self.phase.steps) - 1:
            after = self._next(self.position)
            if after is None or after.iteration != iteration:
                self.message = "this trace is finished: n goes to the next iteration"
                return
            iteration, phase = after.iteration, after.phase
        last = len(self.run.phases(iteration)[phase].steps) - 1
        self._go(Position(iteration, phase, last), f"finished: {self.run.phases(iteration)[phase].title}")

    def next_iteration(self) -> None:
        """To the first step of the next training iteration."""
        if self.run.trace(self.position.iteration + 1) is None:
            self.message = "this is the last iteration" if self.run.training else "there is only one trace: no iterations"
            return
        self._go(Position(self.position.iteration + 1, 0, 0))

    def run_to_breakpoint(self, limit: int = 1_000_000) -> None:
        """Step until a breakpoint fires (the starting step is not checked) or the run ends."""
        start, position = self.position, self.position
        for _ in range(limit):
            after = self._next(position)
            if after is None:
                break
            position = after
            reason = self._check(position)
            if reason is not None:
                self._go(position, f"stopped: {reason}")
                self.stopped_by = reason
                return
        if position == start:
            self.message, self.stopped_by = "the end of the run: no breakpoint ahead", None
            return
        what = "no breakpoint fired" if self.breakpoints else "no breakpoints are set"
        self._go(position, f"ran to the end: {what}")

    def _check(self, position: Position) -> str | None:
        saved, self.position = self.position, position
        try:
            for breakpoint in self.breakpoints:
                reason = breakpoint.check(self)
                if reason is not None:
                    return reason
            return None
        finally:
            self.position = saved

    def jump(self, name: str) -> None:
        """To the step that fills node ``name``'s row (``w7`` or ``7``), in this phase if it
        has one, else in the first phase of this trace that does."""
        letter = self.trace.tape.letter  # w, or v (see Tape.letter)
        text = name.strip().lower().removeprefix(letter)
        if not text.isdigit() or not 1 <= int(text) <= len(self.trace):
            self.message = f"no node {name.strip()!r}: give {letter}1 … {letter}{len(self.trace)}"
            return
        node = int(text) - 1
        order = [self.position.phase] + [k for k in range(len(self.phases)) if k != self.position.phase]
        for number in order:
            step = self.phases[number].step_of(node)
            if step is not None:
                self._go(Position(self.position.iteration, number, step), f"jumped to w{node + 1}")
                return
        self.message = f"w{node + 1} has no row in any sweep of this trace (nothing flows through it)"

    def switch_seed(self) -> None:
        """To the same row of the next sweep of the same kind (the next seed)."""
        phase = self.phase
        if phase.count < 2:
            kind = {"evaluate": "the evaluation", "forward": "this forward sweep",
                    "reverse": "this reverse sweep"}[phase.kind]
            self.message = f"{kind} has no other seed"
            return
        number = (phase.number + 1) % phase.count
        target = next(k for k, p in enumerate(self.phases) if p.kind == phase.kind and p.number == number)
        step = self.phases[target].step_of(self.current.node)
        step = min(self.position.step, len(self.phases[target].steps) - 1) if step is None else step
        self._go(Position(self.position.iteration, target, step), f"now {self.phases[target].title}")

    def toggle_operation_breakpoint(self) -> None:
        """Break on the current node's operation, or stop breaking on it."""
        op = self.trace.nodes[self.current.node].op
        for breakpoint in self.breakpoints:
            if isinstance(breakpoint, OperationIs) and breakpoint.name == op:
                self.breakpoints.remove(breakpoint)
                self.message = f"removed the breakpoint on '{op}'"
                return
        self.breakpoints.append(OperationIs(op))
        self.message = f"will stop at every '{op}'"

    # --- what each node shows at this moment ---

    def rank(self, node: int) -> int:
        """Where ``node``'s row is in the current phase (evaluation order; inputs first)."""
        ranks = self.__dict__.setdefault("_ranks", {})
        key = (self.position.iteration, self.position.phase)
        if key not in ranks:
            ranks.clear()
            ranks[key] = {info.node: k for k, info in reversed(list(enumerate(self.phase.steps)))}
        return ranks[key].get(node, len(self.trace))

    def value_known(self, node: int) -> bool:
        """Whether ``w_node``'s value has been computed by now."""
        # phase 0 (the evaluation, or forward sweep 1) computes the values; later ones know them all
        return self.position.phase != 0 or self.rank(node) <= self.position.step

    def tangent(self, node: int) -> tuple[bool, Any]:
        """``(known, ẇ_node)`` in the current forward sweep, or in the last one once reversing."""
        phase = self.phase
        if phase.kind == "forward":
            return self.rank(node) <= self.position.step, phase.sweep.results[node]
        forwards = [p for p in self.phases if p.kind == "forward"]
        if phase.kind == "reverse" and forwards:
            return True, forwards[-1].sweep.results[node]
        return False, None

    def adjoint(self, node: int) -> tuple[bool, Any]:
        """``(received anything, w̄_node so far)`` in the current reverse sweep."""
        phase = self.phase
        if phase.kind != "reverse":
            return False, None
        steps = (phase.received or {}).get(node)
        if not steps or steps[0] > self.position.step:
            return False, None
        return True, running_adjoint(phase, node, self.position.step)
