"""The forward and reverse sweeps over a recorded tape.

A *forward sweep* starts from seed tangents on the inputs (``ẇ1 = 1, ẇ2 = 0``) and walks
the nodes in evaluation order, each tangent the sum of its parents' tangent terms
``∂wj/∂wi · ẇi``. A *reverse sweep* starts from a seed adjoint on an output (``w̄5 = 1``) and
walks the nodes backwards, adding each contribution ``w̄j · ∂wj/∂wi`` into ``w̄i``.

Both are plain loops over the tape (no recursion, so a 100 000-node chain is fine). A
missing tangent or adjoint is ``None``: a symbolic zero that costs nothing.

Each is one loop. What varies around it — keeping each node's :class:`Step` (references to
the very numbers it added up, which the tables and the inspector replay without
recomputing), showing each node to observers (the NaN debugger), and what the reverse sweep
lets go of as it goes — is a :class:`Policy` handed in.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, NamedTuple

from numpy import float64 as _float64
from numpy import ndarray as _ndarray

from gradviz.engine.broadcast import fit_adjoint, fit_tangent, is_complex, real_part, shape_of
from gradviz.engine.containers import CONTAINER_TYPES, addable
from gradviz.engine.source import warning_at_user_lines
from gradviz.engine.tracer import RULE, Node, Tape
from gradviz.engine.values import SparseObject, dense, registered_space, vspace_makers
from gradviz.errors import GradvizError, MissingRuleError, RuleError

__all__ = ["Step", "Sweep", "Policy", "PLAIN", "RECORDED", "USED_ONCE", "forward_sweep",
           "forward_sweeps", "reverse_sweep", "observers", "observing", "unobserved",
           "observe_primal", "fit_contribution"]


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

    __slots__ = ("kind", "seeds", "results", "steps", "label")

    def __init__(self, kind: str, seeds: dict[int, Any], results: list, steps: list, label: str):
        self.kind = kind
        self.seeds = seeds
        self.results = results
        self.steps = steps
        self.label = label

    def __repr__(self) -> str:
        return f"<{self.kind} sweep {self.label!r}: {len(self.steps)} steps>"


Observer = Callable[[str, Node, Any, tuple], None]

# A NamedTuple's own constructor is Python code; a recorded sweep makes one Step per node.
_new_step = tuple.__new__

# The observers every sweep calls, e.g. the NaN detector of ``gradviz.debug_nans()``: each
# thread and task has its own. Read once per sweep, never per node.
_OBSERVERS: ContextVar[tuple[Observer, ...]] = ContextVar("gradviz_observers", default=())


def observers() -> tuple[Observer, ...]:
    """The observers active in this thread or task (see :func:`observing`)."""
    return _OBSERVERS.get()


@contextmanager
def observing(observer: Observer) -> Iterator[Observer]:
    """Show every sweep made inside the block to ``observer``, as
    ``observer(kind, node, value, terms)`` after each node (``kind`` is ``"forward"``,
    ``"reverse"`` or ``"primal"``)."""
    token = _OBSERVERS.set(_OBSERVERS.get() + (observer,))
    try:
        yield observer
    finally:
        _OBSERVERS.reset(token)


@contextmanager
def unobserved() -> Iterator[None]:
    """No observers inside the block (a debugger's own reruns are not reported again)."""
    token = _OBSERVERS.set(())
    try:
        yield
    finally:
        _OBSERVERS.reset(token)


class Policy:
    """What a sweep does besides its arithmetic.

    Attributes:
        record: keep a :class:`Step` per node (the tables, the inspector).
        observe: an extra observer of this sweep alone, besides those of :func:`observing`.
        keep: keep every node's adjoint in the results; with ``False`` only the inputs' are
            kept, and each other adjoint is let go as soon as it has been sent on, so that
            large arrays are reused while still in cache (this halved the reverse sweep of a
            200 000-sample loss).
        release: also let go of each node's record once it is swept: for a tape that is swept
            once and thrown away (``grad``).

    Example:
        >>> Policy(record=True)
        Policy(record=True, observe=None, keep=True, release=False)
    """

    __slots__ = ("record", "observe", "keep", "release")

    def __init__(self, *, record: bool = False, observe: Observer | None = None, keep: bool = True,
                 release: bool = False):
        self.record = record
        self.observe = observe
        self.keep = keep or record  # a recorded step shows each node's adjoint
        self.release = release and not self.keep

    def watcher(self, kind: str, tape: Tape, steps: list[Step]) -> Callable[[int, Any, tuple], None] | None:
        """The function a sweep calls after each node as ``watch(index, value, terms)``, or
        ``None`` when nothing watches (then the sweep builds no terms at all)."""
        chain = ((self.observe,) if self.observe is not None else ()) + _OBSERVERS.get()
        record = self.record
        if not record and not chain:
            return None

        def watch(index: int, value: Any, terms: tuple) -> None:
            if record:
                steps.append(_new_step(Step, (index, value, terms)))
            if chain:
                node = tape.node(index)
                for observe in chain:
                    observe(kind, node, value, terms)

        return watch

    def __repr__(self) -> str:
        return (f"Policy(record={self.record}, observe={self.observe!r}, keep={self.keep}, "
                f"release={self.release})")


#: Nothing kept beyond the results: ``jvp``, ``vjp``.
PLAIN = Policy()
#: Every step kept: ``gradviz.trace``, ``gradviz.record()``.
RECORDED = Policy(record=True)
#: ``grad``'s tape, swept once and thrown away: only the inputs' adjoints are kept.
USED_ONCE = Policy(keep=False, release=True)


def observe_primal(tape: Tape) -> None:
    """Show every recorded node to the active observers as ``("primal", node, value, ())``.

    Called after a function has been evaluated on a tape, only while :func:`observers` is
    not empty: primal values are computed by the primitives, not by a sweep.
    """
    for observe in observers():
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


@warning_at_user_lines
def forward_sweep(tape: Tape, seeds: dict[int, Any], *, policy: Policy = PLAIN, label: str = "") -> Sweep:
    """Push seed tangents through the tape in evaluation order: ``ẇj = Σ ∂wj/∂wi · ẇi``.

    Args:
        tape: the recorded tape.
        seeds: ``{input node index: tangent}``; inputs left out have tangent zero.
        policy: what is kept and who watches (see :class:`Policy`).
        label: a description kept on the sweep.

    Example:
        >>> import gradviz.numpy as np
        >>> from gradviz.engine.tracer import Tape
        >>> tape = Tape(1)
        >>> with tape:
        ...     x1, x2 = tape.new_input(2.0), tape.new_input(5.0)
        ...     z = x1 * x2 + np.sin(x1)
        >>> sweep = forward_sweep(tape, {0: 1.0}, policy=RECORDED)
        >>> round(float(sweep.results[-1]), 4), [step.node for step in sweep.steps]
        (4.5839, [2, 3, 4])
    """
    records = tape.records
    tangents: list[Any] = [None] * len(records)
    for index, seed in seeds.items():
        tangents[index] = seed
    steps: list[Step] = []
    watch = policy.watcher("forward", tape, steps)
    higher = tape.level > 1  # an outer tape records what the rules compute
    for j, record in enumerate(records):
        if not record.parents:
            continue  # an input: its tangent is its seed
        primitive, value, args, kwargs = record.primitive, record.value, record.args, record.kwargs
        jvps = primitive.jvps
        total = None
        terms = [] if watch is not None else None
        for argnum, i in record.parents:
            tangent = tangents[i]
            if tangent is None:
                continue  # a symbolic zero sends nothing
            # The row's rule, else the rule for any argument (see Primitive.jvp_rule).
            rule = jvps.get(argnum) or primitive.jvp_rule(argnum)
            if rule is None:
                _allow_missing_rule(tape.node(j), "JVP", argnum)  # a constant argument
                continue
            try:
                if higher:
                    term = _run_rule(("forward", primitive, record.site, tape.made_by.get(j)),
                                     rule, (tangent, value, *args), kwargs)
                else:
                    term = rule(tangent, value, *args, **kwargs) if kwargs else rule(tangent, value, *args)
            except GradvizError:
                raise
            except Exception as exc:
                raise _rule_failure(tape.node(j), "JVP", argnum, exc) from exc
            # The usual case, an array of the node's shape or a float64 for a float64, is
            # told in a few reads; anything else is broadcast to the node's shape.
            if not ((type(term) is _ndarray and type(value) is _ndarray and term.shape == value.shape)
                    or (type(term) is _float64 and type(value) is _float64)):
                term = _fit_term(tape, j, argnum, term, value)
                if term is None:
                    continue  # a zero the rule returned (an integer output, a sign)
            total = term if total is None else total + term
            if terms is not None:
                terms.append((argnum, i, term))
        if total is not None:
            tangents[j] = total
            if watch is not None:
                watch(j, total, tuple(terms))
    return Sweep("forward", seeds, tangents, steps, label)


def forward_sweeps(tape: Tape, seed_sets: list[dict[int, Any]], *, policy: Policy = PLAIN,
                   labels: list[str] | None = None) -> list[Sweep]:
    """One :func:`forward_sweep` per seed set (the columns of a Jacobian)."""
    labels = labels or [""] * len(seed_sets)
    return [forward_sweep(tape, seeds, policy=policy, label=label)
            for seeds, label in zip(seed_sets, labels)]


@warning_at_user_lines
def reverse_sweep(tape: Tape, seeds: dict[int, Any], *, policy: Policy = PLAIN, label: str = "") -> Sweep:
    """Pull seed adjoints back through the tape in reverse evaluation order: node ``j``'s
    adjoint is complete once every later node has sent its share, and then it sends
    ``w̄j · ∂wj/∂wi`` to each of its arguments ``wi``.

    Args:
        tape: the recorded tape.
        seeds: ``{output node index: adjoint seed}``.
        policy: what is kept, what is let go of, and who watches (see :class:`Policy`).
        label: a description kept on the sweep.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> lecture = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> sweep = reverse_sweep(lecture.tape, {4: 1.0}, policy=RECORDED)
        >>> [round(float(sweep.results[i]), 4) for i in (0, 1)], [step.node for step in sweep.steps]
        ([4.5839, 2.0], [4, 3, 2])
    """
    records = tape.records
    adjoints: list[Any] = [None] * len(records)
    for index, seed in seeds.items():
        adjoints[index] = seed if adjoints[index] is None else adjoints[index] + seed
    steps: list[Step] = []
    watch = policy.watcher("reverse", tape, steps)
    keep, release = policy.keep, policy.release
    higher = tape.level > 1  # an outer tape records what the rules compute
    for j in range(max(seeds, default=-1), -1, -1):
        g = adjoints[j]
        if g is None:
            continue  # a symbolic zero sends nothing
        record = records[j]
        if not record.parents:
            continue  # an input: its adjoint is a result
        primitive, value, args, kwargs = record.primitive, record.value, record.args, record.kwargs
        vjps = primitive.vjps
        terms = [] if watch is not None else None
        for argnum, i in record.parents:
            # The row's rule, else the rule for any argument of a primitive that takes any
            # number of them (``stack``): see Primitive.vjp_rule.
            rule = vjps.get(argnum) or primitive.vjp_rule(argnum)
            if rule is None:
                _allow_missing_rule(tape.node(j), "VJP", argnum)  # a constant argument
                continue
            try:
                if higher:
                    contribution = _run_rule(("reverse", record.primitive, record.site, tape.made_by.get(j)),
                                             rule, (g, value, *args), kwargs)
                else:
                    contribution = rule(g, value, *args, **kwargs) if kwargs else rule(g, value, *args)
            except GradvizError:
                raise
            except Exception as exc:
                raise _rule_failure(tape.node(j), "VJP", argnum, exc) from exc
            # The usual case, an array of the parent's shape and dtype or a float64 for a
            # float64, is told in a few reads; anything else is summed back over broadcast
            # axes or made real.
            parent = records[i].value
            if (type(contribution) is not _ndarray or type(parent) is not _ndarray
                    or contribution.shape != parent.shape or contribution.dtype is not parent.dtype):
                if type(contribution) is not _float64 or type(parent) is not _float64:
                    contribution = _fit_contribution(tape, j, argnum, contribution, parent)
                    if vspace_makers and adjoints[i] is not None and type(parent) in vspace_makers:
                        # A value type of the user's own adds in its space (it may have no +).
                        adjoints[i] = registered_space(parent).add(adjoints[i], contribution)
                        if terms is not None:
                            terms.append((argnum, i, contribution))
                        continue
            adjoints[i] = contribution if adjoints[i] is None else adjoints[i] + contribution
            if terms is not None:
                terms.append((argnum, i, contribution))
        if watch is not None:
            watch(j, g, tuple(terms))
        if not keep:
            adjoints[j] = None
            if release:
                records[j] = None  # the tape is used once: free its value and arguments early
    return Sweep("reverse", seeds, adjoints, steps, label)


def _run_rule(made: tuple, rule: Callable, args: tuple, kwargs: dict) -> Any:
    """``rule(*args, **kwargs)`` with :data:`~gradviz.engine.tracer.RULE` set to ``made``: the
    nodes it records on an outer tape remember which rule of which node made them."""
    token = RULE.set(made)
    try:
        return rule(*args, **kwargs)
    finally:
        RULE.reset(token)


def _fit_contribution(tape: Tape, index: int, argnum: int, contribution: Any, parent_value: Any) -> Any:
    """:func:`fit_contribution`, a failure named by the node whose rule made it."""
    try:
        return fit_contribution(contribution, parent_value)
    except GradvizError:
        raise
    except Exception as exc:
        raise _rule_failure(tape.node(index), "VJP", argnum, exc) from exc


def fit_contribution(contribution: Any, parent_value: Any) -> Any:
    """A contribution summed back over broadcast axes to its parent's shape, and made real
    for a real parent (as autograd: a real value's adjoint is real)."""
    if type(parent_value) in CONTAINER_TYPES:
        return addable(contribution)  # a container's adjoint: added item by item
    if type(contribution) is SparseObject:
        contribution = dense(contribution)
    if getattr(contribution, "shape", ()) != getattr(parent_value, "shape", ()):
        contribution = fit_adjoint(contribution, shape_of(parent_value))
    if getattr(getattr(contribution, "dtype", None), "kind", None) == "c" and not (
        is_complex(parent_value)
    ):
        contribution = real_part(contribution)
    return contribution
