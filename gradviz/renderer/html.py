"""One HTML file that steps through a trace's sweeps in a browser, or inline in a notebook.

The page holds everything it needs: the graph drawn by :func:`gradviz.to_dot` as inline SVG,
the lecture's tables, every step's text and a small script of our own (no library, nothing
fetched at view time). Every string on it comes from the inspector's stepping model
(:mod:`gradviz.inspector.state`) and its views, which take their words from
:mod:`gradviz.export.notation`: the page shows exactly what ``gradviz inspect`` shows.

The steps are worked out here, once, as *changes*: step k says which numbers of the graph
appear, change or disappear and which table rows change state, relative to step k - 1. The
script replays them. Without script (a notebook viewer, a mail client) the page is the
finished picture: the whole graph with all its numbers and the complete tables.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
    >>> page = stepper_page(t)
    >>> page.startswith("<!DOCTYPE html>"), external_references(page)
    (True, [])
    >>> model = stepper_model(t)
    >>> len(model["steps"]), model["steps"][-1]["node"]
    (16, 'w2')
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

from gradviz.errors import GradvizError
from gradviz.export.notation import bar_name, dot_name, format_value, value_formula

__all__ = ["stepper_page", "stepper_fragment", "stepper_model", "tagged_dot", "training_page",
           "training_fragment", "write_training_page", "notebook_html", "external_references", "MAX_STEPS"]

#: A page with more steps than this is refused: it would not stay small or fast.
MAX_STEPS = 20_000
# What would make a browser fetch something: an attribute naming a file or an address, a
# style sheet's url() or @import.
_FETCHES = re.compile(r"""\b(?:src|href|xlink:href|srcset|poster|action|data)\s*=\s*["'](?!#)[^"'>]*"""
                      r"""|url\(\s*["']?(?!#)|@import""", re.IGNORECASE)
_ROW = re.compile(r'<tr><td align="left" valign="top">(?P<left>.*?)</td>'
                  r'<td align="right" valign="top"')


def external_references(page: str) -> list[str]:
    """Everything in ``page`` that would load a resource (``src=``, ``href=``, ``url(``,
    ``@import``; a link to ``#`` inside the page excepted): empty for every page made here."""
    return _FETCHES.findall(page)


# --- the graph, with its numbers tagged --------------------------------------------------------


def _cell_id(name: str, field: str) -> str:
    return f"gv-{name}-{field}"


def _names(trace) -> dict[str, tuple[str, str]]:
    """The left cell of a number's row in a node label → (node name, v / t / a)."""
    found = {}
    for node in trace.nodes:
        found[_label_key(node.name)] = (node.name, "v")
        found[_label_key(dot_name(node.name))] = (node.name, "t")
        found[_label_key(bar_name(node.name))] = (node.name, "a")
    return found


def _label_key(text: str) -> str:
    return html.escape(text, quote=False)


def tagged_dot(source: str, trace, seeds: list[int]) -> tuple[str, list[dict]]:
    """Give each number of each node label in DOT ``source`` an ``ID`` (Graphviz writes it
    into the SVG), so that the page can show it, hide it or change it.

    Returns the new source and one ``{"id", "name", "field", "sweep"}`` per tagged number:
    field ``v`` (value), ``t`` (the tangent of forward sweep ``sweep``) or ``a`` (the adjoint
    of reverse sweep ``sweep``).
    """
    names, cells, counts = _names(trace), [], {}

    def tag(match: re.Match) -> str:
        left = match.group("left")
        key = left.split(" ", 1)[0].split("<", 1)[0]
        if key not in names:
            return match.group(0)
        name, field = names[key]
        number = counts.get((name, field), 0)
        counts[name, field] = number + 1
        if field == "t" and number >= len(seeds):
            return match.group(0)
        sweep = seeds[number] if field == "t" else number
        cell = _cell_id(name, f"{field}{sweep}" if field != "v" else "v")
        what = {"v": "value", "t": "tangent", "a": "adjoint"}[field]
        cells.append({"id": cell, "name": name, "field": field, "sweep": sweep})
        return match.group(0) + f' ID="{cell}" TOOLTIP="{what} of {html.escape(name)}"'

    return _ROW.sub(tag, source), cells


def tagged_source(trace, options: dict) -> tuple[str, list[dict]]:
    """The DOT source of the trace's graph (``options`` are :func:`gradviz.to_dot`'s) with
    its numbers tagged, and the tagged numbers (see :func:`tagged_dot`)."""
    from gradviz.renderer.dot import _seed_numbers, to_dot

    dot = to_dot(trace, **options)
    labels = [s.label for s in trace.forward_sweeps]
    seeds = _seed_numbers(labels, options.get("seed")) if labels else []
    return tagged_dot(dot.source, trace, seeds)


