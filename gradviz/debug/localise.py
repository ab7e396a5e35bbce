"""Blaming one operation: every node's local rules checked on its recorded inputs.

For node ``w_j = op(…, w_i, …)`` and random directions ``v`` (for the argument) and ``u``
(for the output), in float64 whatever the trace's precision:

- its JVP rule against central finite differences of ``op`` itself: ``J v ≈ (op(x+hv) −
  op(x−hv)) / 2h``;
- its VJP rule by the dot-product identity ``⟨Jᵀu, v⟩ = ⟨u, J v⟩``, with ``J v`` from finite
  differences (or from the JVP rule when finite differences are not usable).

The first node, in evaluation order, whose rule fails is the one to blame: every later
node's rule was checked on inputs computed by correct rules.

:func:`cut_identity` checks the sweeps as a whole: for each cut of the graph after node
``k``, ``Σ w̄ᵢ⁽ᵏ⁾·ẇᵢ`` over the nodes before the cut equals ``ȳ·ẏ``; the change across node
``k`` is exactly that node's ``⟨u, J v⟩ − ⟨Jᵀu, v⟩``, so a break marks the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as onp

from gradviz.engine.broadcast import fit_adjoint, fit_tangent, shape_of
from gradviz.engine.source import describe_site
from gradviz.engine.tracer import Node, unbox
from gradviz.debug._values import brief, inner, is_finite
from gradviz.debug.numerical import numerical_jvp
from gradviz.debug.nans import args_finite, formula, rule_origin

__all__ = ["RuleCheck", "CheckReport", "check_node", "check_trace", "localise", "cut_identity"]

RTOL, ATOL = 1e-4, 1e-7


@dataclass
class RuleCheck:
    """The verdict on one rule of one node: ``rule`` is ``"JVP"`` or ``"VJP"``."""

    index: int
    name: str
    op: str
    argnum: int
    rule: str
    ok: bool
    expected: str
    got: str
    site: str
    formula: str
    how: str
    in_rule: str = ""  # for a node a derivative rule recorded: that rule (see rule_origin)

    def describe(self) -> str:
        """One line naming the operation, its source line, expected and got."""
        where = f" at {self.site}" if self.site else ""
        verdict = "is correct" if self.ok else "is wrong"
        inside = f" inside {self.in_rule}" if self.in_rule else ""
        return (f"the {self.rule} rule of '{self.op}' (argument {self.argnum}) {verdict} at "
                f"{self.name} = {self.formula}{inside}{where}: {self.how}: expected {self.expected}, "
                f"got {self.got}")

    __str__ = describe


@dataclass
class CheckReport:
    """Every local rule check of a trace and the cut identity's verdict per node."""

    checks: list[RuleCheck] = field(default_factory=list)
    defects: dict[int, float] = field(default_factory=dict)
    cut_failures: set[int] = field(default_factory=set)
    names: dict[int, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[RuleCheck]:
        """The failed rule checks, in evaluation order."""
        return [check for check in self.checks if not check.ok]

    @property
    def first(self) -> RuleCheck | None:
        """The rule to blame: the first failure in evaluation order, or ``None``."""
        failures = self.failures
        return failures[0] if failures else None

    @property
    def marked(self) -> set[str]:
        """Names (``w4``) of the nodes whose rule failed or where the cut identity broke."""
        return {c.name for c in self.failures} | {self.names[i] for i in self.cut_failures}

    def status(self, index: int) -> str:
        """``"fail"``, ``"ok"`` or ``"unchecked"`` for node ``index``."""
        return self._status(index, [c for c in self.checks if c.index == index])

    def _status(self, index: int, mine: list[RuleCheck]) -> str:
        """:meth:`status`, given ``mine``: the checks of node ``index``."""
        if index in self.cut_failures or any(not c.ok for c in mine):
            return "fail"
        return "ok" if mine or index in self.defects else "unchecked"

    def __bool__(self) -> bool:
        return not self.failures and not self.cut_failures


# --- one node ----------------------------------------------------------------------------------


def _widen(value: Any, traced: bool) -> Any:
    """A float ``value`` (or a traced one) in double precision; anything else unchanged.

    Integer constants stay integers: they are sizes, axes and indices.
    """
    raw = unbox(value)
    if isinstance(raw, (bool, onp.bool_)) or not isinstance(raw, (int, float, complex, onp.ndarray, onp.number)):
        return raw
    array = onp.asarray(raw)
    kinds = "fc" + ("iu" if traced else "")
    if array.dtype.kind not in kinds:
        return raw
    dtype = onp.complex128 if array.dtype.kind == "c" else onp.float64
    return array.astype(dtype) if array.ndim else dtype(array)


def _random(shape: tuple, rng: onp.random.Generator) -> Any:
    sample = rng.standard_normal(shape)
    return sample if shape else onp.float64(sample)


def _close(got: Any, expected: Any) -> bool:
    scale = max(float(onp.max(onp.abs(expected))) if onp.size(expected) else 0.0, 1.0)
    return bool(onp.allclose(got, expected, rtol=RTOL, atol=ATOL * scale))


def check_node(node: Node, rng: onp.random.Generator) -> list[RuleCheck]:
    """Check ``node``'s JVP and VJP rules for each traced argument on its recorded inputs."""
    if node.primitive is None or not node.primitive.differentiable or not node.parents:
        return []
    traced = {argnum for argnum, _ in node.parents}
    args = [_widen(arg, k in traced) for k, arg in enumerate(node.args)]
    with onp.errstate(all="ignore"):
        ans = node.primitive.fun(*args, **node.kwargs)
    if not is_finite(ans) or not args_finite(args):
        return []  # a NaN or Inf here is nan_birth's business, not a rule's
    checks = []
    for argnum, _parent in node.parents:
        checks.extend(_check_argument(node, args, ans, argnum, rng))
    return checks


def _check_argument(node: Node, args: list, ans: Any, argnum: int, rng) -> list[RuleCheck]:
    primitive = node.primitive
    v, u = _random(shape_of(args[argnum]), rng), _random(shape_of(ans), rng)
    # The primitive's own function, moved along v in argument argnum only.
    along = lambda x: primitive.fun(*args[:argnum], x, *args[argnum + 1:], **node.kwargs)  # noqa: E731
    fd = onp.asarray(numerical_jvp(along, [args[argnum]], [v], 1e-6))
    smooth = primitive.info.get("smooth", True) and is_finite(fd)
    results, jv = [], None
    jvp_rule, vjp_rule = primitive.jvp_rule(argnum), primitive.vjp_rule(argnum)
    if jvp_rule is not None:
        with onp.errstate(all="ignore"):
            jv = unbox(fit_tangent(jvp_rule(v, ans, *args, **node.kwargs), shape_of(ans)))
        if smooth:
            results.append(_verdict(node, argnum, "JVP", _close(jv, fd), fd, jv,
                                    "J·v against central finite differences"))
    if vjp_rule is not None and (smooth or jv is not None):
        with onp.errstate(all="ignore"):
            jtu = unbox(fit_adjoint(vjp_rule(u, ans, *args, **node.kwargs), shape_of(args[argnum])))
        reference = fd if smooth else jv
        left, right = inner(u, reference), inner(jtu, v)
        scale = max(abs(left), float(onp.sum(onp.abs(u) * onp.abs(reference))), 1.0)
        ok = abs(left - right) <= RTOL * scale
        how = "⟨Jᵀu, v⟩ against ⟨u, J·v⟩" + (" (J·v by finite differences)" if smooth else " (J·v by its JVP)")
        results.append(_verdict(node, argnum, "VJP", ok, left, right, how))
    return results


def _verdict(node: Node, argnum: int, rule: str, ok: bool, expected, got, how: str) -> RuleCheck:
    made = rule_origin(node)  # a node of a derivative rule: at the line of the user's operation
    _op, in_rule, site = made if made is not None else ("", "", "")
    return RuleCheck(node.index, node.name, node.op, argnum, rule, ok, brief(expected, precision=6),
                     brief(got, precision=6), site or describe_site(node.site), formula(node), how,
                     in_rule)


# --- a whole trace ---------------------------------------------------------------------------------


def check_trace(trace, *, seed: int = 0) -> CheckReport:
    """Check every node's local rules, then the cut identity of the trace's first sweeps.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> report = check_trace(gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0))
        >>> bool(report), len(report.checks)
        (True, 10)
    """
    if any(node.primitive is not None and node.primitive.info.get("loaded") for node in trace.nodes):
        from gradviz.errors import GradvizError

        raise GradvizError("checking rules needs the live function: a trace loaded from a file "
                           "has no rules to run; check the expression itself (gradviz check "
                           "EXPRESSION --at …, or render/inspect EXPRESSION --at … --check)")
    rng = onp.random.default_rng(seed)
    report = CheckReport(names={node.index: node.name for node in trace.nodes})
    for node in trace.nodes:
        report.checks.extend(check_node(node, rng))
    if trace.forward_sweeps and trace.reverse_sweeps:
        report.defects, report.cut_failures = _cut_defects(trace)
    return report


def localise(f: Callable, *args: Any, seed: int = 0) -> CheckReport:
    """Trace ``f(*args)`` with one random forward and one random reverse sweep, and check it.

    ``report.first`` names the first operation whose rule is wrong.

    Example:
        >>> import gradviz.numpy as np
        >>> from gradviz.extend import primitive, defvjp, defjvp
        >>> @primitive
        ... def cube(x):
        ...     return x ** 3
        >>> defjvp(cube, lambda t, ans, x: 3 * x ** 2 * t)
        >>> defvjp(cube, lambda ans, x: lambda g: -3 * x ** 2 * g)   # wrong sign
        >>> report = localise(lambda x: np.sin(cube(x)), np.array([0.5, 1.5]))
        >>> report.first.op, report.first.rule
        ('cube', 'VJP')
    """
    from gradviz.differential import trace as make_trace

    rng = onp.random.default_rng(seed)
    traced = make_trace(f, *args, forward=False, reverse=False)
    inputs = {i: _random(shape_of(traced.nodes[i].value), rng) for i in traced.inputs}
    traced.run_forward(inputs, label="seed random v")
    if traced.outputs:
        outputs = {i: _random(shape_of(traced.nodes[i].value), rng) for i in traced.outputs}
        traced.run_reverse(outputs, label="seed random u")
    return check_trace(traced, seed=seed)


# --- the cut identity ------------------------------------------------------------------------------


def cut_identity(trace, forward: int = 0, reverse: int = 0) -> tuple[list[float], dict[int, float]]:
    """The sums ``Σ w̄ᵢ⁽ᵏ⁾·ẇᵢ`` over every cut, and each node's defect.

    Returns ``(sums, defects)``: ``sums[k]`` is the sum over the cut just after node ``k``
    (``sums[-1]`` is ``ȳ·ẏ``, ``sums[first input]`` is ``x̄·ẋ`` up to that input),
    ``defects[k] = ⟨w̄_k, ẇ_k⟩ − Σ ⟨contribution_k→i, ẇ_i⟩``, zero when node ``k``'s rules agree.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> sums, defects = cut_identity(t)
        >>> [round(s, 4) for s in sums]   # every cut carries ∂z/∂x1 = x2 + cos x1
        [4.5839, 4.5839, 4.5839, 4.5839, 4.5839]
    """
    tangents = trace.forward_sweeps[forward].results
    sweep = trace.reverse_sweeps[reverse]
    steps = {step.node: step for step in sweep.steps}
    n = len(trace.nodes)
    total = sum(inner(seed, tangents[i]) for i, seed in sweep.seeds.items() if tangents[i] is not None)
    sums, defects = [0.0] * n, {}
    for k in range(n - 1, -1, -1):
        sums[k] = total
        step = steps.get(k)
        if step is None:
            continue
        sent = sum(inner(term, tangents[parent]) for _, parent, term in step.terms
                   if tangents[parent] is not None)
        kept = inner(step.value, tangents[k]) if tangents[k] is not None else 0.0
        defects[k] = kept - sent
        total += sent - kept
    return sums, defects


def _cut_defects(trace) -> tuple[dict[int, float], set[int]]:
    """Defects of the first sweeps, and the nodes where they exceed the rounding scale."""
    if not trace.reverse_sweeps[0].steps:
        return {}, set()
    with onp.errstate(all="ignore"):
        sums, defects = cut_identity(trace)
    # A NaN or Inf on a cut is nan_birth's business: only finite defects can blame a rule.
    scale = max([abs(s) for s in sums if onp.isfinite(s)] + [1e-300])
    return defects, {k for k, d in defects.items() if onp.isfinite(d) and abs(d) > 1e-6 * scale + 1e-12}
