"""Independent component analysis by maximum likelihood: sources with Student-t densities,
an unmixing matrix fitted by gradient ascent (the log-determinant from slogdet)."""

import autograd.numpy as np
import autograd.numpy.random as npr
import autograd.scipy.stats.t as t
from autograd import grad


def log_likelihood(unmixing, observed):
    sources = np.dot(observed, unmixing.T)
    return np.sum(t.logpdf(sources, 3.0)) + len(observed) * np.linalg.slogdet(unmixing)[1]


def main():
    rs = npr.RandomState(12)
    sources = rs.standard_t(3, (40, 2))
    mixing = np.array([[1.0, 0.6], [0.4, 1.2]])
    observed = np.dot(sources, mixing.T)
    unmixing = np.eye(2)
    history = []
    for _ in range(6):
        history.append(log_likelihood(unmixing, observed))
        unmixing = unmixing + 0.002 * grad(log_likelihood)(unmixing, observed)
    return history + list(unmixing.ravel())
