"""``gradviz.util``: the small helpers autograd publishes in ``autograd.util``.

``func(f)`` names the function behind a method for :func:`gradviz.extend.defvjp` (it is
``f`` itself); ``subval``/``subvals`` replace items of a tuple; ``toposort`` orders a graph
given by a ``parents`` function from its end to its sources, each node after all of its
children, with a loop, not recursion; ``unary_to_nary`` makes an operator on functions of one
argument an operator on functions of several, with autograd's ``argnum``.
"""

from __future__ import annotations

import operator
from functools import wraps
from typing import Any, Callable, Iterable, Iterator

__all__ = ["func", "subval", "subvals", "toposort", "unary_to_nary"]


def func(f: Callable) -> Callable:
    """``f`` itself: ``defvjp(func(MyType.__call__), ...)`` reads as autograd's does.

    Example:
        >>> func(len) is len
        True
    """
    return f


def subvals(x: Iterable, replacements: Iterable[tuple[int, Any]]) -> tuple:
    """``x`` as a tuple with item ``i`` replaced by ``v`` for every ``(i, v)``.

    Example:
        >>> subvals((1, 2, 3), [(0, "a"), (2, "c")])
        ('a', 2, 'c')
    """
    items = list(x)
    for position, value in replacements:
        items[position] = value
    return tuple(items)


def subval(x: Iterable, position: int, value: Any) -> tuple:
    """``x`` as a tuple with item ``position`` replaced by ``value``.

    Example:
        >>> subval((1, 2, 3), 1, "b")
        (1, 'b', 3)
    """
    return subvals(x, [(position, value)])


def toposort(end: Any, parents: Callable[[Any], Iterable] = operator.attrgetter("parents")
             ) -> Iterator[Any]:
    """The nodes that ``end`` depends on, ``end`` first, each one after every node that uses it.

    Example:
        >>> graph = {"loss": ["h", "w"], "h": ["x", "w"], "w": [], "x": []}
        >>> list(toposort("loss", graph.__getitem__))
        ['loss', 'h', 'w', 'x']
    """
    uses: dict[Any, int] = {}
    stack = [end]
    while stack:  # count, for every node, the edges that reach it from end's side
        node = stack.pop()
        uses[node] = uses.get(node, 0) + 1
        if uses[node] == 1:
            stack.extend(parents(node))
    ready = [end]
    while ready:
        node = ready.pop()
        yield node
        for parent in parents(node):
            uses[parent] -= 1
            if uses[parent] == 0:
                ready.append(parent)


def unary_to_nary(unary_operator: Callable) -> Callable:
    """``unary_operator(f, x, *options)`` on a function of one argument, made
    ``operator(fun, argnum=0, *options)(*args, **kwargs)`` on a function of several: ``x`` is
    ``args[argnum]`` (a tuple of them for a tuple ``argnum``), the others stay fixed.

    Example:
        >>> def at(f, x, scale=1.0):
        ...     return scale * f(x)
        >>> at_n = unary_to_nary(at)
        >>> at_n(lambda a, b: a - b, 1)(10.0, 4.0), at_n(lambda a, b: a - b, (1, 0), 2.0)(10.0, 4.0)
        (6.0, 12.0)
    """
    @wraps(unary_operator)
    def nary_operator(fun: Callable, argnum: int | tuple | list = 0, *options, **option_kwargs):
        several = isinstance(argnum, (tuple, list))

        @wraps(fun)
        def nary_fun(*args, **kwargs):
            def unary_fun(x):
                chosen = zip(argnum, x) if several else [(argnum, x)]
                return fun(*subvals(args, chosen), **kwargs)

            x = tuple(args[k] for k in argnum) if several else args[argnum]
            return unary_operator(unary_fun, x, *options, **option_kwargs)

        return nary_fun

    return nary_operator
