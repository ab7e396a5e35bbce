"""``render(trace, "graph.svg")``: write a picture or a data file, chosen by the extension.

``.svg``, ``.png`` and ``.pdf`` are drawn by Graphviz (see :mod:`gradviz.renderer.backend`);
``.dot`` is the DOT source; ``.html`` the interactive stepper of
:mod:`gradviz.renderer.html` (one self-contained file), ``.gif`` the same steps animated
and ``frames=True`` a folder of one picture per step (:mod:`gradviz.renderer.frames`); ``.json`` is networkx's node-link form of the full graph and
``.graphml`` its GraphML, both with every attribute of ``docs/graph-schema.md``. The bytes
are made in memory first and then written atomically, so a failure leaves no partial file
and an existing file untouched.

Example:
    >>> import os, tempfile, gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> path = os.path.join(tempfile.mkdtemp(), "graph.png")
    >>> open(render(t, path), "rb").read(4)
    b'\\x89PNG'
"""

from __future__ import annotations

import json
import os
from typing import Any

import networkx as nx
import numpy as onp

from gradviz.renderer.backend import (FORMATS, TIMEOUT_SECONDS, RenderError, render_bytes,
                                      write_atomic)
from gradviz.renderer.dot import MAX_PIXELS, as_graph, to_dot

__all__ = ["render", "EXTENSIONS", "graph_to_json", "graph_to_graphml"]

#: The file formats :func:`render` writes, by extension.
EXTENSIONS = ("svg", "png", "pdf", "dot", "html", "gif", "json", "graphml")


def render(trace_or_graph: Any, path: str | os.PathLike, *, format: str | None = None,
           dpi: int = 144, frames: bool = False, timeout: float | None = TIMEOUT_SECONDS,
           **options: Any) -> str:
    """Write the trace's graph to ``path``; the format follows the extension.

    Args:
        trace_or_graph: a :class:`~gradviz.Trace` or its networkx graph.
        path: the file to write (``.svg``, ``.png``, ``.pdf``, ``.dot``, ``.html``, ``.gif``,
            ``.json``, ``.graphml``); with ``frames``, the folder.
        format: the format, when the extension does not say it; with ``frames``, ``svg``
            (the default) or ``png``.
        frames: write one picture per step of the sweeps into folder ``path``
            (``step-001.svg`` …, see :func:`gradviz.renderer.frames.write_frames`).
        dpi: resolution of a PNG (144: sharp on high-density screens and in slides).
        timeout: the most seconds Graphviz may take to lay out and draw (``None``: no
            limit); past it the drawing is stopped and nothing is written.
        options: those of :func:`gradviz.to_dot` (``fields``, ``seed``, ``mode``,
            ``direction``, ``max_nodes``, ``focus``, ``depth``, ``legend``, ``title`` …).

    Returns:
        The path written, as a string.

    Raises:
        RenderError: an unknown format, a Graphviz failure or timeout, or a file that cannot
            be written.
    """
    target = os.fspath(path)
    if frames:
        from gradviz.renderer.frames import write_frames

        write_frames(trace_or_graph, target, format or "svg", dpi=dpi, timeout=timeout,
                     **options)
        return target
    chosen = (format or os.path.splitext(target)[1].lstrip(".")).lower()
    if chosen not in EXTENSIONS:
        raise RenderError(f"cannot tell the format of {target!r}: end the name with "
                          + ", ".join("." + e for e in EXTENSIONS) + " or pass format=")
    write_atomic(target, _data(trace_or_graph, chosen, dpi, timeout, options))
    return target


def _data(trace_or_graph: Any, chosen: str, dpi: int, timeout: float | None,
          options: dict) -> bytes:
    if chosen in ("json", "graphml"):
        graph = as_graph(trace_or_graph, constants=options.get("constants", True))
        text = graph_to_json(graph) if chosen == "json" else graph_to_graphml(graph)
        return text.encode("utf-8")
    if chosen == "html":
        from gradviz.renderer.html import stepper_page

        return stepper_page(trace_or_graph, **options).encode("utf-8")
    if chosen == "gif":
        from gradviz.renderer.frames import gif_bytes

        return gif_bytes(trace_or_graph, timeout=timeout, **options)
    graph = to_dot(trace_or_graph, **options)
    if chosen == "dot":
        return graph.source.encode("utf-8")
    if chosen == "png":
        graph.attr(dpi=str(int(dpi)))  # only here: in an SVG or PDF it would scale the page
        # A larger drawing is scaled down to fit the pixel budget (never up: no "!"); the
        # margin leaves room for Graphviz's padding.
        inches = (MAX_PIXELS - 16) / int(dpi)
        graph.attr(size=f"{inches:.2f},{inches:.2f}")
    assert chosen in FORMATS
    return render_bytes(graph.source, chosen, timeout=timeout)


def _encode(value: Any) -> Any:
    """JSON-ready data: a finite scalar as a plain number; arrays, NaN and Inf as in trace
    files (``{"dtype", "shape", "data"}``); tuples and lists as lists."""
    from gradviz.export.values import encode_value

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, onp.integer, onp.floating)) and onp.isfinite(value):
        return value.item() if isinstance(value, onp.generic) else value  # a plain JSON number
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return encode_value(value)


def graph_to_json(graph: nx.DiGraph) -> str:
    """The graph in networkx's node-link form (``nx.node_link_graph`` reads it back)."""
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(_encode(data), indent=1, allow_nan=False, ensure_ascii=False)


def graph_to_graphml(graph: nx.DiGraph) -> str:
    """GraphML keeps only strings and numbers: arrays and lists become JSON text."""
    plain = nx.DiGraph()
    plain.graph.update({k: _graphml_value(v) for k, v in graph.graph.items() if v is not None})
    for name, data in graph.nodes(data=True):
        plain.add_node(name, **{k: _graphml_value(v) for k, v in data.items() if v is not None})
    for tail, head, data in graph.edges(data=True):
        plain.add_edge(tail, head, **{k: _graphml_value(v) for k, v in data.items() if v is not None})
    return "\n".join(nx.generate_graphml(plain)) + "\n"


def _graphml_value(value: Any) -> Any:
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and onp.isfinite(value):
        return value
    if isinstance(value, (onp.integer, onp.floating)) and onp.isfinite(value):
        return value.item()
    return json.dumps(_encode(value), ensure_ascii=False)
