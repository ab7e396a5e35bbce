"""Every row of the numpy rule table, checked by one parametrized test.

Every call of every rule (shapes and extra arguments, below) is a test case; hypothesis draws
seeds, from which the arrays are drawn uniformly on the rule's domain (continuous draws, so no
ties for ``max``, ``sort`` or ``maximum``). The tangent rule is compared
with central finite differences, the adjoint rule with the tangent rule by the dot-product
identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩, and smooth rules are checked again on their own derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as onp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradviz.numpy as np
from gradviz.debug.gradcheck import check_grads
from gradviz.engine.tracer import Primitive
from gradviz.rules import RULES, numpy_rules
from gradviz.rules.domains import REALS, Domain


@dataclass(frozen=True)
class Call:
    """One way to call a rule: a function of the drawn arrays and their shapes."""

    fun: Callable
    shapes: tuple
    domains: tuple[Domain, ...] = field(default=())


def _table() -> dict[str, Primitive]:
    """The differentiable primitives defined by the numpy table, by name."""
    registered = {id(p) for p in RULES.values()}
    found = {}
    for value in vars(numpy_rules).values():
        if isinstance(value, Primitive) and value.differentiable and id(value) in registered:
            found[value.name] = value
    return found


TABLE = _table()
CLIPPED = Domain("reals away from ±1", -3.0, 3.0, avoid=(-1.0, 1.0), margin=0.1)
MASK = onp.array([[True, False, True], [False, False, True]])
INDEX = onp.array([[0, 2, 2], [1, 0, 1]])
C = Call
U = ((2, 3),)

#: The calls of every rule that is not a numpy ufunc (ufuncs are called on broadcast shapes).
CALLS: dict[str, list[Call]] = {
    # complex parts, types, selection
    "sinc": [C(np.sinc, U)],
    "real": [C(np.real, U)],
    "imag": [C(lambda x: np.imag(x) + x, U)],
    "angle": [C(lambda x: np.angle(x) + x, U)],
    "real_if_close": [C(np.real_if_close, U)],
    "astype": [C(lambda x: np.astype(x, onp.float64), U)],
    "nan_to_num": [C(np.nan_to_num, U)],
    "clip": [C(lambda x: np.clip(x, -1.0, 1.0), U, (CLIPPED,)), C(lambda x: x.clip(max=1.0), U, (CLIPPED,))],
    "where": [C(lambda x, y: np.where(MASK, x, y), ((2, 3), (3,))),
              C(lambda x, y: np.select([MASK, ~MASK[0]], [x, y], default=2.0), ((2, 3), (3,))),
              C(lambda x, y: np.select([MASK], [x], default=y), ((2, 3), (2, 3)))],
    # reductions
    "sum": [C(np.sum, U), C(lambda x: np.sum(x, axis=(0, 2), keepdims=True), ((2, 3, 2),)), C(lambda x: x.sum(1), U)],
    "mean": [C(np.mean, U), C(lambda x: np.mean(x, axis=1), U), C(lambda x: x.mean(axis=0, keepdims=True), U)],
    "prod": [C(np.prod, U), C(lambda x: x.prod(axis=0), U)],
    "max": [C(np.max, U), C(lambda x: np.max(x, axis=1, keepdims=True), U), C(lambda x: x.max(0), U)],
    "amax": [C(lambda x: np.amax(x, axis=0), U)],
    "min": [C(np.min, U), C(lambda x: x.min(axis=1), U)],
    "amin": [C(lambda x: np.amin(x, axis=(0, 1)), U)],
    "var": [C(np.var, U), C(lambda x: np.var(x, axis=0, ddof=1), U), C(lambda x: x.var(1, keepdims=True), U)],
    "std": [C(np.std, U), C(lambda x: np.std(x, axis=1, ddof=1, keepdims=True), U), C(lambda x: x.std(0), U)],
    "cumsum": [C(np.cumsum, U), C(lambda x: np.cumsum(x, axis=1), U), C(lambda x: x.cumsum(-2), U)],
    "diff": [C(np.diff, U), C(lambda x: np.diff(x, n=2, axis=0), ((4, 2),))],
    "trace": [C(np.trace, ((3, 3),)), C(lambda x: np.trace(x, 1, 0, 2), ((3, 2, 4),))],
    "gradient": [C(np.gradient, ((5,),)), C(lambda x: np.gradient(x, 0.5, axis=1), ((3, 4),)), C(np.gradient, ((3, 2),))],
    "gradient_transpose": [C(lambda g: numpy_rules._gradient_transpose(g, 0.5, 1, 1), ((2, 4),))],
    # products
    "dot": [C(np.dot, s) for s in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 2, 3), (4, 3, 2)), ((), (3,))]],
    "matmul": [C(np.matmul, s) for s in [((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,)), ((3,), (3,))]]
    + [C(lambda a, b: a @ b, ((2, 3), (3,)))],
    "inner": [C(np.inner, s) for s in [((3,), (3,)), ((2, 3), (4, 3)), ((), (2,))]],
    "outer": [C(np.outer, s) for s in [((3,), (2,)), ((2, 2), (3,))]],
    "tensordot": [
        C(np.tensordot, ((2, 3, 4), (3, 4, 2))),
        C(lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])), ((2, 3, 4), (4, 2))),
        C(lambda a, b: np.tensordot(a, b, axes=0), ((2,), (3,))),
    ],
    "kron": [C(np.kron, s) for s in [((2, 3), (2, 2)), ((3,), (2, 2)), ((2,), (3,))]],
    "cross": [C(np.cross, ((3,), (3,))), C(np.cross, ((2, 3), (3,))), C(lambda a, b: np.cross(a, b, axisa=0), ((3, 2), (2, 3)))],
    "einsum": [
        C(lambda a, b: np.einsum("ij,jk->ik", a, b), ((2, 3), (3, 4))),
        C(lambda a: np.einsum("ij->i", a), U),
        C(lambda a, b: np.einsum("i,i", a, b), ((3,), (3,))),
        C(lambda a, b: np.einsum("...j,jk->...k", a, b), ((2, 2, 3), (3, 2))),
        C(lambda a, b: np.einsum("ij,kj", a, b), ((2, 3), (4, 3))),
        C(lambda a, b: np.einsum("ij,k->ijk", a, b), ((2, 3), (2,))),
        C(lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), ((2, 3), (3, 4))),
        C(lambda a, b: np.einsum(a, [Ellipsis, 1], b, [1]), ((2, 2, 3), (3,))),
    ],
    # shapes
    "reshape": [C(lambda x: np.reshape(x, (3, 2)), U), C(lambda x: x.reshape(-1), U), C(lambda x: x.reshape(3, 1, 2), U)],
    "ravel": [C(np.ravel, U), C(lambda x: x.flatten(), U)],
    "squeeze": [C(np.squeeze, ((2, 1, 3),)), C(lambda x: x.squeeze(0), ((1, 3),))],
    "expand_dims": [C(lambda x: np.expand_dims(x, 1), U)],
    "atleast_1d": [C(np.atleast_1d, ((),))],
    "atleast_2d": [C(np.atleast_2d, ((3,),))],
    "atleast_3d": [C(np.atleast_3d, U), C(lambda x, y: np.atleast_3d(x, y), ((3,), (2, 2)))],
    "transpose": [C(np.transpose, ((2, 3, 4),)), C(lambda x: np.transpose(x, (1, 2, 0)), ((2, 3, 4),)), C(lambda x: x.T, U),
                  C(lambda x: x.transpose(1, 0, 2), ((2, 3, 2),)), C(lambda x: np.permute_dims(x, (1, 0)), U)],
    "swapaxes": [C(lambda x: np.swapaxes(x, 0, 2), ((2, 3, 4),)), C(lambda x: x.swapaxes(0, 1), U)],
    "moveaxis": [C(lambda x: np.moveaxis(x, 0, -1), ((2, 3, 4),))],
    "rollaxis": [C(lambda x: np.rollaxis(x, 2), ((2, 3, 4),)), C(lambda x: np.rollaxis(x, 0, 3), ((2, 3, 4),))],
    "broadcast_to": [C(lambda x: np.broadcast_to(x, (2, 3)), ((3,),)), C(lambda x: np.broadcast_to(x, (2, 3)), ((2, 1),))],
    "flip": [C(lambda x: np.flip(x, 1), U), C(np.flip, U)],
    "fliplr": [C(np.fliplr, U)],
    "flipud": [C(np.flipud, U)],
    "rot90": [C(np.rot90, U), C(lambda x: np.rot90(x, 3, (1, 0)), U)],
    "roll": [C(lambda x: np.roll(x, 2), U), C(lambda x: np.roll(x, (1, 2), (0, 1)), U)],
    "tril": [C(np.tril, ((3, 3),)), C(lambda x: np.tril(x, -1), ((3, 4),))],
    "triu": [C(np.triu, ((3, 3),)), C(lambda x: np.triu(x, 1), ((3, 4),))],
    "diag": [C(np.diag, ((3,),)), C(lambda x: np.diag(x, 1), ((3, 4),)), C(lambda x: np.diag(x, -1), ((2,),))],
    "diagonal": [C(np.diagonal, ((3, 4),)), C(lambda x: np.diagonal(x, 1, 1, 2), ((2, 3, 3),)), C(lambda x: x.diagonal(-1), ((3, 3),))],
    "make_diagonal": [C(np.make_diagonal, ((3,),)), C(lambda d: np.make_diagonal(d, 1, -1, -2), ((2, 3),))],
    "place_diagonal": [C(lambda d: numpy_rules._place_diagonal(d, -1, 0, 1, (3, 4)), ((2,),))],
    "repeat": [C(lambda x: np.repeat(x, 2), U), C(lambda x: np.repeat(x, 3, axis=1), U), C(lambda x: x.repeat([1, 0, 2], axis=1), U)],
    "tile": [C(lambda x: np.tile(x, 2), ((3,),)), C(lambda x: np.tile(x, (2, 1, 2)), U)],
    "pad": [C(lambda x: np.pad(x, 1), U), C(lambda x: np.pad(x, ((0, 1), (2, 0)), constant_values=3.0), U)],
    "full": [C(lambda v: np.full((2, 3), v), ((),)), C(lambda v: np.full((2, 3), v), ((3,),))],
    "linspace": [C(lambda a, b: np.linspace(a, b, 5), ((), ())), C(lambda a, b: np.linspace(a, b, 4, endpoint=False), ((2,), (2,)))],
    # indexing and sorting
    "getitem": [C(lambda x: x[1], U), C(lambda x: x[:, ::2], U), C(lambda x: x[[0, 0, 1]], U), C(lambda x: x[MASK], U),
                C(lambda x: x[None, 1:, INDEX[0]], U), C(lambda x: [v for v in x][1], U)],
    "untake": [C(lambda g: numpy_rules.untake(g, ([0, 2, 2],), (4,)), ((3,),)), C(lambda g: numpy_rules.untake(g, (slice(None), 1), (2, 3)), ((2,),))],
    "take": [C(lambda x: np.take(x, [0, 2, 2], axis=1), U), C(lambda x: np.take(x, 4), U), C(lambda x: x.take(INDEX, axis=1), U)],
    "untake_along": [C(lambda g: numpy_rules._untake_along(g, onp.array([1, 1]), 0, (3, 2)), ((2, 2),))],
    "take_along_axis": [C(lambda x: np.take_along_axis(x, INDEX, axis=1), U)],
    "add_along_axis": [C(lambda g: numpy_rules._add_along_axis(g, INDEX, 1, (2, 3)), U)],
    "sort": [C(np.sort, ((5,),)), C(lambda x: np.sort(x, axis=0), ((3, 2),)), C(lambda x: np.sort(x, axis=None), U)],
    "partition": [C(lambda x: np.partition(x, 2), ((5,),)), C(lambda x: np.partition(x, 1, axis=0), ((3, 2),))],
    # joining and splitting
    "concatenate": [
        C(lambda x, y: np.concatenate([x, y]), ((2,), (3,))),
        C(lambda x, y: np.concatenate((x, y), axis=1), ((2, 3), (2, 1))),
        C(lambda x, y: np.concatenate([x, y], axis=None), (U[0], (2,))),
        C(lambda x, y: np.hstack([x, y]), ((2, 2), (2, 3))),
        C(lambda x, y: np.hstack([x, 1.0, y]), ((), (2,))),
        C(lambda x, y: np.vstack([x, y]), ((3,), (2, 3))),
        C(lambda x, y: np.column_stack([x, y]), ((2,), (2, 2))),
        C(lambda x, y: np.dstack([x, y]), ((2,), (1, 2))),
        C(lambda x, y: np.append(x, y), (U[0], (2,))),
        C(lambda x, y: np.append(x, y, axis=0), ((1, 3), (2, 3))),
        C(lambda x, y: np.row_stack([x, y]), ((3,), (2, 3))),
        C(lambda x, y: np.block([[x, y], [y, x]]), ((2, 2), (2, 2))),
        C(lambda x, y: np.block([x, 1.0, y]), ((2,), (3,))),
        C(lambda x, y: np.block([[x], [y]]), ((), (1, 1))),
    ],
    "stack": [C(lambda x, y: np.stack([x, y]), ((3,), (3,))), C(lambda x, y: np.stack([x, y], axis=-1), (U[0], U[0]))],
    "array": [C(lambda x, y: np.array([x, y, 1.0]), ((), ())), C(lambda x: np.array([[x[0], x[1]], [x[1], 2.0 * x[0]]]), ((2,),)),
              C(lambda x, y: np.array((x, y)), ((2,), (2,)))],
    "split": [C(lambda x: np.split(x, 2), ((4,),)), C(lambda x: np.array_split(x, 3, axis=1), ((2, 5),)), C(lambda x: np.split(x, [1], axis=0), U),
              C(lambda x: np.hsplit(x, 3), U), C(lambda x: np.vsplit(x, 2), U), C(lambda x: np.dsplit(x, [1]), ((2, 1, 3),))],
}


def _ufunc_calls(primitive: Primitive) -> list[Call]:
    if primitive.fun.nin == 1:
        return [C(primitive, ((2, 3),)), C(primitive, ((),))]
    return [C(primitive, ((2, 3), (3,))), C(primitive, ((), (2, 2))), C(primitive, ((2, 1), (2, 3)))]


def calls_of(name: str) -> list[Call]:
    primitive = TABLE[name]
    if name in CALLS:
        return CALLS[name]
    if isinstance(primitive.fun, onp.ufunc):
        return _ufunc_calls(primitive)
    raise AssertionError(f"rule {name!r} has no test call: add one to CALLS")


def draw_array(rng: onp.random.Generator, shape: tuple, domain: Domain, dtype=onp.float64):
    """Uniform on the domain's interval, pushed ``margin`` away from each avoided point."""
    values = rng.uniform(domain.low, domain.high, size=shape)
    for point in domain.avoid:
        near = onp.abs(values - point) < domain.margin
        values = onp.where(near, point + domain.margin * onp.where(values >= point, 1.0, -1.0), values)
    return onp.asarray(values, dtype=dtype) if shape else dtype(values)


