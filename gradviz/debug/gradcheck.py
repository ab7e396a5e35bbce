"""Checking derivatives against finite differences and against the other mode, with blame.

For every input, along a random direction ``v`` of that input and a random output weight
``u``: forward mode against central finite differences, ``J v ≈ (f(x + hv) − f(x − hv)) / 2h``;
reverse mode against forward mode by the dot-product identity ``⟨u, J v⟩ = ⟨Jᵀu, v⟩``. Order
2 checks the derivatives of the derivative the same way (forward over forward, reverse over
reverse). When a check fails, :func:`~gradviz.debug.localise.localise` checks every node's
own rules on its recorded inputs and the error names the first operation whose rule is wrong.
"""

from __future__ import annotations

import warnings

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as onp

from gradviz.differential import GradvizWarning, jvp, vjp
from gradviz.engine.tracer import unbox
from gradviz.engine.tree import flatten, unflatten
from gradviz.debug._values import inner
from gradviz.debug.localise import localise
from gradviz.debug.numerical import numerical_jvp, tolerances
from gradviz.errors import GradvizError

__all__ = [
    "check_grads", "compare_modes", "InputCheck", "GradientCheckError"]


class GradientCheckError(GradvizError, AssertionError):
    """A derivative disagreed with finite differences or with the other mode.

    Attributes:
        checks: the :class:`InputCheck` of every input at the order that failed.
        report: the local :class:`~gradviz.debug.localise.CheckReport` (``report.first`` is
            the blamed rule), or ``None``.
    """

    def __init__(self, message: str, checks=(), report=None):
        super().__init__(message)
        self.checks = list(checks)
        self.report = report


@dataclass
class InputCheck:
    """One input's three numbers along ``v`` (weighted by ``u``), and their verdicts.

    For a scalar input and output, ``v = u = 1``: the three are ``∂f/∂x`` itself.
    """

    name: str
    forward: float
    reverse: float | None
    numeric: float | None
    forward_ok: bool
    reverse_ok: bool

    @property
    def ok(self) -> bool:
        return self.forward_ok and self.reverse_ok


# --- directions and inner products ---------------------------------------------------------------


def _random_like(value: Any, rng: onp.random.Generator, *, one: bool = False) -> Any:
    raw = onp.asarray(unbox(value))
    dtype = raw.dtype if onp.issubdtype(raw.dtype, onp.inexact) else onp.dtype(onp.float64)
    complex_valued = onp.issubdtype(dtype, onp.complexfloating)
    # A real scalar's derivative is shown as itself. A complex one is not probed along 1 alone:
    # Re(ū·f′(z)·1) cannot tell a right adjoint f′ from a conjugated one.
    if one and raw.ndim == 0 and not complex_valued:
        return dtype.type(1.0)
    sample = rng.standard_normal(raw.shape).astype(dtype)
    if complex_valued:
        sample = sample + 1j * rng.standard_normal(raw.shape).astype(dtype)
    return sample if raw.shape else dtype.type(sample)


def _zeros_like(value: Any) -> Any:
    raw = onp.asarray(unbox(value))
    dtype = raw.dtype if onp.issubdtype(raw.dtype, onp.inexact) else onp.dtype(onp.float64)
    return onp.zeros(raw.shape, dtype) if raw.shape else dtype.type(0.0)


def _inner(a: Any, b: Any) -> float:
    """``Re Σ a·b`` over all leaves, without a conjugate: autograd's pairing of an adjoint with
    a tangent, under which a complex adjoint is the transpose ``Jᵀu`` (not ``Jᴴu``)."""
    return sum(inner(x, y) for x, y in zip(flatten(a)[0], flatten(b)[0]))


def _magnitude(a: Any, b: Any) -> float:
    """``Σ|a|·|b|``: the size of ``⟨a, b⟩`` before cancellation, for a relative tolerance."""
    a_leaves, _ = flatten(a)
    b_leaves, _ = flatten(b)
    return float(sum(onp.sum(onp.abs(onp.asarray(unbox(x))) * onp.abs(onp.asarray(unbox(y))))
                     for x, y in zip(a_leaves, b_leaves)))


