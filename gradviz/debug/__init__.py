"""The gradient debugger: checks that blame an operation, NaN/Inf origins, gradient health.

One implementation behind the Python API, ``gradviz check``, the renderer's colours and the
inspector's breakpoints: each analysis returns a report with ``status(index)`` and ``marked``
node names, and :func:`annotate` copies them onto the networkx graph.
"""

from gradviz.debug.annotate import annotate, debug_graph
from gradviz.debug.attribution import Path, compare_traces, paths
from gradviz.debug.gradcheck import GradientCheckError, InputCheck, check_grads, compare_modes
from gradviz.debug.health import health, training_summary
from gradviz.debug.localise import CheckReport, check_trace, cut_identity, localise
from gradviz.debug.nans import Birth, NanReport, debug_nans, first_nonfinite, nan_birth

__all__ = [
    "check_grads", "compare_modes", "GradientCheckError", "InputCheck",
    "localise", "check_trace", "cut_identity", "CheckReport",
    "nan_birth", "first_nonfinite", "debug_nans", "Birth", "NanReport",
    "health", "training_summary",
    "paths", "compare_traces", "Path",
    "annotate", "debug_graph",
]
