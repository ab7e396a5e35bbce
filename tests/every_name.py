"""Calling every name a module hands out on plain arguments, and comparing with the library it
stands in for: the candidate arguments and the comparison shared by the namespace tests of
``gradviz.numpy`` and ``gradviz.scipy``.

Arguments are not written per function: each name gets the first of :data:`CANDIDATES` that
the library itself accepts, so a new function is tested the day it appears.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as onp

V = onp.array([0.3, -1.2, 0.8])
M = onp.array([[0.3, -1.2, 0.8], [1.5, 0.4, -0.6]])
S = onp.array([[2.0, 0.5, 0.1], [0.5, 3.0, 0.2], [0.1, 0.2, 1.5]])

#: Argument lists tried in turn, plain arrays first, then tuples, lists and numbers.
CANDIDATES = [
    (V,), (M,), (S,), (V, V), (M, M), (S, S), (S, V), (M, V), (V, 2), (M, 1), (V, 0.5),
    ((2, 3),), ([2, 3],), ([0.3, -1.2, 0.8],), ((0.3, -1.2),), ([[1.0, 2.0], [3.0, 4.0]],),
    ([V, V],), ((M, M),), (V > 0,), (V > 0, V > 0), (onp.arange(4),), (3,), (2.5,), (3, 2), (),
    ([V > 0, V < 0], [V, 2 * V]), ("ij->j", M), (M, [0, 1]), (V, [0, 2]), (M, (3, 2)),
    (M, 0, 1), (S, 2), (M, onp.float32), (V, 1, 2.0), (V, V, V), (M, onp.array([[0], [1]]), 1),
    (onp.arange(8.0).reshape(2, 2, 2), 2), (0.5,), (3, 0.5), (3, 2, 2), (3, [0.5, 0.5]), (V, S),
    (V, (2, 3)), ((2, 3), V),
]

#: Names that write files, print, or change numpy's global state: not called.
SIDE_EFFECTS = {
    "save", "savez", "savez_compressed", "savetxt", "load", "loadtxt", "genfromtxt", "fromfile",
    "fromregex", "memmap", "seterr", "seterrcall", "set_printoptions", "setbufsize",
    "printoptions", "show_config", "show_runtime", "info", "test", "set_state", "seed",
    "set_string_function", "errstate", "nested_iters", "set_bit_generator", "get_bit_generator",
}


def public_functions(module) -> list[str]:
    names = []
    for name in dir(module):
        value = getattr(module, name)
        if name.startswith("_") or name in SIDE_EFFECTS or inspect.ismodule(value):
            continue
        if callable(value) and not isinstance(value, type):
            names.append(name)
    return names




def call(function, args, is_random):
    if is_random:
        onp.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with onp.errstate(all="ignore"):
            return function(*[a.copy() if isinstance(a, onp.ndarray) else a for a in args])


def first_candidate(plain_function, is_random, candidates=CANDIDATES):
    """The first of ``candidates`` the library's own function accepts, or ``None``."""
    for args in candidates:
        try:
            call(plain_function, args, is_random)
        except Exception:
            continue
        return args
    return None


def assert_same(ours, theirs, name, rtol=0.0):
    """``ours`` is ``theirs``: the same containers, shapes and dtypes, and the same numbers
    (to ``rtol`` for results computed by a formula of their own, NaN equal to NaN)."""
    if isinstance(theirs, (tuple, list)) and not isinstance(theirs, onp.ndarray):
        assert type(ours) is type(theirs) or isinstance(ours, (tuple, list)), name
        assert len(ours) == len(theirs), name
        for a, b in zip(ours, theirs):
            assert_same(a, b, name, rtol)
    elif isinstance(theirs, (onp.ndarray, onp.generic, int, float, complex, bool)):
        assert onp.shape(ours) == onp.shape(theirs), name
        assert onp.result_type(ours) == onp.result_type(theirs), name
        if name.split(".")[-1].startswith("empty"):
            return
        if rtol and onp.result_type(theirs).kind in "fc":
            onp.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0, err_msg=name)
        else:
            onp.testing.assert_array_equal(ours, theirs, err_msg=name)
    else:
        assert type(ours) is type(theirs), name
