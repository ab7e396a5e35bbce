"""Making a large graph drawable: a focused neighbourhood, folded chains, grouped blocks.

Graphviz needs minutes for a few thousand detailed nodes, so above ``max_nodes`` the graph
is summarised before it is drawn, in three steps that each run in linear time:

1. constants are hidden (they are counted in the note);
2. *chains* are folded: a run of operations where each one's main argument (its most
   recent) is used by nothing else — a scalar chain, or the layers of an MLP with their own
   weights — becomes one node that names its repeated block, ``(matmul → add → tanh) × 100``;
   inputs used only inside the run (that layer's weights) fold with it;
3. if that is still too many, or too deep to fit the picture's pixel budget (more than
   :data:`MAX_RANKS` ranks), nodes are grouped into at most that many bands of depth
   (their distance from the inputs), and at most ``max_nodes`` nodes remain.

``focus=NODE, depth=K`` instead keeps the nodes within ``K`` edges of ``NODE`` in full
detail and draws what lies outside as two placeholders. A registered primitive
(:func:`gradviz.extend.primitive`) is already a single node. What was folded is listed in
``graph.graph["summary"]``, which the renderer prints in the picture.

Example:
    >>> import gradviz, gradviz.numpy as np
    >>> def chain(x):
    ...     for _ in range(50):
    ...         x = np.sin(x)
    ...     return x
    >>> small = summarize(gradviz.trace(chain, 0.5).to_networkx(), max_nodes=10)
    >>> sorted(small.nodes)
    ['w1', 'w2…w50', 'w51']
    >>> small.nodes["w2…w50"]["pattern"]
    'sin × 49'
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Any, Iterable

import networkx as nx

from gradviz.errors import GradvizError

__all__ = ["summarize", "neighbourhood", "fold_chains", "group_blocks", "DEFAULT_MAX_NODES",
           "MAX_RANKS"]

#: Above this many nodes a picture is summarised; dot lays out this many detailed nodes
#: in well under a second.
DEFAULT_MAX_NODES = 80
#: A summary is at most this many nodes deep (a band of depth is one rank of the drawing):
#: about what fits, readable, in the PNG's pixel budget (gradviz.renderer.dot.MAX_PIXELS).
MAX_RANKS = 20
# A chain shorter than this is clearer drawn in full than folded.
_MIN_CHAIN = 3
# Longest repeated block looked for in a folded chain (an MLP layer is 3 to 6 ops).
_MAX_PERIOD = 12
# Most runs in one repeated block (sin, cos, sin, cos …: 2).
_MAX_BLOCK_RUNS = 4


def summarize(graph: nx.DiGraph, *, max_nodes: int | None = DEFAULT_MAX_NODES,
              focus: str | None = None, depth: int = 2, copy: bool = True) -> nx.DiGraph:
    """Return ``graph`` itself when it is small enough, else a summarised copy.

    Args:
        graph: a graph from :func:`gradviz.export.graph.to_networkx`.
        max_nodes: the most nodes to draw in detail; ``None`` or ``0`` never summarises.
        focus: a node name (``"w42"``): keep only its neighbourhood.
        depth: how many edges away from ``focus`` to keep.
        copy: leave ``graph`` as it is (else it may be summarised in place, which saves
            copying a graph that is thrown away anyway).
    """
    notes: list[str] = []
    result = graph
    if focus is not None:
        result = neighbourhood(result, focus, depth, notes)
    if max_nodes and result.number_of_nodes() > max_nodes:
        before = result.number_of_nodes()
        result = _hide_constants(result if result is not graph or not copy else graph.copy(), notes)
        result = fold_chains(result, notes, keep=focus)
        if result.number_of_nodes() > max_nodes or 1 + max(_levels(result).values(), default=0) > MAX_RANKS:
            result = group_blocks(result, max_nodes, notes, keep=focus)
        notes.insert(0, f"{before:,} nodes summarised as {result.number_of_nodes():,}")
        notes.append("focus=NODE, depth=K (--focus, --depth) or a larger max_nodes "
                     "(--max-nodes) show any part in full")
    if result is not graph or notes:
        result.graph["summary"] = notes
    return result


def _order(graph: nx.DiGraph, name: str) -> tuple:
    index = graph.nodes[name].get("index")
    return (math.inf if index is None else index, name)


def _reach(graph: nx.DiGraph, sources: Iterable[str], limit: int | None, forward: bool | None):
    """Nodes within ``limit`` edges of ``sources`` (all of them when ``None``); ``forward``
    ``None`` walks both ways. A queue, not recursion: chains are 100 000 nodes long."""
    seen = {name: 0 for name in sources}
    queue = deque(seen)
    while queue:
        name = queue.popleft()
        if limit is not None and seen[name] >= limit:
            continue
        after = graph.successors(name) if forward is not False else ()
        before = graph.predecessors(name) if forward is not True else ()
        for other in (*after, *before):
            if other not in seen:
                seen[other] = seen[name] + 1
                queue.append(other)
    return set(seen)


def neighbourhood(graph: nx.DiGraph, focus: str, depth: int, notes: list[str]) -> nx.DiGraph:
    """The nodes within ``depth`` edges of ``focus``, plus one placeholder for what comes
    before and one for what comes after."""
    if focus not in graph:
        names = [n for n in graph if graph.nodes[n].get("index") is not None]
        raise GradvizError(f"no node {focus!r} to focus on: the trace has "
                           f"{names[0]} … {names[-1]}" if names else f"no node {focus!r}")
    if depth < 0:
        raise GradvizError(f"depth must be 0 or more, got {depth}")
    keep = _reach(graph, [focus], depth, None)
    result = graph.subgraph(keep).copy()
    result.nodes[focus]["focus"] = True
    hidden_before = _reach(graph, keep, None, False) - keep
    hidden_after = set(graph) - keep - hidden_before  # descendants, and side branches
    _placeholder(graph, result, hidden_before, keep, "before")
    _placeholder(graph, result, hidden_after, keep, "after")
    notes.append(f"focus on {focus}, {depth} edges around it: {len(hidden_before):,} nodes "
                 f"before and {len(hidden_after):,} after are not drawn")
    return result


def _placeholder(graph, result, hidden: set, keep: set, where: str) -> None:
    if not hidden:
        return
    name = f"{len(hidden):,} nodes {where}"
    members = sorted(hidden, key=lambda n: _order(graph, n))
    result.add_node(name, kind="folded", index=None, members=members, count=len(members),
                    pattern=_pattern(graph, members), absorbed=[], last=None)
    for member in hidden:
        edges = graph.out_edges(member) if where == "before" else graph.in_edges(member)
        for tail, head in edges:
            if (head if where == "before" else tail) in keep:
                pair = (name, head) if where == "before" else (tail, name)
                result.add_edge(*pair, **_crossing(graph, tail, head))


def _crossing(graph, tail: str, head: str) -> dict[str, Any]:
    """An original edge redrawn between summary nodes keeps its data and its real ends."""
    return dict(graph.edges[tail, head], tail=tail, head=head)


def _hide_constants(graph: nx.DiGraph, notes: list[str]) -> nx.DiGraph:
    constants = [n for n, kind in graph.nodes(data="kind") if kind == "constant"]
    if constants:
        graph.remove_nodes_from(constants)
        notes.append(f"{len(constants):,} constants hidden")
    return graph


def _foldable(graph: nx.DiGraph, name: str, keep: str | None) -> bool:
    return graph.nodes[name].get("kind") in ("intermediate", "nondifferentiable") and name != keep


def _main(graph: nx.DiGraph, name: str) -> str | None:
    """A node's main argument: its most recent one (the previous layer, not its weights)."""
    parents = graph.pred[name]  # the adjacency dict itself: views cost more on 100 000 nodes
    if len(parents) == 1:
        return next(iter(parents))
    return max(parents, key=lambda n: _order(graph, n)) if parents else None


