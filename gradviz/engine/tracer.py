"""Recording the evaluation trace: boxes, nodes and primitives.

A function under differentiation runs on :class:`Box` values. Every call of a
:class:`Primitive` on a box appends one :class:`Record` to the active :class:`Tape`, the
lecture's Wengert list ``w1 … wn``: references to the primitive, its raw arguments, its
value and the user's source line, read as a :class:`Node`. Nothing is formatted here:
labels, formulas and strings are built later, only when something is shown.

Nesting gives higher order: ``grad(grad(f))`` runs ``f`` on boxes of boxes, each level
recording on its own tape, so the inner reverse sweep is itself recorded by the outer tape.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from functools import partial
from sys import _getframe
from typing import Any, Callable, NamedTuple

from numpy import ndarray as _ndarray

from gradviz.engine import liveness
from gradviz.engine import source
from gradviz.engine.source import INTERNAL_FILES as _is_internal_file, user_site as _user_site
# A value type of the user's own → the Box subclass that traces it (``MyBox.register(MyType)``).
# Empty in almost every program: while it is, every traced value is a plain ``Box`` and
# ``type(x) is Box`` tells one in a comparison. Once a program registers a type, the
# recorder's short cuts step aside for the general path, which asks ``isinstance(x, Box)``.
from gradviz.engine.values import box_types

__all__ = ["Box", "Node", "Record", "Tape", "Primitive", "tracing_depth", "unbox", "operator_method",
           "RULE"]

# How many tapes are recording in this thread or task: each has its own, so a ``grad`` in
# another thread is not taken for a higher-order derivative of this one.
_DEPTH: ContextVar[int] = ContextVar("gradviz_tracing_depth", default=0)

# How many tapes are recording in the whole process. While it is zero, a primitive is a
# plain function call; this global read is the whole cost of gradviz on code that is not
# being traced. It only opens the gate: what is recorded is decided by the boxes.
_depth = 0
_depth_lock = threading.Lock()

# The derivative rule running now in a sweep of a nested tape (higher order), as
# ``(kind, primitive, site, made_by)`` of the node whose rule it is ("reverse" or "forward",
# and that node's own ``made_by``). The sweeps set it once per node; a node a rule records
# keeps it in its tape's ``made_by``, so that the debugger can blame the user's ``sqrt``
# rather than the ``divide`` inside sqrt's rule. Rules are gradviz's code, so their nodes
# take the slow path to the user's line, where it is read.
RULE: ContextVar[tuple | None] = ContextVar("gradviz_rule", default=None)

# Boxes inside these are looked for only when a primitive found none among its arguments.
_CONTAINER_TYPES = (tuple, list, dict)

def tracing_depth() -> int:
    """How many tapes are recording right now in this thread or task (0 outside any
    differentiation)."""
    return _DEPTH.get()


class Record(NamedTuple):
    """What the tape keeps of one operation, as the recorder appends it.

    A named tuple: it costs a fifth of a :class:`Node` to make, and the sweeps read its
    fields by name. A tape swept once (``grad``) may hold :class:`~gradviz.engine.liveness.Released`
    stand-ins for values no rule reads.
    """

    primitive: Any  # the Primitive, or None for an input
    args: tuple
    kwargs: dict
    parents: tuple  # (argnum, parent index) per argument that is a node
    value: Any
    site: Any


# A NamedTuple's own constructor is Python code; the recorder makes one Record per operation.
_new_record = tuple.__new__


class Node:
    """One entry ``w_i`` of the Wengert list.

    Attributes:
        index: position in the tape (0-based; shown as ``w{index+1}``).
        primitive: the :class:`Primitive` that made it (``None`` for an input).
        args: the primitive's positional arguments, unboxed to this tape's level.
        kwargs: its keyword arguments.
        parents: ``(argnum, parent_index)`` for every argument that is itself a node.
        value: the value computed (a reference, never a copy).
        site: ``(code, instruction offset)`` of the user's call (see
            :mod:`gradviz.engine.source`), or ``None``.
        tape: the :class:`Tape` it belongs to (it gives the letter of the name).
    """

    __slots__ = ("index", "primitive", "args", "kwargs", "parents", "value", "site", "tape")

    def __init__(self, index, primitive, args, kwargs, parents, value, site, tape=None):
        self.index = index
        self.primitive = primitive
        self.args = args
        self.kwargs = kwargs
        self.parents = parents
        self.value = value
        self.site = site
        self.tape = tape

    @classmethod
    def of(cls, index: int, record: Record, tape: Tape | None = None) -> Node:
        """Node ``index`` of ``tape``, read from its :class:`Record`."""
        return cls(index, record.primitive, record.args, record.kwargs, record.parents,
                   record.value, record.site, tape)

    @property
    def name(self) -> str:
        """The lecture's name of the node: ``w1``, ``w2``, … (``v1``, ``v2``, … in a trace
        whose inputs are themselves called ``w1``, ``w2``: see :attr:`Tape.letter`)."""
        return f"{'w' if self.tape is None else self.tape.letter}{self.index + 1}"

    @property
    def op(self) -> str:
        """The primitive's name, or ``"input"``."""
        return "input" if self.primitive is None else self.primitive.name

    @property
    def made_by(self) -> tuple | None:
        """``(kind, primitive, site, made_by)`` of the derivative rule that recorded this node
        (see :data:`RULE`), or ``None`` for a node of the user's own code."""
        return None if self.tape is None else self.tape.made_by.get(self.index)

    def __repr__(self) -> str:
        letter = self.name[0]
        parents = ", ".join(f"{letter}{i + 1}" for _, i in self.parents)
        return f"<Node {self.name} = {self.op}({parents})>"


