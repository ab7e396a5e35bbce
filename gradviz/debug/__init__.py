"""The gradient debugger: checks that blame an operation, NaN/Inf origins, gradient health."""

from gradviz.debug.gradcheck import GradientCheckError, check_grads

__all__ = ["check_grads", "GradientCheckError"]
