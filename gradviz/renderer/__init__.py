"""Drawing traces: DOT source, SVG/PNG/PDF/HTML files, large-graph summaries.

:func:`gradviz.renderer.files.render` writes a file, :func:`gradviz.renderer.dot.to_dot` returns
the ``graphviz.Digraph``; both draw the debugger's findings they are given and run no analysis.
``gradviz.render`` and ``gradviz.to_dot`` (:mod:`gradviz.drawing`) run the debugger first when
``nans=``, ``check=``, ``health=`` or ``debug=`` asks for its findings on a trace.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> import graphviz
    >>> isinstance(gradviz.to_dot(t), graphviz.Digraph)
    True
    >>> gradviz.to_dot(t).source == gradviz.renderer.to_dot(t).source
    True
"""

from gradviz.renderer.backend import RenderError
from gradviz.renderer.dot import Graph, to_dot
from gradviz.renderer.files import render

__all__ = ["to_dot", "render", "Graph", "RenderError"]