def graph_svg(trace, options: dict) -> tuple[str, list[dict]]:
    """The trace's graph as inline SVG (no XML prolog) and its tagged numbers."""
    from gradviz.renderer.backend import render_bytes

    source, cells = tagged_source(trace, options)
    svg = render_bytes(source, "svg").decode("utf-8")
    return svg[svg.index("<svg"):], cells


# --- the steps, from the inspector's model -----------------------------------------------------


def _positions(state) -> list:
    """Every position of the one trace of ``state``, in stepping order."""
    positions = [state.position]
    while True:
        after = state._next(positions[-1])
        if after is None or after.iteration != 0:
            return positions
        positions.append(after)
        if len(positions) > MAX_STEPS:
            raise GradvizError(f"the trace has more than {MAX_STEPS:,} steps, too many for a page: "
                               "step through it with gradviz inspect, or draw it with render")


def _node_cells(state, phases, index: int, cells: list[dict], digits: int) -> dict[str, Any]:
    """What each tagged number of node ``index`` shows now: ``None`` hidden, ``1`` its own
    text (the finished sweep's), or another text (an adjoint still being summed)."""
    from gradviz.export.notation import format_value

    now, step = state.position.phase, state.position.step
    shown: dict[str, Any] = {}
    for cell in cells:
        field, where = cell["field"], phases.get((cell["field"], cell["sweep"]))
        if field == "v":
            shown[cell["id"]] = 1 if state.value_known(index) else None
        elif where is None or where > now:
            shown[cell["id"]] = None
        elif where < now:
            shown[cell["id"]] = 1
        elif field == "t":
            shown[cell["id"]] = 1 if state.rank(index) <= step else None
        else:
            known, adjoint = state.adjoint(index)
            final = state.phase.sweep.results[index]
            text = format_value(adjoint, digits)
            shown[cell["id"]] = None if not known else 1 if text == format_value(final, digits) else text
    return shown


def _row_cells(state, number: int, row: int, node: int, value: str, derivative: str) -> list:
    """``[state, value text, derivative text]`` of one table row as the inspector draws it
    (``1``: the finished table's own text)."""
    from gradviz.inspector import views

    if number == state.position.phase:
        row_state = views._row_state(state, number, row, node)
    else:
        row_state = "done" if number < state.position.phase else "pending"
    phase = state.phases[number]
    shown_value = value
    if row_state == "pending" and phase.kind != "reverse":
        shown_value = value_formula(state.trace, node, numbers=False)
    shown_derivative = (views._derivative_cell(state, node, derivative, row_state)
                        if number == state.position.phase else ("" if row_state == "pending" else derivative))
    return [row_state, 1 if shown_value == value else shown_value,
            1 if shown_derivative == derivative else shown_derivative]


def _edges(trace, info, kind: str) -> list[list[str]]:
    """The edges whose partials this step uses: every edge into a node whose value or
    tangent is computed, the one edge a reverse contribution travels back along."""
    nodes = trace.nodes
    if kind == "reverse":
        return [] if info.source is None else [[nodes[info.node].name, nodes[info.source].name]]
    return [[nodes[parent].name, nodes[info.node].name] for _argnum, parent in nodes[info.node].parents]


def _tables(state) -> list[dict]:
    from gradviz.inspector import views

    tables = []
    for number, phase in enumerate(state.phases):
        rows = views._rows(state, number)
        tables.append({"title": phase.title, "kind": phase.kind,
                       "rows": [[trace_name(state.trace, node), value, derivative]
                                for node, value, derivative in rows]})
    return tables


def trace_name(trace, index: int) -> str:
    return trace.nodes[index].name


