"""Value types of the user's own: what ``MyBox.register(MyType)`` and ``MySpace.register(MyType)``
fill in, and the sparse adjoint a rule may return.

gradviz traces floats, arrays and containers of them out of the box. A program with a value
type of its own (a function in a kernel space, a parameter object) registers, as in autograd,
a :class:`~gradviz.engine.tracer.Box` subclass that traces it and a
:class:`~gradviz.extend.VSpace` subclass that gives its zeros, sums and inner products. The
recorder reads :data:`box_types`; the sweeps and ``grad`` read :data:`vspace_makers` only for
a value of a registered type.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["box_types", "vspace_makers", "registered_space", "SparseObject", "dense"]

#: A value type of the user's own → the Box subclass that traces it. Empty in almost every
#: program: while it is, every traced value is a plain ``Box``, told in one comparison.
box_types: dict[type, type] = {}

#: A value type of the user's own → a function of a value giving its vector space.
vspace_makers: dict[type, Callable[[Any], Any]] = {}


def registered_space(value: Any) -> Any | None:
    """The vector space a program registered for ``value``'s type, or ``None``."""
    maker = vspace_makers.get(type(value)) if vspace_makers else None
    return None if maker is None else maker(value)


class SparseObject:
    """An adjoint given by how it adds into a dense one (autograd's ``SparseObject``): a rule
    for ``x[i]`` may return ``SparseObject(vspace(x), lambda a: add_at(a, i, g))`` instead of
    a whole array of zeros. ``mut_add(a)`` adds it into ``a`` in place and returns ``a``; the
    sweep adds it into zeros of ``vs`` (a fresh array, which nothing else holds).

    Example:
        >>> import numpy as onp
        >>> from gradviz.extend import vspace
        >>> hot = SparseObject(vspace(onp.zeros(3)), lambda a: (a.__setitem__(1, a[1] + 2.0), a)[1])
        >>> dense(hot)
        array([0., 2., 0.])
    """

    __slots__ = ("vs", "mut_add")

    def __init__(self, vs: Any, mut_add: Callable[[Any], Any]):
        self.vs = vs
        self.mut_add = mut_add


def dense(value: Any) -> Any:
    """``value`` itself, or a :class:`SparseObject` added into zeros of its space."""
    if type(value) is SparseObject:
        return value.mut_add(value.vs.zeros())
    return value
