"""``gradviz.scipy.stats``: log-densities, densities and cdfs, differentiable in every argument.

One module per distribution, as in scipy's namespace and autograd's
(``import gradviz.scipy.stats.multivariate_normal as mvn``, ``from gradviz.scipy.stats import
norm``). Each function is a short formula over gradviz primitives (``gammaln``, ``betainc``,
``ndtr``, ``linalg.solve`` …), so its derivatives in every parameter, and of every order,
follow from theirs; a call shows on the trace as the handful of nodes of its formula. The cdfs
of ``t``, ``gamma``, ``beta``, ``chi2`` and ``poisson`` are differentiable in ``x`` (``mu``
for ``poisson``), not in the shape parameters, as in scipy (the error names the argument).
``rvs`` draws with scipy, on untraced parameters.

Example:
    >>> import gradviz
    >>> from gradviz.scipy.stats import norm
    >>> float(gradviz.grad(norm.logpdf)(1.5))   # −(x − μ)/σ²
    -1.5
"""

from gradviz.scipy.stats import (  # noqa: F401
    beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t,
)

__all__ = ["norm", "t", "gamma", "beta", "chi2", "poisson", "multivariate_normal", "dirichlet"]