def draw_arguments(rule: Primitive, call: Call, seed: int, dtype=onp.float64) -> list:
    rng = onp.random.default_rng(seed)
    domain = rule.info.get("domain", REALS)
    domains = call.domains or tuple(domain.of(i) for i in range(len(call.shapes)))
    return [draw_array(rng, shape, d, dtype) for shape, d in zip(call.shapes, domains)]


CASES = [(name, k) for name in sorted(TABLE) for k in range(len(calls_of(name)))]


# A linear rule's derivative is constant, so at second order its output does not depend on
# the input, which gradviz reports with a warning: expected here.
@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{name}-{k}" for name, k in CASES])
@given(seed=st.integers(0, 2**32 - 1))
def test_rule_matches_finite_differences_and_transpose(name, k, seed):
    """Forward mode against finite differences, reverse against forward; smooth rules twice."""
    rule = TABLE[name]
    call = calls_of(name)[k]
    args = draw_arguments(rule, call, seed)
    order = 2 if rule.info.get("smooth", True) else 1
    check_grads(call.fun, *args, modes=("fwd", "rev"), order=order, seed=seed)


def test_every_rule_has_a_call():
    """Each row is exercised: by the generic ufunc calls, or by an entry of ``CALLS``. (A row
    with neither already fails collection: ``CASES`` asks ``calls_of`` for every row.) And no
    entry of ``CALLS`` names a row the table does not have."""
    assert sorted(set(CALLS) - set(TABLE)) == []
