"""The debugger's findings drawn on the graph: NaN/Inf births, failed rule checks, health.

The renderer draws whatever :func:`gradviz.debug.annotate` put on the graph's nodes (it runs no
analysis: :mod:`gradviz.drawing` does, for ``gradviz.to_dot(trace, nans=True)``), so the
picture, ``gradviz check`` and the inspector's breakpoints share one implementation:

- ``nan_status == "born"`` (or ``"arrived"``, from an input, the data or a seed): filled red,
  with a badge ``NaN born here`` (``NaN arrived here``) naming the passes;
  ``"passed"``: a red outline and ``passes it on``;
- ``check == "fail"``: a thick magenta dashed border and ``rule check failed: VJP``;
- ``health``: the fill goes from pale to deep with ``log ‖w̄‖`` relative to the graph's
  smallest and largest adjoint, and the flags (``vanishing``, ``exploding``, ``saturated``,
  ``nonfinite``) are written in the node.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> with np.errstate(all="ignore"):
    ...     t = gradviz.trace(lambda x: np.log(x) * 2.0, 0.0)
    >>> source = gradviz.to_dot(t, nans=True).source
    >>> "Inf born here" in source, "NaN/Inf born at w2 (log)" in source
    (True, True)
"""

from __future__ import annotations

import html
import math
from typing import Any, Callable

import networkx as nx
import numpy as onp

from gradviz.errors import GradvizError

__all__ = ["ANALYSES", "annotated", "Marks", "BORN_FILL", "BORN_BORDER", "PASSED", "CHECK"]

#: The analyses the renderer can draw, by option name, and the node attribute each sets.
ANALYSES = {"nans": "nan_status", "check": "check", "health": "health"}
BORN_FILL, BORN_BORDER, PASSED = "#ef9a9a", "#b71c1c", "#c62828"
CHECK = "#c000b0"
FLAG = "#8a2500"
UNREACHED = "#ffffff"
# Pale to deep (YlGnBu's light half, stopped before its darkest blue): every label, the small
# grey ones darkened to _ON_FILL, keeps a contrast of at least 4.5 (WCAG AA) on the deepest fill.
_SCALE = ((255, 255, 217), (161, 218, 180), (84, 190, 198))
_GREY, _ON_FILL = "#666666", "#333333"


def annotated(graph: nx.DiGraph, findings: Callable[[nx.DiGraph], Any] | None, *, nans: bool,
              check: bool, health: bool) -> nx.DiGraph:
    """``graph`` with the asked-for analyses on its nodes: put there by ``findings`` (see
    :func:`gradviz.drawing.findings`), or already carried (from :func:`gradviz.debug.annotate`).

    Raises:
        GradvizError: an analysis asked for that the graph does not carry.
    """
    wanted = [name for name, on in (("nans", nans), ("check", check), ("health", health)) if on]
    if not wanted:
        return graph
    if findings is not None:
        findings(graph)
    missing = [name for name in wanted if not _carries(graph, ANALYSES[name])]
    if missing:
        raise GradvizError(
            f"the graph carries no {', '.join(repr(ANALYSES[m]) for m in missing)} attributes: "
            "draw the trace with gradviz.to_dot or gradviz.render, which run the debugger, or "
            "annotate the graph with gradviz.debug.annotate (or gradviz.debug.debug_graph)")
    return graph


def _carries(graph: nx.DiGraph, attribute: str) -> bool:
    return any(attribute in data for _, data in graph.nodes(data=True))


def _escape(text: Any) -> str:
    return html.escape(str(text), quote=False)


def _small(text: str, colour: str = _GREY, bold: bool = False) -> str:
    body = f"<b>{_escape(text)}</b>" if bold else _escape(text)
    return f'<font color="{colour}" point-size="9">{body}</font>'


def _wide(cell: str, **attributes: str) -> str:
    attributes = {"align": "left", **attributes}
    extra = "".join(f' {key}="{value}"' for key, value in attributes.items())
    return f'<tr><td colspan="2"{extra}>{cell}</td></tr>'


