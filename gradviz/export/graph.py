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

from gradviz.engine.source import describe_site, site_location, site_source
from gradviz.engine.tracer import unbox
from gradviz.export.notation import (is_numeric, partial_formula, partial_value, rule_origin,
                                     value_formula)

__all__ = ["to_networkx", "add_detail", "add_constants", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


def _kind(node, inputs: set[int], outputs: set[int]) -> str:
    if node.index in inputs:
        return "input"
    if node.index in outputs:
        return "output"
    if node.primitive is not None and not node.primitive.differentiable:
        return "nondifferentiable"
    return "intermediate"


_DTYPE_NAMES: dict[Any, str] = {}


def _shape_and_dtype(value: Any) -> tuple[tuple[int, ...], str]:
    raw = unbox(value)
    dtype = getattr(raw, "dtype", None)
    if dtype is None:
        return (), type(raw).__name__
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype)  # str(dtype) is slow, and there are few
    return tuple(raw.shape), name


def to_networkx(trace, *, constants: bool = True, detail: bool = True) -> nx.DiGraph:
    """Return the trace as a DiGraph, one node per ``w_i`` and per constant argument.

    Args:
        trace: a :class:`~gradviz.Trace`.
        constants: also add a node for every argument that is not traced (``0.5``,
            ``train_X``), kind ``"constant"``, so that every operation shows all its inputs.
        detail: fill every attribute of the schema. With ``False`` only the structure is
            there (``index``, ``op``, ``kind``, ``label``, ``value``, ``shape``, ``dtype``,
            ``differentiable``; edges ``kind``, ``argnum``, ``argnums``): a large trace is
            summarised on that, then :func:`add_detail` fills in what is shown.
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
        letter=trace.tape.letter,
    )
    kinds = _kinds(trace)
    nodes = trace.tape.nodes
    graph.add_nodes_from((node.name, _node_structure(trace, node, kinds[node.index])) for node in nodes)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for node in nodes:
        for argnum, parent in node.parents:
            edge = edges.get((nodes[parent].name, node.name))
            if edge is None:
                edges[nodes[parent].name, node.name] = dict(kind="traced", argnum=argnum, argnums=[argnum])
            else:  # x·x: one edge carries both arguments
                edge["argnums"].append(argnum)
    graph.add_edges_from((tail, head, data) for (tail, head), data in edges.items())
    if constants:
        add_constants(graph, trace)
    if detail:
        add_detail(graph, trace)
    return graph


def _node_structure(trace, node, kind: str) -> dict[str, Any]:
    shape, dtype = _shape_and_dtype(node.value)
    return dict(index=node.index, op=node.op, kind=kind,
                label=trace.label(node.index) if kind == "input" else node.name,
                value=unbox(node.value), shape=shape, dtype=dtype,
                differentiable=node.primitive is None or node.primitive.differentiable)


def _kinds(trace) -> list[str]:
    inputs, outputs = set(trace.inputs), set(trace.outputs)
    return [_kind(node, inputs, outputs) for node in trace.tape.nodes]


def add_detail(graph: nx.DiGraph, trace) -> nx.DiGraph:
    """Fill the sweeps' numbers and the text of every traced node and edge of ``graph``.

    ``graph`` may be a summary of the trace's graph: edges that cross into a folded node
    keep their original ends as ``tail``/``head`` and get the detail of that original edge,
    and a folded node's ``last`` member gets its own. Returns ``graph``.
    """
    forward, reverse = trace.forward_sweeps, trace.reverse_sweeps
    forward_steps = [_steps_by_node(sweep) for sweep in forward]
    reverse_steps = [_steps_by_node(sweep) for sweep in reverse]
    nodes = trace.tape.nodes
    for name, data in graph.nodes(data=True):
        if data.get("kind") == "folded":
            last = data.get("last")
            if last and last.get("index") is not None:
                last.update(_node_detail(trace, nodes[last["index"]], forward, reverse))
        elif data.get("index") is not None:
            data.update(_node_detail(trace, nodes[data["index"]], forward, reverse))
    index_of = {node.name: node.index for node in nodes}
    for tail, head, data in graph.edges(data=True):
        if data.get("kind") != "traced":
            continue
        source, target = index_of.get(data.get("tail", tail)), index_of.get(data.get("head", head))
        if source is not None and target is not None:
            data.update(_edge_detail(trace, nodes[target], data["argnums"], forward_steps, reverse_steps))
    return graph


def _node_detail(trace, node, forward, reverse) -> dict[str, Any]:
    location = site_location(node.site)
    tangents = [unbox(sweep.results[node.index]) for sweep in forward]
    adjoints = [unbox(sweep.results[node.index]) for sweep in reverse]
    rule_op, rule, rule_site = rule_origin(node) or (None, None, None)
    return dict(
        formula=value_formula(trace, node.index, numbers=False),
        tangents=tangents,
        adjoints=adjoints,
        tangent=tangents[0] if tangents else None,
        adjoint=adjoints[0] if adjoints else None,
        site=describe_site(node.site),
        file=location[0] if location else None,
        line=location[1] if location else None,
        source=site_source(node.site),
        rule=rule,
        rule_op=rule_op,
        rule_site=rule_site,
    )


def _edge_detail(trace, node, argnums: list[int], forward_steps, reverse_steps) -> dict[str, Any]:
    """The partial and the numbers on the edge into ``node`` of arguments ``argnums`` (two for
    ``x·x``, whose partial is the sum of both)."""
    partials = [partial_value(trace, node.index, argnum) for argnum in argnums]
    total = None if any(p is None for p in partials) else partials[0]
    for other in partials[1:]:
        total = None if total is None else total + other
    return dict(
        partial=" + ".join(partial_formula(trace, node.index, argnum) for argnum in argnums),
        partial_value=total,
        tangent_terms=[_summed(steps.get(node.index), argnums) for steps in forward_steps],
        adjoint_terms=[_summed(steps.get(node.index), argnums) for steps in reverse_steps],
    )


def _summed(step, argnums: list[int]) -> Any:
    total = None
    for argnum in argnums:
        total = _add(total, _term(step, argnum))
    return total


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


def add_constants(graph: nx.DiGraph, trace) -> nx.DiGraph:
    """Add the constant arguments of every traced node ``graph`` holds (a graph built with
    ``constants=False``, or the part of one that is shown). Returns ``graph``."""
    nodes = trace.tape.nodes
    for name, index in list(graph.nodes(data="index")):
        if index is not None and graph.nodes[name].get("kind") != "folded" and nodes[index].primitive is not None:
            _add_constants(graph, nodes[index])
    return graph


def _add_constants(graph, node) -> None:
    traced = {argnum for argnum, _ in node.parents}
    for argnum, arg in enumerate(node.args):
        if argnum in traced or not is_numeric(arg):
            continue
        name = f"{node.name}.c{argnum}"
        shape, dtype = _shape_and_dtype(arg)
        graph.add_node(name, index=None, op="constant", kind="constant", label=None,
                       formula=None, value=unbox(arg), shape=shape, dtype=dtype,
                       differentiable=False, tangents=[], adjoints=[], tangent=None, adjoint=None,
                       site="", file=None, line=None, source="", rule=None, rule_op=None, rule_site=None)
        graph.add_edge(name, node.name, kind="constant", argnum=argnum, argnums=[argnum],
                       partial=None, partial_value=None, tangent_terms=[], adjoint_terms=[])
