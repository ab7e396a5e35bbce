"""Every name ``gradviz.numpy`` (``.linalg``, ``.fft``, ``.random``) hands out, called on plain
arguments of typical shapes, tuples and lists among them, gives numpy's result; and every
differentiable function gives the same derivative with its arguments by keyword.

Arguments are not written per function: each name gets the first of the shared candidates
(``tests/every_name.py``) that numpy itself accepts, so a new numpy function is tested the day
it appears. Names no candidate fits are listed in :data:`NO_CANDIDATE`, and that list is
checked too.
"""

from __future__ import annotations

import inspect

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import MissingRuleError

from every_name import CANDIDATES, assert_same, public_functions
from every_name import call as _call
from every_name import first_candidate as _first_candidate

MODULES = {"numpy": (np, onp), "linalg": (np.linalg, onp.linalg), "fft": (np.fft, onp.fft),
           "random": (np.random, onp.random)}
NAMES = [(module, name) for module, (_, plain) in MODULES.items() for name in public_functions(plain)]


#: Names no candidate fits: they need a function, a dtype, a datetime, a string or an
#: iterator of their own, a tensor of matching halves (tensorinv), or x and y of a fit.
NO_CANDIDATE = {
    "isnat", "mask_indices", "promote_types", "tensorinv", "polyfit", "apply_along_axis",
    "apply_over_axes", "datetime_as_string", "datetime_data", "fromfunction", "fromiter",
    "frompyfunc", "fromstring", "isdtype", "issubdtype", "piecewise", "put_along_axis",
    "ravel_multi_index", "typename", "unpackbits", "unravel_index",
}


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_every_name_on_plain_arguments_gives_numpys_result(module, name):
    ours_module, plain_module = MODULES[module]
    plain, ours = getattr(plain_module, name), getattr(ours_module, name)
    is_random = module == "random"
    args = _first_candidate(plain, is_random)
    if args is None:
        assert name in NO_CANDIDATE, f"{module}.{name}: no candidate fits: add one, or list it"
        return
    assert_same(_call(ours, args, is_random), _call(plain, args, is_random), f"{module}.{name}")


#: numpy before 2.3 still reads any array as bytes in fromstring's deprecated binary mode, so
#: a candidate fits there and not in later versions.
FITS_IN_OLDER_NUMPY = {"fromstring"}


def test_no_candidate_list_names_only_names_no_candidate_fits():
    fitting = [name for module, name in NAMES
               if name in NO_CANDIDATE - FITS_IN_OLDER_NUMPY
               and _first_candidate(getattr(MODULES[module][1], name), module == "random") is not None]
    assert fitting == [], "these now have a candidate: remove them from NO_CANDIDATE"


# --- keywords: the same derivative as positional arguments ------------------------------------

DIFFERENTIABLE = [(module, name) for module in ("numpy", "linalg", "fft")
                  for name in MODULES[module][0].DIFFERENTIABLE]


#: Typical values of numpy's optional parameters, by name, tried in signature order.
TYPICAL = {"axis": 0, "keepdims": True, "ddof": 1, "k": 1, "n": 2, "ord": 2, "offset": 1,
           "axis1": 0, "axis2": 1, "UPLO": "U", "norm": "ortho", "full_matrices": False,
           "endpoint": False, "num": 4, "shift": 1, "mode": "constant", "kth": 1, "repeats": 2,
           "reps": 2, "decimals": 1, "start": 0, "deg": False, "tol": 100, "edge_order": 1,
           "s": None, "axes": None, "compute_uv": True, "hermitian": False, "rcond": 1e-15,
           "source": 0, "destination": 1, "shape": (3, 2), "indices_or_sections": 2,
           "indices": [0, 1], "pad_width": 1, "dtype": None, "order": "C", "rtol": 1e-15,
           "a_min": -0.5, "a_max": 0.5}


def _with_typical_options(plain, args):
    """``args`` extended, in signature order, by the typical value of each further parameter
    numpy accepts it for."""
    try:
        parameters = list(inspect.signature(plain).parameters.values())
    except (TypeError, ValueError):
        return args, []
    trial = args
    for parameter in parameters[len(args):]:
        if parameter.kind is not parameter.POSITIONAL_OR_KEYWORD or parameter.name not in TYPICAL:
            break
        trial = trial + (TYPICAL[parameter.name],)
        try:
            _call(plain, trial, False)
        except Exception:
            if len(trial) - len(args) >= 2:  # some come in pairs only (clip's a_min, a_max)
                break
            continue
        args = trial
    return args, parameters


