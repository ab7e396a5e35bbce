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

from numpy import float64 as _float64
from numpy import ndarray as _ndarray

from gradviz.engine.broadcast import fit_adjoint, fit_tangent, is_complex, real_part, shape_of
from gradviz.engine.containers import CONTAINER_TYPES, addable
from gradviz.engine.tracer import Node, Tape
from gradviz.errors import GradvizError, MissingRuleError, RuleError

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
                 log: tuple | None = None):
        self.kind = kind
        self.seeds = seeds
        self.results = results
        self.label = label
        self._steps = steps
        self._log = log

    @property
    def steps(self) -> list[Step]:
        # A recorded reverse sweep logs the very numbers it added, as it goes, in two flat
        # lists; most training iterations are never looked at, so the Step rows are built
        # from them on first use.
        if self._log is not None:
            self._steps = _steps_from_log(self.results, *self._log)
            self._log = None
        return self._steps

    def __repr__(self) -> str:
        return f"<{self.kind} sweep {self.label!r}: {len(self.steps)} steps>"


_NO_RULE = object()  # logged for an argument without an adjoint rule (a constant)


def _steps_from_log(adjoints: list, records: list, visited: list[int], sent: list) -> list[Step]:
    """The Step rows of a reverse sweep from its log: the nodes it visited, in order, and the
    contributions they sent, one per parent (``_NO_RULE`` where there was none)."""
    steps: list[Step] = []
    contributions = iter(sent)
    for j in visited:
        terms = []
        for argnum, parent in records[j][3]:
            contribution = next(contributions)
            if contribution is not _NO_RULE:
                terms.append((argnum, parent, contribution))
        steps.append(Step(j, adjoints[j], tuple(terms)))
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
        for node in tape.nodes:  # inputs too: a NaN can arrive with one
            observe("primal", node, node.value, ())


def _rule_failure(node: Node, kind: str, argnum: int, exc: Exception) -> GradvizError:
    from gradviz.engine.source import describe_site

    where = describe_site(node.site)
    return RuleError(
        f"the {kind} rule of '{node.op}' (argument {argnum}) failed at {node.name}"
        f"{' created at ' + where if where else ''}: {type(exc).__name__}: {exc}"
    )


def _missing_rule(node: Node, kind: str, argnum: int) -> MissingRuleError:
    verb = "defvjp" if kind == "VJP" else "defjvp"
    return MissingRuleError(
        f"no {kind} rule for '{node.op}' (argument {argnum}): register one with {verb}, "
        f"or mark it non-differentiable", kind
    )


def _allow_missing_rule(node: Node, kind: str, argnum: int) -> None:
    """No rule is right for a non-differentiable primitive or a constant argument (``where``'s
    condition); anywhere else it is an error that says how to register one."""
    primitive = node.primitive
    if primitive.differentiable and argnum not in primitive.info.get("constant_arguments", ()):
        raise _missing_rule(node, kind, argnum)


def _apply_rule(tape: Tape, index: int, kind: str, argnum: int, rule: Callable, seed: Any,
                entry: tuple) -> Any:
    """``rule(seed, value, *args, **kwargs)`` for node ``index``; a failure names the node.
    (The unrecorded sweeps have this inline: it runs once per node there.)"""
    _, args, kwargs, _, value, _ = entry
    try:
        return rule(seed, value, *args, **kwargs)
    except GradvizError:
        raise
    except Exception as exc:
        raise _rule_failure(tape.node(index), kind, argnum, exc) from exc


