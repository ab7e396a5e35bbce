"""Drawing traces: DOT source, SVG/PNG/PDF files, large-graph summaries, ``gradviz render``.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> type(to_dot(t)).__mro__[1].__name__
    'Digraph'
"""

from gradviz.render.backend import RenderError
from gradviz.render.dot import Graph, to_dot
from gradviz.render.files import render

__all__ = ["to_dot", "render", "Graph", "RenderError"]
