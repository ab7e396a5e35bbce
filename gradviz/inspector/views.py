"""What the inspector shows, as rich renderables built from an :class:`InspectorState`.

The textual app puts each view in a panel; plain mode prints them one after another. Every
view reads the state and the recorded sweeps and computes nothing new; the lecture's
notation comes from :mod:`gradviz.export.notation` and the table rows from :mod:`gradviz.export.tables`.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import numpy as onp
from rich.table import Table
from rich.text import Text

from gradviz.engine.source import describe_site, site_source
from gradviz.engine.tracer import unbox
from gradviz.inspector.state import InspectorState
from gradviz.inspector.phases import running_adjoint
from gradviz.export.notation import (
    adjoint_formula,
    bar_name,
    contribution_formula,
    dot_name,
    format_value,
    value_formula,
)
from gradviz.export.tables import forward_rows, reverse_rows

__all__ = ["where_text", "step_text", "table_view", "tables_view", "companion_phase", "graph_lines", "graph_view",
           "loss_chart", "weights_text", "boundary_view", "compact"]

CURRENT = "bold black on yellow"
DONE = ""
PENDING = "#808080"
BAD = "bold red"


def compact(value: Any) -> str:
    """A short number for the graph: a scalar, three elements, or the renderer's summary
    ``(500,) min 0.1 mean 0.42 max 0.9`` (notation.format_value, dtype left out for float64)."""
    raw = unbox(value)
    if raw is None:
        return "0"
    if onp.size(raw) <= 3:
        return format_value(raw, 4, whole=3)
    return format_value(raw, 3, whole=3).replace(" float64 ", " ", 1)


def _finite(value: Any) -> bool:
    from gradviz.debug._values import is_finite  # one notion of finite, the debugger's

    return value is None or is_finite(value)


# --- where we are ----------------------------------------------------------------------------


def where_text(state: InspectorState, *, breakpoints: bool = True) -> Text:
    """``iteration 4 of 100 · forward sweep 1 of 2, seeded on x1 · step 3 of 5 · w3``."""
    run, (iteration, _phase, step) = state.run, state.position
    phase, info = state.phase, state.current
    parts = []
    if run.training:
        total = run.total if run.total is not None else f"{run.known}+"
        parts.append(f"iteration {iteration + 1} of {total}")
    parts += [phase.title, f"step {step + 1} of {len(phase.steps)}"]
    node = state.trace.nodes[info.node]
    text = Text(" · ".join(parts), style="bold")
    text.append(f" · {state.trace.label(info.node)} ({node.op})", style="bold cyan")
    if breakpoints and state.breakpoints:
        text.append("\nbreakpoints: " + ", ".join(b.description for b in state.breakpoints), style="magenta")
    if state.message:
        text.append("\n" + state.message, style=BAD if state.stopped_by else "italic")
    return text


# --- the current step in the lecture's notation --------------------------------------------


#: Per inspector state, the lecture rows of the phases shown lately, ``{(iteration, phase): rows}``.
_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Per inspector state, the graph's lines of the iteration shown, ``(iteration, lines)``.
_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rows(state: InspectorState, number: int | None = None) -> list[tuple[int, str, str]]:
    """The lecture table rows of phase ``number`` (default: the current one), built once."""
    number = state.position.phase if number is None else number
    cache = _ROWS.setdefault(state, {})
    key = (state.position.iteration, number)
    if key not in cache:
        if len(cache) > 8:
            cache.clear()
        trace, phase = state.trace, state.phases[number]
        if phase.kind == "forward":
            rows = forward_rows(trace, phase.number)
        elif phase.kind == "reverse":
            rows = reverse_rows(trace, phase.number)
        else:
            rows = [(n.index, value_formula(trace, n.index), "") for n in trace.nodes]
        cache[key] = rows
    return cache[key]


def step_text(state: InspectorState) -> Text:
    """The current step with its numbers: ``ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5``."""
    trace, phase, info = state.trace, state.phase, state.current
    text = Text()
    if phase.kind == "reverse":
        _reverse_step_text(state, text)
    else:
        text.append(value_formula(trace, info.node), style="bold")
        if phase.kind == "forward":
            derivative = next(row[2] for row in _rows(state) if row[0] == info.node)
            text.append("\n" + derivative, style="bold green")
    site = trace.nodes[info.node].site
    site = describe_site(site) if site_source(site) else ""
    if site:
        text.append(f"\n{site}", style="#9e9e9e")
    marked = info.source if phase.kind == "reverse" and info.source is not None else info.node
    for line, style in state.findings().details(marked, phase):
        text.append("\n" + line, style=style)
    return text


def _reverse_step_text(state: InspectorState, text: Text) -> None:
    trace, phase, info, step = state.trace, state.phase, state.current, state.position.step
    name = bar_name(trace.nodes[info.node].name)
    if info.source is None:
        text.append(f"{name} = {format_value(phase.sweep.seeds[info.node])} (seed)", style="bold green")
        return
    source = trace.nodes[info.source]
    text.append(f"{value_formula(trace, source.index, numbers=False)}, so {name} receives:\n")
    formula = contribution_formula(trace, phase.sweep, info.step, info.argnum, info.node, info.term)
    text.append(formula, style=f"bold {'green' if _finite(info.term) else 'red'}")
    received = phase.received[info.node]
    done = sum(1 for k in received if k <= step)
    if done == len(received):
        text.append("\n" + adjoint_formula(trace, phase.sweep, info.node) + "  (complete)", style="bold")
    else:
        so_far = format_value(running_adjoint(phase, info.node, step))
        text.append(f"\n{name} = {so_far} so far ({done} of {len(received)} contributions)")


# --- the evaluation-trace table --------------------------------------------------------------


def _row_state(state: InspectorState, number: int, row: int, node: int) -> str:
    """``"done"``, ``"current"``, ``"partial"`` or ``"pending"`` for a row of phase ``number``."""
    if number != state.position.phase:
        return "done" if number < state.position.phase else "pending"
    phase, step = state.phase, state.position.step
    if node == state.current.node:
        return "current"
    if phase.kind != "reverse":
        return "done" if row < step else "pending"
    received = phase.received.get(node, [])
    if not received or received[0] > step:
        return "pending"
    return "done" if received[-1] <= step else "partial"


def _derivative_cell(state: InspectorState, node: int, text: str, row_state: str) -> str:
    phase = state.phase
    if row_state == "pending":
        return ""
    if phase.kind == "reverse" and row_state in ("partial", "current"):
        received = phase.received[node]
        done = sum(1 for k in received if k <= state.position.step)
        if done < len(received):
            so_far = format_value(running_adjoint(phase, node, state.position.step))
            return f"{bar_name(state.trace.nodes[node].name)} = {so_far} so far ({done} of {len(received)})"
    return text


def _symbolic_adjoint(state: InspectorState, number: int, node: int) -> str:
    """``w̄4 = w̄5`` for a row of reverse phase ``number``, built once per row shown."""
    cache = _ROWS.setdefault(state, {})
    symbols = cache.setdefault((state.position.iteration, number, "symbols"), {})
    if node not in symbols:
        symbols[node] = adjoint_formula(state.trace, state.phases[number].sweep, node, numbers=False)
    return symbols[node]


def table_view(state: InspectorState, height: int = 20, *, wrap: bool = False,
               number: int | None = None) -> Table:
    """The lecture's table of phase ``number`` (default: the current one), filled up to the
    current row, which is highlighted; a finished phase is full, a coming one empty."""
    number = state.position.phase if number is None else number
    rows, trace, phase = _rows(state, number), state.trace, state.phases[number]
    node = state.current.node  # a property that looks the step up: once, not once per row
    current = next((k for k, row in enumerate(rows) if row[0] == node), 0)
    start = max(0, min(current - height // 3, len(rows) - height))
    shown = rows[start : start + height]
    derivative = "" if phase.kind == "evaluate" else "Operations to compute derivative"
    status = {True: "", False: " (done)" if number < state.position.phase else " (to come)"}
    title = Text(phase.title + status[number == state.position.phase])  # names are data, not markup
    table = Table(title=title, title_justify="left",
                  expand=True, padding=(0, 1),
                  caption=f"rows {start + 1}–{start + len(shown)} of {len(rows)}" if len(rows) > height else None)
    overflow = "fold" if wrap else "ellipsis"
    table.add_column("Operations to compute value", ratio=1, no_wrap=not wrap, overflow=overflow)
    if derivative:
        table.add_column(derivative, ratio=2, no_wrap=not wrap, overflow=overflow)
    for offset, (node, value, text) in enumerate(shown):
        row_state = _row_state(state, number, start + offset, node)
        if row_state == "pending" and phase.kind != "reverse":
            value = value_formula(trace, node, numbers=False)
        if row_state == "pending" and phase.kind == "reverse":
            # a reverse row to come still says which adjoint it will compute, in symbols:
            # its value column names the operations using the node, and two nodes used by
            # the same operations (w3, w4 of w5 = w3 + w4) would read as one row twice
            text = _symbolic_adjoint(state, number, node)
        else:
            text = _derivative_cell(state, node, text, row_state)
        cells = [Text(value)] + ([Text(text)] if derivative else [])
        style = {"current": CURRENT, "pending": PENDING, "partial": "yellow"}.get(row_state, DONE)
        table.add_row(*cells, style=style)
    return table


def table_text(state: InspectorState, height: int, width: int, number: int | None = None) -> Text:
    """:func:`table_view` drawn straight into one :class:`Text`, columns cut to ``width``: the
    same rows and highlights, a fraction of the cost to draw on every key press."""
    table = table_view(state, height=height, number=number)
    title, rows = table.title, [(list(cells), style) for cells, style in _table_cells(table)]
    headers = [str(column.header) for column in table.columns]
    first, second = _column_widths([cells for cells, _ in rows], headers, width)
    if first < len(headers[0]) or (len(headers) > 1 and second < len(headers[1])):
        headers = _SHORT_HEADERS[: len(headers)]
    text = Text(_cut(str(title), width), style="bold", no_wrap=True)
    text.append("\n" + _cell(str(headers[0]), first) + (" │ " + _cell(str(headers[1]), second) if len(headers) > 1 else ""),
                style="bold #9e9e9e")
    text.append("\n" + "─" * first + ("─┼─" + "─" * second if len(headers) > 1 else ""), style="#808080")
    for cells, style in rows:
        line = _cell(cells[0], first) + (" │ " + _cell(cells[1], second) if len(cells) > 1 else "")
        text.append("\n")
        text.append(line, style=style or "")
    if table.caption:
        text.append(f"\n{table.caption}", style="#808080")
    return text


_SHORT_HEADERS = ["value", "derivative"]


def _column_widths(rows: list[list[str]], headers: list[str], width: int) -> tuple[int, int]:
    """Each column as wide as its longest cell and header when both fit; else the value
    column gets what it needs up to a third, and at least what the other leaves."""
    if len(headers) == 1:
        return width, 0
    need = [max([len(cells[k]) for cells in rows] + [len(headers[k])]) for k in range(2)]
    if sum(need) + 3 <= width:
        return need[0], width - need[0] - 3
    first = max(min(need[0], width // 3), min(need[0], width - 3 - need[1]))
    return first, max(10, width - first - 3)


def _table_cells(table: Table):
    columns = [list(column.cells) for column in table.columns]
    for k, row in enumerate(table.rows):
        yield [str(column[k]) for column in columns], row.style


def _cell(text: str, width: int) -> str:
    return _cut(text, width).ljust(width)


def companion_phase(state: InspectorState) -> int | None:
    """The other of the lecture's two tables: the reverse sweep while going forward, the last
    forward sweep (or the evaluation) while reversing."""
    phases, here = state.phases, state.phase
    wanted = ("evaluate", "forward") if here.kind == "reverse" else ("reverse",)
    found = [k for k, phase in enumerate(phases) if phase.kind in wanted]
    if not found:
        return None
    return found[-1] if here.kind == "reverse" else found[0]


def tables_view(state: InspectorState, height: int = 30, width: int = 100) -> Text:
    """Both of the lecture's tables, the one being filled first, each in half the height."""
    other = companion_phase(state)
    if other is None:
        return table_text(state, max(3, height - 4), width)
    half = max(3, height // 2 - 4)
    first, second = sorted([state.position.phase, other])
    text = table_text(state, half, width, first)
    text.append("\n\n")
    text.append_text(table_text(state, half, width, second))
    return text


# --- the graph -------------------------------------------------------------------------------

#: a line keeps the last this many levels of its tree prefix (3 characters each): a
#: 100 000-node chain must not store a 300 000-character prefix per line
_KEPT_LEVELS = 16


def graph_lines(state: InspectorState) -> list[tuple[str, int, bool, int]]:
    """The trace drawn as a tree from its outputs down to its inputs, built once per trace:
    ``(prefix, node, repeated, depth)`` per line; a node used twice is drawn once, then
    referred to."""
    iteration = state.position.iteration
    shown = _GRAPHS.get(state)
    if shown is None or shown[0] != iteration:
        shown = _GRAPHS[state] = (iteration, _tree(state.trace))
    return shown[1]


def _tree(trace) -> list[tuple[str, int, bool, int]]:
    nodes = trace.nodes
    roots = sorted(set(trace.outputs) or {len(nodes) - 1}, reverse=True)
    lines, seen = [], set()
    stack: list[tuple[int, str, str, int]] = [(root, "", "", 0) for root in reversed(roots)]
    while stack:  # an explicit stack: a 100 000-node chain must not recurse
        node, first, rest, depth = stack.pop()
        lines.append((first, node, node in seen, depth))
        if node in seen:
            continue
        seen.add(node)
        parents = list(dict.fromkeys(p for _, p in nodes[node].parents))
        rest = rest[-3 * (_KEPT_LEVELS - 1):]
        for k in range(len(parents) - 1, -1, -1):
            last = k == len(parents) - 1
            stack.append((parents[k], rest + ("└─ " if last else "├─ "),
                          rest + ("   " if last else "│  "), depth + 1))
        if not stack and len(seen) < len(nodes):  # nodes no output depends on
            stack.append((max(set(range(len(nodes))) - seen), "", "", 0))
    return lines


def _indent(prefix: str, depth: int, base: int, levels: int) -> str:
    """The tree prefix of a line, relative to the shallowest line shown (``base``).

    Every line of a window draws level ``base + 1`` in its first column, ``base + 2`` in the
    second and so on, so a vertical line means one node's branch all the way down. A line
    more than ``levels`` below ``base`` keeps the first ``levels - 1`` of those columns, then
    ``┆`` for the levels left out, then its own branch mark.

    Example:
        >>> _indent("│  │  │  └─ ", 4, 1, 4)
        '│  │  └─ '
        >>> _indent("│  │  │  │  │  └─ ", 6, 0, 3)
        '│  │  ┆  └─ '
    """
    shown = depth - base
    if shown <= levels:
        return _blocks(prefix, depth, range(base + 1, depth + 1))
    return _blocks(prefix, depth, range(base + 1, base + levels)) + "┆  " + prefix[-3:]


def _blocks(prefix: str, depth: int, kept: range) -> str:
    """The 3-character columns of ``prefix`` (a line at ``depth``) for the levels ``kept``;
    a level older than the stored prefix (:data:`_KEPT_LEVELS`) is left blank."""
    out = []
    for level in kept:
        end = len(prefix) - 3 * (depth - level)
        out.append(prefix[end - 3 : end] if end >= 3 else "   ")
    return "".join(out)


def _node_numbers(state: InspectorState, node: int) -> Text:
    """The numbers of the sweep under way: the value, and its tangent or its adjoint."""
    text = Text()
    value = state.trace.nodes[node].value
    known = state.value_known(node)
    text.append(f"  {compact(value) if known else '·'}", style="" if not known or _finite(value) else BAD)
    if state.phase.kind == "forward":
        has_tangent, tangent = state.tangent(node)
        shown = compact(tangent) if has_tangent else "·"
        text.append(f"  {dot_name('w')}={shown}", style="green" if _finite(tangent) else BAD)
    if state.phase.kind == "reverse":
        has_adjoint, adjoint = state.adjoint(node)
        shown = compact(adjoint) if has_adjoint else "·"
        text.append(f"  {bar_name('w')}={shown}", style="cyan" if _finite(adjoint) else BAD)
    return text


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _graph_header(state: InspectorState) -> str:
    """Which sweep the ẇ or w̄ column comes from; · marks a number not computed yet."""
    parts = ["value"]
    if state.phase.kind == "forward":
        parts.append(f"ẇ {state.phase.title.split(', ', 1)[-1]}")
    if state.phase.kind == "reverse":
        parts.append("w̄ so far")
    return ", ".join(parts) + "; · = not yet"


def graph_view(state: InspectorState, height: int = 30, width: int = 200) -> Text:
    """A window of the graph's lines that follows the current node, each with its numbers.
    Indentation is counted from the shallowest line in the window and kept to a third of
    the width, so that a deep trace still shows its labels; lines are cut, never wrapped."""
    lines, trace, info = graph_lines(state), state.trace, state.current
    position = next((k for k, line in enumerate(lines) if line[1] == info.node and not line[2]), 0)
    start = max(0, min(position - height // 3, len(lines) - height))
    window = lines[start : start + height]
    base, levels = min((line[3] for line in window), default=0), max(2, width // 12)
    prefixes = [_indent(prefix, depth, base, levels) for prefix, _node, _repeated, depth in window]
    findings = state.findings()
    tags = {node: findings.marks(node) for _prefix, node, repeated, _depth in window if not repeated}
    numbers = {node: _node_numbers(state, node) for _p, node, repeated, _d in window if not repeated}
    # labels first: they say what a node is; its numbers are cut at the end of the line
    room = max(width // 2, width - max((len(n) for n in numbers.values()), default=0))
    labels = [f"{trace.nodes[node].name} ↑" if repeated
              else _cut(value_formula(trace, node, numbers=False), max(8, room - len(prefix)))
              + "".join(f" [{tag}]" for tag, _style in tags[node])
              for prefix, (_p, node, repeated, _d) in zip(prefixes, window)]
    # numbers in one column, unless that would leave them no room
    column = min(max((len(p) + len(label) for p, label in zip(prefixes, labels)), default=0), room)
    text = Text(_cut(_graph_header(state), width), style="#9e9e9e")
    for prefix, (_p, node, repeated, _d), label in zip(prefixes, window, labels):
        style = CURRENT if node == info.node else ("bold cyan" if node == info.source else "")
        line = Text(prefix, style="#808080")
        marks = [] if repeated else tags[node]
        plain = label[: len(label) - sum(len(tag) + 3 for tag, _style in marks)]
        line.append(plain, style=style or ("dim" if repeated else ""))
        for tag, tag_style in marks:
            line.append(" ")
            line.append(f"[{tag}]", style=tag_style)
        if not repeated:
            line.append(" " * max(0, column - len(prefix) - len(label)))
            line.append_text(numbers[node])
        line.truncate(width, overflow="ellipsis")
        text.append("\n")
        text.append_text(line)
    if len(lines) > height:
        text.append(f"\n… lines {start + 1}–{start + min(height, len(lines) - start)} of {len(lines)}"
                    + (f", {base} level{'s' if base > 1 else ''} deep" if base else ""), style="#808080")
    return text


# --- training --------------------------------------------------------------------------------

_BLOCKS = " ▁▂▃▄▅▆▇█"


def loss_chart(state: InspectorState, width: int = 40, height: int = 8) -> Text:
    """The loss per step as a bar chart over the whole run (iterations not run yet are
    blank); the current iteration's bar is highlighted."""
    run, current = state.run, state.position.iteration
    losses = [run.loss(i) for i in range(run.known)]
    finite = [v for v in losses if v is not None and onp.isfinite(v)]
    text = Text(f"loss {_loss(losses[current])} at {current + 1}", style="bold")
    if not finite:
        return text
    low, high = min(0.0, min(finite)), max(finite)
    steps = max(run.total or 0, len(losses))
    bucket = -(-steps // max(1, min(width - 11, steps)))
    bars = [losses[k : k + bucket] for k in range(0, steps, bucket)]
    for row in range(height, 0, -1):
        label = format_value(high, 4) if row == height else (format_value(low, 4) if row == 1 else "")
        text.append(f"\n{label:>9} ")
        for column, values in enumerate(bars):
            text.append(_bar_cell(values, low, high, row, height),
                        style="yellow" if column == current // bucket else "blue")
    last = str(steps)  # "steps" keeps a space either side, however few the bars
    text.append(f"\n{'':>9} 1{'steps':^{max(7, len(bars) - 1 - len(last))}}{last}", style="#808080")
    return text


def _loss(value: float | None) -> str:
    return "?" if value is None else format_value(value, 6)


def _bar_cell(values: list, low: float, high: float, row: int, height: int) -> str:
    finite = [v for v in values if v is not None and onp.isfinite(v)]
    if not values:
        return " "
    if not finite:
        return "!" if row == 1 else " "
    value = max(finite)
    level = (value - low) / (high - low) * height if high > low else height / 2
    fill = level - (row - 1)
    return _BLOCKS[round(min(max(fill, 0.0), 1.0) * 8)]


def weights_text(state: InspectorState) -> Text:
    """The parameters this iteration started from, and their gradient when it is recorded."""
    run, iteration = state.run, state.position.iteration
    trace = state.trace
    reverse = trace.reverse_sweeps
    text = Text()
    for (name, value), index in zip(run.weights(iteration), trace.inputs):
        if text:
            text.append("\n")
        name = _short_name(name)
        text.append(name, style="bold")
        text.append(f" = {compact_array(value)}")
        if reverse:
            gradient = reverse[0].results[index]
            text.append(f"\n ∂L/∂{name} = {compact_array(gradient)}",
                        style="cyan" if _finite(gradient) else BAD)
    return text


def _short_name(name: str) -> str:
    """``params['W1']`` → ``W1``: the panel's title already says these are the parameters."""
    match = re.fullmatch(r"\w+\[['\"]?([^'\"\]]+)['\"]?\]", name)
    return match.group(1) if match else name


def compact_array(value: Any) -> str:
    """Up to four elements in full, else the renderer's summary without the usual dtype."""
    if onp.size(unbox(value)) <= 4:
        return format_value(value, 4, whole=4)
    return format_value(value, 3, whole=4).replace(" float64 ", " ", 1)


def _spectral(p: float) -> str:
    """Matplotlib's Spectral map, reduced to its two ends and middle."""
    ends = ((213, 62, 79), (255, 255, 191), (50, 136, 189))
    p = 0.5 if not onp.isfinite(p) else min(max(p, 0.0), 1.0)
    a, b, t = (ends[0], ends[1], p * 2) if p < 0.5 else (ends[1], ends[2], p * 2 - 1)
    r, g, bl = (int(a[k] + (b[k] - a[k]) * t) for k in range(3))
    return f"rgb({r},{g},{bl})"


def boundary_view(state: InspectorState, width: int = 48, height: int = 14) -> Text:
    """The classifier's ``p(class 1)`` over the data's box, with the samples on top."""
    run = state.run
    if run.predict is None or run.inputs is None:
        return Text("no decision boundary: give inputs=, labels= and predict= to inspect()",
                    style="#808080")
    X, labels = onp.asarray(run.inputs), onp.asarray(run.labels)
    (x0, y0), (x1, y1) = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xs, ys = onp.linspace(x0, x1, width), onp.linspace(y1, y0, height)
    grid = onp.stack(onp.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    try:
        with onp.errstate(all="ignore"):
            p = onp.asarray(unbox(run.predict(run.params(state.position.iteration), grid)))
        p = p.reshape(height, width)
    except Exception as exc:  # the user's predict(); a panel must not take the app down
        return Text(f"no decision boundary: predict(params, X) failed: {type(exc).__name__}: {exc}",
                    style="#808080")
    columns = onp.clip(((X[:, 0] - x0) / (x1 - x0) * (width - 1)).round().astype(int), 0, width - 1)
    rows = onp.clip(((y1 - X[:, 1]) / (y1 - y0) * (height - 1)).round().astype(int), 0, height - 1)
    marks = {(r, c): int(label > 0.5) for r, c, label in zip(rows, columns, labels)}
    text = Text()
    for r in range(height):
        if r:
            text.append("\n")
        for c in range(width):
            mark = marks.get((r, c))
            glyph, colour = (" ", "") if mark is None else ("●", "rgb(110,0,20)" if mark == 0 else "rgb(10,30,100)")
            text.append(glyph, style=f"{colour} on {_spectral(p[r, c])}".strip())
    return text