def _runs(graph: nx.DiGraph, keep: str | None) -> list[list[str]]:
    """Maximal chains, in evaluation order: each node joins the run of its main (most
    recent) argument when that argument is foldable and used by nothing else."""
    run_of: dict[str, list[str]] = {}
    runs = []
    for name in sorted(graph, key=lambda n: _order(graph, n)):
        if not _foldable(graph, name, keep):
            continue
        main = _main(graph, name)
        if main in run_of and len(graph.succ[main]) == 1:
            run_of[name] = run_of[main]
            run_of[name].append(name)
        else:
            run_of[name] = [name]
            runs.append(run_of[name])
    return runs


def fold_chains(graph: nx.DiGraph, notes: list[str], keep: str | None = None) -> nx.DiGraph:
    """Fold repeated blocks, then every remaining chain of at least three operations, each
    into one ``folded`` node."""
    runs = _runs(graph, keep)
    groups = _repeated_blocks(graph, runs)
    grouped = {name for group in groups for block in group for name in block}
    chains = [run for run in runs if len(run) >= _MIN_CHAIN and run[0] not in grouped]
    for group in groups:
        members = [m for block in group for m in block]
        ops = " → ".join(_op(graph, m) for m in group[0])
        block = f"({ops})" if len(group[0]) > 1 else ops
        _fold(graph, members, f"{block} × {len(group):,}", keep)
    for run in chains:
        _fold(graph, run, _pattern(graph, run), keep)
    if groups:
        folded = sum(len(group) for group in groups)
        notes.append(f"{folded:,} repeated blocks folded into {len(groups):,} node{'s' * (len(groups) > 1)}")
    if chains:
        folded = sum(len(run) for run in chains)
        notes.append(f"{len(chains):,} chain{'s' * (len(chains) > 1)} of {folded:,} operations folded")
    return graph