def _close(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    got_leaves, _ = flatten(got)
    expected_leaves, _ = flatten(expected)
    return all(onp.allclose(onp.asarray(unbox(g)), onp.asarray(unbox(e)), rtol=rtol, atol=atol)
               for g, e in zip(got_leaves, expected_leaves))


# --- every input, both modes ---------------------------------------------------------------------


def _leaf_names(f: Callable, args: Sequence) -> list[str]:
    from gradviz.differential import _argument_names, _leaf_paths

    names = _argument_names(f, len(args))
    return [names[k] + path for k, arg in enumerate(args) for path in _leaf_paths(flatten(arg)[1])]


def compare_modes(
    f: Callable,
    *args: Any,
    modes: Sequence[str] = ("fwd", "rev"),
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> list[InputCheck]:
    """Forward, reverse and finite differences for every input leaf of ``f`` at ``args``.

    Example:
        >>> import gradviz.numpy as np
        >>> [(c.name, round(c.forward, 4), round(c.reverse, 4), round(c.numeric, 4))
        ...  for c in compare_modes(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)]
        [('x1', 4.5839, 4.5839, 4.5839), ('x2', 2.0, 2.0, 2.0)]
    """
    leaves, treedef = flatten(list(args))
    default_eps, default_rtol, default_atol = tolerances(*leaves)
    eps, rtol, atol = eps or default_eps, rtol or default_rtol, atol or default_atol
    rng = onp.random.default_rng(seed)
    out, vjp_fn = vjp(f, *args)
    out_leaves, out_treedef = flatten(out)
    u = unflatten(out_treedef, [_random_like(leaf, rng, one=True) for leaf in out_leaves])
    cotangents = flatten(list(vjp_fn(u)))[0] if "rev" in modes else None
    checks = []
    for k, name in enumerate(_leaf_names(f, args)):
        v = _random_like(leaves[k], rng, one=True)
        direction = unflatten(treedef, [v if i == k else _zeros_like(x) for i, x in enumerate(leaves)])
        _, tangent = jvp(f, args, direction)
        forward = _inner(u, tangent)
        numeric, forward_ok = None, True
        if "fwd" in modes:
            expected = numerical_jvp(f, args, direction, eps)
            numeric, forward_ok = _inner(u, expected), _close(tangent, expected, rtol, atol)
        reverse, reverse_ok = None, True
        if cotangents is not None:
            reverse = _inner(cotangents[k], v)
            scale = max(_magnitude(u, tangent), abs(forward))
            reverse_ok = bool(abs(forward - reverse) <= rtol * scale + atol)
        checks.append(InputCheck(name, forward, reverse, numeric, forward_ok, reverse_ok))
    return checks


def check_grads(
    f: Callable,
    *args: Any,
    modes: Sequence[str] = ("fwd", "rev"),
    order: int = 2,
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
    blame: bool = True,
    reverse_over_reverse: bool = True,
) -> None:
    """Check ``f``'s derivatives at ``args``; raise :class:`GradientCheckError` if wrong.

    ``"fwd"`` compares forward mode with central finite differences, ``"rev"`` reverse mode
    with forward mode, for every input; ``order=2`` repeats both on the derivatives. The
    tolerances suit float32 when any input is single precision. On failure, ``blame=True``
    checks every operation's own rules and the message names the first wrong one. At order 2
    the directional derivative ``x ↦ J(x)·v`` is checked in both modes (forward over forward,
    reverse over forward), and so is ``x ↦ J(x)ᵀ·u`` unless ``reverse_over_reverse=False``.
    Complex values pair as in autograd, ``⟨u, w⟩ = Re Σ u·w`` with no conjugate, so the
    adjoint of a holomorphic ``f`` must be ``ȳ·f′(z)``.

    Example:
        >>> import gradviz.numpy as np
        >>> check_grads(lambda x: np.sin(x) * x, np.array([0.3, 1.2]))
    """
    if order < 1:
        raise GradvizError(f"check_grads() order must be 1 or more, got {order!r}")
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise GradvizError(f"check_grads() modes are 'fwd' and 'rev', got {tuple(modes)!r}")
    checks = compare_modes(f, *args, modes=modes, eps=eps, rtol=rtol, atol=atol, seed=seed)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise _failure(f, args, checks, failed[0], blame, seed)
    if order > 1:
        kinds = ("fwd", "rev") if reverse_over_reverse else ("fwd",)
        # The derivative of a linear function is constant: that is expected here, not a
        # warning worth showing the user.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GradvizWarning)
            for derivative in _derivatives(f, args, kinds, seed):
                check_grads(derivative, *args, modes=modes, order=order - 1, eps=eps, rtol=rtol,
                            atol=atol, seed=seed + 1, blame=blame,
                            reverse_over_reverse=reverse_over_reverse)


def _derivatives(f: Callable, args: Sequence, kinds: Sequence[str], seed: int) -> list[Callable]:
    """``x ↦ J(x)·v`` for ``"fwd"`` and ``x ↦ J(x)ᵀ·u`` for ``"rev"``, fixed random v and u."""
    rng = onp.random.default_rng(seed + 1000)
    name = getattr(f, "__name__", "f")
    result = []
    if "fwd" in kinds:
        v = []
        for a in args:
            leaves, treedef = flatten(a)
            v.append(unflatten(treedef, [_random_like(x, rng) for x in leaves]))

        def forward_derivative(*xs):
            return jvp(f, xs, v)[1]

        forward_derivative.__name__ = f"jvp({name})"
        result.append(forward_derivative)
    if "rev" in kinds:
        out_leaves, out_treedef = flatten(f(*args))
        u = unflatten(out_treedef, [_random_like(leaf, rng) for leaf in out_leaves])

        def reverse_derivative(*xs):
            return vjp(f, *xs)[1](u)

        reverse_derivative.__name__ = f"vjp({name})"
        result.append(reverse_derivative)
    return result


def _failure(f, args, checks, check: InputCheck, blame: bool, seed: int) -> GradientCheckError:
    name = getattr(f, "__name__", "f")
    if not check.forward_ok:
        message = (f"forward mode of {name}() disagrees with finite differences for input "
                   f"{check.name}: got {check.forward:.6g}, expected {check.numeric:.6g}")
    else:
        message = (f"reverse mode of {name}() disagrees with forward mode for input {check.name}: "
                   f"⟨u, J v⟩ = {check.forward:.6g} but ⟨Jᵀu, v⟩ = {check.reverse:.6g}")
    if not onp.isfinite([check.forward] + [x for x in (check.reverse, check.numeric) if x is not None]).all():
        message += " (a NaN or Inf: gradviz.nan_birth(gradviz.trace(f, ...)) shows where it was born)"
    report = None
    if blame:
        report = _blame(f, args, seed)
        first = None if report is None else report.first
        message += (f"; blamed: {first.describe()}" if first is not None else
                    "; every recorded operation's rules agree with finite differences")
    return GradientCheckError(message, checks, report)


def _blame(f, args, seed: int):
    try:
        return localise(f, *args, seed=seed)
    except Exception:  # noqa: BLE001
        return None  # blaming is a bonus: never hide the check's own verdict behind it
