"""A generative adversarial network in one dimension: generator and discriminator updated
together from one grad with argnum=(0, 1)."""

import autograd.numpy as np
import autograd.numpy.random as npr
from autograd import grad


def generate(gen, noise):
    return np.tanh(noise * gen[0] + gen[1]) * gen[2]


def discriminate(disc, x):
    return np.tanh(x * disc[0] + disc[1]) * disc[2] + disc[3]


def objective(gen, disc, real, noise):
    fake = generate(gen, noise)
    real_logit, fake_logit = discriminate(disc, real), discriminate(disc, fake)
    # The discriminator's log-likelihood; the generator descends it, the discriminator ascends.
    return np.mean(-np.logaddexp(0, -real_logit)) + np.mean(-np.logaddexp(0, fake_logit))


def main():
    rs = npr.RandomState(9)
    gen, disc = 0.5 * rs.randn(3), 0.5 * rs.randn(4)
    both = grad(objective, argnum=(0, 1))
    history = []
    for _ in range(8):
        real, noise = 1.5 + 0.3 * rs.randn(16), rs.randn(16)
        history.append(objective(gen, disc, real, noise))
        gen_grad, disc_grad = both(gen, disc, real, noise)
        gen, disc = gen - 0.1 * gen_grad, disc + 0.1 * disc_grad
    return history + list(gen) + list(disc)
