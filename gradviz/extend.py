"""Registering your own primitives and their derivatives, with autograd's signatures.

Everything autograd's ``extend`` module offers: ``primitive``, ``notrace_primitive``,
``defvjp``, ``defjvp`` (with ``None`` for a zero derivative and ``"same"`` for a function
linear in that argument), ``defvjp_argnum``, ``defvjp_argnums``, ``defjvp_argnum``,
``defjvp_argnums``, ``def_linear``, ``vspace``/``VSpace`` and ``Box`` (subclassed with
``.register(MyType)`` for a value type of the user's own), ``SparseObject``, and the tracer
API's ``VJPNode``, ``JVPNode`` and ``register_notrace``.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> from gradviz.extend import primitive, defvjp, defjvp
    >>> @primitive
    ... def logsumexp(x):
    ...     m = x.max()
    ...     return m + np.log(np.sum(np.exp(x - m)))
    >>> defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
    >>> defjvp(logsumexp, lambda t, ans, x: np.sum(t * np.exp(x - ans)))
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> np.round(gradviz.grad(logsumexp)(x), 4)
    array([0.09  , 0.2447, 0.6652])
    >>> [node.op for node in gradviz.trace(logsumexp, x)]
    ['input', 'logsumexp']
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as onp

from gradviz.engine.tracer import Box, Primitive, unbox
from gradviz.engine.tree import flatten, unflatten
from gradviz.engine.values import SparseObject, registered_space, vspace_makers
from gradviz.misc.tracers import JVPNode, VJPNode, register_notrace
from gradviz.errors import GradvizError

__all__ = ["primitive", "notrace_primitive", "defvjp", "defjvp", "def_linear", "defvjp_argnum",
           "defvjp_argnums", "defjvp_argnum", "defjvp_argnums", "vspace", "VSpace", "Box",
           "SparseObject", "VJPNode", "JVPNode", "register_notrace"]


def primitive(fun: Callable) -> Primitive:
    """Make ``fun`` a primitive: one node on the trace, derivatives from ``defvjp``/``defjvp``."""
    return Primitive(fun)


def notrace_primitive(fun: Callable) -> Primitive:
    """Make ``fun`` a primitive with no derivative: recorded, its value passed through."""
    return Primitive(fun, differentiable=False)


def _argnums(count: int, argnums) -> tuple[int, ...]:
    return tuple(range(count)) if argnums is None else tuple(argnums)


def _zero_derivative(fun: Primitive, argnum: int) -> None:
    """``None`` as a rule, as in autograd: the derivative through ``argnum`` is zero (a
    symbolic zero here, which costs nothing)."""
    constant = set(fun.info.get("constant_arguments", ()))
    fun.info["constant_arguments"] = tuple(sorted(constant | {argnum}))


def defvjp(fun: Primitive, *vjpmakers, argnums=None) -> None:
    """Autograd's ``defvjp``: ``vjpmaker(ans, *args, **kwargs)`` returns ``g ↦ contribution``.

    ``None`` for an argument whose derivative is zero.
    """
    for argnum, maker in zip(_argnums(len(vjpmakers), argnums), vjpmakers):
        if maker is None:
            _zero_derivative(fun, argnum)
        else:
            fun.vjps[argnum] = _vjp_from_maker(maker)


def _vjp_from_maker(maker: Callable) -> Callable:
    def vjp(g, ans, *args, **kwargs):
        return maker(ans, *args, **kwargs)(g)

    vjp.maker = maker
    return vjp


def defvjp_argnum(fun: Primitive, vjpmaker: Callable) -> None:
    """Autograd's ``defvjp_argnum``: ``vjpmaker(argnum, ans, args, kwargs)`` for every argument."""
    fun.vjps, fun.vjp_for = {}, lambda argnum: _vjp_for_argnum(vjpmaker, argnum)


