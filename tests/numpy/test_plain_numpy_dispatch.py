"""Plain ``numpy`` called on traced values (one import left unchanged) runs gradviz's rules,
or refuses in one line naming the call; it never silently drops a derivative."""

from __future__ import annotations

import numpy as onp
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.engine.tracer import Primitive
from gradviz.errors import UnsupportedTypeError

RNG = onp.random.default_rng(8)

#: Every differentiable gradviz.numpy function that numpy implements as a ufunc.
UFUNCS = sorted(
    name for name in np.DIFFERENTIABLE
    if isinstance(getattr(onp, name, None), onp.ufunc) and isinstance(getattr(np, name), Primitive)
)


def _draw(primitive, count, shape=(3, 3)):
    """Arguments inside the rule's domain, ``margin`` away from its avoided points."""
    arguments = []
    for argnum in range(count):
        domain = primitive.info["domain"].of(argnum)
        values = RNG.uniform(domain.low, domain.high, size=shape)
        for point in domain.avoid:
            values = onp.where(onp.abs(values - point) < domain.margin, point + domain.margin, values)
        arguments.append(values)
    return arguments


def test_the_ufunc_list_is_not_empty():
    assert {"sin", "multiply", "power", "arctan2", "logaddexp"} <= set(UFUNCS)


@pytest.mark.parametrize("name", UFUNCS)
def test_numpy_ufunc_on_a_traced_value_has_gradviz_derivative(name):
    ufunc, primitive = getattr(onp, name), getattr(np, name)
    args = _draw(primitive, ufunc.nin)
    for argnum in range(ufunc.nin):
        def through(numpy_module):
            def f(x):
                return np.sum(getattr(numpy_module, name)(*args[:argnum], x, *args[argnum + 1:]))
            return f

        expected = gradviz.grad(through(np))(args[argnum])
        onp.testing.assert_array_equal(gradviz.grad(through(onp))(args[argnum]), expected)
        ops = [node.op for node in gradviz.trace(through(onp), args[argnum]).nodes]
        assert ops == [node.op for node in gradviz.trace(through(np), args[argnum]).nodes]


ARRAY_FUNCTIONS = {
    "sum": lambda m, x: m.sum(x, axis=0),
    "mean_keyword": lambda m, x: m.mean(a=x, axis=1),
    "sum_keyword": lambda m, x: m.sum(a=x, axis=0) + m.clip(a=x, a_min=-0.5, a_max=0.5),
    "dot": lambda m, x: m.dot(x, x.T),
    "concatenate": lambda m, x: m.concatenate([x, 2.0 * x], axis=1),
    "stack": lambda m, x: m.stack((x, x)),
    "where": lambda m, x: m.where(x > 0, x, 0.1 * x),
    "reshape": lambda m, x: m.reshape(x, (3, 2)),
    "transpose": lambda m, x: m.transpose(x),
    "var": lambda m, x: m.var(x, ddof=1),
    "clip_keywords": lambda m, x: m.clip(x, a_min=-0.5, a_max=0.5),
    "einsum": lambda m, x: m.einsum("ij,ij->i", x, x),
    "linalg_norm": lambda m, x: m.linalg.norm(x),
    "linalg_inv": lambda m, x: m.linalg.inv(m.dot(x, x.T) + m.eye(2)),
    "fft": lambda m, x: m.real(m.fft.fft(x)),
}


@pytest.mark.parametrize("name", sorted(ARRAY_FUNCTIONS))
def test_numpy_function_on_a_traced_value_has_gradviz_derivative(name):
    call = ARRAY_FUNCTIONS[name]
    x = RNG.standard_normal((2, 3))
    weights = RNG.standard_normal(onp.shape(call(onp, x)))
    expected = gradviz.grad(lambda x: np.sum(call(np, x) * weights))(x)
    onp.testing.assert_allclose(gradviz.grad(lambda x: np.sum(call(onp, x) * weights))(x), expected)


def test_plain_array_on_the_left_of_an_operator_records_one_node_at_the_users_line():
    a = onp.array([1.0, 2.0])
    trace = gradviz.trace(lambda x: a * x, onp.array([3.0, 4.0]))
    assert [node.op for node in trace.nodes] == ["input", "multiply"]
    assert "a * x" in gradviz.engine.source.describe_site(trace.nodes[1].site)
    onp.testing.assert_array_equal(gradviz.grad(lambda x: np.sum(a * x + onp.float64(2.0) ** x))(a),
                                   a + 2.0 ** a * onp.log(2.0))


