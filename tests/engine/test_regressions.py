"""Regression tests, each named after the bug it catches."""

import warnings

import numpy
import pytest

import gradviz
import gradviz.numpy as np
from gradviz.errors import GradvizError, RuleError, ShapeError, UnsupportedTypeError


def fd(f, x, eps=1e-6):
    x = numpy.asarray(x, dtype=float)
    out = numpy.zeros_like(x)
    for i in numpy.ndindex(x.shape):
        step = numpy.zeros_like(x)
        step[i] = eps
        out[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def test_diamond_reused_node_accumulates_both_paths():
    def f(x):
        a = np.sin(x)
        return a * a + np.exp(a)  # a feeds three uses

    x = 0.7
    expected = fd(lambda v: float(f(v)), x)
    assert gradviz.grad(f)(x) == pytest.approx(float(expected), rel=1e-7)
    assert gradviz.jvp(f, (x,), (1.0,))[1] == pytest.approx(float(expected), rel=1e-7)


def test_same_node_twice_in_one_operation():
    t = gradviz.trace(lambda x: x * x, 3.0)
    assert [node.op for node in t] == ["input", "multiply"]
    assert t[1].parents == ((0, 0), (1, 0))  # one node, used as both arguments
    assert float(t.adjoint(0)) == 6.0 and float(t.tangent(1)) == 6.0


def test_chain_of_100000_nodes_has_no_recursion_error():
    def chain(x):
        for _ in range(50_000):
            x = np.sin(x) * 1.0001
        return x

    reverse = gradviz.grad(chain)(0.3)
    forward = gradviz.jvp(chain, (0.3,), (1.0,))[1]
    assert numpy.isfinite(reverse)
    assert reverse == pytest.approx(float(forward), rel=1e-9)


def test_output_that_does_not_depend_on_input_gives_zero_gradient_and_a_warning():
    with pytest.warns(gradviz.GradvizWarning, match="does not depend"):
        gradient = gradviz.grad(lambda x: np.sum(numpy.ones(3)) * 2.0)(numpy.array([1.0, 2.0]))
    assert gradient.shape == (2,) and not gradient.any()


def test_integer_inputs_give_float_gradients():
    gradient = gradviz.grad(lambda x: x ** 2)(3)
    assert gradient == 6.0
    gradient = gradviz.grad(lambda x: np.sum(x * x))(numpy.array([1, 2, 3]))
    numpy.testing.assert_allclose(gradient, [2.0, 4.0, 6.0])


def test_float32_stays_float32_in_values_tangents_and_adjoints():
    x = numpy.array([0.5, -1.0, 2.0], dtype=numpy.float32)
    f = lambda x: np.sum(np.tanh(x) * 2.0 + x * x)  # noqa: E731
    t = gradviz.trace(f, x, max_sweeps=1)
    assert all(getattr(n.value, "dtype", numpy.float32) == numpy.float32 for n in t)
    assert gradviz.grad(f)(x).dtype == numpy.float32
    assert gradviz.jvp(f, (x,), (numpy.ones(3, numpy.float32),))[1].dtype == numpy.float32


def test_broadcast_adjoint_is_summed_back_to_the_input_shape():
    w = numpy.array([1.0, 2.0])
    X = numpy.arange(6.0).reshape(3, 2)
    gradient = gradviz.grad(lambda w: np.sum(X * w))(w)
    numpy.testing.assert_allclose(gradient, X.sum(axis=0))
    b = 0.5
    assert gradviz.grad(lambda b: np.sum(X + b))(b) == 6.0


def test_grad_of_a_non_scalar_is_a_clear_error():
    with pytest.raises(ShapeError, match=r"grad\(\) needs a scalar output, got shape \(2,\)"):
        gradviz.grad(lambda x: x * 2)(numpy.ones(2))


def test_unsupported_argument_type_is_a_clear_error():
    with pytest.raises(UnsupportedTypeError, match="type str"):
        gradviz.grad(lambda x: x)("a")


def test_missing_rule_names_the_function_and_the_argument():
    from gradviz.extend import primitive

    @primitive
    def mystery(x):
        return x * 2.0

    with pytest.raises(RuleError, match=r"no VJP rule for 'mystery' \(argument 0\)"):
        gradviz.grad(lambda x: mystery(x))(1.0)


def test_wrong_shape_from_a_user_vjp_names_the_node_and_its_source_line():
    from gradviz.extend import defvjp, primitive

    @primitive
    def double(x):
        return 2.0 * x

    defvjp(double, lambda ans, x: lambda g: numpy.ones(5))
    with pytest.raises(RuleError, match=r"'double'.*test_regressions.py:\d+.*shape \(5,\)"):
        gradviz.grad(lambda x: np.sum(double(x)))(numpy.ones(3))


def test_registered_primitive_is_one_node_with_its_own_name():
    from gradviz.extend import defjvp, defvjp, primitive

    @primitive
    def cube(x):
        return x * x * x

    defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
    defjvp(cube, lambda t, ans, x: t * 3 * x ** 2)
    t = gradviz.trace(lambda x: cube(x) + 1.0, 2.0)
    assert [n.op for n in t] == ["input", "cube", "add"]
    assert float(t.adjoint(0)) == 12.0 == float(t.tangent(2))


def test_second_and_third_derivatives():
    f = lambda x: np.sin(x) * x  # noqa: E731
    x = 0.9
    d2 = gradviz.grad(gradviz.grad(f))(x)
    d3 = gradviz.grad(gradviz.grad(gradviz.grad(f)))(x)
    assert d2 == pytest.approx(2 * numpy.cos(x) - x * numpy.sin(x), rel=1e-10)
    assert d3 == pytest.approx(-3 * numpy.sin(x) - x * numpy.cos(x), rel=1e-10)


def test_hessian_matches_finite_differences_of_the_gradient():
    f = lambda x: np.sum(np.tanh(x) ** 2 * x[0])  # noqa: E731
    x = numpy.array([0.3, -0.8, 1.1])
    H = gradviz.hessian(f)(x)
    g = gradviz.grad(f)
    expected = numpy.stack([fd(lambda v: g(v)[i], x) for i in range(3)])
    numpy.testing.assert_allclose(H, expected, rtol=1e-6, atol=1e-8)
    numpy.testing.assert_allclose(gradviz.hvp(f)(x, numpy.array([1.0, 2.0, 3.0])), H @ [1, 2, 3], rtol=1e-10)


def test_jacobians_in_both_modes_agree():
    f = lambda x: np.tanh(x) * np.sum(x)  # noqa: E731
    x = numpy.array([0.3, -0.8, 1.1])
    numpy.testing.assert_allclose(gradviz.jacobian(f)(x), gradviz.jacobian_forward(f)(x), rtol=1e-12)


def test_structured_arguments_give_structured_gradients():
    def loss(params):
        return np.sum(params["w"] * 2.0) + params["b"][0] * params["b"][1]

    gradient = gradviz.grad(loss)({"w": numpy.ones(2), "b": (3.0, 4.0)})
    numpy.testing.assert_allclose(gradient["w"], [2.0, 2.0])
    assert gradient["b"] == (4.0, 3.0)


def test_errors_are_gradviz_errors():
    assert issubclass(ShapeError, GradvizError) and issubclass(RuleError, GradvizError)


def test_record_keeps_one_trace_per_iteration_without_changing_the_loss():
    f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
    plain = f(numpy.array([0.5, -1.0]))
    with gradviz.record() as run:
        recorded = [f(numpy.array([0.5, -1.0])) for _ in range(3)]
    assert len(run.traces) == 3
    numpy.testing.assert_array_equal(recorded[0], plain)
    assert run.traces[0].reverse_sweeps[0].steps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f(numpy.array([0.5, -1.0]))
    assert len(run.traces) == 3  # nothing recorded outside the block


def test_a_real_input_through_complex_values_gets_a_real_gradient():
    # autograd's convention: the imaginary part of a real value's adjoint pairs with nothing
    through_real = gradviz.grad(lambda x: np.real(x * (1 + 2j)))(1.5)
    through_imag = gradviz.grad(lambda x: np.imag(x * (3 - 1j)))(1.5)
    assert not numpy.iscomplexobj(through_real) and through_real == 1.0
    assert not numpy.iscomplexobj(through_imag) and through_imag == -1.0
    x = numpy.array([1.0, -2.0, 0.5, 3.0])
    power = gradviz.grad(lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2))(x)
    assert not numpy.iscomplexobj(power)
    numpy.testing.assert_allclose(power, 2 * len(x) * x)  # Parseval: Σ|X|² = n·Σx²