def _vjp_for_argnum(vjpmaker: Callable, argnum: int) -> Callable:
    return lambda g, ans, *args, **kwargs: vjpmaker(argnum, ans, args, kwargs)(g)


def defvjp_argnums(fun: Primitive, vjpmaker: Callable) -> None:
    """Autograd's ``defvjp_argnums``: ``vjpmaker(argnums, ans, args, kwargs)`` returns
    ``g ↦ (contribution for each of argnums)``. Each argument's adjoint is asked for alone."""
    fun.vjps, fun.vjp_for = {}, lambda argnum: _vjp_for_argnums(vjpmaker, argnum)


def _vjp_for_argnums(vjpmaker: Callable, argnum: int) -> Callable:
    return lambda g, ans, *args, **kwargs: vjpmaker((argnum,), ans, args, kwargs)(g)[0]


def defjvp(fun: Primitive, *jvpfuns, argnums=None) -> None:
    """Autograd's ``defjvp``: ``jvpfun(t, ans, *args, **kwargs)`` returns the tangent term.

    ``None`` for an argument whose derivative is zero; ``"same"`` for an argument in which
    ``fun`` is linear (its tangent is ``fun`` applied with ``t`` in that argument's place).
    """
    for argnum, rule in zip(_argnums(len(jvpfuns), argnums), jvpfuns):
        if rule is None:
            _zero_derivative(fun, argnum)
        elif rule == "same":
            fun.jvps[argnum] = _linear_jvp(fun, argnum)
        elif callable(rule):
            fun.jvps[argnum] = rule
        else:
            raise GradvizError(f"defjvp({fun.name}, ...): a rule is a function, None or 'same', "
                               f"got {rule!r} for argument {argnum}")


def defjvp_argnum(fun: Primitive, jvpmaker: Callable) -> None:
    """Autograd's ``defjvp_argnum``: ``jvpmaker(argnum, t, ans, args, kwargs)`` for every argument."""
    fun.jvps, fun.jvp_for = {}, lambda argnum: _jvp_for_argnum(jvpmaker, argnum)


def _jvp_for_argnum(jvpmaker: Callable, argnum: int) -> Callable:
    return lambda t, ans, *args, **kwargs: jvpmaker(argnum, t, ans, args, kwargs)


def defjvp_argnums(fun: Primitive, jvpmaker: Callable) -> None:
    """Autograd's ``defjvp_argnums``: ``jvpmaker(argnums, ts, ans, args, kwargs)`` returns the
    tangent of ``ans``. It is linear in ``ts``, so each argument's term is asked for alone and
    the sweep sums them."""
    fun.jvps, fun.jvp_for = {}, lambda argnum: _jvp_for_argnums(jvpmaker, argnum)


def _jvp_for_argnums(jvpmaker: Callable, argnum: int) -> Callable:
    return lambda t, ans, *args, **kwargs: jvpmaker((argnum,), (t,), ans, args, kwargs)


def def_linear(fun: Primitive) -> None:
    """Declare ``fun`` linear in each argument: its tangent rule is ``fun`` applied to ``t``."""
    fun.jvps, fun.jvp_for = {}, lambda argnum: _linear_jvp(fun, argnum)


def _linear_jvp(fun: Primitive, argnum: int) -> Callable:
    def jvp(t, ans, *args, **kwargs):
        args = list(args)
        args[argnum] = t
        return fun(*args, **kwargs)

    return jvp


# --- vector spaces ------------------------------------------------------------------------------


