"""Drawing traces: DOT source, SVG/PNG/PDF/HTML files, large-graph summaries.

``gradviz.render(trace, "graph.svg")`` is :func:`gradviz.renderer.files.render`: it writes a
file; ``gradviz.to_dot(trace)`` is :func:`gradviz.renderer.dot.to_dot`.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> import graphviz
    >>> isinstance(gradviz.to_dot(t), graphviz.Digraph)
    True
    >>> gradviz.render is gradviz.renderer.render and gradviz.to_dot is gradviz.renderer.to_dot
    True
"""

from gradviz.renderer.backend import RenderError
from gradviz.renderer.dot import Graph, to_dot
from gradviz.renderer.files import render

__all__ = ["to_dot", "render", "Graph", "RenderError"]

