"""A trace's graph as Graphviz DOT: every node with its value, tangents and adjoint, every
edge with its local partial ∂wⱼ/∂wᵢ.

:func:`to_dot` draws from the networkx graph of :func:`gradviz.export.graph.to_networkx` (the
documented schema) and returns a :class:`Graph`, a ``graphviz.Digraph`` that displays inline
in Jupyter even where no Graphviz program is installed. Labels are HTML-like tables; all text
comes from :mod:`gradviz.export.notation`, so the picture and the tables read alike.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> dot = to_dot(t)
    >>> "∂w4/∂w1 = cos w1" in dot.source and "-0.4161" in dot.source
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

import networkx as nx
import numpy as onp

from gradviz.errors import GradvizError
from gradviz.export.notation import bar_name, dot_name, format_value
from gradviz.renderer.digraph import Graph
from gradviz.renderer.marks import _escape
from gradviz.renderer.summarize import DEFAULT_MAX_NODES, summarize

__all__ = ["to_dot", "Graph", "MAX_PIXELS", "FIELDS", "MODES", "DIRECTIONS", "as_graph"]

#: What a node or an edge can show; ``fields=`` picks among them.
FIELDS = ("formula", "value", "tangent", "adjoint", "partial")
MODES = ("forward", "reverse", "both")
DIRECTIONS = ("TB", "LR", "BT", "RL")
# Beyond this many forward sweeps a node shows the first ones and says how many it left out.
_MAX_SEED_ROWS = 4
#: The longer side of a PNG, in pixels, at most: a larger drawing is scaled down to fit.
#: PIL warns of a "decompression bomb" above 89 million pixels; 3 000 × 3 000 is 9, and
#: rasterising 16 million (4 000²) alone takes 3 s on a loaded machine.
MAX_PIXELS = 3000
# A title is wrapped at about this many characters, and cut after this many lines.
_TITLE_WIDTH = 100
_TITLE_LINES = 6
FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"
RED = "#c62828"

#: Fill and border colour of each node kind (colour-blind safe pairs).
KIND_STYLE = {
    "input": ("#e6f4e4", "#2e7d32"),
    "constant": ("#f4f4f4", "#9e9e9e"),
    "intermediate": ("#e8f0fb", "#3b6fb6"),
    "output": ("#fdebd3", "#c96a12"),
    "nondifferentiable": ("#eeeeee", "#757575"),
    "folded": ("#f1e8f8", "#7b4fa0"),
}


@dataclass(frozen=True)
class _Options:
    fields: frozenset
    seeds: tuple[int, ...]  # forward sweeps shown
    seed_names: tuple[str, ...]
    adjoint_names: tuple[str, ...]
    digits: int
    marks: Any = None  # the debugger's findings to draw (gradviz.renderer.marks.Marks)


def as_graph(trace_or_graph: Any, *, constants: bool = True, detail: bool = True) -> nx.DiGraph:
    """The networkx graph of a :class:`~gradviz.Trace`, or the graph itself."""
    if isinstance(trace_or_graph, nx.DiGraph):
        return trace_or_graph
    if hasattr(trace_or_graph, "to_networkx") and hasattr(trace_or_graph, "tape"):
        from gradviz.export.graph import to_networkx

        return to_networkx(trace_or_graph, constants=constants, detail=detail)
    raise GradvizError(f"cannot draw a {type(trace_or_graph).__name__}: pass a gradviz.Trace "
                       "(from gradviz.trace) or the networkx graph of one")


def to_dot(trace_or_graph: Any, *, fields: Any = None, seed: Any = None, mode: str = "both",
           direction: str = "TB", max_nodes: int | None = DEFAULT_MAX_NODES,
           focus: str | None = None, depth: int = 2, legend: bool = True,
           constants: bool = True, title: str | None = None, digits: int = 4,
           debug: bool = False, nans: bool = False, check: bool = False,
           health: bool = False, findings: Callable[[nx.DiGraph], Any] | None = None) -> Graph:
    """Return the trace's graph as a :class:`Graph` (a ``graphviz.Digraph``).

    Args:
        trace_or_graph: a :class:`~gradviz.Trace` or its ``to_networkx()`` graph.
        fields: what to show, a subset of :data:`FIELDS` (default: all).
        seed: which forward sweep's tangents to show: an input name (``"x1"``), a sweep
            label (``"seed x[0]"``) or a sweep number; ``None`` shows one row per seed.
        mode: ``"forward"`` (tangents), ``"reverse"`` (adjoints) or ``"both"``.
        direction: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        max_nodes: above this many nodes the graph is summarised (``None``: never).
        focus, depth: draw only the nodes within ``depth`` edges of node ``focus``.
        legend: add a small legend explaining the fields and colours.
        constants: draw the untraced arguments (``0.5``, ``train_X``) as small nodes.
        title: a line drawn above the graph (default: the function and its inputs).
        digits: significant digits of scalars.
        nans: mark where a NaN/Inf was born (filled red) and where it is passed on (red
            outline), from :func:`gradviz.debug.nan_birth`.
        check: mark the nodes whose rules fail their check (magenta dashed border), from
            :func:`gradviz.debug.check_trace`.
        health: fill the nodes by ``log ‖w̄‖`` and write the health flags, from
            :func:`gradviz.debug.health`.
        debug: all three. A graph from :func:`gradviz.debug.annotate` is drawn with its
            findings whatever these say.
        findings: for a trace, what puts the debugger's verdicts on the graph's nodes, as
            :func:`gradviz.drawing.findings` returns (``gradviz.to_dot`` passes it): the
            renderer draws findings, it does not run the debugger.

    Raises:
        GradvizError: an unknown field, mode, direction, seed or focus node; a debug option
            on a graph that does not carry its attributes.
    """
    from gradviz.renderer.marks import Marks, annotated

    is_trace = not isinstance(trace_or_graph, nx.DiGraph)
    if is_trace and not hasattr(trace_or_graph, "tape"):
        as_graph(trace_or_graph)  # raises the error that says what to pass
    # Summarising hides constants, and a focus keeps only a neighbourhood: on a large trace
    # constants are not built for the whole graph (that would double its size), only for
    # the neighbourhood that is shown.
    large = is_trace and bool(max_nodes) and len(trace_or_graph) > max_nodes
    constants_of_focus = large and constants and focus is not None
    if large:
        constants = False
    # From a trace, the structure is built first and the text and numbers only for what is
    # shown: a 100 000-node trace is summarised in seconds, not drawn attribute by attribute.
    graph = as_graph(trace_or_graph, constants=constants, detail=not is_trace)
    # debug=True, as debug_graph, leaves health out when there is no reverse sweep
    health = health or (debug and bool(graph.graph.get("reverse_sweeps")))
    graph = annotated(graph, findings, nans=nans or debug, check=check or debug, health=health)
    options = _options(graph, fields, seed, mode, digits)
    if direction not in DIRECTIONS:
        raise GradvizError(f"unknown direction {direction!r}: use TB (top to bottom) or LR "
                           "(left to right)")
    # A graph built here from a trace is ours to summarise in place, unless findings are
    # drawn: they look up folded-away nodes in the whole graph.
    in_place = is_trace and not (nans or check or health or debug)
    shown = summarize(graph, max_nodes=max_nodes, focus=focus, depth=depth, copy=not in_place)
    if is_trace:
        from gradviz.export.graph import add_constants, add_detail

        if constants_of_focus and shown.number_of_nodes() <= max_nodes:
            add_constants(shown, trace_or_graph)
        add_detail(shown, trace_or_graph)
    marks = Marks.of(graph, shown)
    options = replace(options, marks=marks)
    dot = Graph(name=_function_name(graph), engine="dot", format="svg")
    dot.attr(rankdir=direction, fontname=FONT, fontsize="12", labelloc="t", nodesep="0.35",
             ranksep="0.45", bgcolor="white")
    dot.attr("node", fontname=FONT, fontsize="11", shape="box", style="rounded,filled", margin="0.06,0.04")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    dot.attr(label=_title(graph, shown, title, marks.notes() if marks else []))
    order = {name: _node_order(shown, name) for name in shown}
    red = False  # whether anything is drawn red, so that the legend explains red only then
    for name in sorted(shown, key=order.__getitem__):
        attributes = _node_attributes(name, shown.nodes[name], options)
        red = red or _is_red(attributes)
        dot.node(name, **attributes)
    for tail, head in sorted(shown.edges, key=lambda e: (order[e[1]], order[e[0]])):
        attributes = _edge_attributes(tail, head, shown.edges[tail, head], options)
        red = red or _is_red(attributes)
        dot.edge(tail, head, **attributes)
    if legend:
        last = max(shown, key=order.__getitem__, default=None)
        _add_legend(dot, shown, options, below=last, red=red)
    return dot


def _is_red(attributes: dict[str, str]) -> bool:
    """Whether a node or an edge is drawn with NaN/Inf red: its line, or a number in it."""
    return attributes.get("color") == RED or f'color="{RED}"' in attributes.get("label", "")


def _function_name(graph: nx.DiGraph) -> str:
    name = str(graph.graph.get("name") or "f")
    return name if name.isidentifier() else "f"  # "<lambda>"


def _node_order(graph: nx.DiGraph, name: str) -> tuple:
    """Evaluation order; a constant ``w3.c1`` sits just before its consumer ``w3``."""
    data = graph.nodes[name]
    if data.get("index") is not None:
        return (data["index"], 1, name)
    if data.get("kind") == "constant" and "." in name:
        consumer = name.split(".", 1)[0]
        if consumer in graph and graph.nodes[consumer].get("index") is not None:
            return (graph.nodes[consumer]["index"], 0, name)
    return (float("inf"), 2, name)


def _options(graph: nx.DiGraph, fields: Any, seed: Any, mode: str, digits: int) -> _Options:
    chosen = set(FIELDS if fields is None else _field_list(fields))
    unknown = chosen - set(FIELDS)
    if unknown:
        raise GradvizError(f"unknown field {sorted(unknown)[0]!r}: choose from {', '.join(FIELDS)}")
    if mode not in MODES:
        raise GradvizError(f"unknown mode {mode!r}: use forward, reverse or both")
    chosen -= {"adjoint"} if mode == "forward" else {"tangent"} if mode == "reverse" else set()
    labels = list(graph.graph.get("forward_sweeps", []))
    seeds = _seed_numbers(labels, seed)
    return _Options(frozenset(chosen), tuple(seeds), tuple(_seed_name(labels[k]) for k in seeds),
                    tuple(_seed_name(label) for label in graph.graph.get("reverse_sweeps", [])),
                    int(digits))


def _field_list(fields: Any) -> list[str]:
    if isinstance(fields, str):
        return [field.strip() for field in fields.split(",") if field.strip()]
    return list(fields)


def _seed_name(label: str) -> str:
    return label[5:] if label.startswith("seed ") else label


def _seed_numbers(labels: list[str], seed: Any) -> list[int]:
    """The forward sweeps to show: all of them, or those that ``seed`` names."""
    if seed is None:
        return list(range(len(labels)))
    asked = repr(seed)
    if isinstance(seed, int) and not isinstance(seed, bool):
        if 0 <= seed < len(labels):
            return [seed]
    else:
        texts = [str(s) for s in ([seed] if isinstance(seed, str) else seed)]
        wanted = [w.strip() for text in texts for w in text.split(",") if w.strip()]
        def names(label: str, w: str) -> bool:
            return _seed_name(label) in (w, _seed_name(w)) or _seed_name(label).startswith(w + "[")

        unknown = [w for w in wanted if not any(names(label, w) for label in labels)]
        if wanted and not unknown:
            return [k for k, label in enumerate(labels) if any(names(label, w) for w in wanted)]
        # every name must be a seed: one misspelt name of two would otherwise vanish silently
        asked = ", ".join(unknown) or "no name"  # the names as written, not a Python list
    choices = ", ".join(_seed_name(label) for label in labels) or "none (no forward sweep)"
    raise GradvizError(f"no forward sweep is seeded on {asked}: the seeds are {choices}")


# --- nodes ---------------------------------------------------------------------------------


def _nonfinite(value: Any) -> bool:
    try:
        array = onp.asarray(value)
        return array.dtype.kind in "fc" and not bool(onp.all(onp.isfinite(array)))
    except (TypeError, ValueError):
        return False


def _number(value: Any, digits: int) -> str:
    """A formatted value as HTML; NaN and Inf in bold red so they cannot be missed."""
    text = _escape(format_value(value, digits))
    return f'<font color="{RED}"><b>{text}</b></font>' if _nonfinite(value) else text


def _row(left: str, right: str) -> str:
    return (f'<tr><td align="left" valign="top">{left}</td>'
            f'<td align="right" valign="top">{right}</td></tr>')


def _gray(text: str, size: int = 9) -> str:
    return f'<font color="#666666" point-size="{size}">{text}</font>'


def _value_rows(name: str, data: dict, options: _Options) -> list[str]:
    """``w4 0.9093``, one ``ẇ4 (x1) -0.4161`` per shown seed, ``w̄4 1``."""
    rows, digits = [], options.digits
    if "value" in options.fields:
        rows.append(_row(_escape(name), _number(data.get("value"), digits)))
    tangents = data.get("tangents") or []
    if "tangent" in options.fields and tangents:
        for k, seed_name in list(zip(options.seeds, options.seed_names))[:_MAX_SEED_ROWS]:
            if k < len(tangents):
                rows.append(_row(f"{_escape(dot_name(name))} {_gray('(' + _escape(seed_name) + ')')}",
                                 _number(tangents[k], digits)))
        if len(options.seeds) > _MAX_SEED_ROWS:
            more = len(options.seeds) - _MAX_SEED_ROWS
            rows.append(_row(_gray(f"… {more} more seed{'s' * (more > 1)}"), ""))
    adjoints = data.get("adjoints") or []
    if "adjoint" in options.fields and adjoints:
        for k, adjoint in enumerate(adjoints[:_MAX_SEED_ROWS]):
            which = f" {_gray('(' + _escape(options.adjoint_names[k]) + ')')}" if len(adjoints) > 1 else ""
            rows.append(_row(f"{_escape(bar_name(name))}{which}", _number(adjoint, digits)))
    return rows


def _header(name: str, data: dict, options: _Options) -> str:
    kind = data.get("kind")
    text = data.get("formula") if "formula" in options.fields and data.get("formula") else (
        data.get("label") or name)
    tag = data.get("op") or kind
    if kind == "output":
        tag = f"{tag} · output"
    elif kind == "input":
        tag = "input"
    return (f'<tr><td align="left"><b>{_escape(text)}</b></td>'
            f'<td align="right">&#160;&#160;{_gray(_escape(tag))}</td></tr>')


def _table(rows: list[str]) -> str:
    return ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            + "".join(rows) + "</table>>")


def _node_attributes(name: str, data: dict, options: _Options) -> dict[str, str]:
    kind = data.get("kind", "intermediate")
    fill, border = KIND_STYLE.get(kind, KIND_STYLE["intermediate"])
    attributes = {"fillcolor": fill, "color": border}
    if kind == "constant":
        return dict(attributes, shape="box", style="rounded,dashed", fontsize="9", fontcolor="#555555",
                    margin="0.04,0.02", label=_table([f"<tr><td>{_number(data.get('value'), options.digits)}</td></tr>"]))
    if kind == "folded":
        rows = _folded_rows(name, data, options)
        attributes.update(style="rounded,filled,dashed")
    else:
        rows = [_header(name, data, options)] + _value_rows(name, data, options)
    if kind == "output":
        attributes["peripheries"] = "2"
    if kind == "nondifferentiable":
        attributes["style"] = "rounded,filled,dashed"
    values = [data.get("value"), *(data.get("tangents") or []), *(data.get("adjoints") or [])]
    if any(_nonfinite(v) for v in values):
        attributes.update(color=RED, penwidth="2")
    if data.get("focus"):
        attributes["penwidth"] = "3"
    if options.marks is not None and kind != "folded":
        rows = options.marks.decorate(name, data, attributes, rows)
    attributes["label"] = _table(rows)
    return attributes


def _folded_rows(name: str, data: dict, options: _Options) -> list[str]:
    count = data.get("count", 0)
    what = "" if "nodes" in name else " " + _gray(_escape(f"{count:,} nodes folded"))
    rows = [f'<tr><td align="left" colspan="2"><b>{_escape(name)}</b>{what}</td></tr>',
            f'<tr><td align="left" colspan="2">{_escape(data.get("pattern", ""))}</td></tr>']
    absorbed = data.get("absorbed") or []
    if absorbed:
        names = absorbed[0] if len(absorbed) == 1 else f"{absorbed[0]} … {absorbed[-1]}"
        rows.append(f'<tr><td align="left" colspan="2">{_gray(_escape(f"with {len(absorbed):,} inputs: {names}"))}</td></tr>')
    last = data.get("last")
    if last:
        rows.append(f'<tr><td align="left" colspan="2">{_gray(_escape("last: " + (last.get("formula") or last["name"])))}</td></tr>')
        rows += _value_rows(last["name"], last, options)
    return rows


# --- edges ---------------------------------------------------------------------------------


def _edge_attributes(tail: str, head: str, data: dict, options: _Options) -> dict[str, str]:
    kind = data.get("kind")
    if kind == "constant":
        return {"style": "dashed", "color": "#9e9e9e", "arrowsize": "0.5"}
    if kind == "grouped":
        count = data.get("count", 1)
        return {"style": "dashed", "color": "#7b4fa0",
                "label": f"{count:,} edges" if count > 1 else ""}
    attributes: dict[str, str] = {}
    parallel = data.get("parallel", 1)  # edges of a folded block's repeats, drawn as one
    if "partial" in options.fields and data.get("partial") is not None:
        label = _partial_label(data.get("tail", tail), data.get("head", head), data, options)
        attributes["label"] = f"<{parallel:,} edges, the first:<br/>{label[1:-1]}>" if parallel > 1 else label
    elif parallel > 1:
        attributes["label"] = f"{parallel:,} edges"
    if _nonfinite(data.get("partial_value")):
        attributes["color"] = RED
    return attributes


def _partial_label(tail: str, head: str, data: dict, options: _Options) -> str:
    """``∂w4/∂w1 = cos w1 = -0.4161``: the symbol, then the number (when it differs)."""
    symbol = f"∂{head}/∂{tail}"
    formula = data["partial"]
    text = _escape(symbol if formula == symbol else f"{symbol} = {formula}")
    value = data.get("partial_value")
    if value is not None:
        number = format_value(value, options.digits)
        same = _same_everywhere(value)
        if same is not None:  # ∂w6/∂w5 = 1, not "(200, 8) float64 min 1 mean 1 max 1"
            value, number = same, format_value(same, options.digits)
        if number != formula:
            separator = "<br/>" if len(formula) + len(number) > 24 else " "
            text += f"{separator}= {_number(value, options.digits)}"
    return f"<{text}>"


def _same_everywhere(value: Any) -> Any:
    """The one number every element of an array partial equals, or ``None``."""
    if not isinstance(value, onp.ndarray) or value.size < 2 or value.dtype.kind not in "biufc":
        return None
    first = value.flat[0]
    return first if bool(onp.all(value == first)) else None


# --- title and legend ----------------------------------------------------------------------


def _title(graph: nx.DiGraph, shown: nx.DiGraph, title: str | None, notes: list[str]) -> str:
    if title is None:
        names = list(graph.graph.get("input_names", []))
        if len(names) > 4:  # an MLP has hundreds: name a few, count the rest
            names = names[:2] + [f"… {len(names) - 3:,} more …", names[-1]]
        title = f"{_function_name(graph)}({', '.join(names)})"
    lines = [f"<b>{_escape(line)}</b>" for line in _wrap(title)]
    lines += [_gray(_escape(note), 10) for note in shown.graph.get("summary", [])]
    lines += [f'<font color="#333333" point-size="10">{_escape(note)}</font>' for note in notes]
    return "<" + "<br/>".join(lines) + ">"


def _wrap(text: str, width: int = _TITLE_WIDTH, most: int = _TITLE_LINES) -> list[str]:
    """``text`` in lines of at most about ``width`` characters, broken after a space or an
    ``+``, ``-`` or ``,``; past ``most`` lines the middle is left out, saying how long the
    whole was.

    Example:
        >>> _wrap("sin(x·1)+sin(x·2)+sin(x·3)", width=10)
        ['sin(x·1)+', 'sin(x·2)+', 'sin(x·3)']
    """
    pieces = [piece[k:k + width] for piece in re.findall(r"[^ +\-,]+[ +\-,]*|[ +\-,]+", text)
              for k in range(0, len(piece), width)]  # a piece with no place to break is cut
    lines = _pack(pieces, width)
    if len(lines) > most:  # keep the start and the end ("at x = 0.3")
        tail = _pack(pieces[::-1], width, backwards=True)[0]
        lines = lines[:most - 2] + [f"… ({len(text):,} characters in all) …", tail]
    return lines


def _pack(pieces: list[str], width: int, backwards: bool = False) -> list[str]:
    lines, line = [], ""
    for piece in pieces:
        if line and len(line) + len(piece) > width:
            lines.append(line.strip())
            line = ""
        line = piece + line if backwards else line + piece
    if line.strip():
        lines.append(line.strip())
    return lines


def _add_legend(dot: Graph, shown: nx.DiGraph, options: _Options, below: str | None,
                red: bool) -> None:
    kinds = [k for k in KIND_STYLE if any(d.get("kind") == k for _, d in shown.nodes(data=True))]
    fill = options.marks.kind_fill if options.marks is not None else str
    swatches = "".join(f'<td bgcolor="{fill(KIND_STYLE[k][0])}" border="1" color="{KIND_STYLE[k][1]}">'
                       f'{_gray(k, 9)}</td>' for k in kinds)
    rows = [f'<tr><td colspan="{max(1, len(kinds))}" align="left"><b>legend</b></td></tr>',
            f"<tr>{swatches}</tr>"]
    explain = []
    w = str(shown.graph.get("letter") or "w")  # v when the inputs are called w1, w2 …
    if "value" in options.fields:
        explain.append(f"{w}ᵢ  value of node i")
    if "tangent" in options.fields:
        explain.append(f"{dot_name(w)}ᵢ (x)  tangent ∂{w}ᵢ/∂x, forward mode seeded on x")
    if "adjoint" in options.fields:
        explain.append(f"{bar_name(w)}ᵢ  adjoint ∂f/∂{w}ᵢ, reverse mode")
    if "partial" in options.fields:
        explain.append(f"edge {w}ᵢ → {w}ⱼ  local partial ∂{w}ⱼ/∂{w}ᵢ")
    if red:
        explain.append("red: NaN or Inf")
    rows += [f'<tr><td colspan="{max(1, len(kinds))}" align="left">{_gray(_escape(line), 9)}</td></tr>'
             for line in explain]
    if options.marks is not None:
        rows += options.marks.legend_rows(max(1, len(kinds)))
    dot.node("legend", shape="plaintext", style="", margin="0",
             label='<<table border="0" cellborder="0" cellspacing="2" cellpadding="2">'
             + "".join(rows) + "</table>>")
    if below is not None:
        # An invisible edge ranks the legend after the last node: under (or beside) the graph.
        dot.edge(below, "legend", style="invis")