class Tape:
    """The nodes one differentiation records, in evaluation order.

    ``level`` orders nested tapes: a box belongs to exactly one tape, and a primitive called
    on boxes of several tapes records on the innermost (highest level) one.
    """

    __slots__ = ("records", "level", "lean", "recording", "made_by", "_nodes", "_letter",
                 "_tokens", "__weakref__")

    def __init__(self, level: int, lean: bool = False):
        #: One :class:`Record` per node, as the recorder appends them; :attr:`nodes` gives
        #: the same entries as Node objects.
        self.records: list[Record | None] = []  # a used-once tape drops an entry once swept
        self.level = level
        #: Swept once and thrown away (``grad``): keep only what the adjoint rules will read
        #: (see :mod:`gradviz.engine.liveness`).
        self.lean = lean
        #: Between ``with tape:``'s enter and exit. A box kept past that (a value saved from
        #: inside ``grad``) is a plain value: nothing records on a finished tape.
        self.recording = False
        #: ``{index: rule}`` for the nodes a derivative rule recorded (see :data:`RULE`).
        self.made_by: dict[int, tuple] = {}
        self._nodes: list[Node] = []
        self._letter: str | Callable[[], str] = "w"
        self._tokens: list = []

    @property
    def letter(self) -> str:
        """The letter the nodes are named with: the lecture's ``w``, or another one chosen by
        the trace (a function, called once, when it is first asked) so that no node is
        called like an input (see :meth:`gradviz.Trace.node_letter`)."""
        if callable(self._letter):
            self._letter = self._letter()
        return self._letter

    @letter.setter
    def letter(self, letter: str | Callable[[], str]) -> None:
        self._letter = letter

    @property
    def nodes(self) -> list[Node]:
        """The :class:`Node` list, built from :attr:`records` on first use (and extended when
        more have been recorded since)."""
        nodes, records = self._nodes, self.records
        for index in range(len(nodes), len(records)):
            nodes.append(Node.of(index, records[index], self))
        return nodes

    def node(self, index: int) -> Node:
        """Node ``index`` alone, without building the others (error messages use this)."""
        if index < len(self._nodes):
            return self._nodes[index]
        return Node.of(index, self.records[index], self)

    def set_site(self, index: int, site: Any) -> None:
        """Give node ``index`` another source site (an expression's column, say)."""
        self.records[index] = self.records[index]._replace(site=site)
        if index < len(self._nodes):
            self._nodes[index] = Node.of(index, self.records[index], self)

    def new_input(self, value: Any) -> Box:
        """Append an input node holding ``value`` and return its box."""
        index = len(self.records)
        self.records.append(Record(None, (), {}, (), value, None))
        return box_types.get(type(value), Box)(value, self, index)

    def __enter__(self) -> Tape:
        global _depth
        top = not _DEPTH.get()
        self._tokens.append(_DEPTH.set(_DEPTH.get() + 1))
        # numpy's warnings point at the user's line while the outermost tape records.
        self._tokens.append(source.warn_at_user_lines() if top else None)
        with _depth_lock:
            _depth += 1
        self.recording = True
        return self

    def __exit__(self, *exc_info) -> None:
        global _depth
        warning = self._tokens.pop()
        if warning is not None:
            source.stop_warning_at_user_lines(warning)
        _DEPTH.reset(self._tokens.pop())
        with _depth_lock:
            _depth -= 1
        self.recording = bool(self._tokens)


