"""Saving a trace to JSON and loading it back (never pickle: a trace file is data, not code).

A loaded trace has every node, value, sweep and step, so it renders, prints its tables and
steps in the inspector exactly as the original. It cannot run new sweeps: its primitives are
stand-ins that carry a name and display partials but no rules.

The file is strict JSON (version 3) and stores the nodes as columns: ``nodes.op``,
``nodes.value``, ``nodes.parent_node``, … are parallel arrays of int64, little-endian in
base64, with ``arg_end`` and ``parent_end`` marking where each node's arguments and parents
end; op descriptions and site texts are tables the columns index. Every number and array
sits once in one pool (dtype, number of dimensions, dimensions and offset, themselves
columns), per dtype all elements as little-endian bytes in base64. A value reference is a
pool entry, ``-1`` for none, or ``-2 - k`` for the ``k``-th value kept as text (an index).
Version 2 files (one object per node, values pooled) and version 1 files (values inline as
``{"dtype", "shape", "data"}``) are still read.

A file is checked whole before anything is built (:mod:`gradviz.export._schema`): every
index in range, every type, every size bounded. A file that loads is consistent; any other
is refused with a :class:`~gradviz.errors.TraceFileError` naming the field.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, Callable

import numpy as onp

from gradviz._files import write_atomic
from gradviz.export.values import decode_value, encode_value
from gradviz.export._schema import DTYPES, Columns, check_file
from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import Primitive, Record, Tape, unbox
from gradviz.engine.source import TextSite, describe_site, site_source
from gradviz.errors import TraceFileError
from gradviz.export.notation import partial_value, remember_partials

__all__ = ["save_trace", "load_trace", "trace_to_dict", "trace_from_dict", "FORMAT",
           "encode_value", "decode_value"]  # the last two from gradviz.export.values

FORMAT = "gradviz-trace"
VERSION = 3
class _Pool:
    """Collects every value of a trace, to be written as one base64 blob per dtype.

    A value is referred to by a number: its pool entry (0, 1, …), ``-1`` for ``None``, and
    ``-2 - k`` for the ``k``-th value kept as text (an index such as ``(None, slice(1, None))``).
    The same object met twice is stored once.
    """

    def __init__(self) -> None:
        self.dtypes: list[str] = ["float64"]
        self._dtype_index: dict[Any, int] = {onp.float64: 0}
        self.kinds: list[int] = []
        self.ndims: list[int] = []
        self.dims: list[int] = []
        self.values: list[Any] = []
        self.reprs: list[str] = []
        self._seen: dict[int, int] = {}
        self._kept: list[Any] = []  # keeps boxes alive, so that no id is reused meanwhile

    def add(self, value: Any) -> int:
        if value is None:
            return -1
        ref = self._seen.get(id(value))
        if ref is None:
            ref = self._seen[id(value)] = self._new(value)
        return ref

    def _new(self, value: Any) -> int:
        raw, value = value, unbox(value)
        if raw is not value:
            self._kept.append(raw)
        if type(value) is float or type(value) is onp.float64:  # the usual case, made cheap
            self.kinds.append(0)
            self.ndims.append(0)
            self.values.append(value)
            return len(self.kinds) - 1
        try:
            array = onp.asarray(value)
        except ValueError:
            array = None
        if array is None or array.dtype.name not in DTYPES:
            self.reprs.append(repr(value))
            return -1 - len(self.reprs)
        kind = self._dtype_index.get(array.dtype.type)
        if kind is None:
            kind = self._dtype_index[array.dtype.type] = len(self.dtypes)
            self.dtypes.append(array.dtype.name)
        self.kinds.append(kind)
        self.ndims.append(array.ndim)
        self.dims.extend(array.shape)
        self.values.append(array)
        return len(self.kinds) - 1

    def to_dict(self) -> dict:
        kinds, ndims = onp.asarray(self.kinds, dtype=onp.int64), onp.asarray(self.ndims, dtype=onp.int64)
        sizes = onp.ones(len(kinds), dtype=onp.int64)
        shaped = onp.flatnonzero(ndims)
        if len(shaped):
            starts = onp.cumsum(ndims) - ndims
            sizes[shaped] = [math.prod(self.dims[s:s + n]) for s, n in zip(starts[shaped], ndims[shaped])]
        offsets, data = onp.zeros(len(kinds), dtype=onp.int64), {}
        for kind, name in enumerate(self.dtypes):
            where = onp.flatnonzero(kinds == kind)
            offsets[where] = onp.cumsum(sizes[where]) - sizes[where]
            dtype = onp.dtype(name).newbyteorder("<")
            parts = [self.values[k] for k in where]
            if not onp.any(ndims[where]):
                flat = onp.array(parts, dtype=dtype)
            else:
                flat = onp.concatenate([onp.ravel(onp.asarray(p, dtype=dtype)) for p in parts])
            data[name] = base64.b64encode(flat.tobytes()).decode("ascii")
        return {"dtypes": self.dtypes, "kinds": _column(kinds), "ndims": _column(ndims),
                "dims": _column(self.dims), "offsets": _column(offsets),
                "reprs": self.reprs, "data": data}


def _column(numbers: list) -> str:
    """A list of integers as base64 little-endian int64 (a column of the file)."""
    return base64.b64encode(onp.asarray(numbers, dtype="<i8").tobytes()).decode("ascii")


class _Table:
    """Distinct entries (texts, primitive descriptions) and their numbers."""

    def __init__(self) -> None:
        self.entries: list = []
        self._numbers: dict = {}

    def number(self, key: Any, entry: Callable[[], Any]) -> int:
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = len(self.entries)
            self.entries.append(entry())
        return found


def _op_entry(node) -> dict:
    primitive = node.primitive
    return {"op": node.op, "differentiable": primitive is None or primitive.differentiable,
            "partials": {str(k): v for k, v in (primitive.partials.items() if primitive else ())},
            "elementwise": bool(primitive is not None and primitive.info.get("elementwise"))}


def _node_columns(trace: Trace, pool: _Pool) -> tuple[dict, list, list]:
    add, ops, texts, sites = pool.add, _Table(), _Table(), {}
    columns = {name: [] for name in ("op", "site", "source", "value", "args", "parent_arg",
                                     "parent_node", "partial_value")}
    op, site_column, source, value, args = (columns[k] for k in ("op", "site", "source", "value", "args"))
    parent_arg, parent_node, partial = (columns[k] for k in ("parent_arg", "parent_node", "partial_value"))
    arg_ends, parent_ends = [], []
    for node in trace.tape.nodes:
        primitive, site = node.primitive, node.site
        op.append(ops.number((node.op, id(primitive)), lambda: _op_entry(node)))
        key = site if site is None or isinstance(site, tuple) else id(site)
        numbers = sites.get(key)
        if numbers is None:  # a loop records one site many times: its text is made once
            described, line = describe_site(site), site_source(site)
            numbers = sites[key] = (texts.number(described, lambda: described),
                                    texts.number(line, lambda: line))
        site_column.append(numbers[0])
        source.append(numbers[1])
        value.append(add(node.value))
        linked = {a for a, _ in node.parents}
        args.extend(-1 if k in linked else add(arg) for k, arg in enumerate(node.args))
        arg_ends.append(len(args))
        for a, p in node.parents:
            parent_arg.append(a)
            parent_node.append(p)
            partial.append(add(partial_value(trace, node.index, a)))
        parent_ends.append(len(parent_arg))
    columns["arg_end"], columns["parent_end"] = arg_ends, parent_ends
    encoded = {name: _column(numbers) for name, numbers in columns.items()}
    encoded["count"] = len(op)
    return encoded, ops.entries, texts.entries


def _sweep_columns(sweep: Sweep, pool: _Pool) -> dict:
    add = pool.add
    node, value, term_end, term_arg, term_node, term_value = [], [], [], [], [], []
    for step in sweep.steps:
        node.append(step.node)
        value.append(add(step.value))
        for a, p, t in step.terms:
            term_arg.append(a)
            term_node.append(p)
            term_value.append(add(t))
        term_end.append(len(term_arg))
    steps = {"count": len(node), "node": node, "value": value, "term_end": term_end,
             "term_arg": term_arg, "term_node": term_node, "term_value": term_value}
    return {"kind": sweep.kind, "label": sweep.label,
            "seeds": [[index, add(seed)] for index, seed in sweep.seeds.items()],
            "results": _column([add(r) for r in sweep.results]),
            "steps": {k: v if k == "count" else _column(v) for k, v in steps.items()}}


def trace_to_dict(trace: Trace) -> dict:
    """The whole trace as plain JSON-ready data: every per-node field a column."""
    pool = _Pool()
    nodes, ops, texts = _node_columns(trace, pool)
    sweeps = [_sweep_columns(sweep, pool) for sweep in trace.sweeps]
    return {"format": FORMAT, "version": VERSION, "name": trace.name,
            "inputs": trace.inputs, "input_names": trace.input_names,
            "outputs": trace.outputs, "output_names": trace.output_names,
            "ops": ops, "texts": texts, "nodes": nodes, "sweeps": sweeps, "pool": pool.to_dict()}


def trace_from_dict(data: Any) -> Trace:
    """Rebuild a :class:`Trace` from :func:`trace_to_dict` data, after checking all of it;
    raises :class:`~gradviz.errors.TraceFileError` naming the first field that is wrong."""
    checked = check_file(data, FORMAT, (1, VERSION))
    if isinstance(checked, Columns):
        return _build_columns(data, checked)
    return _build(data, checked)


def _build(data: dict, decode) -> Trace:
    tape = Tape(1)
    primitives: dict[tuple, Primitive] = {}
    for entry in data["nodes"]:
        parents = tuple((a, p) for a, p in entry["parents"])
        args = [decode(a) for a in entry["args"]]
        for argnum, parent in parents:
            args[argnum] = tape.records[parent].value
        primitive = None
        if entry["op"] != "input":
            key = (entry["op"], entry["differentiable"], tuple(sorted(entry["partials"].items())),
                   entry["elementwise"])
            primitive = primitives.get(key) or primitives.setdefault(key, _stand_in(*key))
        site = entry["site"] or None
        tape.records.append(Record(primitive, tuple(args), {}, parents, decode(entry["value"]),
                                   TextSite(site, entry["source"]) if site else None))
    trace = Trace(tape, list(data["inputs"]), list(data["input_names"]), list(data["outputs"]),
                  list(data["output_names"]), data["name"])
    # The loaded stand-ins have no rules: the saved edge partials are what notation shows.
    remember_partials(trace, {
        (index, int(a)): decode(v)
        for index, entry in enumerate(data["nodes"])
        for a, v in entry["partial_values"].items()
    })
    for entry in data["sweeps"]:
        seeds = {i: decode(v) for i, v in entry["seeds"]}
        results = [decode(r) for r in entry["results"]]
        steps = [Step(n, decode(v), tuple((a, p, decode(t)) for a, p, t in terms))
                 for n, v, terms in entry["steps"]]
        trace.sweeps.append(Sweep(entry["kind"], seeds, results, steps, entry["label"]))
    return trace


def _build_columns(data: dict, checked: Columns) -> Trace:
    """A trace from a checked version-3 file."""
    decode, nodes = checked.pool.table.__getitem__, checked.nodes
    primitives = [None if entry["op"] == "input" else
                  _stand_in(entry["op"], entry["differentiable"],
                            tuple(sorted(entry["partials"].items())), entry["elementwise"])
                  for entry in checked.ops]
    texts = checked.texts
    op, site, source, value = (nodes[k].tolist() for k in ("op", "site", "source", "value"))
    args, arg_end = nodes["args"].tolist(), nodes["arg_end"].tolist()
    parent_arg, parent_node = nodes["parent_arg"].tolist(), nodes["parent_node"].tolist()
    partial, parent_end = nodes["partial_value"].tolist(), nodes["parent_end"].tolist()
    tape, partials = Tape(1), {}
    records = tape.records
    arg_start = parent_start = 0
    for index in range(checked.count):
        values = [decode(a) for a in args[arg_start:arg_end[index]]]
        parents = tuple(zip(parent_arg[parent_start:parent_end[index]],
                            parent_node[parent_start:parent_end[index]]))
        for (argnum, parent), ref in zip(parents, partial[parent_start:parent_end[index]]):
            values[argnum] = records[parent].value
            partials[index, argnum] = decode(ref)
        description = texts[site[index]]
        records.append(Record(primitives[op[index]], tuple(values), {}, parents, decode(value[index]),
                              TextSite(description, texts[source[index]]) if description else None))
        arg_start, parent_start = arg_end[index], parent_end[index]
    trace = Trace(tape, list(data["inputs"]), list(data["input_names"]), list(data["outputs"]),
                  list(data["output_names"]), data["name"])
    remember_partials(trace, partials)  # the stand-ins have no rules to work them out
    trace.sweeps.extend(_sweep_from_columns(entry, decode) for entry in checked.sweeps)
    return trace


def _sweep_from_columns(entry: dict, decode) -> Sweep:
    columns = {k: v.tolist() for k, v in entry["steps"].items()}
    node, value, term_end = columns["node"], columns["value"], columns["term_end"]
    term_arg, term_node, term_value = columns["term_arg"], columns["term_node"], columns["term_value"]
    steps, start = [], 0
    for k in range(len(node)):
        end = term_end[k]
        terms = tuple((a, p, decode(t)) for a, p, t in
                      zip(term_arg[start:end], term_node[start:end], term_value[start:end]))
        steps.append(Step(node[k], decode(value[k]), terms))
        start = end
    seeds = {i: decode(v) for i, v in entry["seeds"]}
    return Sweep(entry["kind"], seeds, [decode(r) for r in entry["results"].tolist()], steps,
                 entry["label"])


def _stand_in(op: str, differentiable: bool, partials: tuple, elementwise: bool) -> Primitive:
    primitive = Primitive(lambda *args, **kwargs: None, op, differentiable=differentiable)
    primitive.partials.update({int(k): v for k, v in partials})
    primitive.info["elementwise"] = elementwise
    primitive.info["loaded"] = True
    return primitive


def save_trace(trace: Trace, path) -> None:
    """Write ``trace`` to ``path`` as JSON, atomically (a failure leaves no partial file)."""
    text = json.dumps(trace_to_dict(trace), allow_nan=False, separators=(",", ":"))
    write_atomic(path, text.encode("utf-8"))


def load_trace(path) -> Trace:
    """Read a trace written by :func:`save_trace`."""
    from gradviz._files import read_regular

    text = read_regular(path, what="trace file", error=TraceFileError)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TraceFileError(f"{path} is not valid JSON ({exc}): is it a gradviz trace file?") from None
    except RecursionError:
        raise TraceFileError(f"{path} nests too deeply to be a gradviz trace file") from None
    except ValueError as exc:  # an integer literal beyond Python's digit limit
        raise TraceFileError(f"{path} holds a number gradviz cannot read ({exc})") from None
    return trace_from_dict(data)
