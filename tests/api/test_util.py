"""gradviz.util against autograd.util: the same results on the same calls."""

from __future__ import annotations

import autograd.util as autil
import numpy as onp

import gradviz
from gradviz import util
from gradviz.extend import defvjp, primitive


def test_func_names_a_method_for_defvjp():
    class Scaled:
        def __init__(self, k):
            self.k = k

        @primitive
        def __call__(self, x):
            return self.k * onp.sin(x)

    defvjp(util.func(Scaled.__call__), None, lambda ans, self, x: lambda g: g * self.k * onp.cos(x))
    f = Scaled(3.0)
    assert float(gradviz.grad(lambda x: f(x) * 2.0)(0.4)) == 2.0 * 3.0 * onp.cos(0.4)


def test_subval_and_subvals_match_autograd():
    assert util.subval((1, 2, 3), 2, 9) == autil.subval((1, 2, 3), 2, 9)
    assert util.subvals([1, 2, 3], [(0, 7), (1, 8)]) == autil.subvals([1, 2, 3], [(0, 7), (1, 8)])


class _Node:
    def __init__(self, name, *parents):
        self.name, self.parents = name, list(parents)


def test_toposort_orders_like_autograd_and_does_not_recurse():
    x, w = _Node("x"), _Node("w")
    h = _Node("h", x, w)
    loss = _Node("loss", h, w, h)  # a parent used twice (a diamond)
    ours = [n.name for n in util.toposort(loss)]
    assert ours == [n.name for n in autil.toposort(loss)]
    chain = _Node("0")
    for i in range(1, 20_000):  # deeper than Python's recursion limit
        chain = _Node(str(i), chain)
    assert sum(1 for _ in util.toposort(chain)) == 20_000
