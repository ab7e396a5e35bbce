"""The lecture's logistic-regression classifier on make_moons, with only its imports changed.

Run: ``python examples/moons_lecture.py`` (the figures need ``pip install 'gradviz[plot]'``).
The lecture's lines are unchanged but for the two imports; the plotting runs under
``__main__`` (so tests can import the training) and also saves the two figures,
``moons_decision_boundary.png`` and ``moons_loss.png``, before showing them.
"""

import sklearn.datasets
import gradviz.numpy as np
from gradviz import grad

# Generate the data
train_X, train_y = sklearn.datasets.make_moons(500, noise=0.1)

# Define the activation, prediction and loss functions for Logistic Regression
def activation(x):
    return 0.5*(np.tanh(x) + 1)

def predict(weights, inputs):
    return activation(np.dot(inputs, weights))

def loss(weights):
    preds = predict(weights, train_X)
    label_probabilities = np.log(preds) * train_y + np.log(1 - preds) * (1 - train_y)
    return -np.sum(label_probabilities)

# Compute the gradient of the loss function
gradient_loss = grad(loss)

# Set the initial weights
weights = np.array([1.0, 1.0])

# Steepest Descent
loss_values = []
learning_rate = 0.001
for i in range(100):
    loss_values.append(loss(weights))
    step = gradient_loss(weights)
    weights -= step * learning_rate

if __name__ == "__main__":
    print(f"loss: {loss_values[0]:.4f} -> {loss_values[-1]:.4f}; weights: {weights}")
    try:
        import pylab
    except ImportError:
        raise SystemExit("the figures need matplotlib: pip install 'gradviz[plot]'") from None

    # Plot the decision boundary
    x_min, x_max = train_X[:, 0].min() - 0.5, train_X[:, 0].max() + 0.5
    y_min, y_max = train_X[:, 1].min() - 0.5, train_X[:, 1].max() + 0.5
    x_mesh, y_mesh = np.meshgrid(np.arange(x_min, x_max, 0.01), np.arange(y_min, y_max, 0.01))
    Z = predict(weights, np.c_[x_mesh.ravel(), y_mesh.ravel()])
    Z = Z.reshape(x_mesh.shape)
    cs = pylab.contourf(x_mesh, y_mesh, Z, cmap=pylab.cm.Spectral)
    pylab.scatter(train_X[:, 0], train_X[:, 1], c=train_y, cmap=pylab.cm.Spectral)
    pylab.colorbar(cs)
    pylab.savefig("moons_decision_boundary.png")

    # Plot the loss over each step
    pylab.figure()
    pylab.plot(loss_values)
    pylab.xlabel("Steps")
    pylab.ylabel("Loss")
    pylab.savefig("moons_loss.png")
    print("wrote moons_decision_boundary.png and moons_loss.png")
    pylab.show()
