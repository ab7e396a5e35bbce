"""autograd's ``test_util``: curried gradient checks for test suites, with blame.

``check_grads(f, argnum=0, modes=["fwd", "rev"], order=2)(*args)`` checks forward mode
against central finite differences (``J v``) and reverse mode against them too
(``⟨u, J v⟩ = ⟨Jᵀu, v⟩``), then, for ``order`` above 1, the derivatives of the derivative
in the same modes: with ``modes=["rev"]`` everything is reverse mode (reverse over
reverse), so a primitive with only an adjoint rule is checked to any order. A failure
raises :class:`~gradviz.debug.gradcheck.GradientCheckError` (an ``AssertionError``) whose
message names the operation whose own rule is wrong, found by gradviz's debugger.

Example:
    >>> import gradviz.numpy as np
    >>> check_grads(lambda x, y: np.sin(x) * y, argnum=(0, 1), modes=["rev"])(0.5, 2.0)
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

import numpy as onp

from gradviz.debug.gradcheck import GradientCheckError
from gradviz.debug.numerical import numerical_jvp, tolerances
from gradviz.differential import _selecting, make_jvp, make_vjp
from gradviz.engine.tracer import unbox
from gradviz.engine.tree import flatten
from gradviz.errors import MissingRuleError
from gradviz.extend import vspace
from gradviz.util import unary_to_nary

__all__ = ["check_grads", "combo_check", "check_vjp", "check_jvp", "check_equivalent",
           "scalar_close", "make_numerical_jvp", "unary_to_nary", "TOL", "RTOL", "EPS"]

#: autograd's constants: the absolute and relative tolerances of its checks, and the step of
#: :func:`make_numerical_jvp`. gradviz's own checks choose their steps and tolerances per
#: dtype (:mod:`gradviz.debug.numerical`).
TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6
_TOLERANCE = TOL


def scalar_close(a: Any, b: Any) -> bool:
    """``a ≈ b`` to a relative (or, near zero, absolute) 1e-6.

    Example:
        >>> scalar_close(1.0, 1.0 + 1e-9), scalar_close(1.0, 1.1)
        (True, False)
    """
    a, b = complex(unbox(a)), complex(unbox(b))
    return abs(a - b) < _TOLERANCE or abs(a - b) / max(abs(a + b), 1e-300) < _TOLERANCE


def check_equivalent(x: Any, y: Any) -> None:
    """Assert ``x`` and ``y`` are the same kind of value (structure, shapes, dtypes) and close.

    Example:
        >>> check_equivalent({"w": 1.0}, {"w": 1.0 + 1e-12})
    """
    x_space, y_space = vspace(x), vspace(y)
    if x_space != y_space:
        raise AssertionError(f"not the same kind of value: {x_space} and {y_space}")
    for a, b in zip(flatten(x)[0], flatten(y)[0]):
        a, b = onp.asarray(unbox(a)), onp.asarray(unbox(b))
        if not onp.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True):
            raise AssertionError(f"values differ: {a!r} and {b!r}")


def make_numerical_jvp(f: Callable, x: Any) -> Callable:
    """``v ↦ (f(x + v·EPS/2) − f(x − v·EPS/2)) / EPS``, in ``x``'s and ``f(x)``'s vector spaces
    (so for a value type of the user's own too), as autograd's.

    Example:
        >>> jvp = make_numerical_jvp(lambda x: x ** 3, 2.0)
        >>> round(jvp(1.0), 4)
        12.0
    """
    x_space, y_space = vspace(x), vspace(f(x))

    def jvp(v: Any) -> Any:
        up = f(x_space.add(x, x_space.scalar_mul(v, EPS / 2)))
        down = f(x_space.add(x, x_space.scalar_mul(v, -EPS / 2)))
        return y_space.scalar_mul(y_space.add(up, y_space.scalar_mul(down, -1.0)), 1.0 / EPS)

    return jvp


def _pairing(a: Any, b: Any) -> float:
    """``Re Σ a·b`` over every leaf, no conjugate (the pairing of an adjoint with a tangent)."""
    return float(sum(onp.real(onp.sum(onp.asarray(unbox(p)) * onp.asarray(unbox(q))))
                     for p, q in zip(flatten(a)[0], flatten(b)[0])))


def _numeric(f: Callable, x: Any, v: Any) -> Any:
    return numerical_jvp(f, [x], [v], tolerances(*flatten(x)[0])[0])


def check_vjp(f: Callable, x: Any) -> None:
    """Check ``f``'s reverse mode at ``x``: ``⟨Jᵀu, v⟩`` against ``⟨u, J v⟩``, ``J v`` by finite
    differences, for random ``u`` and ``v`` (no tangent rule is needed)."""
    vjp_fn, y = make_vjp(f)(x)
    v, u = vspace(x).randn(), vspace(y).randn()
    expected, got = _pairing(u, _numeric(f, x, v)), _pairing(vjp_fn(u), v)
    _, rtol, atol = tolerances(*flatten(x)[0])
    if abs(expected - got) > rtol * max(abs(expected), 1.0) + atol:
        _fail(f, x, f"reverse mode of {_name(f)}() disagrees with finite differences: "
                    f"⟨u, J v⟩ = {expected:.6g} but ⟨Jᵀu, v⟩ = {got:.6g}")


def check_jvp(f: Callable, x: Any) -> None:
    """Check ``f``'s forward mode at ``x``: ``J v`` against finite differences, random ``v``."""
    v = vspace(x).randn()
    y, tangent = make_jvp(f)(x)(v)
    u = vspace(y).randn()
    expected, got = _pairing(u, _numeric(f, x, v)), _pairing(u, tangent)
    _, rtol, atol = tolerances(*flatten(x)[0])
    if abs(expected - got) > rtol * max(abs(expected), 1.0) + atol:
        _fail(f, x, f"forward mode of {_name(f)}() disagrees with finite differences: "
                    f"⟨u, J v⟩ = {expected:.6g} by differences but {got:.6g} by its JVP")


def check_grads(f: Callable, argnum: int | Sequence[int] = 0,
                modes: Sequence[str] = ("fwd", "rev"), order: int = 2) -> Callable:
    """autograd's curried check: ``check_grads(f, argnum, modes, order)(*args, **kwargs)``.

    Raises ``GradientCheckError`` (an ``AssertionError``) naming the wrong rule.

    Example:
        >>> import gradviz.numpy as np
        >>> check_grads(np.tanh)(np.array([0.1, -0.7]))
        >>> check_grads(lambda w, x: np.dot(x, w), modes=["rev"], order=3)(np.ones(2), np.eye(2))
    """
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise ValueError(f"check_grads() modes are 'fwd' and 'rev', got {list(modes)!r}")

    def check(*args, **kwargs):
        selected_fun, position, arguments = _selecting(f, argnum)
        args = arguments(args)

        def unary(x):
            return selected_fun(*args[:position], x, *args[position + 1:], **kwargs)

        unary.__name__ = _name(f)
        _check_unary(unary, args[position], tuple(modes), order)

    return check


def _check_unary(f: Callable, x: Any, modes: tuple, order: int) -> None:
    if "fwd" in modes:
        check_jvp(f, x)
    if "rev" in modes:
        check_vjp(f, x)
    if order > 1:
        if "rev" in modes:
            u = vspace(f(x)).randn()
            check_grads(lambda x, u: make_vjp(f)(x)[0](u), (0, 1), modes, order - 1)(x, u)
        if "fwd" in modes:
            v = vspace(x).randn()
            check_grads(lambda x, v: make_jvp(f)(x)(v)[1], (0, 1), modes, order - 1)(x, v)


def combo_check(fun: Callable, *args, **kwargs) -> Callable:
    """``combo_check(fun, argnum, modes=…, order=…)(arg lists…, keyword=value lists…)`` runs
    :func:`check_grads` on every combination of the listed arguments and keyword values.

    Example:
        >>> import numpy, gradviz.numpy as np
        >>> combo_check(np.sum, [0], modes=["rev"])([numpy.ones((2, 3))], axis=[None, 0, 1])
    """

    def run(*arg_lists, **kwarg_lists):
        keys = list(kwarg_lists)
        for chosen in itertools.product(*arg_lists):
            for values in itertools.product(*kwarg_lists.values()):
                check_grads(fun, *args, **kwargs)(*chosen, **dict(zip(keys, values)))

    return run


def _name(f: Callable) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _fail(f: Callable, x: Any, message: str) -> None:
    report = None
    try:
        from gradviz.debug.localise import localise

        report = localise(f, x)
    except MissingRuleError as error:
        kind = "tangent" if error.kind == "JVP" else "adjoint"
        message += f"; a primitive has no {kind} rule, so its rules could not be checked one by one"
    except Exception:  # noqa: BLE001  blaming is a bonus: never hide the verdict behind it
        pass
    if report is not None:
        first = report.first
        message += (f"; blamed: {first.describe()}" if first is not None else
                    "; every recorded operation's own rules agree with finite differences")
    raise GradientCheckError(message, report=report)