def stepper_model(trace, *, digits: int = 4, cells: list[dict] | None = None) -> dict:
    """Everything the page shows, step by step, as JSON-ready data.

    ``steps[k]`` has the ``node`` highlighted, the ``source`` of a reverse contribution, the
    ``edges`` used, the ``where`` line and the step's ``text`` (the inspector's, word for
    word), ``seed``: the step the seed switch goes to (``-1``: no other seed), and the
    changes since step k - 1: ``cells`` ``[[id, shown], …]`` and ``rows``
    ``[[table, row, state, value, derivative], …]``.
    """
    from gradviz.inspector.state import InspectorState, Position
    from gradviz.inspector.run import Run
    from gradviz.inspector.views import step_text, where_text

    state = InspectorState(Run([trace], training=False))
    positions = _positions(state)
    index_of = {position: k for k, position in enumerate(positions)}
    tables = _tables(state)
    rows_of = [{row[0]: k for k, row in enumerate(table["rows"])} for table in tables]
    by_node: dict[str, list[dict]] = {}
    for cell in cells or []:
        by_node.setdefault(cell["name"], []).append(cell)
    names = {node.name: node.index for node in trace.nodes}
    phases = _phase_numbers(state.phases)
    shown_cells: dict[str, Any] = {c["id"]: 1 for c in cells or []}
    shown_rows: dict[tuple[int, int], list] = {}
    steps, previous = [], None
    for position in positions:
        state.position, state.message = position, ""
        info = state.current
        dirty_nodes = set(by_node) if previous is None or previous.phase != position.phase else {
            trace.nodes[info.node].name, trace.nodes[state.phases[previous.phase].steps[previous.step].node].name}
        changed_cells = []
        for name in sorted(dirty_nodes & set(by_node)):
            for cell_id, shown in _node_cells(state, phases, names[name], by_node[name], digits).items():
                if shown_cells.get(cell_id) != shown:
                    shown_cells[cell_id] = shown
                    changed_cells.append([cell_id, shown])
        changed_rows = []
        for number, row in _dirty_rows(state, previous, rows_of, tables):
            node = tables[number]["rows"][row]
            now = _row_cells(state, number, row, names[node[0]], node[1], node[2])
            if shown_rows.get((number, row)) != now:
                shown_rows[number, row] = now
                changed_rows.append([number, row, *now])
        state.position = position
        steps.append({
            "phase": position.phase, "node": trace.nodes[info.node].name,
            "source": None if info.source is None else trace.nodes[info.source].name,
            "edges": _edges(trace, info, state.phase.kind),
            "where": where_text(state, breakpoints=False).plain,
            "text": step_text(state).plain, "seed": _seed_target(state, index_of, Position),
            "cells": changed_cells, "rows": changed_rows})
        previous = position
    return {"tables": tables, "steps": steps, "records": _records(trace, by_node),
            "phases": [phase.title for phase in state.phases]}


def _phase_numbers(phases) -> dict[tuple[str, int], int]:
    """Where each sweep is among the phases: ``("t", k)`` forward sweep k, ``("a", k)`` reverse."""
    found = {}
    for number, phase in enumerate(phases):
        if phase.kind in ("forward", "reverse"):
            found["t" if phase.kind == "forward" else "a", phase.number] = number
    return found


def _dirty_rows(state, previous, rows_of, tables):
    """The table rows that may have changed since ``previous``: all of them at the start and
    when a phase begins, else the rows of the node highlighted now and of the one before."""
    now = state.position
    if previous is None:
        return [(t, r) for t, table in enumerate(tables) for r in range(len(table["rows"]))]
    if previous.phase != now.phase:
        return [(t, r) for t in {previous.phase, now.phase} for r in range(len(tables[t]["rows"]))]
    before = state.phases[previous.phase].steps[previous.step].node
    names = {state.trace.nodes[state.current.node].name, state.trace.nodes[before].name}
    return [(now.phase, rows_of[now.phase][name]) for name in sorted(names)
            if name in rows_of[now.phase]]


def _seed_target(state, index_of, Position) -> int:
    """The step the seed switch goes to from here, as the inspector's ``s`` does (-1: none)."""
    phase = state.phase
    if phase.kind != "forward" or phase.count < 2:
        return -1
    saved = state.position
    state.switch_seed()
    target = index_of.get(Position(*state.position), -1)
    state.position, state.message = saved, ""
    state.history.clear()
    return target


def _records(trace, by_node: dict) -> dict[str, list[str]]:
    """What a click on a node shows: its whole record, in the lecture's notation."""
    from gradviz.engine.source import describe_site, site_source
    from gradviz.export.notation import adjoint_formula, tangent_formula

    records = {}
    for name in by_node:
        node = next(n for n in trace.nodes if n.name == name)
        lines = [trace.label(node.index) + f" · {node.op}", value_formula(trace, node.index)]
        lines.append(f"shape {_shape(node.value)}")
        for sweep in trace.forward_sweeps:
            step = next((s for s in sweep.steps if s.node == node.index), None)
            text = (tangent_formula(trace, sweep, step) if step is not None
                    else f"{dot_name(name)} = {format_value(sweep.results[node.index])}")
            lines.append(f"{text}   ({sweep.label})")
        for sweep in trace.reverse_sweeps:
            lines.append(adjoint_formula(trace, sweep, node.index))
        if site_source(node.site):
            lines.append(describe_site(node.site))
        records[name] = lines
    return records


