"""autograd's tracer API on gradviz's tape, and ``const_graph``.

``trace(start_node, f, x)`` runs ``f`` on a traced ``x`` and builds one node of the user's
:class:`Node` subclass per primitive call, as the call happens:
``MyNode(value, fun, args, kwargs, parent_argnums, parents)``, the parents being the nodes
of the traced arguments. :class:`VJPNode` and :class:`JVPNode` are two such subclasses
that hold each operation's adjoint map and tangent, from gradviz's own rules, so that a
reverse or forward pass can be written by hand in autograd's way; :func:`full_graph` keeps
every value and recipe.

``const_graph`` records a function's trace once, then replays it instead of re-running it.
For a function whose operations do not depend on its input's values (no ``if`` on a traced
number, no loop whose length changes), the recorded tape *is* the function: replaying it
calls the same primitives on new inputs, without the Python around them, and a replay is
itself differentiable (each replayed primitive records as usual under ``grad``).

Example:
    >>> import gradviz.numpy as np
    >>> class Count(Node):
    ...     def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
    ...         self.ops = parents[0].ops + [fun.__name__]
    ...     def initialize_root(self):
    ...         self.ops = []
    >>> value, end = trace(Count.new_root(), lambda x: np.exp(np.sin(x)), 0.0)
    >>> float(value), end.ops
    (1.0, ['sin', 'exp'])
"""

from __future__ import annotations

import warnings
from functools import wraps
from typing import Any, Callable

from gradviz.engine.broadcast import fit_tangent, shape_of
from gradviz.engine.containers import zeros_like_tree
from gradviz.engine.sweeps import fit_contribution
from gradviz.engine.tracer import Box, Primitive, Record, Tape, tracing_depth, unbox
from gradviz.engine.tree import flatten, unflatten
from gradviz.errors import MissingRuleError

__all__ = ["Node", "trace", "full_graph", "FullGraphNode", "VJPNode", "JVPNode",
           "register_notrace", "const_graph", "const_graph_unary"]


