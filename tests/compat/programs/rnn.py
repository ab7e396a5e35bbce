"""A character-level recurrent network over one-hot sequences, its parameters a dict, the
hidden state carried through a Python loop; plain gradient descent on the dict."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad
from autograd.scipy.special import logsumexp


def init(rs, inputs, hidden, outputs):
    return {"init": 0.1 * rs.randn(1, hidden),
            "change": 0.1 * rs.randn(inputs + hidden + 1, hidden),
            "predict": 0.1 * rs.randn(hidden + 1, outputs)}


def with_bias(x):
    return np.concatenate((x, np.ones((x.shape[0], 1))), axis=1)


def log_likelihood(params, sequences):
    hidden = np.repeat(params["init"], sequences.shape[1], axis=0)
    total = 0.0
    for t in range(sequences.shape[0] - 1):
        hidden = np.tanh(np.dot(with_bias(np.concatenate((sequences[t], hidden), axis=1)), params["change"]))
        scores = np.dot(with_bias(hidden), params["predict"])
        total = total + np.sum((scores - logsumexp(scores, axis=1, keepdims=True)) * sequences[t + 1])
    return total


def main():
    rs = npr.RandomState(6)
    sequences = np.eye(4)[rs.randint(0, 4, (7, 3))]   # time, batch, one-hot
    params = init(rs, 4, 5, 4)
    history = []
    for _ in range(5):
        history.append(log_likelihood(params, sequences))
        gradients = grad(log_likelihood)(params, sequences)
        params = {key: params[key] + 0.2 * gradients[key] for key in params}
    return history + list(params["predict"].ravel()[:4])
