"""A small smoke simulation on a periodic grid: semi-Lagrangian advection by bilinear
interpolation and a Jacobi pressure projection, built from np.zeros((m, n)) grids; the
initial velocity optimised so the smoke ends near a target."""

import autograd.numpy as np
from autograd import value_and_grad


def project(vx, vy, iterations=6):
    div = -0.5 * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                  + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
    p = np.zeros(vx.shape)
    for _ in range(iterations):
        p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0)
             + np.roll(p, 1, axis=1) + np.roll(p, -1, axis=1)) / 4.0
    vx = vx - 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0))
    vy = vy - 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1))
    return vx, vy


def advect(field, vx, vy):
    rows, cols = field.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left, top = np.floor(center_xs).astype(int), np.floor(center_ys).astype(int)
    rw, bw = center_xs - left, center_ys - top
    left, right = left % cols, (left + 1) % cols
    top, bottom = top % rows, (top + 1) % rows
    flat = (1 - rw) * ((1 - bw) * field[top, left] + bw * field[bottom, left]) \
        + rw * ((1 - bw) * field[top, right] + bw * field[bottom, right])
    return np.reshape(flat, (rows, cols))


def simulate(velocity, smoke, steps=4):
    vx, vy = velocity[0], velocity[1]
    for _ in range(steps):
        vx, vy = project(vx, vy)
        vx, vy = advect(vx, vx, vy), advect(vy, vx, vy)
        smoke = advect(smoke, vx, vy)
    return smoke


def main():
    m, n = 8, 8
    smoke = np.zeros((m, n))
    smoke[2:4, 2:4] = 1.0
    target = np.zeros((m, n))
    target[4:6, 4:6] = 1.0
    velocity = np.zeros((2, m, n)) + 0.3
    loss = lambda v: np.sum((simulate(v, smoke) - target) ** 2)  # noqa: E731
    history = []
    for _ in range(3):
        value, gradient = value_and_grad(loss)(velocity)
        history.append(value)
        velocity = velocity - 0.5 * gradient
    return history + list(velocity[0, 0, :4])
