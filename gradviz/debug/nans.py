"""Where a NaN or an infinity was born, as distinct from where it was merely passed on.

A node *gives birth* in a pass when its result there is non-finite although everything it
was computed from is finite:

- primal: the value ``w_i`` is non-finite, every argument finite (``log(0) = -inf``);
- forward: the tangent ``ẇ_i`` is non-finite, its parents' values and tangents finite;
- reverse: a contribution ``w̄_i·∂w_i/∂w_k`` it sends is non-finite, its own adjoint and its
  parents' values finite (``np.where(x > 0, np.log(x), 0.0)`` at ``x = 0``: the ``where``
  sends ``0``, the ``log`` turns it into ``0/0``).

A non-finite number can also *arrive* from outside, never born at all: an input that is NaN
or Inf, a constant or a data array the function reads (a NaN in the training data), or a seed
tangent or adjoint. Each arrival is reported as its own kind of origin (``kind ==
"arrived"``), at the input or at the node that first computes something non-finite from the
data, naming the data's variable where it can be found (``Y[1] is nan``).

Every other node that holds a non-finite number has it *passed on*. :func:`nan_birth`
analyses a finished trace; :func:`debug_nans` raises at the first birth or arrival while
code runs.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> with np.errstate(all="ignore"):
    ...     t = gradviz.trace(lambda x: np.where(x > 0, np.log(x), 0.0), np.array([0.0, 2.0]))
    >>> report = nan_birth(t)
    >>> sorted({(b.sweep, b.name, b.op) for b in report.births})
    [('forward', 'w3', 'log'), ('primal', 'w3', 'log'), ('reverse', 'w3', 'log')]
    >>> print(report.first)  # doctest: +ELLIPSIS
    non-finite value born in the primal pass at w3 = log(w1) ('log') at ...: w1 = 0 -> -inf
    >>> report.status(2), report.status(3)   # the where passes nothing on: it is finite
    ('born', 'finite')
"""

from __future__ import annotations

import functools
import gc
import linecache
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as onp

from gradviz.engine.source import describe_site, site_location
from gradviz.engine.sweeps import RECORDED, observing, reverse_sweep, unobserved
from gradviz.engine.tracer import Node
from gradviz.errors import NonFiniteError
from gradviz.export.notation import bar_name, dot_name, rule_origin
from gradviz.debug._values import as_array, brief, is_finite

__all__ = ["Birth", "NanReport", "nan_birth", "first_nonfinite", "debug_nans", "NanDetector",
           "data_arrival", "input_arrival", "rule_origin"]


@dataclass
class Birth:
    """One node where a non-finite number was born.

    Attributes:
        sweep: ``"primal"``, ``"forward"`` or ``"reverse"``.
        index: the node's index (``name`` is ``w{index+1}``).
        name: ``"w4"``.
        op: the primitive's name, ``"log"``.
        formula: ``"log(w1)"``.
        site: the user's source line (``describe_site``), or ``""``; for a node a derivative
            rule recorded (higher order), the line of the user's operation whose rule it is.
        inputs: ``(label, value)`` texts of the inputs at the first offending elements.
        result: the non-finite result at those elements.
        argnum: for the reverse sweep, the argument whose contribution is non-finite.
        sweep_index: position of the sweep in ``trace.sweeps`` (``None`` for primal).
        kind: ``"born"``, or ``"arrived"`` for a non-finite number that came from outside.
        origin: for an arrival, what it came with: ``"input"``, ``"data"`` (a constant or
            an array the function reads) or ``"seed"``.
        rule: for a node a derivative rule recorded, that rule: ``"sqrt's derivative rule
            1/(2√x) (its reverse rule)"``; ``op`` is then the user's operation (``sqrt``) and
            ``inner_op`` the one inside the rule (``divide``).
    """

    sweep: str
    index: int
    name: str
    op: str
    formula: str
    site: str
    inputs: list[tuple[str, str]]
    result: str
    argnum: int | None = None
    sweep_index: int | None = None
    kind: str = "born"
    origin: str = ""
    rule: str = ""
    inner_op: str = ""

    def describe(self) -> str:
        """One line: what was born (or arrived), where, from which values."""
        what = {"primal": "value", "forward": "tangent", "reverse": "adjoint contribution"}
        where = f" at {self.site}" if self.site else ""
        target = f" to argument {self.argnum}" if self.argnum is not None else ""
        if self.kind == "arrived":
            details = ", ".join(f"{label} is {value}" for label, value in self.inputs)
            result = f" -> {self.result}" if self.result else ""
            return (f"non-finite {what[self.sweep]}{target} arrived with the {self.origin} in the "
                    f"{self.sweep} pass at {self.name} = {self.formula} ('{self.op}'){where}: "
                    f"{details}{result}")
        inputs = ", ".join(f"{label} = {value}" for label, value in self.inputs)
        if self.rule:  # a node recorded by a derivative rule: the user's operation is blamed
            return (f"non-finite {what[self.sweep]}{target} born in the {self.sweep} pass inside "
                    f"{self.rule}{where}, at {self.name} = {self.formula} ('{self.inner_op}'): "
                    f"{inputs} -> {self.result}")
        return (f"non-finite {what[self.sweep]}{target} born in the {self.sweep} pass at "
                f"{self.name} = {self.formula} ('{self.op}'){where}: {inputs} -> {self.result}")

    __str__ = describe


