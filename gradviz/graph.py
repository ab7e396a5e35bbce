"""A trace as a ``networkx.DiGraph``: the public schema every view draws from.

The schema is documented in ``docs/graph-schema.md`` and is a contract: attributes are
added, never renamed. Values are references to the trace's own arrays (no copies); the
text fields (``formula``, ``partial``) are built here, once, because a graph is made to be
shown.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> g = to_networkx(t)
    >>> sorted(g.nodes)
    ['w1', 'w2', 'w3', 'w4', 'w5']
    >>> g.nodes["w4"]["op"], round(float(g.edges["w1", "w4"]["partial_value"]), 4)
    ('sin', -0.4161)
    >>> g.nodes["w5"]["kind"], [float(a) for a in g.nodes["w1"]["adjoints"]]
    ('output', [4.583853163452858])
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as onp

from gradviz.engine.source import describe_site, site_location, site_source
from gradviz.engine.tracer import unbox
from gradviz.notation import partial_formula, partial_value, value_formula

__all__ = ["to_networkx", "node_kind", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


def node_kind(trace, index: int) -> str:
    """``"input"``, ``"output"``, ``"nondifferentiable"`` or ``"intermediate"``."""
    if index in trace.inputs:
        return "input"
    if index in trace.outputs:
        return "output"
    primitive = trace.tape.nodes[index].primitive
    if primitive is not None and not primitive.differentiable:
        return "nondifferentiable"
    return "intermediate"


def _shape_and_dtype(value: Any) -> tuple[tuple[int, ...], str]:
    raw = unbox(value)
    if hasattr(raw, "dtype"):
        return tuple(onp.shape(raw)), str(raw.dtype)
    return (), type(raw).__name__


def to_networkx(trace, *, constants: bool = True) -> nx.DiGraph:
    """Return the trace as a DiGraph, one node per ``w_i`` and per constant argument.

    Args:
        trace: a :class:`~gradviz.Trace`.
        constants: also add a node for every argument that is not traced (``0.5``,
            ``train_X``), kind ``"constant"``, so that every operation shows all its inputs.
    """
    graph = nx.DiGraph(
        name=trace.name,
        schema=SCHEMA_VERSION,
        inputs=[trace.tape.nodes[i].name for i in trace.inputs],
        input_names=list(trace.input_names),
        outputs=[trace.tape.nodes[i].name for i in trace.outputs],
        output_names=list(trace.output_names),
        forward_sweeps=[s.label for s in trace.forward_sweeps],
        reverse_sweeps=[s.label for s in trace.reverse_sweeps],
    )
    forward, reverse = trace.forward_sweeps, trace.reverse_sweeps
    for node in trace.tape.nodes:
        _add_node(graph, trace, node, forward, reverse)
    forward_steps = [_steps_by_node(sweep) for sweep in forward]
    reverse_steps = [_steps_by_node(sweep) for sweep in reverse]
    for node in trace.tape.nodes:
        for argnum, parent in node.parents:
            _add_edge(graph, trace, node, argnum, parent, forward_steps, reverse_steps)
        if constants and node.primitive is not None:
            _add_constants(graph, node)
    return graph


def _add_node(graph, trace, node, forward, reverse) -> None:
    shape, dtype = _shape_and_dtype(node.value)
    location = site_location(node.site)
    tangents = [sweep.results[node.index] for sweep in forward]
    adjoints = [sweep.results[node.index] for sweep in reverse]
    graph.add_node(
        node.name,
        index=node.index,
        op=node.op,
        kind=node_kind(trace, node.index),
        label=trace.label(node.index),
        formula=value_formula(trace, node.index, numbers=False),
        value=unbox(node.value),
        shape=shape,
        dtype=dtype,
        differentiable=node.primitive is None or node.primitive.differentiable,
        tangents=[unbox(t) for t in tangents],
        adjoints=[unbox(a) for a in adjoints],
        tangent=unbox(tangents[0]) if tangents else None,
        adjoint=unbox(adjoints[0]) if adjoints else None,
        site=describe_site(node.site),
        file=location[0] if location else None,
        line=location[1] if location else None,
        source=site_source(node.site),
    )


def _add_edge(graph, trace, node, argnum, parent, forward, reverse) -> None:
    source = trace.tape.nodes[parent].name
    terms = [_term(steps.get(node.index), argnum) for steps in forward]
    contributions = [_term(steps.get(node.index), argnum) for steps in reverse]
    if graph.has_edge(source, node.name):
        # x·x: one edge carries both arguments; its partial is the sum of theirs.
        data = graph.edges[source, node.name]
        data["argnums"].append(argnum)
        data["partial"] += " + " + partial_formula(trace, node.index, argnum)
        other = partial_value(trace, node.index, argnum)
        data["partial_value"] = None if data["partial_value"] is None or other is None else data["partial_value"] + other
        data["tangent_terms"] = [_add(a, b) for a, b in zip(data["tangent_terms"], terms)]
        data["adjoint_terms"] = [_add(a, b) for a, b in zip(data["adjoint_terms"], contributions)]
        return
    graph.add_edge(
        source,
        node.name,
        kind="traced",
        argnum=argnum,
        argnums=[argnum],
        partial=partial_formula(trace, node.index, argnum),
        partial_value=partial_value(trace, node.index, argnum),
        tangent_terms=terms,
        adjoint_terms=contributions,
    )


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None else a + b


def _steps_by_node(sweep) -> dict:
    return {step.node: step for step in sweep.steps}


def _term(step, argnum: int) -> Any:
    """The number a sweep's step sent along the edge of argument ``argnum``, if any."""
    if step is not None:
        for position, _parent, term in step.terms:
            if position == argnum:
                return unbox(term)
    return None


def _add_constants(graph, node) -> None:
    traced = {argnum for argnum, _ in node.parents}
    for argnum, arg in enumerate(node.args):
        if argnum in traced or not _is_numeric(arg):
            continue
        name = f"{node.name}.c{argnum}"
        shape, dtype = _shape_and_dtype(arg)
        graph.add_node(name, index=None, op="constant", kind="constant", label=None,
                       formula=None, value=unbox(arg), shape=shape, dtype=dtype,
                       differentiable=False, tangents=[], adjoints=[], tangent=None, adjoint=None,
                       site="", file=None, line=None, source="")
        graph.add_edge(name, node.name, kind="constant", argnum=argnum, argnums=[argnum],
                       partial=None, partial_value=None, tangent_terms=[], adjoint_terms=[])


def _is_numeric(value: Any) -> bool:
    raw = unbox(value)
    return isinstance(raw, (int, float, complex, onp.ndarray, onp.number)) and not isinstance(raw, bool)
