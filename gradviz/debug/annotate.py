"""The debugger's findings as node attributes of the networkx graph, for renderer and inspector.

Attributes set on each node (absent analyses leave theirs out):

========================  ================================================================
``check``                 ``"ok"``, ``"fail"`` or ``"unchecked"``: its local rules and the cut
                          identity (:func:`~gradviz.debug.localise.check_trace`)
``check_defect``          the cut identity's defect ``⟨w̄,ẇ⟩ − Σ⟨contribution, ẇ_parent⟩``
``check_rules``           what failed there: ``["VJP"]``, ``["JVP", "cut identity"]`` (or ``[]``)
``nan_status``            ``"born"``, ``"arrived"`` (from an input, the data or a seed),
                          ``"passed"`` or ``"finite"``
``nan_birth``             ``True`` where a NaN/Inf was born or arrived
``nan_sweeps``            the passes of those births: ``["primal", "reverse"]``
``health``                ``"ok"``, ``"vanishing"``, ``"exploding"``, ``"saturated"``,
                          ``"nonfinite"`` or ``"unreached"``
``adjoint_norm``          ``‖w̄‖`` (``None`` if unreached), for a colour scale
``adjoint_ratio``         ``rms(w̄) / rms(w)``
``saturation``            share of a tanh/sigmoid's inputs where its slope is < 1e-3
========================  ================================================================

The graph itself gets ``check_failed``, ``nan_births`` and ``health_flagged`` (node names).
"""

from __future__ import annotations

__all__ = ["annotate", "debug_graph"]

_PASSES = ("primal", "forward", "reverse")


def annotate(graph, *, check=None, nans=None, health=None):
    """Copy the reports' verdicts onto ``graph``'s nodes (in place) and return it.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> from gradviz.debug import nan_birth
        >>> with np.errstate(all="ignore"):
        ...     t = gradviz.trace(lambda x: np.log(x) * 2.0, 0.0)
        >>> g = annotate(t.to_networkx(), nans=nan_birth(t))
        >>> g.nodes["w2"]["nan_birth"], g.nodes["w3"]["nan_status"], g.graph["nan_births"]
        (True, 'passed', ['w2'])
    """
    traced = {name: data["index"] for name, data in graph.nodes(data=True) if data.get("index") is not None}
    # Each report indexed by node once, so that annotating stays linear in the graph's size.
    checks = _by_index(check.checks) if check is not None else {}
    births = _by_index(nans.births) if nans is not None else {}
    born = nans.born if nans is not None else set()
    arrived = nans.arrived if nans is not None else set()
    entries = {}
    for entry in health.nodes if health is not None else ():
        entries.setdefault(entry.index, entry)
    for name, index in traced.items():
        data = graph.nodes[name]
        if check is not None:
            mine = checks.get(index, [])
            data["check"] = check._status(index, mine)
            data["check_defect"] = check.defects.get(index)
            data["check_rules"] = _failed_rules(check, index, mine)
        if nans is not None:
            data["nan_status"] = nans._status(index, born, arrived)
            data["nan_birth"] = index in born
            data["nan_sweeps"] = sorted({b.sweep for b in births.get(index, ())}, key=_PASSES.index)
        if health is not None:
            _health_attributes(data, entries.get(index))
    if check is not None:
        graph.graph["check_failed"] = sorted(check.marked, key=_order)
    if nans is not None:
        graph.graph["nan_births"] = sorted(nans.marked, key=_order)
    if health is not None:
        graph.graph["health_flagged"] = [n.name for n in health.flagged]
    return graph


def _by_index(items) -> dict:
    """``{node index: [items of that node]}``, each list in the reports' order."""
    grouped: dict = {}
    for item in items:
        grouped.setdefault(item.index, []).append(item)
    return grouped


def _failed_rules(check, index: int, mine: list) -> list[str]:
    rules = sorted({c.rule for c in mine if not c.ok})
    return rules + (["cut identity"] if index in check.cut_failures else [])


def _health_attributes(data: dict, entry) -> None:
    """``entry`` is the node's health, or ``None`` when the sweep did not reach it."""
    data["health"] = "unreached" if entry is None else entry.status
    data["adjoint_norm"] = None if entry is None else entry.adjoint_norm
    data["adjoint_ratio"] = None if entry is None else entry.ratio
    data["saturation"] = None if entry is None else entry.saturation


def _order(name: str) -> int:
    return int(name[1:]) if name[1:].isdigit() else 0


def debug_graph(trace):
    """The trace's graph with every analysis applied: rule checks, NaN births and health.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> g = debug_graph(gradviz.trace(lambda x: np.tanh(x) * x, 0.5))
        >>> g.nodes["w2"]["check"], g.nodes["w2"]["health"], g.nodes["w2"]["nan_status"]
        ('ok', 'ok', 'finite')
    """
    from gradviz.debug.health import health
    from gradviz.debug.localise import check_trace
    from gradviz.debug.nans import nan_birth

    report = health(trace) if trace.reverse_sweeps else None
    return annotate(trace.to_networkx(), check=check_trace(trace), nans=nan_birth(trace), health=report)
