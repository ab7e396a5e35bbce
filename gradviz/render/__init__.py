"""Drawing traces: DOT source, SVG/PNG/PDF files, large-graph summaries, ``gradviz render``.

``gradviz.render`` is this package and, called, the function
:func:`gradviz.render.files.render`: ``gradviz.render(trace, "graph.svg")`` writes a file, and
``gradviz.render.to_dot`` still names the module's contents (a plain function of the same
name would hide the package).

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> type(gradviz.to_dot(t)).__mro__[1].__name__
    'Digraph'
    >>> callable(gradviz.render) and gradviz.render.to_dot is gradviz.to_dot
    True
"""

import sys
import types

from gradviz.render.backend import RenderError
from gradviz.render.dot import Graph, to_dot
from gradviz.render.files import render

__all__ = ["to_dot", "render", "Graph", "RenderError"]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`render`."""

    def __call__(self, trace_or_graph, path, **options):
        return render(trace_or_graph, path, **options)


sys.modules[__name__].__class__ = _CallableModule