REFUSED = {
    "numpy.median": lambda x: onp.median(x),
    "numpy.add.reduce": lambda x: onp.add.reduce(x),
    "numpy.bitwise_and": lambda x: onp.bitwise_and(x, 1),
    "numpy.array": lambda x: onp.array([x, x]),
    "numpy.array ": lambda x: onp.asarray(x),
    "numpy.add(…, out=…)": lambda x: onp.add(x, 1.0, out=onp.zeros(2)),
}


@pytest.mark.parametrize("call", sorted(REFUSED))
def test_numpy_function_without_a_rule_refuses_in_one_line_naming_it(call):
    with pytest.raises(UnsupportedTypeError) as caught:
        gradviz.grad(lambda x: np.sum(REFUSED[call](x)))(onp.ones(2))
    message = str(caught.value)
    assert call.strip() in message and "\n" not in message
    assert "gradviz" in message or "a = a + x" in message


def test_in_place_add_into_a_plain_array_says_to_rebind():
    def f(x):
        total = onp.zeros(2)
        total += x
        return np.sum(total)

    with pytest.raises(UnsupportedTypeError, match="a = a \\+ x"):
        gradviz.grad(f)(onp.ones(2))


def test_plain_numpy_outside_differentiation_is_untouched():
    x = RNG.standard_normal(3)
    assert type(onp.sin(x)) is onp.ndarray
    onp.testing.assert_array_equal(onp.median(x), onp.median(onp.array(x)))


# --- a box kept past the end of its computation (the "leftover box") -----------------------


def _leftover(value, *, record=False):
    """A traced value saved from inside a grad (or a kept trace) that has since finished."""
    kept = []

    def f(x):
        kept.append(x)
        return np.sum(np.sin(x))

    if record:
        gradviz.trace(f, value)
    else:
        gradviz.grad(f)(value)
    return kept[0]


@pytest.mark.parametrize("record", [False, True], ids=["lean-grad", "kept-trace"])
@pytest.mark.parametrize(("name", "call", "expected"), [
    ("gradviz sin", lambda b: np.sin(b), lambda v: onp.sin(v)),
    ("numpy sin", lambda b: onp.sin(b), lambda v: onp.sin(v)),
    ("numpy sum", lambda b: onp.sum(b), lambda v: onp.sum(v)),
    ("numpy add.reduce", lambda b: onp.add.reduce(b), lambda v: onp.sum(v)),
    ("numpy dot", lambda b: onp.dot(b, b), lambda v: onp.dot(v, v)),
    ("numpy concatenate", lambda b: onp.concatenate([b, b]), lambda v: onp.concatenate([v, v])),
    ("box * 2", lambda b: b * 2.0, lambda v: v * 2.0),
    ("array * box", lambda b: onp.ones(3) * b, lambda v: v),
    ("method", lambda b: b.sum(axis=0), lambda v: v.sum(axis=0)),
    ("numpy asarray", lambda b: onp.asarray(b), lambda v: v),
])
def test_a_leftover_box_is_a_plain_value(name, call, expected, record):
    value = onp.array([0.5, -1.0, 2.0])
    box = _leftover(value, record=record)
    recorded = len(box._tape.records)
    result = call(box)
    assert type(result) is not type(box), f"{name} handed back a traced value"
    onp.testing.assert_array_equal(result, expected(value))
    assert len(box._tape.records) == recorded, "nothing records on a finished tape"


def test_a_leftover_box_is_a_number_and_a_constant_of_the_next_grad():
    scalar = _leftover(3.0)
    assert float(scalar) == 3.0 and int(scalar) == 3 and scalar.item() == 3.0
    box = _leftover(onp.array([0.5, -1.0, 2.0]))
    y = onp.array([1.0, 2.0, 3.0])
    # Once the leftover box sat on the tape it was taken from, and d/dy came out 0.
    onp.testing.assert_allclose(gradviz.grad(lambda y: np.sum(np.sin(box) * y))(y),
                                onp.sin([0.5, -1.0, 2.0]), rtol=1e-15)
    onp.testing.assert_allclose(gradviz.grad(lambda y: onp.sum(onp.sin(box) * y))(y),
                                onp.sin([0.5, -1.0, 2.0]), rtol=1e-15)
    onp.testing.assert_allclose(gradviz.grad(lambda x: np.sum(np.sin(x)))(box),
                                onp.cos([0.5, -1.0, 2.0]), rtol=1e-15)


def test_a_leftover_box_of_a_second_derivative_is_plain_inside_the_first():
    kept = []

    def inner(x):
        kept.append(x)
        return np.sin(x)

    gradviz.grad(lambda x: gradviz.grad(inner)(x) * x)(0.3)
    inner_box = kept[0]  # a box of a box: both tapes are finished
    assert float(inner_box) == 0.3
    assert gradviz.grad(lambda y: np.sin(inner_box) * y)(2.0) == pytest.approx(onp.sin(0.3), 1e-15)