@dataclass
class NanReport:
    """Every birth in a trace, and the nodes that only passed a non-finite number on.

    Attributes:
        births: in the order they happened: primal values, then each sweep in turn.
        passed: ``{node index: {pass names}}`` for nodes holding a non-finite number they did
            not create.
    """

    births: list[Birth] = field(default_factory=list)
    passed: dict[int, set[str]] = field(default_factory=dict)

    @property
    def first(self) -> Birth | None:
        """The first birth, or ``None`` when every number is finite."""
        return self.births[0] if self.births else None

    @property
    def born(self) -> set[int]:
        """Indices of the nodes where something was born or arrived from outside."""
        return {birth.index for birth in self.births}

    @property
    def arrived(self) -> set[int]:
        """Indices of the nodes where a non-finite number only arrived (nothing was born)."""
        made = {birth.index for birth in self.births if birth.kind == "born"}
        return {birth.index for birth in self.births if birth.kind == "arrived"} - made

    @property
    def marked(self) -> set[str]:
        """Names (``w4``) of the nodes to colour as births."""
        return {birth.name for birth in self.births}

    def status(self, index: int) -> str:
        """``"born"``, ``"arrived"``, ``"passed"`` or ``"finite"`` for node ``index``."""
        return self._status(index, self.born, self.arrived)

    def _status(self, index: int, born, arrived=frozenset()) -> str:
        """:meth:`status`, given ``born`` (:attr:`born`) and ``arrived`` (:attr:`arrived`)."""
        if index in born:
            return "arrived" if index in arrived else "born"
        return "passed" if index in self.passed else "finite"

    def __bool__(self) -> bool:
        return bool(self.births)


# --- describing one node -------------------------------------------------------------------------


def _labels(node: Node) -> list[str]:
    parents, letter = dict(node.parents), node.name[0]  # w, or v (see Tape.letter)
    return [f"{letter}{parents[k] + 1}" if k in parents else brief(arg, precision=3)
            for k, arg in enumerate(node.args)]


def formula(node: Node) -> str:
    """``log(w1)``, ``multiply(w3, 0.5)``: the node as a call of its primitive."""
    return f"{node.op}({', '.join(_labels(node))})"


def _offending(bad: Any, named: list[tuple[str, Any]], limit: int = 3) -> tuple[list, str]:
    """The inputs' values at the first non-finite elements of ``bad``, and ``bad`` there."""
    bad = as_array(bad)
    positions = [()] if bad.ndim == 0 else [tuple(p) for p in onp.argwhere(~onp.isfinite(bad))[:limit]]
    shown = []
    for label, value in named:
        array = as_array(value)
        try:
            spread = onp.broadcast_to(array, bad.shape)
        except ValueError:
            shown.append((label, brief(array)))
            continue
        shown.append((label, ", ".join(brief(spread[p]) for p in positions)))
    return shown, ", ".join(brief(bad[p]) for p in positions)


def _birth(sweep: str, node: Node, bad: Any, named: list, argnum=None, sweep_index=None) -> Birth:
    inputs, result = _offending(bad, named)
    made = rule_origin(node)
    if made is not None:  # recorded by a derivative rule: blame the user's operation
        op, rule, site = made
        return Birth(sweep, node.index, node.name, op, formula(node), site or describe_site(node.site),
                     inputs, result, argnum, sweep_index, rule=rule, inner_op=node.op)
    birth = Birth(sweep, node.index, node.name, node.op, formula(node), describe_site(node.site),
                  inputs, result, argnum, sweep_index)
    return _inside_checkpoint(birth, node) if "checkpointed" in node.primitive.info else birth