class Box:
    """A value being traced: the raw value, its tape and its node's index.

    Operators and array methods (``+``, ``@``, ``.T``, ``.sum()`` …) are attached by
    :mod:`gradviz.numpy`, which owns the primitives they call.
    """

    __slots__ = ("_value", "_tape", "_index")
    # Makes numpy return NotImplemented from ``ndarray * box`` so that Python calls
    # ``Box.__rmul__`` instead of building an object array of boxes.
    __array_ufunc__ = None
    __array_priority__ = 100.0

    def __init__(self, value: Any, tape: Tape, index: int):
        self._value = value
        self._tape = tape
        self._index = index

    @property
    def node(self) -> Node:
        """The node that holds this value."""
        return self._tape.nodes[self._index]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(w{self._index + 1}, {self._value!r})"

    __hash__ = object.__hash__

    @classmethod
    def register(cls, value_type: type) -> None:
        """Trace values of ``value_type`` with this Box subclass (autograd's ``Box.register``):
        ``class PolyBox(Box, Poly)`` then ``PolyBox.register(Poly)``, so that a traced ``Poly``
        keeps ``Poly``'s methods and attributes the subclass forwards to ``self._value``.
        Pair it with ``VSpace.register(Poly)`` (:mod:`gradviz.extend`) for its zeros and sums."""
        box_types[value_type] = cls


def unbox(value: Any) -> Any:
    """Strip every level of boxing from ``value``."""
    while type(value) is Box:
        value = value._value
    if box_types and isinstance(value, Box):  # a box of a user's own value type
        return unbox(value._value)
    return value