class Node:
    """A node of autograd's tracer API: subclass it with ``__init__(value, fun, args, kwargs,
    parent_argnums, parents)`` for an operation and ``initialize_root(...)`` for the input,
    and start a :func:`trace` with ``MyNode.new_root(...)``."""

    __slots__ = ()

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        raise NotImplementedError(f"{type(self).__name__} must define __init__(value, fun, args, "
                                  "kwargs, parent_argnums, parents)")

    def initialize_root(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define initialize_root()")

    @classmethod
    def new_root(cls, *args, **kwargs) -> Node:
        """The node of a trace's input: ``__init__`` is not called, ``initialize_root`` is."""
        root = cls.__new__(cls)
        root.initialize_root(*args, **kwargs)
        return root


# Node type → the primitives it does not trace (their values pass through as constants).
_notrace: dict[type, set] = {}


def register_notrace(trace_type: type, primitive_fun: Primitive) -> None:
    """Do not trace ``primitive_fun`` in traces of ``trace_type`` nodes (autograd's
    ``register_notrace``): its value is a constant there. For :class:`VJPNode` or
    :class:`JVPNode` that is a zero derivative in that mode, in gradviz's own ``grad`` and
    ``jvp`` too, as autograd's differential operators are built on those nodes."""
    _notrace.setdefault(trace_type, set()).add(primitive_fun)
    if issubclass(trace_type, VJPNode):
        primitive_fun.vjps, primitive_fun.vjp_for = {}, _zero_vjp
    elif issubclass(trace_type, JVPNode):
        primitive_fun.jvps, primitive_fun.jvp_for = {}, lambda argnum: _zero_jvp


def _zero_vjp(argnum: int) -> Callable:
    return lambda g, ans, *args, **kwargs: zeros_like_tree(args[argnum])


def _zero_jvp(t, ans, *args, **kwargs):
    return zeros_like_tree(ans)


def _untraced(node_type: type, primitive: Primitive) -> bool:
    return any(primitive in functions for kind, functions in _notrace.items()
               if issubclass(node_type, kind))


class _Building(list):
    """A tape's records that build the user's node of each operation as it is appended:
    the hook costs nothing to any other tape, whose records are a plain list."""

    def __init__(self, root: Node):
        super().__init__()
        self.root = root
        self.nodes: list[Node | None] = []  # per record; None for an untraced one

    def append(self, record: Record) -> None:
        super().append(record)
        self.nodes.append(self._node(record))

    def _node(self, record: Record) -> Node | None:
        if record.primitive is None:
            return self.root if not self.nodes else None
        node_type = type(self.root)
        if not record.primitive.differentiable or _untraced(node_type, record.primitive):
            return None
        traced = [(argnum, self.nodes[i]) for argnum, i in record.parents
                  if self.nodes[i] is not None]
        if not traced:
            return None
        return node_type(record.value, record.primitive, record.args, record.kwargs,
                         tuple(argnum for argnum, _ in traced), tuple(node for _, node in traced))


def trace(start_node: Node, fun: Callable, x: Any) -> tuple[Any, Node | None]:
    """Run ``fun(x)`` with ``x`` traced from ``start_node``; returns ``(value, end node)``, or
    ``(value, None)`` with a warning when the output does not depend on ``x``."""
    tape = Tape(tracing_depth() + 1)
    tape.records = building = _Building(start_node)
    start_box = tape.new_input(x)
    with tape:
        end_box = fun(start_box)
    if isinstance(end_box, Box) and end_box._tape is tape:
        end_node = building.nodes[end_box._index]
        if end_node is not None:
            return end_box._value, end_node
    warnings.warn("Output seems independent of input.", stacklevel=2)
    return end_box, None


class FullGraphNode(Node):
    """Keeps every operation's ``value`` and ``recipe``: ``(fun, args, kwargs, [(argnum,
    parent node), …])``."""

    __slots__ = ("value", "recipe")

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.value = value
        self.recipe = (fun, args, kwargs, list(zip(parent_argnums, parents)))

    def initialize_root(self):
        self.value = None
        self.recipe = (lambda x: x, (), {}, [])


def full_graph(fun: Callable, *args, **kwargs) -> FullGraphNode | None:
    """The :class:`FullGraphNode` of ``fun(*args, **kwargs)``'s output, ``args`` traced as one tuple."""
    return trace(FullGraphNode.new_root(), lambda traced: fun(*traced, **kwargs), args)[1]


class VJPNode(Node):
    """An operation's ``parents`` and its adjoint map ``vjp(g)`` → one contribution per parent,
    from gradviz's rules (autograd's ``VJPNode``)."""

    __slots__ = ("parents", "vjp")

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.parents = parents
        rules = [(argnum, _rule(fun, fun.vjp_rule(argnum), argnum, "VJP"))
                 for argnum in parent_argnums]

        def vjp(g):
            return tuple(zeros_like_tree(args[argnum]) if rule is None else
                         fit_contribution(rule(g, value, *args, **kwargs), args[argnum])
                         for argnum, rule in rules)

        self.vjp = vjp

    def initialize_root(self):
        self.parents = []
        self.vjp = lambda g: ()


class JVPNode(Node):
    """An operation's tangent ``g``, pushed from its parents' by gradviz's rules (autograd's
    ``JVPNode``); the root is given its tangent: ``JVPNode.new_root(v)``."""

    __slots__ = ("g",)

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        total = None
        for argnum, parent in zip(parent_argnums, parents):
            rule = _rule(fun, fun.jvp_rule(argnum), argnum, "JVP")
            if rule is not None:
                term = fit_tangent(rule(parent.g, value, *args, **kwargs), shape_of(value))
                total = term if total is None else total + term
        self.g = zeros_like_tree(value) if total is None else total

    def initialize_root(self, g):
        self.g = g


def _rule(fun: Primitive, rule: Callable | None, argnum: int, kind: str) -> Callable | None:
    """The rule for ``argnum``, ``None`` for an argument declared constant, or the error
    that says how to define one."""
    if rule is None and argnum not in fun.info.get("constant_arguments", ()):
        raise MissingRuleError(f"{fun.name} has no {kind} rule for argument {argnum}: define "
                               f"one with gradviz.extend.def{kind.lower()}", kind)
    return rule


def const_graph(fun: Callable, *args, **kwargs) -> Callable:
    """Returns ``fun`` (with ``args``/``kwargs`` bound first, as ``functools.partial``) that
    records its trace on the first call and replays that trace on every later call.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> calls = []
        >>> def f(x):
        ...     calls.append(1)
        ...     return np.sum(np.sin(x) * x)
        >>> fast = const_graph(f)
        >>> [round(float(fast(np.array([v, 1.0]))), 6) for v in (0.5, 2.0)], len(calls)
        ([1.081184, 2.660066], 1)
        >>> round(float(gradviz.grad(fast)(np.array([0.5, 1.0]))[0]), 6)   # sin x + x cos x
        0.918217
    """
    replay: list[Callable] = []

    @wraps(fun)
    def replayed(*call_args):
        if not replay:
            replay.append(_record(fun, args, kwargs, call_args))
        return replay[0](call_args)

    return replayed


def const_graph_unary(fun: Callable) -> Callable:
    """:func:`const_graph` of a function of one argument (autograd's name for that case).

    Example:
        >>> import gradviz.numpy as np
        >>> square_sum = const_graph_unary(lambda x: np.sum(x * x))
        >>> [float(square_sum(np.array([v, 2.0]))) for v in (1.0, 3.0)]
        [5.0, 13.0]
    """
    return const_graph(fun)


def _record(fun: Callable, bound_args: tuple, bound_kwargs: dict, call_args: tuple) -> Callable:
    """Run ``fun`` once on boxed copies of ``call_args``'s leaves and return the replay."""
    leaves, treedef = flatten(list(call_args))
    tape = Tape(tracing_depth() + 1)
    boxes = [tape.new_input(unbox(leaf)) for leaf in leaves]
    with tape:
        output = fun(*bound_args, *unflatten(treedef, boxes), **bound_kwargs)
    out_leaves, out_treedef = flatten(output)
    outputs = [leaf._index if type(leaf) is Box and leaf._tape is tape else None
               for leaf in out_leaves]
    records = list(tape.records)
    inputs = [box._index for box in boxes]

    def replay(new_args: tuple) -> Any:
        values: list[Any] = [None] * len(records)
        for index, leaf in zip(inputs, flatten(list(new_args))[0]):
            values[index] = leaf
        for index, record in enumerate(records):
            if record.primitive is None:
                continue
            arguments = list(record.args)
            for argnum, parent in record.parents:
                arguments[argnum] = values[parent]
            values[index] = record.primitive(*arguments, **record.kwargs)
        return unflatten(out_treedef, [leaf if index is None else values[index]
                                       for leaf, index in zip(out_leaves, outputs)])

    return replay