def _inside_checkpoint(birth: Birth, node: Node) -> Birth:
    """A birth at a ``checkpoint(f)`` node, blamed on the operation inside ``f`` that made it:
    ``f`` is run again, traced, on the node's arguments (only when a birth is reported)."""
    from gradviz.differential import trace

    fun, kwargs = node.primitive.info["checkpointed"], node.kwargs
    try:  # the rerun is the debugger's own: it must not be reported again
        with unobserved(), onp.errstate(all="ignore"):
            inner = nan_birth(trace(lambda *args: fun(*args, **kwargs), *node.args))
    except Exception:  # noqa: BLE001 - the checkpoint node itself stays blamed
        return birth
    found = [b for b in inner.births if b.sweep == birth.sweep and b.kind == "born"]
    found = found or [b for b in inner.births if b.kind == "born"]
    if not found:
        return birth
    first = found[0]
    inside = functools.partial(re.sub, r"\bw(\d+)", r"v\1")  # the rerun's nodes: v1, v2, …
    return Birth(birth.sweep, birth.index, birth.name, first.op,
                 f"{birth.formula}, inside it {inside(first.name)} = {inside(first.formula)}",
                 first.site or birth.site, [(inside(label), value) for label, value in first.inputs],
                 first.result, birth.argnum, birth.sweep_index)


def args_finite(args) -> bool:
    """Whether every array or number among a node's arguments is finite (index tuples, lists
    and slices are not checked)."""
    return all(is_finite(arg) for arg in args if not isinstance(arg, (tuple, list, slice)))


def primal_birth(node: Node) -> Birth | None:
    """The birth of a non-finite value at ``node``, or its arrival with the data, or ``None``."""
    if node.primitive is None or is_finite(node.value):
        return None
    if not args_finite(node.args):
        return data_arrival("primal", node, node.value)
    return _birth("primal", node, node.value, list(zip(_labels(node), node.args)))


def reverse_birth(node: Node, g: Any, terms: tuple, sweep_index=None) -> Birth | None:
    """The birth of a non-finite adjoint contribution sent by ``node``, or its arrival with
    the data, or ``None``."""
    if not is_finite(g):
        return None
    finite = args_finite(node.args)
    for argnum, _parent, contribution in terms:
        if not finite and not is_finite(contribution):
            arrival = data_arrival("reverse", node, contribution, at_argnum=argnum,
                                   sweep_index=sweep_index)
            if arrival is not None:
                return arrival
        elif not is_finite(contribution):
            named = list(zip(_labels(node), node.args)) + [(f"adjoint {bar_name(node.name)}", g)]
            return _birth("reverse", node, contribution, named, argnum, sweep_index)
    return None


def forward_birth(node: Node, tangent: Any, parent_tangents: dict, sweep_index=None) -> Birth | None:
    """The birth of a non-finite tangent at ``node`` given ``{parent: tangent}``, or ``None``."""
    if is_finite(tangent) or not all(is_finite(t) for t in parent_tangents.values()):
        return None
    if not args_finite(node.args):
        return data_arrival("forward", node, tangent, sweep_index=sweep_index)
    named = list(zip(_labels(node), node.args))
    named += [(f"tangent {dot_name(node.name[0] + str(parent + 1))}", t)
              for parent, t in parent_tangents.items()]
    return _birth("forward", node, tangent, named, None, sweep_index)


# --- non-finite numbers from outside -------------------------------------------------------------


def _elements(label: str, value: Any, limit: int = 3, *, named: bool = True) -> list[tuple[str, str]]:
    """``[("Y[1]", "nan")]``: the first non-finite elements of ``value``, named by index
    (``argument 1 at [1]`` when ``label`` is not a variable's name)."""
    array = as_array(value)
    if array.ndim == 0:
        return [(label, brief(array))]
    positions = [tuple(int(i) for i in p) for p in onp.argwhere(~onp.isfinite(array))[:limit]]
    joint = "" if named else " at "
    return [(f"{label}{joint}[{', '.join(map(str, p))}]", brief(array[p])) for p in positions]


def _data_name(node: Node, value: Any) -> tuple[str, str]:
    """The variable that holds the data ``value`` read at ``node`` and where it is assigned,
    ``("Y", "train.py:3")``, or ``("", "")``.

    Looked up only when an arrival is reported: among the functions whose code made the node,
    a closure cell or a global bound to this very object.
    """
    location = site_location(node.site)
    if location is None:
        return "", ""
    code = node.site[0]
    for function in gc.get_referrers(code):
        if getattr(function, "__code__", None) is not code:
            continue
        cells = zip(code.co_freevars, function.__closure__ or ())
        bound = [(name, _cell_contents(cell)) for name, cell in cells]
        bound += [(name, function.__globals__.get(name, None)) for name in code.co_names]
        for name, held in bound:
            if held is value:
                return name, _assignment(location[0], name)
    return "", ""


