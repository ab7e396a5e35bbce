"""The graph panel's 2-D view: the trace in layers by depth, each node a box, drawn in text.

Layer 0 holds the inputs; a node sits one layer below the deepest of its arguments, so every
edge points down. Each box shows the node's formula (which names its arguments) and the
numbers of the sweep under way; a ``┴`` on its top edge says it has arguments, a ``┬`` on its
bottom edge that a later node uses it. The window follows the current node: the layers around
its own, and in each layer the boxes nearest to it, with ``‹ 3`` and ``5 ›`` counting the boxes
left out on either side. ``v`` switches the graph panel between this view and the tree.
"""

from __future__ import annotations

import weakref

from rich.text import Text

from gradviz.export.notation import value_formula
from gradviz.inspector.state import InspectorState
from gradviz.inspector.views import CURRENT, PENDING, _cut, _graph_header, _node_numbers

__all__ = ["layers", "layered_view"]

#: each trace's layers, computed once (a trace never changes once recorded)
_LAYERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

_BOX_LINES = 4  # top edge, formula, numbers, bottom edge


def layers(trace) -> tuple[list[list[int]], list[int], set[int]]:
    """``(nodes of each layer, layer of each node, nodes some later node uses)``.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> rows, _depth, _used = layers(gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0))
        >>> rows
        [[0, 1], [2, 3], [4]]
    """
    found = _LAYERS.get(trace)
    if found is None:
        depth: list[int] = []
        used: set[int] = set()
        for node in trace.nodes:  # in evaluation order: the arguments come first
            parents = [p for _argnum, p in node.parents]
            used.update(parents)
            depth.append(1 + max(depth[p] for p in parents) if parents else 0)
        rows: list[list[int]] = [[] for _ in range(max(depth, default=-1) + 1)]
        for node, level in enumerate(depth):
            rows[level].append(node)
        found = _LAYERS[trace] = (rows, depth, used)
    return found


def _window(count: int, anchor: int, size: int) -> int:
    """The first of ``size`` consecutive items out of ``count`` that keep ``anchor`` near
    the middle."""
    return max(0, min(anchor - size // 2, count - size))


def _anchor(row: list[int], node: int) -> int:
    """The position in ``row`` of the node nearest (in evaluation order) to ``node``."""
    return min(range(len(row)), key=lambda k: abs(row[k] - node))


def _near(row: list[int], node: int, count: int) -> list[int]:
    """The ``count`` nodes of ``row`` that a window around ``node`` would show."""
    count = max(1, count)
    start = _window(len(row), _anchor(row, node), count)
    return row[start : start + count]


def layered_view(state: InspectorState, height: int = 30, width: int = 100) -> Text:
    """The window of the 2-D view around the current node, at most ``height`` lines of
    ``width`` characters (see the module's description)."""
    trace, info = state.trace, state.current
    rows, depth, used = layers(trace)
    down = max(1, (height - 2) // _BOX_LINES)
    first = _window(len(rows), depth[info.node], down)
    # each box as wide as the longest formula or numbers it would hold (an MLP's array
    # summaries are long), then as many boxes to a layer as fit
    room = width - 8  # the ‹ n and n › counts keep their columns
    levels = range(first, min(len(rows), first + down))
    candidates = [node for level in levels for node in _near(rows[level], info.node, room // 15)]
    needed = max(max(len(value_formula(trace, node, numbers=False)),
                     len(_node_numbers(state, node).plain.strip())) for node in candidates)
    box = max(14, min(needed + 4, 48, room - 1))
    across = max(1, room // (box + 1))
    text = Text(_cut(_graph_header(state), width), style="#9e9e9e")
    for level in levels:
        row = rows[level]
        shown = _near(row, info.node, across)
        left = row.index(shown[0])
        right = len(row) - left - len(shown)
        for line in _layer_lines(state, shown, box, used, left, right):
            line.truncate(width, overflow="ellipsis")
            text.append("\n")
            text.append_text(line)
    if len(rows) > down:
        text.append(f"\nlayers {first + 1}–{min(len(rows), first + down)} of {len(rows)} "
                    "(inputs in layer 1)", style="#808080")
    return text


def _layer_lines(state: InspectorState, shown: list[int], box: int, used: set[int],
                 left: int, right: int) -> list[Text]:
    """The four lines of one layer's boxes, side by side."""
    trace, info = state.trace, state.current
    inner = box - 4
    lines = [Text(f"‹{left:<2} " if left and k == 1 else "    ", style="#808080")
             for k in range(_BOX_LINES)]
    for node in shown:
        style = CURRENT if node == info.node else ("bold cyan" if node == info.source else "")
        edge = "bold yellow" if node == info.node else "#808080"
        has_parents = bool(trace.nodes[node].parents)
        top = "─" * ((box - 2) // 2) + ("┴" if has_parents else "─")
        lines[0].append("╭" + top.ljust(box - 2, "─") + "╮ ", style=edge)
        formula = _cut(value_formula(trace, node, numbers=False), inner)
        numbers = _node_numbers(state, node)
        numbers = numbers[2:] if numbers.plain.startswith("  ") else numbers
        numbers.truncate(inner, overflow="ellipsis")
        numbers.pad_right(inner - numbers.cell_len)
        lines[1].append("│ ", style=edge)
        lines[1].append(formula.ljust(inner), style=style or ("" if state.value_known(node) else PENDING))
        lines[1].append(" │ ", style=edge)
        lines[2].append("│ ", style=edge)
        lines[2].append_text(numbers)
        lines[2].append(" │ ", style=edge)
        bottom = "─" * ((box - 2) // 2) + ("┬" if node in used else "─")
        lines[3].append("╰" + bottom.ljust(box - 2, "─") + "╯ ", style=edge)
    if right:
        lines[1].append(f"{right} ›", style="#808080")
    return lines
