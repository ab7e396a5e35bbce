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

from collections.abc import Sequence
from typing import Any, NamedTuple

from gradviz.engine.trace import Trace
from gradviz.errors import GradvizError
from gradviz.inspector.breakpoints import Breakpoint, OperationIs, RuleCheckFails
from gradviz.inspector.findings import Findings
from gradviz.inspector.phases import Phase, StepInfo, running_adjoint
from gradviz.inspector.run import Run

__all__ = ["Position", "InspectorState"]


class Position(NamedTuple):
    """Where the cursor is: training iteration, phase of that trace, step of that phase."""

    iteration: int
    phase: int
    step: int


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
        # What the state works out once and asks again: the findings of the last few
        # iterations, and the rows' order in the current phase.
        self._findings: dict[int, Findings] = {}
        self._ranks: dict[tuple[int, int], dict[int, int]] = {}

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
        cache = self._findings
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
        ranks = self._ranks
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
