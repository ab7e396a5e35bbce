"""``gradviz.util``: the small helpers autograd publishes in ``autograd.util``.

``func(f)`` names the function behind a method for :func:`gradviz.extend.defvjp` (it is
``f`` itself); ``subval``/``subvals`` replace items of a tuple; ``toposort`` orders a graph
given by a ``parents`` function from its end to its sources, each node after all of its
children, with a loop, not recursion.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Iterable, Iterator

__all__ = ["func", "subval", "subvals", "toposort"]


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