def _fold(graph: nx.DiGraph, run: list[str], pattern: str, keep: str | None) -> None:
    """Merge ``run`` into one node; a layer's own weights fold with it, the input the run
    starts from stays."""
    members = set(run)
    mains = {_main(graph, m) for m in run}
    absorbed = {p for m in run for p in graph.pred[m]
                if graph.nodes[p].get("kind") == "input" and p != keep and p not in mains
                and all(s in members for s in graph.succ[p])}
    _merge(graph, f"{run[0]}…{run[-1]}", run, sorted(absorbed, key=lambda n: _order(graph, n)),
           pattern)


def _op(graph: nx.DiGraph, name: str) -> str:
    return graph.nodes[name].get("op") or graph.nodes[name].get("kind")


def _signatures(graph: nx.DiGraph, runs: list[list[str]]) -> tuple[list[tuple], list[set]]:
    """Each run's canonical signature and the runs its arguments come from.

    The signature is the run's operations and, for each one, where its arguments come from:
    a place in the same run, the end of another run (counted from that run's end), or a node
    outside every run (by kind, and whether only this run uses it: a layer's own weights).
    With the number of edges leaving each place, two runs with the same signature are the
    same block connected the same way. One pass over the edges: linear, no recursion.
    """
    place: dict[str, tuple[int, int]] = {}
    for number, run in enumerate(runs):
        for position, name in enumerate(run):
            place[name] = (number, position)
    signatures, sources = [], []
    for number, run in enumerate(runs):
        shape, before = [], set()
        for name in run:
            arguments = []
            for parent in graph.pred[name]:
                where = place.get(parent)
                if where is not None and where[0] == number:
                    arguments.append(("in", where[1]))
                elif where is not None:
                    before.add(where[0])
                    arguments.append(("run", len(runs[where[0]]) - 1 - where[1]))
                else:
                    own = all(place.get(s, (None,))[0] == number for s in graph.succ[parent])
                    arguments.append(("node", graph.nodes[parent].get("kind"), own))
            leaving = sum(1 for s in graph.succ[name] if place.get(s, (None,))[0] != number)
            shape.append((_op(graph, name), tuple(sorted(arguments, key=repr)), leaving))
        signatures.append(tuple(shape))
        sources.append(before)
    return signatures, sources


