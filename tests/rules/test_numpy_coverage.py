"""Coverage: every function autograd differentiates has both a tangent and an adjoint rule."""

from __future__ import annotations

import autograd.core as core
import autograd.numpy as anp
import pytest

import gradviz.numpy as np
from gradviz.engine.tracer import Primitive
from gradviz.rules import NONDIFFERENTIABLE, RULES

#: The public functions of ``autograd.numpy`` 1.9.1 with an adjoint rule (its primitive_vjps),
#: plus those it differentiates through wrappers (mean, var, std, where, joins and ``array``).
AUTOGRAD = """
abs absolute acos acosh add amax amin angle arccos arccosh arcsin arcsinh arctan arctan2
arctanh array_split asin asinh astype atan atan2 atanh atleast_1d atleast_2d atleast_3d
broadcast_to clip conj conjugate cos cosh cross cumsum deg2rad degrees diag diagonal diff
divide dot dsplit einsum exp exp2 expand_dims expm1 fabs fliplr flipud fmax fmin full gradient
hsplit hypot imag inner kron linspace log log10 log1p log2 logaddexp logaddexp2 make_diagonal
matmul max maximum min minimum mod moveaxis multiply nan_to_num negative outer pad partition
permute_dims pow power prod rad2deg radians ravel real real_if_close reciprocal remainder repeat
reshape roll rollaxis rot90 sin sinc sinh sort split sqrt square squeeze subtract sum swapaxes
tan tanh tensordot tile trace transpose tril triu true_divide vsplit
mean var std where concatenate stack hstack vstack column_stack append array
""".split()


def _primitive(name: str) -> Primitive:
    function = getattr(np, name)
    return getattr(function, "primitive", function)


def _argnums(primitive, kind: str) -> set[int]:
    if getattr(primitive, f"{kind}_for") is not None:  # any number of arguments (stack, einsum)
        rule = getattr(primitive, f"{kind}_rule")
        return {argnum for argnum in range(1, 4) if rule(argnum) is not None}
    return set(getattr(primitive, f"{kind}s"))


def test_autograd_list_is_the_installed_autograds():
    differentiated = set()
    for name in dir(anp):
        try:
            if not name.startswith("_") and getattr(anp, name) in core.primitive_vjps:
                differentiated.add(name)
        except TypeError:  # unhashable attributes
            continue
    internal = {"array_from_args", "concatenate_args"}  # autograd's own helpers behind array
    assert sorted(differentiated - internal - set(AUTOGRAD)) == []


@pytest.mark.parametrize("name", sorted(set(AUTOGRAD) | set(np.DIFFERENTIABLE)))
def test_function_has_tangent_and_adjoint_rules(name):
    assert name in np.DIFFERENTIABLE, f"{name} is missing from gradviz.numpy.DIFFERENTIABLE"
    primitive = _primitive(name)
    assert isinstance(primitive, Primitive) and primitive.differentiable
    assert RULES.get(primitive.name) is primitive
    jvps, vjps = _argnums(primitive, "jvp"), _argnums(primitive, "vjp")
    assert vjps, f"{name} has no VJP rule"
    assert jvps == vjps, f"{name}: JVP rules for arguments {jvps}, VJP rules for {vjps}"


@pytest.mark.parametrize("name", np.NONDIFFERENTIABLE)
def test_nondifferentiable_function_is_recorded_without_rules(name):
    primitive = getattr(np, name)
    assert isinstance(primitive, Primitive) and not primitive.differentiable
    assert NONDIFFERENTIABLE.get(primitive.name) is primitive
    assert not primitive.jvps and not primitive.vjps


def test_lists_are_disjoint_and_unique():
    assert len(set(np.DIFFERENTIABLE)) == len(np.DIFFERENTIABLE)
    assert len(set(np.NONDIFFERENTIABLE)) == len(np.NONDIFFERENTIABLE)
    assert not set(np.DIFFERENTIABLE) & set(np.NONDIFFERENTIABLE)


def test_elementwise_and_smooth_marks():
    assert np.sin.info["elementwise"] and np.where.info["elementwise"]
    assert "elementwise" not in np.sum.info and "elementwise" not in np.dot.info
    for name in ("abs", "maximum", "minimum", "clip", "max", "min", "fmax", "fmin", "mod"):
        assert _primitive(name).info["smooth"] is False, name