def _shape(value: Any) -> str:
    import numpy as onp

    from gradviz.engine.tracer import unbox

    raw = unbox(value)
    shape = onp.shape(raw)
    dtype = getattr(raw, "dtype", type(raw).__name__)
    return f"{'×'.join(map(str, shape)) or 'scalar'} {dtype}"


# --- the page ----------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("gradviz.renderer").joinpath("static", name).read_text("utf-8")


def _fill(template: str, **values: str) -> str:
    """``template`` with each ``@@name@@`` replaced, in one pass (a value is never rescanned)."""
    return re.sub(r"@@(\w+)@@", lambda match: values[match.group(1)], template)


def _json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _table_html(number: int, table: dict) -> str:
    rows = "".join(f'<tr data-row="{k}"><td>{html.escape(value)}</td><td>{html.escape(derivative)}</td></tr>'
                   for k, (_name, value, derivative) in enumerate(table["rows"]))
    second = "" if table["kind"] == "evaluate" else "<th>Operations to compute derivative</th>"
    return (f'<table class="gv-table" data-table="{number}"><caption>{html.escape(table["title"])}'
            f'</caption><thead><tr><th>Operations to compute value</th>{second}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def stepper_fragment(trace, *, title: str | None = None, digits: int = 4, keys: str = "page",
                     **options: Any) -> str:
    """The stepper as one ``<div>`` with its style, data and script (for a notebook or a
    page). ``keys="page"`` binds the arrow keys on the whole page, ``"focus"`` only while
    the stepper has the focus (a notebook cell). ``options`` are :func:`gradviz.to_dot`'s.

    Raises:
        GradvizError: ``trace`` is not a :class:`~gradviz.Trace`, or has too many steps.
    """
    require_trace(trace, "an HTML stepper", "steps.html")
    svg, cells = graph_svg(trace, dict(options, digits=digits, title=title))
    model = stepper_model(trace, digits=digits, cells=cells)
    tables = "".join(_table_html(k, table) for k, table in enumerate(model.pop("tables")))
    heading = html.escape(title or f"{trace.name}({', '.join(trace.input_names)})")
    return _fill(_asset("stepper.html"), style=_asset("stepper.css"), script=_asset("stepper.js"),
                 data=_json(model), svg=svg, tables=tables, title=heading, keys=keys,
                 steps=str(len(model["steps"]) - 1))


def require_trace(trace, what: str, example: str) -> None:
    """Refuse anything but a :class:`~gradviz.Trace` for ``what`` (the stepper, the frames)."""
    from gradviz.engine.trace import Trace

    if not isinstance(trace, Trace):
        raise GradvizError(f"{what} is made from a gradviz.Trace, got {type(trace).__name__}: "
                           f"e.g. gradviz.render(gradviz.trace(f, 2.0, 5.0), '{example}')")


def stepper_page(trace, *, title: str | None = None, **options: Any) -> str:
    """A whole HTML document: :func:`stepper_fragment` with its keys on the page."""
    body = stepper_fragment(trace, title=title, keys="page", **options)  # checks the trace
    return _document(title or f"{trace.name}({', '.join(trace.input_names)})", body)


