"""The lecture's moons script, run with only its imports changed."""

import pathlib
import runpy

import numpy

SCRIPT = pathlib.Path(__file__).parents[2] / "examples" / "moons_lecture.py"


def hand_gradient(weights, X, y):
    """∂L/∂w of L = -Σ t ln p + (1-t) ln(1-p), p = ½(tanh(Xw)+1), derived by hand."""
    a = X @ weights
    p = 0.5 * (numpy.tanh(a) + 1)
    dL_dp = -(y / p - (1 - y) / (1 - p))
    dp_da = 0.5 * (1 - numpy.tanh(a) ** 2)
    return X.T @ (dL_dp * dp_da)


def hand_loss(weights, X, y):
    p = 0.5 * (numpy.tanh(X @ weights) + 1)
    return -numpy.sum(numpy.log(p) * y + numpy.log(1 - p) * (1 - y))


def test_training_matches_a_hand_derived_numpy_gradient():
    script = runpy.run_path(str(SCRIPT))  # the training loop runs; the plotting is under __main__
    X, y = script["train_X"], script["train_y"]
    weights = numpy.array([1.0, 1.0])
    losses = []
    for _ in range(100):
        losses.append(hand_loss(weights, X, y))
        weights -= hand_gradient(weights, X, y) * 0.001
    numpy.testing.assert_allclose(script["weights"], weights, rtol=0, atol=1e-9)
    numpy.testing.assert_allclose(script["loss_values"], losses, rtol=1e-12)
    assert script["loss_values"][-1] < 0.5 * script["loss_values"][0]


def test_script_differs_from_the_lecture_only_in_its_imports():
    text = SCRIPT.read_text()
    assert "import gradviz.numpy as np" in text and "from gradviz import grad" in text
    assert "autograd" not in text
    for line in ("gradient_loss = grad(loss)", "weights -= step * learning_rate",
                 "label_probabilities = np.log(preds) * train_y + np.log(1 - preds) * (1 - train_y)"):
        assert line in text