class VSpace:
    """The vector space a value lives in: its structure, shapes and dtypes (autograd's ``VSpace``).

    A float, an array, or a tuple/list/dict of them. Complex entries count twice in
    :attr:`size`, as two real coordinates.

    Example:
        >>> space = vspace({"w": onp.ones((2, 3)), "b": 0.0})
        >>> space.size, space.zeros()["w"].shape
        (7, (2, 3))
        >>> space.inner_prod(space.ones(), space.ones())
        7.0
    """

    def __init__(self, value: Any):
        leaves, self._treedef = flatten(unbox(value) if type(value) is Box else value)
        raw = [onp.asarray(unbox(leaf)) for leaf in leaves]
        for leaf, array in zip(leaves, raw):
            if array.dtype.kind not in "biufc":
                raise GradvizError(f"vspace(): no vector space for a {type(leaf).__name__}: "
                                   "use floats, arrays, or tuples/lists/dicts of them")
        # Integers and booleans have float derivatives, as everywhere in gradviz.
        self._leaves = [(a.shape, a.dtype if a.dtype.kind in "fc" else onp.dtype(onp.float64),
                         onp.ndim(leaf) == 0 and not isinstance(leaf, onp.ndarray)) for leaf, a in
                        zip(leaves, raw)]

    @property
    def shape(self) -> tuple:
        return self._single()[0]

    @property
    def dtype(self) -> onp.dtype:
        return self._single()[1]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def iscomplex(self) -> bool:
        return any(dtype.kind == "c" for _, dtype, _ in self._leaves)

    @property
    def size(self) -> int:
        return sum(int(onp.prod(shape)) * (2 if dtype.kind == "c" else 1)
                   for shape, dtype, _ in self._leaves)

    def _single(self) -> tuple:
        if self._treedef[0] != "leaf":
            raise GradvizError("vspace(): a container's space has no single shape or dtype; "
                               "ask its entries' spaces")
        return self._leaves[0]

    def _build(self, make: Callable) -> Any:
        leaves = []
        for shape, dtype, scalar in self._leaves:
            array = onp.asarray(make(shape, dtype), dtype)
            leaves.append(array[()] if scalar else array)
        return leaves[0] if self._treedef[0] == "leaf" else unflatten(self._treedef, leaves)

    def zeros(self) -> Any:
        return self._build(onp.zeros)

    def ones(self) -> Any:
        """Every real coordinate one (``1 + 1j`` for a complex entry, as autograd)."""
        return self._build(lambda shape, dtype: onp.ones(shape) * (1 + 1j if dtype.kind == "c" else 1))

    def randn(self) -> Any:
        """Standard normal entries from numpy's global generator (complex: real then imaginary)."""
        def draw(shape, dtype):
            real = onp.random.randn(*shape)
            return real + 1j * onp.random.randn(*shape) if dtype.kind == "c" else real

        return self._build(draw)

    def standard_basis(self) -> Iterator[Any]:
        """One-hot values, one per real coordinate (``1`` then ``1j`` for a complex entry)."""
        for position, (shape, dtype, _) in enumerate(self._leaves):
            for flat in range(int(onp.prod(shape))):
                for unit in ((1.0, 1j) if dtype.kind == "c" else (1.0,)):
                    yield self._one_hot(position, flat, unit)

    def _one_hot(self, position: int, flat: int, unit: complex) -> Any:
        zero = self.zeros()
        leaves, treedef = flatten(zero)
        leaves = [onp.array(leaf) for leaf in leaves]
        leaves[position].flat[flat] = unit
        leaves = [leaf[()] if scalar else leaf for leaf, (_, _, scalar) in zip(leaves, self._leaves)]
        return leaves[0] if treedef[0] == "leaf" else unflatten(treedef, leaves)

    # The operations call their underscored halves, which a space of the user's own
    # overrides (``_add``, ``_scalar_mul``, ``_inner_prod``, ``_covector``), as in autograd.
    def add(self, x: Any, y: Any) -> Any:
        return self._add(x, y)

    def mut_add(self, x_prev: Any, x_new: Any) -> Any:
        """``x_prev + x_new``, ``x_prev`` being zero when it is ``None``."""
        return self._add(self.zeros() if x_prev is None else x_prev, x_new)

    def scalar_mul(self, x: Any, a: float) -> Any:
        return self._scalar_mul(x, a)

    def covector(self, x: Any) -> Any:
        return self._covector(x)

    def inner_prod(self, x: Any, y: Any) -> float:
        """``Re Σ conj(x)·y`` over every entry."""
        return self._inner_prod(x, y)

    def _add(self, x: Any, y: Any) -> Any:
        return self._map(lambda a, b: a + b, x, y)

    def _scalar_mul(self, x: Any, a: float) -> Any:
        return self._map(lambda entry: entry * a, x)

    def _covector(self, x: Any) -> Any:
        return self._map(onp.conj, x)

    def _inner_prod(self, x: Any, y: Any) -> float:
        pairs = zip(flatten(x)[0], flatten(y)[0])
        return float(sum(onp.real(onp.vdot(onp.asarray(unbox(a)), onp.asarray(unbox(b))))
                         for a, b in pairs))

    @classmethod
    def register(cls, value_type: type, vspace_maker: Callable[[Any], Any] | None = None) -> None:
        """Make ``vspace(v)`` of a ``value_type`` value ``cls(v)`` (or ``vspace_maker(v)``), as
        autograd's ``VSpace.register``: a space of the user's own defines ``zeros`` (and
        ``randn``, ``ones`` if wanted) and ``_add``, ``_scalar_mul``, ``_inner_prod``."""
        vspace_makers[value_type] = vspace_maker or cls

    def _map(self, f: Callable, *values: Any) -> Any:
        columns = [flatten(value)[0] for value in values]
        leaves = [f(*entries) for entries in zip(*columns)]
        return leaves[0] if self._treedef[0] == "leaf" else unflatten(self._treedef, leaves)

    def __eq__(self, other: object) -> bool:
        if not hasattr(self, "_treedef"):  # a space of the user's own: equal state, as autograd
            return type(self) is type(other) and vars(self) == vars(other)
        return (isinstance(other, VSpace) and self._treedef == other._treedef
                and [leaf[:2] for leaf in self._leaves] == [leaf[:2] for leaf in other._leaves])

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        if not hasattr(self, "_treedef"):
            return f"{type(self).__name__}({vars(self)})"
        if self._treedef[0] == "leaf":
            return f"VSpace(shape={self.shape}, dtype={self.dtype})"
        return (f"{type(self).__name__}({self._treedef[0].__name__} of {len(self._leaves)} "
                f"entries, size {self.size})")


