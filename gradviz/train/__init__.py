"""Training the lecture's classifiers with every iteration's trace kept for the inspector.

:mod:`gradviz.train.moons` holds the data, the two models and the training loop; it imports
neither rich nor textual. The ``gradviz train`` command lives in :mod:`gradviz.cli.inspect`.
"""

from gradviz.train.moons import (
    Iteration,
    Model,
    TrainingResult,
    accuracy,
    iterate_training,
    logistic_model,
    mlp_model,
    moons_data,
    train,
)

__all__ = [
    "Iteration",
    "Model",
    "TrainingResult",
    "accuracy",
    "iterate_training",
    "logistic_model",
    "mlp_model",
    "moons_data",
    "train",
]