class Primitive:
    """A function whose derivative rules gradviz knows; the unit of the trace.

    Calling it on boxes records one node; calling it on plain values just runs ``fun``.

    Attributes:
        fun: the raw function (numpy's, or the user's).
        name: shown on the graph and in the tables.
        jvps: one tangent rule per argument, ``jvp(t, ans, *args, **kwargs)``, or ``None``.
        vjps: one adjoint rule per argument, ``vjp(g, ans, *args, **kwargs)``, or ``None``.
        partials: display templates of the local partials, ``"cos {0}"`` (see notation).
        jvp_for, vjp_for, partial_for: for a primitive that takes any number of arguments
            (``stack``, ``einsum``), a function ``argnum ↦ rule`` (or template, or ``None``)
            for the arguments the tables above leave out; ``None`` for the others. Read them
            through :meth:`jvp_rule`, :meth:`vjp_rule` and :meth:`partial_template`.
        local_partials: for a row that states its derivative once (``defrule(partial=…)``),
            the local partial per argument, ``partial(ans, *args)``: its rules are made from
            it, and the tables show its value.
        differentiable: ``False`` for ``floor``, ``argmax``, comparisons…: recorded, but the
            value is returned unboxed, so nothing downstream depends on it.
    """

    __slots__ = ("fun", "name", "jvps", "vjps", "partials", "local_partials", "jvp_for", "vjp_for",
                 "partial_for", "differentiable", "info", "__dict__")

    def __init__(self, fun: Callable, name: str | None = None, *, differentiable: bool = True):
        self.fun = fun
        self.name: str = name or str(getattr(fun, "__name__", "primitive"))
        self.jvps: dict[int, Callable] = {}
        self.vjps: dict[int, Callable] = {}
        self.partials: dict[int, str] = {}
        self.jvp_for: Callable[[int], Callable | None] | None = None
        self.vjp_for: Callable[[int], Callable | None] | None = None
        self.partial_for: Callable[[int], str | None] | None = None
        self.local_partials: dict[int, Callable] = {}
        self.differentiable = differentiable
        self.info: dict[str, Any] = {}
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def jvp_rule(self, argnum: int) -> Callable | None:
        """The tangent rule of argument ``argnum``, or ``None`` if it has none.

        Example:
            >>> import gradviz.numpy as np
            >>> np.sin.jvp_rule(0) is np.sin.jvps[0], np.sin.jvp_rule(1)
            (True, None)
        """
        rule = self.jvps.get(argnum)
        if rule is None and self.jvp_for is not None:
            rule = self.jvp_for(argnum)
        return rule

    def vjp_rule(self, argnum: int) -> Callable | None:
        """The adjoint rule of argument ``argnum``, or ``None`` if it has none.

        Example:
            >>> from gradviz.rules import RULES
            >>> stack = RULES["stack"]  # stack(axis, *arrays): any number of arguments
            >>> stack.vjps, stack.vjp_rule(0) is None, callable(stack.vjp_rule(5))
            ({}, True, True)
        """
        rule = self.vjps.get(argnum)
        if rule is None and self.vjp_for is not None:
            rule = self.vjp_for(argnum)
        return rule

    def partial_template(self, argnum: int) -> str | None:
        """The display template of argument ``argnum``'s local partial, or ``None``."""
        template = self.partials.get(argnum)
        if template is None and self.partial_for is not None:
            template = self.partial_for(argnum)
        return template

    @property
    def __name__(self) -> str:  # type: ignore[override]
        # A primitive passed where a function is expected (``gradviz.trace(np.sin, 1.0)``)
        # is named as one.
        return self.name

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __get__(self, instance, owner=None):
        # A primitive defined as a method (``@primitive def __call__(self, x)``) takes its
        # instance as argument 0, as a function would.
        return self if instance is None else partial(self, instance)

    def __call__(self, *args, **kwargs):
        if not _depth:
            return self.fun(*args, **kwargs)
        if kwargs and _keywords_may_be_traced(kwargs):
            # Parents are positional: ``dot(a, b=x)`` is recorded as ``dot(a, x)``.
            from gradviz.engine.keywords import bind_traced_keywords

            args, kwargs = bind_traced_keywords(self, args, kwargs)
        # Recording: this is the hottest code in the project. The common calls (one or two
        # arguments, boxes of one first-order tape) take the straight paths.
        count = len(args)
        if count == 2:
            return _record_two(self, args[0], args[1], kwargs)
        if count == 1:
            first = args[0]
            if type(first) is not Box:
                if type(first) in _CONTAINER_TYPES or box_types:
                    return self._record_nested(args, kwargs)
                return self.fun(first, **kwargs)
            if first._tape.level == 1:
                return _append(self, self.fun, first._tape, (first._value,), kwargs,
                               ((0, first._index),), 2)
        return self._record_nested(args, kwargs)

    def _record_nested(self, args: tuple, kwargs: dict):
        """Record a call with any number of arguments, boxes of several tapes among them
        (higher order): this tape's boxes are opened, outer ones are recorded there by the
        recursive call."""
        tape = None
        for arg in args:
            if isinstance(arg, Box) and (tape is None or arg._tape.level > tape.level):
                tape = arg._tape
        if tape is None:
            if any(type(arg) in _CONTAINER_TYPES for arg in args):
                return self._record_containers(args, kwargs)
            return self.fun(*args, **kwargs)
        raw_args, parents = _unbox_arguments(args, tape)
        # Called on the raw arguments, the primitive records any boxes of outer tapes there.
        return _append(self, self, tape, raw_args, kwargs, parents, 2)

    def _record_containers(self, args: tuple, kwargs: dict):
        """A call whose only boxes are inside tuples, lists or dicts: those are made traced
        values first (see :mod:`gradviz.engine.containers`)."""
        from gradviz.engine.containers import with_containers_boxed

        boxed = with_containers_boxed(self, args)
        if boxed is None:
            return self.fun(*args, **kwargs)
        return self._record_nested(boxed, kwargs)


def _keywords_may_be_traced(kwargs: dict) -> bool:
    """Whether a keyword argument is a box or a container (which may hold one)."""
    for value in kwargs.values():
        kind = type(value)
        if kind is Box or kind in _CONTAINER_TYPES or (box_types and isinstance(value, Box)):
            return True
    return False