class ContainerVSpace(VSpace):
    """The space of a tuple, list or dict: the same as a :class:`VSpace` of it, with
    :attr:`shape` the container of its entries' spaces (as autograd's)."""

    @property
    def shape(self) -> Any:  # type: ignore[override]
        zero = self.zeros()
        if type(zero) is dict:
            return {key: vspace(entry) for key, entry in zero.items()}
        return type(zero)(vspace(entry) for entry in zero)


class SequenceVSpace(ContainerVSpace):
    """The space of a tuple or list."""


class TupleVSpace(SequenceVSpace):
    """The space of a tuple."""


class ListVSpace(SequenceVSpace):
    """The space of a list."""


class DictVSpace(ContainerVSpace):
    """The space of a dict."""


_CONTAINER_SPACES = {tuple: TupleVSpace, list: ListVSpace, dict: DictVSpace}


def vspace(value: Any) -> VSpace:
    """The :class:`VSpace` of ``value`` (autograd's ``vspace``): the one registered for its
    type (``VSpace.register``), else gradviz's own for floats, arrays and containers.

    Example:
        >>> space = vspace((1.0, {"w": onp.zeros(2)}))
        >>> type(space).__name__, space.shape
        ('TupleVSpace', (VSpace(shape=(), dtype=float64), DictVSpace(dict of 1 entries, size 2)))
    """
    raw = unbox(value)
    space = registered_space(raw)
    if space is None:
        return _CONTAINER_SPACES.get(type(raw), VSpace)(value)
    return space