#: numpy's other names of a parameter, taken by keyword only (the array API's ``min``/``max``).
KEYWORD_ONLY_NAMES = {"a_min": "min", "a_max": "max"}


def _keyword_forms(parameters, args):
    """Every way of passing the trailing arguments from some position on by their numpy
    names (the first argument included), and by their keyword-only names where numpy has
    them: ``(positional part, keywords)``."""
    forms = []
    names = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
    for start in range(len(args)):
        chosen = parameters[start:len(args)]
        if len(chosen) < len(args) - start or any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in chosen):
            continue
        keywords = {p.name: a for p, a in zip(chosen, args[start:])}
        forms.append((args[:start], keywords))
        aliased = {p.name for p in parameters[:len(args)]} & set(KEYWORD_ONLY_NAMES)
        if aliased and aliased <= set(keywords) and names >= {KEYWORD_ONLY_NAMES[k] for k in aliased}:
            forms.append((args[:start], {KEYWORD_ONLY_NAMES.get(k, k): a for k, a in keywords.items()}))
    return forms


def _reduced(out):
    """A real scalar of every output (lists of pieces included)."""
    if isinstance(out, (list, tuple)):
        return sum(_reduced(piece) for piece in out)
    return np.real(np.sum(np.square(np.abs(out))))


def _is_float_array(value) -> bool:
    return isinstance(value, onp.ndarray) and value.dtype.kind == "f"


def _differentiable_candidate(plain):
    """The first candidate numpy accepts that holds a float array to differentiate."""
    for args in CANDIDATES:
        if any(_is_float_array(a) for a in args):
            try:
                _call(plain, args, False)
            except Exception:
                continue
            return args
    return None


def _derivatives(call, at):
    """The gradient and the tangent (along ones) of ``_reduced(call(v))`` at ``v = at``."""
    def f(v):
        return _reduced(call(v))

    return gradviz.grad(f)(at), gradviz.jvp(f, (at,), (onp.ones_like(at),))[1]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("module", "name"), DIFFERENTIABLE, ids=[f"{m}.{n}" for m, n in DIFFERENTIABLE])
def test_keyword_arguments_give_the_same_derivative_as_positional_ones(module, name):
    """Constants and traced values alike: each float array argument is differentiated in
    turn, with it and the arguments around it passed by keyword in every way numpy allows."""
    ours_module, plain_module = MODULES[module]
    plain = getattr(plain_module, name, None)
    if plain is None:
        pytest.skip(f"numpy has no {module}.{name}")
    args = _differentiable_candidate(plain)
    if args is None:
        pytest.skip(f"{name}: no candidate holds a float array")
    args, parameters = _with_typical_options(plain, args)
    forms = _keyword_forms(parameters, args)
    if not forms:
        pytest.skip(f"{name}: numpy takes none of these arguments by keyword (positional-only, or *args)")
    ours = getattr(ours_module, name)
    for position in [k for k, a in enumerate(args) if _is_float_array(a) or type(a) is float]:
        def positional(v, position=position):
            return ours(*args[:position], v, *args[position + 1:])

        try:
            expected, expected_tangent = _derivatives(positional, args[position])
        except MissingRuleError:  # an index or a count (roll's shift): no derivative to compare
            assert position > 0, f"{name} has no rule for its first argument"
            continue
        for leading, keywords in forms:
            def by_keyword(v, position=position, leading=leading, keywords=keywords):
                if position < len(leading):
                    return ours(*leading[:position], v, *leading[position + 1:], **keywords)
                key = list(keywords)[position - len(leading)]
                return ours(*leading, **{**keywords, key: v})

            gradient, tangent = _derivatives(by_keyword, args[position])
            where = f"argument {position} traced, keywords {sorted(keywords)}"
            onp.testing.assert_allclose(gradient, expected, err_msg=where)
            onp.testing.assert_allclose(tangent, expected_tangent, err_msg=where)