def _cell_contents(cell) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not yet filled
        return None


def _assignment(file_name: str, name: str) -> str:
    """``"train.py:3"``: the first line of ``file_name`` that assigns ``name``, or ``""``."""
    pattern = re.compile(rf"^\s*(?:[\w, ]+,\s*)?{re.escape(name)}\s*(?:,[\w, ]+)?(?::[^=]+)?=(?!=)")
    for number, line in enumerate(linecache.getlines(file_name), start=1):
        if pattern.match(line):
            return f"{os.path.basename(file_name)}:{number}"
    return ""


def _arrival(sweep: str, node: Node, argnum: int, value: Any, result: Any, *, at_argnum=None,
             sweep_index=None) -> Birth:
    """The arrival of the non-finite data ``value`` (argument ``argnum``) at ``node``."""
    name, defined = _data_name(node, value)
    shown = _elements(name or f"argument {argnum}", value, named=bool(name))
    if defined:
        shown.append((name, f"assigned at {defined}"))
    result_text = _offending(result, [])[1]
    return Birth(sweep, node.index, node.name, node.op, formula(node), describe_site(node.site),
                 shown, result_text, at_argnum, sweep_index, kind="arrived", origin="data")


def data_arrival(sweep: str, node: Node, result: Any, *, at_argnum=None,
                 sweep_index=None) -> Birth | None:
    """A non-finite ``result`` at ``node`` made from a non-finite constant or data argument
    (one that is not a node of the trace), or ``None``."""
    if node.primitive is None or is_finite(result):
        return None
    parents = dict(node.parents)
    for argnum, arg in enumerate(node.args):
        if argnum in parents or isinstance(arg, (tuple, list, slice)) or is_finite(arg):
            continue
        return _arrival(sweep, node, argnum, arg, result, at_argnum=at_argnum,
                        sweep_index=sweep_index)
    return None


def input_arrival(node: Node, name: str = "", sweep: str = "primal", value: Any = None,
                  sweep_index=None) -> Birth | None:
    """A non-finite value (or, in a sweep, seed ``value``) at the input ``node``, or ``None``."""
    value = node.value if sweep == "primal" else value
    if is_finite(value):
        return None
    label = name or node.name
    origin = "input" if sweep == "primal" else "seed"
    shown = _elements(label if sweep == "primal" else f"the seed of {label}", value,
                      named=sweep == "primal")
    return Birth(sweep, node.index, node.name, node.op, label, "", shown, "", None,
                 sweep_index, kind="arrived", origin=origin)


# --- a finished trace ----------------------------------------------------------------------------


def nan_birth(trace) -> NanReport:
    """Find every birth of a NaN or infinity in ``trace``: its values and recorded sweeps.

    A reverse sweep recorded without its steps is run again, recording them.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x: np.sqrt(x) * 2.0, 4.0)
        >>> bool(nan_birth(t))
        False
    """
    report = NanReport()
    names = dict(zip(trace.inputs, trace.input_names))
    for node in trace.nodes:
        birth = input_arrival(node, names.get(node.index, "")) if node.primitive is None else \
            primal_birth(node)
        _note(report, birth, node.index, "primal", is_finite(node.value))
    for sweep_index, sweep in enumerate(trace.sweeps):
        if sweep.kind == "forward":
            _forward_births(report, trace, sweep, sweep_index)
        else:
            _reverse_births(report, trace, sweep, sweep_index)
    return report


def _note(report: NanReport, birth: Birth | None, index: int, kind: str, finite: bool) -> None:
    if birth is not None:
        report.births.append(birth)
    elif not finite:
        report.passed.setdefault(index, set()).add(kind)


def _seed_arrivals(report: NanReport, trace, sweep, sweep_index: int) -> None:
    """A non-finite seed tangent or adjoint arrived from outside."""
    names = dict(zip(trace.inputs, trace.input_names))
    names.update(zip(trace.outputs, trace.output_names))
    for index, seed in sweep.seeds.items():
        node = trace.nodes[index]
        arrival = input_arrival(node, names.get(index, ""), sweep.kind, seed, sweep_index)
        if arrival is not None:
            report.births.append(arrival)