def _scale_colour(t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    a, b, u = (_SCALE[0], _SCALE[1], 2 * t) if t < 0.5 else (_SCALE[1], _SCALE[2], 2 * t - 1)
    return "#" + "".join(f"{round(a[k] + (b[k] - a[k]) * u):02x}" for k in range(3))


def _kind_of_nonfinite(values: list) -> str:
    """``"NaN"``, ``"Inf"`` or ``"NaN/Inf"``: what the born numbers are."""
    nan = inf = False
    for value in values:
        try:
            array = onp.asarray(value)
            if array.dtype.kind not in "fc":
                continue
            nan |= bool(onp.any(onp.isnan(array)))
            inf |= bool(onp.any(onp.isinf(array)))
        except (TypeError, ValueError):
            continue
    return "NaN/Inf" if nan == inf else ("NaN" if nan else "Inf")


class Marks:
    """What of the debugger's findings a (shown) graph carries, and how to draw it."""

    def __init__(self, graph: nx.DiGraph, shown: nx.DiGraph):
        self.graph = graph
        self.nans = _carries(shown, "nan_status")
        self.check = _carries(shown, "check")
        self.health = _carries(shown, "health")
        norms = [data.get("adjoint_norm") for _, data in shown.nodes(data=True)]
        logs = [math.log10(n) for n in norms if n is not None and math.isfinite(n) and n > 0]
        self.low, self.high = (min(logs), max(logs)) if logs else (0.0, 0.0)

    def __bool__(self) -> bool:
        return self.nans or self.check or self.health

    @classmethod
    def of(cls, graph: nx.DiGraph, shown: nx.DiGraph) -> Marks | None:
        marks = cls(graph, shown)
        return marks if marks else None

    # --- nodes ---

    def decorate(self, name: str, data: dict, attributes: dict, rows: list[str]) -> list[str]:
        """Restyle a node's ``attributes`` and return its rows with the findings added."""
        if self.health and data.get("health") is not None:
            rows = [row.replace(_GREY, _ON_FILL) for row in rows] + self._health(data, attributes)
        if self.nans and data.get("nan_status") in ("born", "arrived", "passed"):
            rows = self._nans(name, data, attributes, rows)
        if self.check and data.get("check") == "fail":
            rows = rows + self._check(data, attributes)
        return rows

    def _nans(self, name: str, data: dict, attributes: dict, rows: list[str]) -> list[str]:
        if data["nan_status"] == "passed":
            attributes.update(color=PASSED, penwidth="2")
            return rows + [_wide(_small("passes a NaN/Inf on", PASSED))]
        sweeps = list(data.get("nan_sweeps") or [])
        what = _kind_of_nonfinite(self._born_values(name, data, sweeps))
        attributes.update(fillcolor=BORN_FILL, color=BORN_BORDER, penwidth="3")
        verb = data["nan_status"]  # "born", or "arrived" from an input, the data or a seed
        badge = _wide(f'<font color="white"><b>{_escape(what)} {verb} here</b></font>',
                      bgcolor=BORN_BORDER, align="center")
        passes = "pass" if len(sweeps) == 1 else "passes"
        return [badge] + rows + [_wide(_small(f"{verb} in the {', '.join(sweeps)} {passes}", BORN_BORDER))]

    def _born_values(self, name: str, data: dict, sweeps: list[str]) -> list:
        values = []
        if "primal" in sweeps:
            values.append(data.get("value"))
        if "forward" in sweeps:
            values += list(data.get("tangents") or [])
        if "reverse" in sweeps and name in self.graph:
            for _tail, _head, edge in self.graph.in_edges(name, data=True):
                values += [t for t in edge.get("adjoint_terms") or [] if t is not None]
        return values

    def _check(self, data: dict, attributes: dict) -> list[str]:
        style = attributes.get("style", "rounded,filled")
        attributes.update(color=CHECK, penwidth="3.5",
                          style=style if "dashed" in style else style + ",dashed")
        rules = ", ".join(data.get("check_rules") or []) or "cut identity"
        rows = [_wide(_small(f"✗ rule check failed: {rules}", CHECK, bold=True))]
        defect = data.get("check_defect")
        if defect is not None and "cut identity" in rules:
            rows.append(_wide(_small(f"cut-identity defect {defect:.4g}", CHECK)))
        return rows

    def _health(self, data: dict, attributes: dict) -> list[str]:
        status, norm = data["health"], data.get("adjoint_norm")
        if status == "unreached" or norm is None:
            attributes["fillcolor"] = UNREACHED
            return [_wide(_small("no adjoint: f does not depend on it"))]
        rows = [_wide(_small(f"‖w̄‖ = {norm:.4g}", "#222222"))]
        if math.isfinite(norm):
            attributes["fillcolor"] = self.colour(norm)
        flags = self._flags(data)
        if flags:
            rows.append(_wide(_small("⚠ " + ", ".join(flags), FLAG, bold=True)))
        return rows

    @staticmethod
    def _flags(data: dict) -> list[str]:
        flags = []
        if data["health"] in ("vanishing", "exploding", "nonfinite"):
            ratio = data.get("adjoint_ratio")
            detail = f" (rms w̄/rms w = {ratio:.2g})" if ratio is not None and math.isfinite(ratio) else ""
            flags.append(data["health"] + detail)
        saturation = data.get("saturation")
        if saturation is not None and (data["health"] == "saturated" or saturation >= 0.25):
            flags.append(f"saturated {saturation:.0%}")
        return flags

    def colour(self, norm: float) -> str:
        """The fill for ``‖w̄‖ = norm`` on this graph's log scale."""
        if norm <= 0:
            return _scale_colour(0.0)
        if self.high <= self.low:
            return _scale_colour(0.5)
        return _scale_colour((math.log10(norm) - self.low) / (self.high - self.low))

    # --- title and legend ---

    def notes(self) -> list[str]:
        """Lines under the title: where things were born, failed or flagged."""
        notes = []
        if self.nans:
            born = self.graph.graph.get("nan_births") or []
            arrived = any(self.graph.nodes[n].get("nan_status") == "arrived" for n in born
                          if n in self.graph)
            verb = "born or arrived" if arrived else "born"
            notes.append(f"NaN/Inf {verb} at {self._names(born)}" if born else "no NaN or Inf is born")
        if self.check:
            failed = self.graph.graph.get("check_failed") or []
            notes.append(f"rule check failed at {self._names(failed)}" if failed
                         else "every node's rules pass their check")
        if self.health:
            flagged = self.graph.graph.get("health_flagged") or []
            notes.append(f"gradient health: {len(flagged)} node{'s' * (len(flagged) != 1)} flagged"
                         + (f" ({self._names(flagged)})" if flagged else ""))
        return notes

    def _names(self, names: list[str]) -> str:
        shown = [f"{n} ({self._op(self.graph.nodes[n])})" if n in self.graph else n for n in names[:4]]
        return ", ".join(shown) + (f" … {len(names) - 4} more" if len(names) > 4 else "")

    @staticmethod
    def _op(data: dict) -> str:
        """``divide``; for a node a derivative rule recorded, ``divide in sqrt's rule``."""
        rule_op = data.get("rule_op")
        return f"{data.get('op')} in {rule_op}'s rule" if rule_op else str(data.get("op"))

    def legend_rows(self, span: int) -> list[str]:
        """Rows for the legend, each one cell spanning its ``span`` columns."""
        cells = []
        if self.nans and self._found("nan_status", ("born", "arrived", "passed")):
            cells.append(f'<td bgcolor="{BORN_FILL}" border="3" color="{BORN_BORDER}">'
                         f'{_small("NaN/Inf born here", "#000000")}</td>'
                         f'<td border="2" color="{PASSED}">{_small("passes a NaN/Inf on", "#000000")}</td>')
        if self.check and self.graph.graph.get("check_failed"):
            cells.append(f'<td border="3" color="{CHECK}" style="dashed">'
                         f'{_small("rule check failed (JVP, VJP or cut identity)", "#000000")}</td>')
        if self.health:
            cells.append(self._scale_cells())
        return [f'<tr><td colspan="{span}" align="left"><table border="0" cellspacing="2" '
                f'cellpadding="2"><tr>{row}</tr></table></td></tr>' for row in cells]

    def _found(self, attribute: str, values: tuple) -> bool:
        return any(data.get(attribute) in values for _, data in self.graph.nodes(data=True))

    def kind_fill(self, fill: str) -> str:
        """The legend's swatch for a node kind: its fill, or white when the fill shows
        ``‖w̄‖`` instead (the border still tells the kind)."""
        return UNREACHED if self.health else fill

    def _scale_cells(self) -> str:
        low, high = 10 ** self.low, 10 ** self.high
        steps = "".join(f'<td bgcolor="{_scale_colour(k / 4)}" border="1" color="#9e9e9e">&#160;&#160;&#160;</td>'
                        for k in range(5))
        flags = (f'<td>{_small("  ⚠ flags: vanishing, exploding, saturated", FLAG)}</td>'
                 if self.graph.graph.get("health_flagged") else "")
        return (f'<td>{_small("‖w̄‖, log scale:", "#000000")}</td><td>{_small(f"{low:.3g}")}</td>'
                f'{steps}<td>{_small(f"{high:.3g}")}</td>{flags}')
