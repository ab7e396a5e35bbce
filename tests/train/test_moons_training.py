"""The moons classifier and its training loop, checked against a hand-derived gradient."""

from __future__ import annotations

import numpy as onp
import pytest

from gradviz.errors import GradvizError
from gradviz.train.moons import (
    accuracy,
    iterate_training,
    logistic_model,
    mlp_model,
    moons_data,
    train,
)


def hand_gradient(w, X, t):
    """∂L/∂w for L = -Σ t ln y + (1-t) ln(1-y), y = ½(tanh(Xw) + 1), derived by hand:
    ∂L/∂y = (y - t) / (y(1 - y)), ∂y/∂a = ½(1 - tanh² a), ∂a/∂w = X."""
    a = X @ w
    y = 0.5 * (onp.tanh(a) + 1)
    dy_da = 0.5 * (1 - onp.tanh(a) ** 2)
    return X.T @ ((y - t) / (y * (1 - y)) * dy_da)


def test_final_weights_match_gradient_descent_with_the_hand_gradient():
    X, t = moons_data(samples=500, noise=0.1, seed=3)
    result = train(logistic_model(), X, t, steps=100, learning_rate=0.001)
    w = onp.array([1.0, 1.0])
    for _ in range(100):
        w = w - 0.001 * hand_gradient(w, X, t)
    onp.testing.assert_allclose(result.params, w, rtol=1e-10)
    assert not onp.allclose(w, [1.0, 1.0])  # the descent moved


def test_recording_keeps_each_iterations_trace_and_changes_nothing():
    X, t = moons_data(samples=100)
    plain = train(logistic_model(), X, t, steps=5)
    kept = train(logistic_model(), X, t, steps=5, keep_traces=True)
    onp.testing.assert_array_equal(plain.params, kept.params)
    assert len(kept.traces) == 5 and not plain.traces
    for k, trace in enumerate(kept.traces):
        assert trace.reverse_sweeps and trace.reverse_sweeps[0].steps  # the steps to replay
        assert float(trace.nodes[trace.outputs[0]].value) == kept.losses[k]


def test_iterations_are_produced_lazily():
    X, t = moons_data(samples=50)
    iterations = iterate_training(logistic_model(), X, t, steps=10**9)
    first, second = next(iterations), next(iterations)
    assert (first.number, second.number) == (0, 1)
    onp.testing.assert_allclose(second.params, first.params - 0.001 * first.gradient)


def test_the_mlp_learns_the_moons():
    X, t = moons_data(samples=200)
    model = mlp_model(hidden=8, seed=0)
    result = train(model, X, t, steps=300, learning_rate=0.003)
    assert result.losses[-1] < 0.3 * result.losses[0]
    assert accuracy(model, result.params, X, t) > 0.9


@pytest.mark.parametrize("call, message", [
    (lambda: moons_data(samples=1), "--samples"),
    (lambda: moons_data(noise=-1), "--noise"),
    (lambda: mlp_model(hidden=0), "--hidden"),
    (lambda: next(iterate_training(logistic_model(), *moons_data(10), steps=0)), "--steps"),
])
def test_bad_settings_are_gradviz_errors(call, message):
    with pytest.raises(GradvizError, match=message):
        call()


@pytest.mark.parametrize("samples, noise, seed", [(500, 0.1, 0), (101, 0.3, 7), (10, 0.0, 1), (3, 1.0, 42)])
def test_moons_data_are_make_moons_samples(samples, noise, seed):
    import sklearn.datasets

    X, y = moons_data(samples, noise, seed)
    expected_X, expected_y = sklearn.datasets.make_moons(samples, noise=noise, random_state=seed)
    onp.testing.assert_allclose(X, expected_X, rtol=0, atol=1e-12)
    assert y.dtype == onp.float64 and (y == expected_y).all()