def _fit_term(tape: Tape, index: int, argnum: int, term: Any, value: Any) -> Any:
    """A tangent term broadcast to its node's shape (``x + b`` with only the scalar ``b``
    seeded); ``None`` is a zero the rule may return (an integer output, a sign)."""
    try:
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
    if record or observe is not None:
        for index, entry in enumerate(records):
            if entry[3]:
                for tangents, steps in zip(all_tangents, all_steps):
                    _forward_recorded(tape, index, entry, tangents, record, steps, observe)
    else:
        # Unrecorded, the common case, in as few lines per node as can be: this loop runs
        # once per node and sweep. Each node's rules and shape are fetched once for all sweeps.
        for index, (primitive, args, kwargs, parents, value, _) in enumerate(records):
            if not parents:
                continue
            jvps = primitive.jvps
            value_shape = value.shape if type(value) is _ndarray else None
            for tangents in all_tangents:
                total = None
                for argnum, parent in parents:
                    t = tangents[parent]
                    if t is None:
                        continue
                    try:
                        rule = jvps[argnum]
                    except KeyError:
                        _allow_missing_rule(tape.node(index), "JVP", argnum)
                        continue
                    try:
                        term = rule(t, value, *args, **kwargs) if kwargs else rule(t, value, *args)
                    except GradvizError:
                        raise
                    except Exception as exc:
                        raise _rule_failure(tape.node(index), "JVP", argnum, exc) from exc
                    # The usual case, an array of the node's shape or a float64 for a float64,
                    # is checked in a few attribute reads; anything else is fitted.
                    if type(term) is not _ndarray or term.shape != value_shape:
                        if type(term) is not _float64 or type(value) is not _float64:
                            term = _fit_term(tape, index, argnum, term, value)
                            if term is None:
                                continue
                    total = term if total is None else total + term
                if total is not None:
                    tangents[index] = total
    labels = labels or [""] * count
    return [Sweep("forward", seeds, tangents, steps, label)
            for seeds, tangents, steps, label in zip(seed_sets, all_tangents, all_steps, labels)]


def _forward_recorded(tape: Tape, index: int, entry: tuple, tangents: list, record: bool,
                      steps: list, observe) -> None:
    """One node of a recorded or observed forward sweep: ``ẇj = Σ ∂wj/∂wi · ẇi``, its terms
    kept as a :class:`Step` and shown to ``observe``."""
    primitive, args, kwargs, parents, value, _ = entry
    total = None
    terms = []
    for argnum, parent in parents:
        t = tangents[parent]
        if t is None:
            continue
        rule = primitive.jvps.get(argnum)
        if rule is None:
            _allow_missing_rule(tape.node(index), "JVP", argnum)
            continue
        term = _fit_term(tape, index, argnum, _apply_rule(tape, index, "JVP", argnum, rule, t, entry), value)
        if term is None:
            continue
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
    if OBSERVERS:
        observe = _active_observer(observe)
    records = tape.records
    adjoints: list[Any] = [None] * len(records)
    for index, seed in seeds.items():
        adjoints[index] = seed if adjoints[index] is None else adjoints[index] + seed
    keep = keep or record  # a recorded step shows each node's adjoint
    # Recording is one append per node and one per argument: the nodes visited, in order,
    # and what each sent.
    visited: list[int] | None = [] if record else None
    sent: list = []
    terms: list = []
    for j in range(max(seeds, default=-1), -1, -1):
        g = adjoints[j]
        if g is None:
            continue
        primitive, args, kwargs, parents, value, _ = records[j]
        if not parents:
            continue
        vjps = primitive.vjps
        if visited is not None:
            visited.append(j)
        if observe is not None:
            terms = []
        for argnum, parent in parents:
            try:
                rule = vjps[argnum]
            except KeyError:
                _allow_missing_rule(tape.node(j), "VJP", argnum)
                if visited is not None:
                    sent.append(_NO_RULE)
                continue
            parent_value = records[parent][4]
            try:
                contribution = rule(g, value, *args, **kwargs) if kwargs else rule(g, value, *args)
            except GradvizError:
                raise
            except Exception as exc:
                raise _rule_failure(tape.node(j), "VJP", argnum, exc) from exc
            # As in the forward sweep, and the same dtype (a complex adjoint of a real value
            # is made real).
            if (type(contribution) is not _ndarray or type(parent_value) is not _ndarray
                    or contribution.shape != parent_value.shape
                    or contribution.dtype is not parent_value.dtype):
                if type(contribution) is not _float64 or type(parent_value) is not _float64:
                    contribution = _fit_contribution(tape, j, argnum, contribution, parent_value)
            previous = adjoints[parent]
            adjoints[parent] = contribution if previous is None else previous + contribution
            if visited is not None:
                sent.append(contribution)
            if observe is not None:
                terms.append((argnum, parent, contribution))
        if observe is not None:
            observe("reverse", tape.node(j), g, tuple(terms))
        if not keep:
            adjoints[j] = None
            if release:
                records[j] = None  # the tape is used once: free its value and arguments early
    return Sweep("reverse", seeds, adjoints, [], label,
                 None if visited is None else (records, visited, sent))


def _fit_contribution(tape: Tape, index: int, argnum: int, contribution: Any, parent_value: Any) -> Any:
    """A contribution summed back over broadcast axes to its parent's shape, and made real
    for a real parent (as autograd: a real value's adjoint is real)."""
    if type(parent_value) in CONTAINER_TYPES:
        return addable(contribution)  # a container's adjoint: added item by item
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
