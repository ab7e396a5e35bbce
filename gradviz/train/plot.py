"""The lecture's two figures with matplotlib (the optional ``gradviz[plot]`` extra).

Left: the decision boundary, ``p(class 1)`` filled over the data's box with the Spectral
map and the samples on top. Right: the loss per step.
"""

from __future__ import annotations

import numpy as onp

from gradviz.errors import GradvizError

__all__ = ["plot_training"]


def plot_training(model, params, inputs, labels, losses, path) -> None:
    """Write both figures side by side to the PNG file ``path``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GradvizError("plotting needs matplotlib: pip install 'gradviz[plot]'") from None
    X = onp.asarray(inputs)
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    x_mesh, y_mesh = onp.meshgrid(onp.arange(x_min, x_max, 0.01), onp.arange(y_min, y_max, 0.01))
    with onp.errstate(all="ignore"):
        Z = onp.asarray(model.predict(params, onp.c_[x_mesh.ravel(), y_mesh.ravel()])).reshape(x_mesh.shape)
    figure, (boundary, curve) = plt.subplots(1, 2, figsize=(12, 5))
    filled = boundary.contourf(x_mesh, y_mesh, Z, cmap=plt.cm.Spectral)
    boundary.scatter(X[:, 0], X[:, 1], c=labels, cmap=plt.cm.Spectral, edgecolors="k", linewidths=0.3)
    figure.colorbar(filled, ax=boundary)
    boundary.set_title(f"decision boundary ({model.name})")
    curve.plot(losses)
    curve.set_xlabel("Steps")
    curve.set_ylabel("Loss")
    curve.set_title("loss per step")
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as exc:
        raise GradvizError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        plt.close(figure)