def _repeated_blocks(graph: nx.DiGraph, runs: list[list[str]]) -> list[list[list[str]]]:
    """Groups of consecutive runs that repeat one block, each fed by the one before:
    ``sin(x·1) + … + sin(x·39)`` is 37 blocks ``multiply → sin → add`` in a row, a neuron
    ``w1·v1 + … + w14·v14`` is ``(multiply → add) × 13``. A block may be several runs that
    alternate: ``sin(x·1) + cos(x·2) + sin(x·3) + …`` repeats ``multiply → sin → add →
    multiply → cos → add``. Each group is a list of blocks, each block a list of nodes."""
    signatures, sources = _signatures(graph, runs)
    groups, start = [], 0
    while start < len(runs):
        # the period (runs per block) that covers the most runs; the shorter one on a tie
        covered, period = max((_repeats(signatures, sources, start, p) * p, -p)
                              for p in range(1, _MAX_BLOCK_RUNS + 1))
        period = -period
        if covered < _MIN_CHAIN * period:  # a block seen twice is clearer drawn in full
            start += 1
            continue
        groups.append([[name for run in runs[k:k + period] for name in run]
                       for k in range(start, start + covered, period)])
        start += covered
    return groups


def _repeats(signatures: list[tuple], sources: list[set], start: int, period: int) -> int:
    """How many whole blocks of ``period`` runs repeat from run ``start`` on: each run is fed
    by the run before it and by no other run of the group (a skip connection is another
    shape; arguments from outside the group, x or a layer's output, are fine), and is the
    same as the run ``period`` before it."""
    end = start + 1
    while end < len(signatures):
        inside = {k for k in sources[end] if start <= k < end}
        if inside != {end - 1} or (end - start >= period
                                   and signatures[end] != signatures[end - period]):
            break
        end += 1
    return (end - start) // period


def _merge(graph: nx.DiGraph, name: str, run: list[str], absorbed: list[str],
           pattern: str) -> None:
    ordered = [*run, *absorbed]  # a list, not a set: the edge kept is the same every run
    everything = set(ordered)
    data = dict(kind="folded", index=graph.nodes[run[0]].get("index"), members=run,
                count=len(run), pattern=pattern,
                absorbed=[graph.nodes[a].get("label") or a for a in absorbed],
                last=dict(graph.nodes[run[-1]], name=run[-1]))
    # Only edges that leave the run survive; reading the adjacency dicts directly keeps this
    # linear and fast for a run of 100 000 operations.
    edges = [(t, m, d) for m in ordered for t, d in graph.pred[m].items() if t not in everything]
    edges += [(m, h, d) for m in ordered for h, d in graph.succ[m].items() if h not in everything]
    graph.remove_nodes_from(everything)
    graph.add_node(name, **data)
    for tail, head, edge in edges:
        pair = (name if tail in everything else tail, name if head in everything else head)
        if graph.has_edge(*pair):  # x feeding all 37 blocks: one edge that says 37
            graph.edges[pair]["parallel"] = graph.edges[pair].get("parallel", 1) + 1
        else:
            graph.add_edge(*pair, **dict(edge, tail=edge.get("tail", tail), head=edge.get("head", head)))


