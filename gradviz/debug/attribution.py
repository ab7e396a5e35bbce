"""The chain rule made visible: every path from an input to an output, and what changed.

:func:`paths` lists the paths ``x = w_a → w_b → … → y`` with the product of the local partials
along each one; the products sum to the derivative ``∂y/∂x``. For arrays a local partial is a
Jacobian, so a path's term is ``⟨ȳ, J_path ẋ⟩`` with ``ẋ`` and ``ȳ`` all ones unless given
(the tangent ``ẋ`` pushed through that path's edges only, by their JVP rules): the terms then
sum to ``⟨ȳ, J ẋ⟩``, for scalars exactly ``∂y/∂x``.

:func:`compare_traces` ranks the nodes whose value or adjoint changed most between two
iterations of the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as onp

from gradviz.engine.broadcast import fit_tangent, shape_of
from gradviz.engine.tracer import unbox
from gradviz.errors import GradvizError
from gradviz.debug._values import as_array, brief, inner, norm
from gradviz.debug.nans import rule_origin

__all__ = ["Path", "paths", "NodeChange", "compare_traces"]


@dataclass
class Path:
    """One path: its nodes, its edges' local partials (scalars, else ``None``) and its term."""

    nodes: list[int]
    names: list[str]
    partials: list[Any]
    term: float

    def describe(self) -> str:
        chain = " → ".join(self.names)
        factors = " · ".join(brief(p) for p in self.partials) if all(
            p is not None for p in self.partials) else "(Jacobians)"
        return f"{chain}: {factors} = {self.term:.6g}"

    __str__ = describe


def _find(trace, which: int | str, pool: list[int], names: list[str]) -> int:
    if isinstance(which, int):
        return which
    if which in names:
        return pool[names.index(which)]
    for node in trace.nodes:
        if node.name == which:
            return node.index
    raise GradvizError(f"no node or name {which!r} in the trace: use one of {', '.join(names)} "
                       f"or a node name such as w1")


def _edges(trace, source: int, target: int) -> dict[int, list[tuple[int, int]]]:
    """``{node: [(argnum, child)]}`` restricted to edges on some path ``source → target``."""
    reaches = {target}
    for node in reversed(trace.nodes[source:target + 1]):
        if node.index in reaches:
            reaches.update(p for _, p in node.parents)
    out: dict[int, list[tuple[int, int]]] = {}
    live = {source}
    for node in trace.nodes[source + 1:target + 1]:
        if node.index not in reaches or not node.primitive or not node.primitive.differentiable:
            continue
        for argnum, parent in node.parents:
            if parent in live:
                out.setdefault(parent, []).append((argnum, node.index))
                live.add(node.index)
    return out


def _push(trace, argnum: int, child: int, tangent: Any) -> Any:
    node = trace.nodes[child]
    rule = node.primitive.jvp_rule(argnum)
    if rule is None:
        raise GradvizError(f"no JVP rule for '{node.op}' (argument {argnum}) at {node.name}: "
                           "register one with defjvp to see its paths")
    with onp.errstate(all="ignore"):
        return unbox(fit_tangent(rule(tangent, node.value, *node.args, **node.kwargs),
                                 shape_of(node.value)))


def paths(trace, source: int | str = 0, target: int | str | None = None, *, tangent: Any = None,
          adjoint: Any = None, limit: int = 1000) -> list[Path]:
    """Every path from input ``source`` to output ``target``, largest term first.

    ``source``/``target`` are node indices, input/output names (``"x1"``, ``"f"``) or node
    names (``"w3"``). Raises :class:`GradvizError` past ``limit`` paths.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> for path in paths(t, "x1", "f"):
        ...     print(path)
        w1 → w3 → w5: 5 · 1 = 5
        w1 → w4 → w5: -0.4161 · 1 = -0.416147
    """
    start = _find(trace, source, trace.inputs, list(trace.input_names))
    end = _find(trace, trace.outputs[0] if target is None else target, trace.outputs,
                list(trace.output_names))
    seed = onp.ones(shape_of(trace.nodes[start].value)) if tangent is None else as_array(tangent)
    weight = onp.ones(shape_of(trace.nodes[end].value)) if adjoint is None else as_array(adjoint)
    edges, found = _edges(trace, start, end), []
    stack = [([start], [], seed)]  # depth first, without recursion: graphs can be deep
    while stack:
        nodes, partials, t = stack.pop()
        if nodes[-1] == end:
            found.append(Path(nodes, [trace.nodes[i].name for i in nodes], partials, inner(weight, t)))
            if len(found) > limit:
                raise GradvizError(f"more than {limit} paths from {trace.nodes[start].name} to "
                                   f"{trace.nodes[end].name}: pass a larger limit= or pick nodes closer together")
            continue
        for argnum, child in edges.get(nodes[-1], []):
            pushed = _push(trace, argnum, child, t)
            scalar = onp.size(t) == 1 and onp.size(pushed) == 1
            partial = float(onp.real(as_array(pushed) / as_array(t))) if scalar and as_array(t) != 0 else None
            stack.append((nodes + [child], partials + [partial], pushed))
    return sorted(found, key=lambda p: -abs(p.term))


@dataclass
class NodeChange:
    """How much one node's value and adjoint changed between two traces (relative norms)."""

    index: int
    name: str
    op: str
    value_change: float
    adjoint_change: float | None
    in_rule: str = ""  # for a node a derivative rule recorded: that rule (see rule_origin)


def _relative(a: Any, b: Any) -> float:
    a, b = as_array(a), as_array(b)
    if a.shape != b.shape:
        return float("inf")
    return norm(b - a) / max(norm(a), norm(b), 1e-300)


def compare_traces(before, after, *, top: int = 10) -> list[NodeChange]:
    """The ``top`` nodes whose value or adjoint changed most from ``before`` to ``after``.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> f = lambda w: np.sum(np.exp(w) * 2.0)
        >>> a, b = gradviz.trace(f, np.array([0.0, 1.0])), gradviz.trace(f, np.array([0.0, 3.0]))
        >>> [(c.name, c.op) for c in compare_traces(a, b, top=2)]
        [('w1', 'input'), ('w2', 'exp')]
    """
    if [n.op for n in before.nodes] != [n.op for n in after.nodes]:
        raise GradvizError(f"the traces record different computations ({len(before)} and "
                           f"{len(after)} nodes): compare iterations of the same function")
    adjoints = [(t.reverse_sweeps[0].results if t.reverse_sweeps else None) for t in (before, after)]
    changes = []
    for node, other in zip(before.nodes, after.nodes):
        adjoint_change = None
        if adjoints[0] is not None and adjoints[1] is not None:
            a, b = adjoints[0][node.index], adjoints[1][node.index]
            adjoint_change = None if a is None and b is None else _relative(a, b)
        made = rule_origin(node)
        changes.append(NodeChange(node.index, node.name, node.op, _relative(node.value, other.value),
                                  adjoint_change, made[1] if made is not None else ""))
    return sorted(changes, key=lambda c: -max(c.value_change, c.adjoint_change or 0.0))[:top]
