"""Every name ``gradviz.scipy`` hands out (``special``, ``linalg`` and the scipy names they
pass through, ``signal``, ``integrate`` and each ``stats`` distribution), called on plain
arguments of typical shapes, tuples and lists among them, gives scipy's result, and so do the
same calls with every array written as a list.

Each name gets the first of the shared candidates (``tests/every_name.py``) that scipy itself
accepts. Names passed through to scipy must be scipy's numbers exactly; the functions gradviz
computes by its own formulas (the distributions, ``logsumexp`` …) agree to rounding.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import autograd.scipy.stats.norm as autograd_norm
import numpy as onp
import pytest
import scipy.integrate
import scipy.linalg
import scipy.signal
import scipy.special
import scipy.stats

import gradviz
import gradviz.numpy as np
import gradviz.scipy.integrate as integrate
import gradviz.scipy.linalg as linalg
import gradviz.scipy.signal as signal
import gradviz.scipy.special as special
import gradviz.scipy.stats as stats

from every_name import CANDIDATES, S, V, assert_same, call, first_candidate, public_functions

#: module: (gradviz's, scipy's, the names to call). ``special`` and ``linalg`` hand out every
#: scipy name; the others export what autograd's do.
MODULES = {
    "special": (special, scipy.special, public_functions(scipy.special)),
    "linalg": (linalg, scipy.linalg, public_functions(scipy.linalg)),
    "signal": (signal, scipy.signal, signal.__all__),
    "integrate": (integrate, scipy.integrate, integrate.__all__),
    **{f"stats.{name}": (getattr(stats, name), getattr(scipy.stats, name), getattr(stats, name).__all__)
       for name in stats.__all__},
}
NAMES = [(module, name) for module, (_, _, names) in MODULES.items() for name in names]

P = onp.array([0.2, 0.5, 0.9])  # probabilities
POSITIVE = onp.array([0.5, 1.5, 3.0])
COUNTS = onp.array([1.0, 2.0, 5.0])  # counts, and points every positive support holds
SIMPLEX = onp.array([0.2, 0.3, 0.5])

#: The distributions' arguments inside their supports, tried first there: outside them scipy
#: answers nan or −inf, gradviz (as autograd) the value of the formula.
STATS_CANDIDATES = [
    (V,), (COUNTS, POSITIVE), (P, POSITIVE, POSITIVE), (V, V, S), (SIMPLEX, POSITIVE),
]
#: scipy's functions of more arguments: Sylvester's three matrices, orders and parameters.
SCIPY_CANDIDATES = CANDIDATES + [
    (S, S, S), (V, V, V, V), (V, V, V, V, V), (2, 1, V), (2, 0.5, 1.5, V), (1, 2, 0.5, V),
    (V, 3, 3), (4,), (S, S, S, S),
]

#: Names no candidate fits: they need a function (odeint's right-hand side, funm's f), names
#: of BLAS or LAPACK routines, the factors of a factorisation (cho_solve, lu_solve, qr_delete) or a banded matrix with its band widths.
NO_CANDIDATE = {
    "integrate.odeint", "linalg.funm", "linalg.get_blas_funcs", "linalg.get_lapack_funcs",
    "linalg.cho_solve", "linalg.lu_solve", "linalg.qr_delete", "linalg.solve_banded",
}

#: Names no candidate fits in older scipy only (1.15, the newest for Python 3.10): the
#: associated Legendre arrays lpmn and clpmn (gone from newer scipy), and qr_insert, whose
#: checks of its factors' shapes were looser later. Not held to the reverse check below.
NO_CANDIDATE_IN_OLDER_SCIPY = {"special.clpmn", "special.lpmn", "linalg.qr_insert"}

#: Rounding: gradviz's own formulas for what scipy computes its own way.
FORMULA_RTOL = 1e-12


#: Names that draw from numpy's global generator: seeded alike before each call.
RANDOM = {"rvs", "clarkson_woodruff_transform"}


def _candidates(module):
    return STATS_CANDIDATES + CANDIDATES if module.startswith("stats") else SCIPY_CANDIDATES


def _passed_through(module, name) -> bool:
    ours = getattr(MODULES[module][0], name)
    return not module.startswith("stats") and getattr(ours, "__module__", "").startswith("scipy")


def _calls(module, name):
    """gradviz's function, scipy's, whether it draws at random, its first candidate and the
    tolerance its numbers are held to."""
    ours_module, plain_module, _ = MODULES[module]
    plain = getattr(plain_module, name)
    is_random = name in RANDOM
    rtol = 0.0 if _passed_through(module, name) else FORMULA_RTOL
    return getattr(ours_module, name), plain, is_random, first_candidate(plain, is_random, _candidates(module)), rtol


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_every_name_on_plain_arguments_gives_scipys_result(module, name):
    ours, plain, is_random, args, rtol = _calls(module, name)
    if args is None:
        assert f"{module}.{name}" in NO_CANDIDATE | NO_CANDIDATE_IN_OLDER_SCIPY, \
            f"{module}.{name}: no candidate fits: add one, or list it"
        return
    assert_same(call(ours, args, is_random), call(plain, args, is_random), f"{module}.{name}", rtol)


def _as_lists(args):
    return tuple(a.tolist() if isinstance(a, onp.ndarray) else a for a in args)


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_every_name_on_lists_gives_scipys_result(module, name):
    """The same calls with every array written as a (nested) list, as scipy accepts them."""
    ours, plain, is_random, args, rtol = _calls(module, name)
    if args is None or not any(isinstance(a, onp.ndarray) for a in args):
        return  # no candidate (listed above), or nothing to write as a list
    try:
        expected = call(plain, _as_lists(args), is_random)
    except Exception:
        return  # scipy itself wants arrays here
    assert_same(call(ours, _as_lists(args), is_random), expected, f"{module}.{name}", rtol)


def test_no_candidate_list_names_only_names_no_candidate_fits():
    fitting = [f"{module}.{name}" for module, name in NAMES if f"{module}.{name}" in NO_CANDIDATE
               and first_candidate(getattr(MODULES[module][1], name), False, _candidates(module)) is not None]
    assert fitting == [], "these now have a candidate: remove them from NO_CANDIDATE"


def test_distributions_take_lists_of_traced_values():
    """``norm.logpdf([x, 2x])`` failed (list − float): the list is one ``array`` node now, and
    its derivative is autograd's."""
    ours = gradviz.grad(lambda m: np.sum(stats.norm.logpdf([0.5, 1.0], [m, 2.0 * m], 1.5)))(0.2)
    theirs = autograd.grad(
        lambda m: anp.sum(autograd_norm.logpdf(onp.array([0.5, 1.0]), anp.array([m, 2.0 * m]), 1.5)))(0.2)
    assert ours == pytest.approx(theirs, rel=1e-14)