def _pattern(graph: nx.DiGraph, members: list[str]) -> str:
    """``(matmul → add → tanh) × 100`` for a repeated block, else the commonest operations."""
    ops = [graph.nodes[m].get("op") or graph.nodes[m].get("kind") for m in members]
    for period in range(1, min(_MAX_PERIOD, len(ops) // 2) + 1):
        if all(ops[k] == ops[k % period] for k in range(len(ops))):
            block = " → ".join(ops[:period])
            repeats, rest = divmod(len(ops), period)
            text = f"({block}) × {repeats:,}" if period > 1 else f"{block} × {repeats:,}"
            return text + (f" + {' → '.join(ops[:rest])}" if rest else "")
    common = Counter(ops).most_common(3)
    text = ", ".join(f"{op} × {count:,}" for op, count in common)
    return text + (", …" if len(set(ops)) > 3 else "")


def _band_pattern(graph: nx.DiGraph, members: list[str]) -> str:
    """What a band holds: its operations, and its folded nodes by what they fold, as in
    ``add × 14, 14 × [(multiply → add) × 13]``.

    Example:
        >>> g = nx.DiGraph()
        >>> g.add_node("a", op="add")
        >>> g.add_node("b", kind="folded", pattern="sin × 9")
        >>> g.add_node("c", kind="folded", pattern="sin × 9")
        >>> _band_pattern(g, ["a", "b", "c"])
        'add × 1, 2 × [sin × 9]'
    """
    plain = [m for m in members if graph.nodes[m].get("kind") != "folded"]
    folded = Counter(graph.nodes[m].get("pattern", "") for m in members
                     if graph.nodes[m].get("kind") == "folded")
    parts = [_pattern(graph, plain)] if plain else []
    parts += [f"{count:,} × [{pattern}]" if count > 1 else pattern
              for pattern, count in folded.most_common(3)]
    return ", ".join(parts) + (", …" if len(folded) > 3 else "")


def _levels(graph: nx.DiGraph) -> dict[str, int]:
    """Longest distance from a source, found in one pass over a topological order."""
    level: dict[str, int] = {}
    for name in nx.topological_sort(graph):
        level[name] = 1 + max((level[p] for p in graph.predecessors(name)), default=-1)
    return level


def group_blocks(graph: nx.DiGraph, max_nodes: int, notes: list[str],
                 keep: str | None = None) -> nx.DiGraph:
    """Group nodes by depth (distance from the inputs) into bands; outputs stay separate.

    Bands of depth, not of evaluation order, so that edges join neighbouring bands: a
    graph of long edges between many blocks is just what takes dot minutes to lay out.
    """
    fixed = [n for n in graph if graph.nodes[n].get("kind") == "output" or n == keep]
    level = _levels(graph)
    kept = set(fixed)
    rest = sorted((n for n in graph if n not in kept), key=lambda n: (level[n], _order(graph, n)))
    depth = 1 + max((level[n] for n in rest), default=0)
    width = max(1, math.ceil(depth / max(1, min(max_nodes - len(fixed), MAX_RANKS))))
    bands: dict[int, list[str]] = {}
    for name in rest:
        bands.setdefault(level[name] // width, []).append(name)
    result = nx.DiGraph(**graph.graph)
    block_of = {name: name for name in fixed}
    for name in fixed:
        result.add_node(name, **graph.nodes[name])
    for band, block in bands.items():
        first, last = band * width, min(depth, (band + 1) * width) - 1
        name = block[0] if len(block) == 1 else (f"depth {first}" if first == last else f"depth {first}–{last}")
        block_of.update({m: name for m in block})
        if len(block) == 1:
            result.add_node(name, **graph.nodes[name])
            continue
        members = [m for b in block for m in (graph.nodes[b].get("members") or [b])]
        ordered = sorted(block, key=lambda n: _order(graph, n))
        result.add_node(name, kind="folded", index=graph.nodes[ordered[0]].get("index"),
                        members=members, count=len(members), pattern=_band_pattern(graph, ordered),
                        absorbed=[], last=None)
    for tail, head in graph.edges:
        pair = (block_of[tail], block_of[head])
        if pair[0] != pair[1]:
            count = result.edges[pair]["count"] + 1 if result.has_edge(*pair) else 1
            result.add_edge(*pair, kind="grouped", count=count)
    notes.append(f"{len(rest):,} nodes grouped into {len(bands):,} bands by depth")
    return result