def operator_method(primitive: Primitive, reflected: bool = False) -> Callable:
    """The method behind a binary operator of :class:`Box`: ``box * y`` is ``multiply(box, y)``
    (reflected, ``y * box`` is ``multiply(y, box)``). It records without going through
    :meth:`Primitive.__call__`, whose argument packing costs more than the rest."""
    if reflected:
        def method(self, other):
            return _record_two(primitive, other, self, {}) if _depth else primitive.fun(other, self)
    else:
        def method(self, other):
            return _record_two(primitive, self, other, {}) if _depth else primitive.fun(self, other)
    return method


def _record_two(primitive: Primitive, first: Any, second: Any, kwargs: dict) -> Any:
    """``primitive(first, second)`` while recording, boxes of one first-order tape taking the
    straight path: every binary operator (:func:`operator_method`) and ``np.dot(x, w)``."""
    raw_args: tuple
    parents: tuple
    if type(first) is Box:
        tape = first._tape
        if type(second) is Box:
            if second._tape is not tape or tape.level > 1:
                return primitive._record_nested((first, second), kwargs)
            raw_args = (first._value, second._value)
            parents = ((0, first._index), (1, second._index))
        elif tape.level > 1 or box_types:
            return primitive._record_nested((first, second), kwargs)
        else:
            raw_args = (first._value, second)
            parents = ((0, first._index),)
    elif type(second) is Box:
        tape = second._tape
        if tape.level > 1 or box_types:
            return primitive._record_nested((first, second), kwargs)
        raw_args = (first, second._value)
        parents = ((1, second._index),)
    elif type(first) in _CONTAINER_TYPES or type(second) in _CONTAINER_TYPES:
        return primitive._record_containers((first, second), kwargs)
    elif box_types:  # perhaps a box of the user's own type
        return primitive._record_nested((first, second), kwargs)
    else:
        return primitive.fun(first, second, **kwargs)
    return _append(primitive, primitive.fun, tape, raw_args, kwargs, parents, 3)


def _append(primitive: Primitive, call: Callable, tape: Tape, raw_args: tuple, kwargs: dict,
            parents: tuple, depth: int) -> Any:
    """Compute the value by ``call`` (the raw function, or the primitive itself when boxes of
    outer tapes remain) and append the node's record to ``tape``; ``depth`` frames up is the
    line that called the primitive (or wrote the operator), or else a frame of gradviz's own
    from which the user's line is found by walking out."""
    ans = call(*raw_args, **kwargs) if kwargs else call(*raw_args)
    if not tape.recording:  # a box of a finished computation: its value, plainly
        return ans
    records = tape.records
    index = len(records)
    # The user's line in one dictionary look-up when they called us (or wrote the operator)
    # directly; from inside gradviz's own functions (``np.mean`` calls ``sum``), a walk out.
    frame = _getframe(depth)
    internal = _is_internal_file.get(frame.f_code.co_filename)
    site: tuple | None
    if internal is False:
        site = (frame.f_code, frame.f_lasti)
    else:
        site = _user_site(frame)
        rule = RULE.get()
        if rule is not None:
            tape.made_by[index] = rule
    if tape.lean and type(ans) is _ndarray and ans.size >= liveness.LARGE:
        kept_args, kept_value = liveness.lean_record(primitive, raw_args, parents, ans)
        records.append(_new_record(Record, (primitive, kept_args, kwargs, parents, kept_value, site)))
    else:
        records.append(_new_record(Record, (primitive, raw_args, kwargs, parents, ans, site)))
    if primitive.differentiable:
        if box_types:  # a value of the user's own type is traced by its own Box subclass
            return box_types.get(type(ans), Box)(ans, tape, index)
        return Box(ans, tape, index)
    return unbox(ans)


def _unbox_arguments(args: tuple, tape: Tape) -> tuple[tuple, tuple]:
    """The arguments with ``tape``'s boxes opened, and ``(argnum, index)`` of each opened."""
    raw = list(args)
    found = []
    for argnum, arg in enumerate(args):
        if isinstance(arg, Box) and arg._tape is tape:
            raw[argnum] = arg._value
            found.append((argnum, arg._index))
    return tuple(raw), tuple(found)