def _document(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · gradviz</title></head>\n<body>\n{body}\n</body></html>\n")


def notebook_html(source: Any, findings=()) -> str:
    """What Jupyter shows for a :class:`~gradviz.Trace` or a :class:`~gradviz.Recording`: the
    stepper, keys bound while it has the focus; without script, the finished graph. A
    recording's ``findings`` are marked on its iteration axis (see :func:`training_fragment`)."""
    from gradviz.engine.trace import Trace

    if isinstance(source, Trace):
        return stepper_fragment(source, keys="focus")
    return training_fragment(list(source.traces), findings=findings, keys="focus")


# --- a training run -----------------------------------------------------------------------------


def training_page(traces, *, inputs=None, labels=None, predict=None, title: str = "training",
                  breakpoints: list[int] | None = None, findings=(), digits: int = 4,
                  **options: Any) -> str:
    """A whole HTML document for a training run: see :func:`training_fragment`."""
    body = training_fragment(traces, inputs=inputs, labels=labels, predict=predict, title=title,
                             breakpoints=breakpoints, findings=findings, digits=digits, keys="page",
                             **options)
    return _document(title, body)


def write_training_page(path, result, inputs, labels, breakpoints=(), *, findings=(),
                        title: str = "training") -> str:
    """Write the page of a :class:`~gradviz.train.TrainingResult` trained with
    ``keep_traces=True`` to ``path`` (atomically, as every picture)."""
    from gradviz.renderer.backend import write_atomic

    page = training_page(result.traces, inputs=inputs, labels=labels, predict=result.model.predict,
                         title=title, breakpoints=list(breakpoints), findings=findings)
    write_atomic(path, page.encode("utf-8"))
    return str(path)


#: A training page steps through the sweeps of at most this many iterations (each adds some
#: 17 kB for the moons' logistic model and takes as long to work out as a stepper page), of
#: at most this many steps each: a larger trace's iterations are shown finished only, so
#: that the page stays small.
MAX_STEPPED, MAX_ITERATION_STEPS = 8, 300


def stepped_iterations(count: int, marked: list[int]) -> list[int]:
    """The iterations whose sweeps a training page can step through: all of them up to
    :data:`MAX_STEPPED`, else the first, the last, the ``marked`` ones (NaN, breakpoints)
    and evenly spaced ones between, :data:`MAX_STEPPED` in all.

    Example:
        >>> stepped_iterations(3, []), stepped_iterations(60, [2])
        ([0, 1, 2], [0, 2, 10, 20, 30, 39, 49, 59])
    """
    if count <= MAX_STEPPED:
        return list(range(count))
    inside = sorted({k for k in marked if 0 < k < count - 1})
    chosen = {0, count - 1, *inside[:MAX_STEPPED - 2]}
    spare = MAX_STEPPED - len(chosen)
    between = [round(k * (count - 1) / (spare + 1)) for k in range(1, spare + 1)]
    for k in between:
        while k in chosen and k < count - 1:
            k += 1
        chosen.add(k)
    return sorted(chosen)[:MAX_STEPPED]


def iteration_sweeps(traces, cells: list[dict], iterations: list[int], *, digits: int = 4) -> dict:
    """``{iteration: {"tables", "steps"}}``: the stepper's model of each iteration asked for
    whose trace has the nodes of the graph drawn (the first iteration's) and not too many steps."""
    names = [node.name for node in traces[0].nodes]
    found = {}
    for number in iterations:
        trace = traces[number]
        sweeps = 1 + len(trace.forward_sweeps) + len(trace.reverse_sweeps)
        if len(trace.nodes) * sweeps > MAX_ITERATION_STEPS:
            continue  # (counted before any work: an evaluation and a step per node and sweep)
        if [node.name for node in trace.nodes] != names:
            continue
        model = stepper_model(trace, digits=digits, cells=cells)
        found[str(number)] = {"tables": model["tables"], "steps": model["steps"]}
    return found


def training_fragment(traces, *, inputs=None, labels=None, predict=None, title: str = "training",
                      breakpoints: list[int] | None = None, findings=(), digits: int = 4,
                      keys: str = "focus", **options: Any) -> str:
    """A slider over the iterations of a training run, with the loss curve, the weights and
    their gradient, the decision boundary over the data and the graph of the iteration with
    its values and adjoints. The ``findings`` (``{"iteration", "kind", "text"}`` each, worked
    out by the caller: :func:`gradviz.drawing.training_findings` gives the iterations where a
    NaN or Inf appears) and the ``breakpoints`` are marked on the iteration axis."""
    from gradviz.renderer.html_training import training_model

    traces = list(traces)
    if not traces:
        raise GradvizError("nothing to show: the run has no traces (was grad called inside the "
                           "gradviz.record() block?)")
    svg, cells = graph_svg(traces[0], dict(options, digits=digits, title=title, seed=None))
    model = training_model(traces, cells, inputs=inputs, labels=labels, predict=predict,
                           breakpoints=breakpoints or [], findings=findings, digits=digits)
    marked = [finding["iteration"] for finding in model["findings"]]
    model["sweeps"] = iteration_sweeps(traces, cells, stepped_iterations(len(traces), marked),
                                       digits=digits)
    return _fill(_asset("training.html"), style=_asset("stepper.css"), script=_asset("stepper.js"),
                 data=_json(model), svg=svg, title=html.escape(title), keys=keys,
                 last=str(len(traces) - 1), count=str(len(traces)))
