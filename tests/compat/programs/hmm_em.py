"""Expectation-maximisation for a hidden Markov model with discrete emissions: the E step's
expected counts are the gradient of the log marginal likelihood with respect to the log
parameters (computed by the forward algorithm), the M step normalises them."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import value_and_grad
from autograd.scipy.special import logsumexp


def log_marginal(log_params, observations):
    log_pi, log_A, log_B = log_params
    alpha = log_pi + log_B[:, observations[0]]
    for obs in observations[1:]:
        alpha = logsumexp(alpha[:, None] + log_A, axis=0) + log_B[:, obs]
    return logsumexp(alpha)


def normalize(counts):
    return counts / np.sum(counts, axis=-1, keepdims=True)


def main():
    rs = npr.RandomState(11)
    observations = rs.randint(0, 3, 30)
    params = (normalize(rs.rand(2)), normalize(rs.rand(2, 2)), normalize(rs.rand(2, 3)))
    history = []
    for _ in range(5):
        value, counts = value_and_grad(log_marginal)(tuple(np.log(p) for p in params), observations)
        history.append(value)
        params = tuple(normalize(c) for c in counts)
    return history + list(params[2].ravel())