def test_indexing_nodes_read_as_numpy_indexing_in_the_notation():
    from gradviz.export.notation import value_formula

    x = numpy.arange(6.0).reshape(3, 2)
    t = gradviz.trace(lambda x: np.sum(x[:, 0] * 2.0) + x[1, 1] + np.sum(x[x > 2.0]), x, max_sweeps=1)
    formulas = [value_formula(t, node.index, numbers=False) for node in t if node.op == "getitem"]
    assert formulas[0] == "w2 = w1[:, 0]"
    assert formulas[1].endswith("= w1[1, 1]")
    assert formulas[2].endswith("= w1[mask (3, 2)]")
    graph = t.to_networkx()  # every label of the graph can be built
    assert graph.nodes["w2"]["formula"] == "w2 = w1[:, 0]"


def test_a_user_jvp_of_the_wrong_shape_names_the_node_instead_of_being_summed():
    from gradviz.extend import defjvp, primitive

    @primitive
    def double(x):
        return 2.0 * x

    defjvp(double, lambda t, ans, x: numpy.ones((4, 3)))  # wrong: x has shape (3,)
    with pytest.raises(RuleError, match=r"JVP rule of 'double'.*shape \(4, 3\) for a value of shape \(3,\)"):
        gradviz.jvp(lambda x: double(x), (numpy.ones(3),), (numpy.ones(3),))


