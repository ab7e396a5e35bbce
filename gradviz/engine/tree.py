"""Flattening nested arguments (tuples, lists, dicts of arrays) into leaves and back."""

from __future__ import annotations

from typing import Any

__all__ = ["flatten", "unflatten", "unflatten_each", "count_leaves"]

# A tree definition is ("leaf",) or (container type, keys or length, child definitions).
TreeDef = tuple


def flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """Return the leaves of ``tree`` (depth first) and a definition to rebuild it.

    Example:
        >>> leaves, treedef = flatten({"w": 1.0, "b": (2.0, 3.0)})
        >>> leaves
        [1.0, 2.0, 3.0]
        >>> unflatten(treedef, [4.0, 5.0, 6.0])
        {'w': 4.0, 'b': (5.0, 6.0)}
    """
    leaves: list[Any] = []
    treedef = _flatten_into(tree, leaves)
    return leaves, treedef


def _flatten_into(tree: Any, leaves: list[Any]) -> TreeDef:
    # Containers nest only a few levels deep, so recursion here is safe.
    kind = type(tree)
    if kind is tuple or kind is list:
        return (kind, len(tree), tuple(_flatten_into(child, leaves) for child in tree))
    if kind is dict:
        keys = tuple(tree)
        return (dict, keys, tuple(_flatten_into(tree[key], leaves) for key in keys))
    leaves.append(tree)
    return ("leaf",)


def unflatten(treedef: TreeDef, leaves: list[Any]) -> Any:
    """Rebuild the structure described by ``treedef`` from ``leaves``."""
    iterator = iter(leaves)
    return _build(treedef, iterator)


def _build(treedef: TreeDef, leaves) -> Any:
    if treedef[0] == "leaf":
        return next(leaves)
    kind, keys, children = treedef
    built = [_build(child, leaves) for child in children]
    if kind is dict:
        return dict(zip(keys, built))
    return kind(built)


def count_leaves(treedef: TreeDef) -> int:
    """How many leaves ``treedef`` holds."""
    if treedef[0] == "leaf":
        return 1
    return sum(count_leaves(child) for child in treedef[2])


def unflatten_each(treedefs: list[TreeDef], leaves: list[Any]) -> list[Any]:
    """Rebuild several structures from one run of leaves, each taking its own share.

    Example:
        >>> unflatten_each([("leaf",), flatten([1, 2])[1]], ["a", "b", "c"])
        ['a', ['b', 'c']]
    """
    built, start = [], 0
    for treedef in treedefs:
        count = count_leaves(treedef)
        built.append(unflatten(treedef, leaves[start : start + count]))
        start += count
    return built
