"""The forward and reverse sweeps over a recorded tape.

A *forward sweep* starts from seed tangents on the inputs (``ẇ1 = 1, ẇ2 = 0``) and walks
the nodes in evaluation order, each tangent the sum of its parents' tangent terms
``∂wj/∂wi · ẇi``. A *reverse sweep* starts from a seed adjoint on an output (``w̄5 = 1``) and
walks the nodes backwards, adding each contribution ``w̄j · ∂wj/∂wi`` into ``w̄i``.

Both are plain loops over the tape (no recursion, so a 100 000-node chain is fine). A
missing tangent or adjoint is ``None``: a symbolic zero that costs nothing.

With ``record=True`` each sweep keeps its :class:`Step` list — references to the very
numbers it added up — which the tables and the inspector replay without recomputing.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from numpy import ndarray as _ndarray

from gradviz.engine.broadcast import fit_adjoint, fit_tangent, is_complex, real_part, shape_of
from gradviz.engine.tracer import Node, Tape
from gradviz.errors import GradvizError, RuleError

__all__ = ["Step", "Sweep", "forward_sweep", "forward_sweeps", "reverse_sweep", "OBSERVERS", "observe_primal"]


class Step(NamedTuple):
    """One row of a sweep.

    Forward: ``node``'s tangent ``value`` = the sum of ``terms``, one
    ``(argnum, parent, ∂wj/∂wi·ẇi)`` per argument whose tangent is not zero. Reverse: ``node``'s
    finished adjoint ``value`` and the ``terms`` it sends, one ``(argnum, parent, w̄j·∂wj/∂wi)``
    per argument, each added into ``w̄parent``.
    """

    node: int
    value: Any
    terms: tuple[tuple[int, int, Any], ...]


class Sweep:
    """A finished sweep: its kind, its seeds, every node's result, and its steps.

    Attributes:
        kind: ``"forward"`` or ``"reverse"``.
        seeds: ``{node index: seed}`` — input tangents, or output adjoints.
        results: per node, its tangent (forward) or adjoint (reverse); ``None`` means zero.
        steps: the :class:`Step` rows in the order they happened (empty unless recorded).
        label: a short description, e.g. ``"seed x1"``.
    """

    __slots__ = ("kind", "seeds", "results", "label", "_steps", "_log")

    def __init__(self, kind: str, seeds: dict[int, Any], results: list, steps: list, label: str,
                 log: list | None = None):
        self.kind = kind
        self.seeds = seeds
        self.results = results
        self.label = label
        self._steps = steps
        self._log = log

    @property
    def steps(self) -> list[Step]:
        # A recorded reverse sweep keeps a flat log of the very numbers it added; most
        # training iterations are never looked at, so the Step rows are built on first use.
        if self._log is not None:
            self._steps = _steps_from_log(self._log)
            self._log = None
        return self._steps

    def __repr__(self) -> str:
        return f"<{self.kind} sweep {self.label!r}: {len(self.steps)} steps>"


def _steps_from_log(log: list) -> list[Step]:
    """Group a reverse sweep's log, ``(node, adjoint)`` followed by that node's
    ``(argnum, parent, contribution)`` terms, into :class:`Step` rows."""
    steps: list[Step] = []
    node = adjoint = None
    terms: list = []
    for entry in log:
        if len(entry) == 2:
            if node is not None:
                steps.append(Step(node, adjoint, tuple(terms)))
            (node, adjoint), terms = entry, []
        else:
            terms.append(entry)
    if node is not None:
        steps.append(Step(node, adjoint, tuple(terms)))
    return steps


Observer = Callable[[str, Node, Any, tuple], None]

# A NamedTuple's own constructor is Python code; a recorded sweep makes one Step per node.
_new_step = tuple.__new__

#: Observers every sweep calls, e.g. the NaN detector of ``gradviz.debug_nans()``. Read once
#: per sweep, never per node: while it is empty a sweep costs exactly what it did without it.
OBSERVERS: list[Observer] = []


def _active_observer(observe: Observer | None) -> Observer | None:
    if not OBSERVERS:
        return observe
    chain = ([observe] if observe is not None else []) + list(OBSERVERS)
    if len(chain) == 1:
        return chain[0]

    def observe_all(kind: str, node: Node, value: Any, terms: tuple) -> None:
        for each in chain:
            each(kind, node, value, terms)

    return observe_all


def observe_primal(tape: Tape) -> None:
    """Show every recorded node to the active observers as ``("primal", node, value, ())``.

    Called after a function has been evaluated on a tape, only while :data:`OBSERVERS` is
    not empty: primal values are computed by the primitives, not by a sweep.
    """
    for observe in list(OBSERVERS):
        for node in tape.nodes:
            if node.parents:
                observe("primal", node, node.value, ())


def _rule_failure(node: Node, kind: str, argnum: int, exc: Exception) -> GradvizError:
    from gradviz.engine.source import describe_site

    where = describe_site(node.site)
    return RuleError(
        f"the {kind} rule of '{node.op}' (argument {argnum}) failed at {node.name}"
        f"{' created at ' + where if where else ''}: {type(exc).__name__}: {exc}"
    )


def _missing_rule(node: Node, kind: str, argnum: int) -> RuleError:
    verb = "defvjp" if kind == "VJP" else "defjvp"
    return RuleError(
        f"no {kind} rule for '{node.op}' (argument {argnum}): register one with {verb}, "
        f"or mark it non-differentiable"
    )


def _allow_missing_rule(node: Node, kind: str, argnum: int) -> None:
    """No rule is right for a non-differentiable primitive or a constant argument (``where``'s
    condition); anywhere else it is an error that says how to register one."""
    primitive = node.primitive
    if primitive.differentiable and argnum not in primitive.info.get("constant_arguments", ()):
        raise _missing_rule(node, kind, argnum)


def _tangent_term(tape: Tape, index: int, entry: tuple, argnum: int, rule: Callable, t: Any) -> Any:
    """``∂wj/∂wi · ẇi`` by the rule for argument ``argnum`` of node ``index`` (its record
    ``entry``), broadcast to the node's shape (``x + b`` with only the scalar ``b`` seeded);
    ``None`` is a zero the rule may return (an integer output, a sign). A failure names the
    node."""
    _, args, kwargs, _, value, _ = entry
    try:
        term = rule(t, value, *args, **kwargs) if kwargs else rule(t, value, *args)
        if term is not None and getattr(term, "shape", ()) != getattr(value, "shape", ()):
            term = fit_tangent(term, shape_of(value))
        return term
    except GradvizError:
        raise
    except Exception as exc:
        raise _rule_failure(tape.node(index), "JVP", argnum, exc) from exc


def forward_sweep(
    tape: Tape,
    seeds: dict[int, Any],
    *,
    record: bool = False,
    label: str = "",
    observe: Observer | None = None,
) -> Sweep:
    """Push seed tangents through the tape in evaluation order.

    Args:
        tape: the recorded tape.
        seeds: ``{input node index: tangent}``; inputs left out have tangent zero.
        record: keep a :class:`Step` for every node that gets a tangent.
        label: a description kept on the sweep.
        observe: called as ``observe("forward", node, tangent, terms)`` after each node.
    """
    return forward_sweeps(tape, [seeds], record=record, labels=[label], observe=observe)[0]


def forward_sweeps(
    tape: Tape,
    seed_sets: list[dict[int, Any]],
    *,
    record: bool = False,
    labels: list[str] | None = None,
    observe: Observer | None = None,
) -> list[Sweep]:
    """Several forward sweeps, one per seed set, done side by side in one walk of the tape.

    Each sweep is exactly what :func:`forward_sweep` would give; walking the tape once
    fetches each node's rules and arguments once for all of them.
    """
    observe = _active_observer(observe)
    records = tape.records
    count = len(seed_sets)
    all_tangents: list[list[Any]] = []
    for seeds in seed_sets:
        tangents: list[Any] = [None] * len(records)
        for index, seed in seeds.items():
            tangents[index] = seed
        all_tangents.append(tangents)
    all_steps: list[list[Step]] = [[] for _ in range(count)]
    plain = not record and observe is None
    for index, entry in enumerate(records):
        parents = entry[3]
        if not parents:
            continue
        if plain and len(parents) == 1:
            _forward_unary(tape, index, entry, all_tangents)
            continue
        for sweep_number in range(count):
            _forward_node(tape, index, entry, all_tangents[sweep_number], record,
                          all_steps[sweep_number], observe)
    labels = labels or [""] * count
    return [Sweep("forward", seeds, tangents, steps, label)
            for seeds, tangents, steps, label in zip(seed_sets, all_tangents, all_steps, labels)]


def _forward_unary(tape: Tape, index: int, entry: tuple, all_tangents: list[list]) -> None:
    """The common case, unrecorded: one traced argument, its rule applied for every sweep."""
    ((argnum, parent),) = entry[3]
    rule = entry[0].jvps.get(argnum)
    for tangents in all_tangents:
        t = tangents[parent]
        if t is None:
            continue
        if rule is None:
            _allow_missing_rule(tape.node(index), "JVP", argnum)
            return
        term = _tangent_term(tape, index, entry, argnum, rule, t)
        if term is not None:
            tangents[index] = term


def _forward_node(tape: Tape, index: int, entry: tuple, tangents: list, record: bool,
                  steps: list, observe) -> None:
    """Set node ``index``'s tangent from its parents' tangents: ``ẇj = Σ ∂wj/∂wi · ẇi``."""
    total = None
    jvps = entry[0].jvps
    keep_terms = record or observe is not None
    terms = []
    for argnum, parent in entry[3]:
        t = tangents[parent]
        if t is None:
            continue
        rule = jvps.get(argnum)
        if rule is None:
            _allow_missing_rule(tape.node(index), "JVP", argnum)
            continue
        term = _tangent_term(tape, index, entry, argnum, rule, t)
        if term is None:
            continue
        if keep_terms:
            terms.append((argnum, parent, term))
        total = term if total is None else total + term
    if total is None:
        return
    tangents[index] = total
    if record:
        steps.append(_new_step(Step, (index, total, tuple(terms))))
    if observe is not None:
        observe("forward", tape.node(index), total, tuple(terms))


def reverse_sweep(
    tape: Tape,
    seeds: dict[int, Any],
    *,
    record: bool = False,
    label: str = "",
    observe: Observer | None = None,
    keep: bool = True,
    release: bool = False,
) -> Sweep:
    """Pull seed adjoints back through the tape in reverse evaluation order.

    Args:
        tape: the recorded tape.
        seeds: ``{output node index: adjoint seed}``.
        record: keep a :class:`Step` for every node that sends contributions.
        label: a description kept on the sweep.
        observe: called as ``observe("reverse", node, adjoint, terms)`` after each node.
        keep: keep every node's adjoint in ``results``; with ``False`` only the inputs' are
            kept, and each other adjoint is freed as soon as it has been sent on, so that
            large arrays are reused while still in cache (this halved the reverse sweep of
            a 200 000-sample loss).
        release: with ``keep=False``, also free each node's value and arguments once it is
            done: for a tape that is swept once and thrown away (``grad``).
    """
    observe = _active_observer(observe)
    records = tape.records
    adjoints: list[Any] = [None] * len(records)
    for index, seed in seeds.items():
        adjoints[index] = seed if adjoints[index] is None else adjoints[index] + seed
    # One flat list, appended to in the loop: (node, adjoint), then its (argnum, parent, term)s.
    log: list | None = [] if record else None
    terms: list = []
    for j in range(max(seeds, default=-1), -1, -1):
        g = adjoints[j]
        if g is None:
            continue
        primitive, args, kwargs, parents, value, _ = records[j]
        if not parents:
            continue
        vjps = primitive.vjps
        if log is not None:
            log.append((j, g))
        if observe is not None:
            terms = []
        for argnum, parent in parents:
            rule = vjps.get(argnum)
            if rule is None:
                _allow_missing_rule(tape.node(j), "VJP", argnum)
                continue
            parent_value = records[parent][4]
            try:
                contribution = rule(g, value, *args, **kwargs) if kwargs else rule(g, value, *args)
            except GradvizError:
                raise
            except Exception as exc:
                raise _rule_failure(tape.node(j), "VJP", argnum, exc) from exc
            # The usual case, an array of the parent's very shape and dtype, is checked in a
            # few attribute reads; anything else (a broadcast, a scalar, complex) is fitted.
            if (type(contribution) is not _ndarray or type(parent_value) is not _ndarray
                    or contribution.shape != parent_value.shape
                    or contribution.dtype is not parent_value.dtype):
                contribution = _fit_contribution(tape, j, argnum, contribution, parent_value)
            previous = adjoints[parent]
            adjoints[parent] = contribution if previous is None else previous + contribution
            if log is not None:
                log.append((argnum, parent, contribution))
            if observe is not None:
                terms.append((argnum, parent, contribution))
        if observe is not None:
            observe("reverse", tape.node(j), g, tuple(terms))
        if not keep:
            adjoints[j] = None
            if release:
                records[j] = None  # the tape is used once: free its value and arguments early
    return Sweep("reverse", seeds, adjoints, [], label, log)


def _fit_contribution(tape: Tape, index: int, argnum: int, contribution: Any, parent_value: Any) -> Any:
    """A contribution summed back over broadcast axes to its parent's shape, and made real
    for a real parent (as autograd: a real value's adjoint is real)."""
    try:
        if getattr(contribution, "shape", ()) != getattr(parent_value, "shape", ()):
            contribution = fit_adjoint(contribution, shape_of(parent_value))
        if getattr(getattr(contribution, "dtype", None), "kind", None) == "c" and not (
            is_complex(parent_value)
        ):
            contribution = real_part(contribution)
        return contribution
    except GradvizError:
        raise
    except Exception as exc:
        raise _rule_failure(tape.node(index), "VJP", argnum, exc) from exc