def test_nodes_are_built_from_the_tapes_records_and_follow_later_records():
    from gradviz.engine.tracer import Tape

    tape = Tape(1)
    with tape:
        x = tape.new_input(numpy.array([1.0, 2.0]))
        y = np.sin(x)
        first = [node.op for node in tape.nodes]
        z = y * x
    # the list grows with the records made after it was first asked for, and keeps its nodes
    assert first == ["input", "sin"]
    assert [node.op for node in tape.nodes] == ["input", "sin", "multiply"]
    assert tape.nodes[1] is y.node
    assert tape.nodes[2].parents == ((0, 1), (1, 0)) and tape.nodes[2].value is z._value
    # one node alone (error messages) is the same node, built or not
    assert tape.node(2) is tape.nodes[2]
    tape.set_site(2, "column 1")
    assert tape.nodes[2].site == "column 1" and tape.records[2].site == "column 1"


def test_a_recorded_reverse_sweep_groups_its_log_into_the_steps_it_took():
    t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    steps = t.reverse_sweeps[0].steps
    # w5 = w3 + w4 sends w̄5 to both; w4 = sin w1 and w3 = w1·w2 send to their arguments
    assert [step.node for step in steps] == [4, 3, 2]
    assert [(argnum, parent) for argnum, parent, _ in steps[0].terms] == [(0, 2), (1, 3)]
    assert float(steps[1].terms[0][2]) == pytest.approx(numpy.cos(2.0))
    assert [(argnum, parent) for argnum, parent, _ in steps[2].terms] == [(0, 0), (1, 1)]
    assert [float(term) for _, _, term in steps[2].terms] == [5.0, 2.0]


def test_a_recording_builds_its_traces_on_first_use_and_keeps_only_the_last_ones():
    def loss(w):
        return np.sum(np.tanh(w) ** 2)

    f = gradviz.grad(loss)
    with gradviz.record(keep=3) as run:
        for step in range(5):
            f(numpy.array([0.1 * step, 1.0]))
            if step == 1:  # looked at mid-loop: both kept so far
                assert [float(t.arguments()[0][0]) for t in run.traces] == [0.0, 0.1]
        run.add(gradviz.trace(np.sin, 1.0))
    assert len(run) == 3
    assert [float(t.arguments()[0][0]) for t in run.traces[:2]] == pytest.approx([0.3, 0.4])
    assert run.traces[-1].name == "sin" and run[-1] is run.traces[-1]
    # a kept trace holds its sweep: the adjoint of its input is the gradient the loop got
    assert numpy.allclose(run.traces[1].adjoint(0), f(numpy.array([0.4, 1.0])))