def _forward_births(report: NanReport, trace, sweep, sweep_index: int) -> None:
    _seed_arrivals(report, trace, sweep, sweep_index)
    tangents = sweep.results
    for node in trace.nodes:
        if not node.parents or tangents[node.index] is None:
            continue
        parents = {p: tangents[p] for _, p in node.parents if tangents[p] is not None}
        birth = forward_birth(node, tangents[node.index], parents, sweep_index)
        _note(report, birth, node.index, "forward", is_finite(tangents[node.index]))


def _reverse_births(report: NanReport, trace, sweep, sweep_index: int) -> None:
    steps = sweep.steps
    if not steps and sweep.seeds:
        steps = reverse_sweep(trace.tape, sweep.seeds, policy=RECORDED).steps
    _seed_arrivals(report, trace, sweep, sweep_index)
    adjoints = sweep.results
    for index, g in enumerate(adjoints):
        if g is not None and not is_finite(g):
            report.passed.setdefault(index, set()).add("reverse")
    for step in steps:
        birth = reverse_birth(trace.nodes[step.node], step.value, step.terms, sweep_index)
        if birth is not None:
            report.births.append(birth)
            for _, parent, _term in step.terms:  # the parents received it; they did not make it
                report.passed.setdefault(parent, set()).add("reverse")


def first_nonfinite(trace, sweep: str | int | None = None) -> Birth | None:
    """The first birth in ``trace``: overall, in one pass (``"primal"``, ``"forward"``,
    ``"reverse"``), or in ``trace.sweeps[sweep]``. An inspector breakpoint.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> with np.errstate(all="ignore"):
        ...     t = gradviz.trace(lambda x: np.log(x - 1.0) * x, 1.0)
        >>> first_nonfinite(t).op, first_nonfinite(t, "reverse").op
        ('log', 'log')
    """
    for birth in nan_birth(trace).births:
        if sweep is None or birth.sweep == sweep or birth.sweep_index == sweep:
            return birth
    return None


# --- while code runs -----------------------------------------------------------------------------


class NanDetector:
    """An observer of the sweeps (see ``gradviz.engine.sweeps.observing``) that finds births.

    ``stop=True`` raises :class:`~gradviz.errors.NonFiniteError` at the first birth;
    otherwise births are collected in :attr:`births`.
    """

    def __init__(self, *, stop: bool = True, primal: bool = True):
        self.stop = stop
        self.primal = primal
        self.births: list[Birth] = []
        # Values whose node's latest tangent was non-finite, by id of the value object: a
        # node's arguments are its parents' very value objects, so a child finds its parents'
        # tangents here. The value is kept so that its id cannot be reused; finite ones are
        # dropped, so this holds only what is broken.
        self._bad_tangents: dict[int, tuple[Any, Any]] = {}

    def __call__(self, kind: str, node: Node, value: Any, terms: tuple) -> None:
        if kind == "primal" and node.primitive is None:
            birth = input_arrival(node) if self.primal else None
        elif kind == "primal":
            birth = primal_birth(node) if self.primal else None
        elif kind == "reverse":
            birth = reverse_birth(node, value, terms)
        else:
            birth = self._forward(node, value, terms)
        if birth is not None:
            self.births.append(birth)
            if self.stop:
                raise NonFiniteError(birth.describe() + _HINT)

    def _forward(self, node: Node, tangent: Any, terms: tuple) -> Birth | None:
        if is_finite(tangent):
            self._bad_tangents.pop(id(node.value), None)
            return None
        self._bad_tangents[id(node.value)] = (node.value, tangent)
        parents = {}
        for argnum, parent, _term in terms:
            known = self._bad_tangents.get(id(node.args[argnum]))
            parents[parent] = known[1] if known is not None else 0.0
        return forward_birth(node, tangent, parents)


_HINT = " (gradviz.nan_birth(gradviz.trace(f, ...)) shows every birth and what it passed on)"


@contextmanager
def debug_nans(*, stop: bool = True, primal: bool = True) -> Iterator[NanDetector]:
    """Raise :class:`~gradviz.errors.NonFiniteError` at the first NaN/Inf birth.

    Checks primal values after each evaluation and every forward and reverse sweep, naming
    the operation, the user's source line and the offending inputs. ``primal=False`` skips
    primal values (to reach a birth in a sweep); ``stop=False`` collects births instead.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> f = gradviz.grad(lambda x: np.sum(np.where(x > 0, np.log(x), 0.0)))
        >>> with np.errstate(all="ignore"), debug_nans(primal=False):
        ...     f(np.array([0.0, 1.0]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        gradviz.errors.NonFiniteError: non-finite adjoint contribution to argument 0 born in the reverse pass at w3 = log(w1) ('log')...
    """
    detector = NanDetector(stop=stop, primal=primal)
    with observing(detector):
        yield detector
