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
A higher-order derivative's trace also has ``rules`` (the derivative rules that recorded
nodes) and the column ``nodes.rule``; both are optional, written only when present.
Version 2 files (one object per node, values pooled) and version 1 files (values inline as
``{"dtype", "shape", "data"}``) are still read.

A file is checked whole before anything is built (:mod:`gradviz.export._schema`): every
index in range, every type, every size bounded. A file that loads is consistent; any other
is refused with a :class:`~gradviz.errors.TraceFileError` naming the field.
"""

from __future__ import annotations

import base64
import gc
import json
import math
from contextlib import contextmanager
from itertools import accumulate, chain, repeat
from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterator

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
# The number types stored in line; fields of a Record, read by C-level maps.
_SCALARS = frozenset((float, onp.float64))
_VALUE, _ARGS, _KWARGS = attrgetter("value"), attrgetter("args"), attrgetter("kwargs")


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
        self._seen: dict[int, int] = {id(None): -1}
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

    def add_all(self, values: list) -> list[int]:
        """:meth:`add` of each of ``values``, in bulk: those met before are found by their
        ids, new numbers (a sweep or a chain has one per node) are stored all at once."""
        seen = self._seen
        ids = list(map(id, values))
        refs = list(map(seen.get, ids))
        if None not in refs:
            return refs
        missing = [values[k] for k, ref in enumerate(refs) if ref is None]
        if set(map(type, missing)) <= _SCALARS:  # the usual case, without a Python loop
            numbers = dict(zip(map(id, missing), missing))
        else:
            numbers = {id(value): value for value in missing if type(value) in _SCALARS}
        if len(numbers) < len(missing):  # arrays, boxes, texts; or one number twice
            for value in missing:
                if id(value) not in numbers:
                    self.add(value)
        start = len(self.kinds)
        seen.update(zip(numbers, range(start, start + len(numbers))))
        self.kinds.extend(repeat(0, len(numbers)))
        self.ndims.extend(repeat(0, len(numbers)))
        self.values.extend(numbers.values())
        return list(map(seen.get, ids))

    def add_numbers(self, numbers: onp.ndarray) -> range:
        """New entries for the float64 ``numbers``, one each; returns their references."""
        start = len(self.kinds)
        self.kinds.extend([0] * len(numbers))
        self.ndims.extend([0] * len(numbers))
        self.values.extend(numbers)
        return range(start, len(self.kinds))

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


def _op_entry(primitive: Primitive | None) -> dict:
    return {"op": "input" if primitive is None else primitive.name,
            "differentiable": primitive is None or primitive.differentiable,
            "partials": {str(k): v for k, v in (primitive.partials.items() if primitive else ())},
            "elementwise": bool(primitive is not None and primitive.info.get("elementwise"))}


def _node_columns(trace: Trace, pool: _Pool) -> tuple[dict, list, list, list | None]:
    """Every per-node field as a column, each gathered in one pass over the records."""
    tape = trace.tape
    records = tape.records
    count = len(records)
    ops, texts = _Table(), _Table()
    # Each primitive's entry and each site's texts are made once, where first met.
    primitives = [record.primitive for record in records]
    first = dict(zip(map(id, reversed(primitives)), range(count - 1, -1, -1)))
    numbers = {key: ops.number(key, lambda: _op_entry(primitives[index]))
               for key, index in sorted(first.items(), key=lambda item: item[1])}
    sites = [record.site for record in records]
    described = {}
    for site in dict.fromkeys(sites):  # a loop records one site many times
        text, line = describe_site(site), site_source(site)
        described[site] = (texts.number(text, lambda: text), texts.number(line, lambda: line))
    arg_counts = list(map(len, [record.args for record in records]))
    parent_counts = list(map(len, [record.parents for record in records]))
    if arg_counts == parent_counts:  # every argument a node: no constant to keep
        args = [-1] * sum(arg_counts)
    else:
        args = []
        for record in records:
            linked = {a for a, _ in record.parents}
            args.extend(-1 if k in linked else pool.add(arg) for k, arg in enumerate(record.args))
    pairs = [pair for record in records for pair in record.parents]
    parent_arg = [a for a, _ in pairs]
    op = list(map(numbers.__getitem__, map(id, primitives)))
    kinds = {numbers[key]: primitives[index] for key, index in first.items()}
    columns = {"op": op,
               "site": [described[site][0] for site in sites],
               "source": [described[site][1] for site in sites],
               "value": pool.add_all([record.value for record in records]), "args": args,
               "parent_arg": parent_arg, "parent_node": [p for _, p in pairs],
               "partial_value": _partials(trace, (op, kinds), parent_counts, parent_arg, pool),
               "arg_end": list(accumulate(arg_counts)), "parent_end": list(accumulate(parent_counts))}
    rules = _rule_entries(tape, ops, texts)
    if rules is not None:  # only a higher-order derivative's trace has any
        columns["rule"] = rules[1]
    encoded = {name: _column(numbers) for name, numbers in columns.items()}
    encoded["count"] = count
    return encoded, ops.entries, texts.entries, None if rules is None else rules[0]


def _rule_entries(tape: Tape, ops: _Table, texts: _Table) -> tuple[list, list] | None:
    """The derivative rules that recorded nodes (see :attr:`Tape.made_by`), each once and
    after the rule it ran inside (``outer``), and the rule column: each node's rule number,
    ``-1`` for a node of the user's own code. ``None`` when no rule recorded a node."""
    if not tape.made_by:
        return None
    rules, numbers = _Table(), {}  # numbers: id of a made_by tuple -> its rule's number
    for made in tape.made_by.values():
        chain = []  # this rule and the rules it ran inside, out to one already numbered
        while made is not None and id(made) not in numbers:
            chain.append(made)
            made = made[3]
        for made in reversed(chain):
            kind, primitive, site, outer = made
            text, line = describe_site(site), site_source(site)
            entry = {"kind": kind, "op": ops.number(id(primitive), lambda: _op_entry(primitive)),
                     "site": texts.number(text, lambda: text), "source": texts.number(line, lambda: line),
                     "outer": -1 if outer is None else numbers[id(outer)]}
            numbers[id(made)] = rules.number(tuple(entry.values()), lambda: entry)
    column = [-1] * len(tape.records)
    for index, made in tape.made_by.items():
        column[index] = numbers[id(made)]
    return rules.entries, column


def _partials(trace: Trace, ops: tuple[list, dict], parent_counts: list, parent_arg: list,
              pool: _Pool) -> list[int]:
    """The pool references of every edge's local partial, in edge order; ``ops`` is the op
    column and the primitive of each op number.

    The edges of an elementwise primitive whose value and arguments are float64 numbers (a
    loop of scalar operations) are done many at once: grouped by primitive and argument, each
    group's tangent rule runs once on arrays of them. Any other edge's partial is
    :func:`partial_value`'s, one by one.
    """
    records = trace.tape.records
    owners = list(chain.from_iterable(map(repeat, range(len(records)), parent_counts)))
    refs: list = [None] * len(owners)
    position = dict(zip(zip(owners, parent_arg), range(len(owners))))
    column, primitives = onp.asarray(ops[0], dtype=onp.int64), ops[1]
    linked = onp.asarray(parent_counts) > 0
    for number, primitive in primitives.items():
        if primitive is None or not primitive.info.get("elementwise"):
            continue
        indices = onp.flatnonzero((column == number) & linked).tolist()
        for width, group in _scalar_groups(indices, [records[i] for i in indices]).items():
            _partials_at_once(primitive, width, group, position, refs, pool)
    for place, ref in enumerate(refs):
        if ref is None:
            refs[place] = pool.add(partial_value(trace, owners[place], parent_arg[place]))
    return refs


def _scalar_groups(indices: list, members: list) -> dict[int, tuple[list, list]]:
    """The records among ``members`` (nodes ``indices``) whose value and arguments are all
    float64 numbers and that have no keyword arguments, as ``(indices, records)`` by their
    number of arguments."""
    scalar = _SCALARS.__contains__
    args = list(map(_ARGS, members))
    if (set(map(type, map(_VALUE, members))) <= _SCALARS and not any(map(_KWARGS, members))
            and set(map(type, chain.from_iterable(args))) <= _SCALARS):
        widths = set(map(len, args))
        if len(widths) == 1:  # the usual case, told in a few passes over the group
            return {widths.pop(): (indices, members)}
        kept = zip(indices, members)
    else:
        kept = [(i, r) for i, r in zip(indices, members) if not r.kwargs and scalar(type(r.value))
                and all(map(scalar, map(type, r.args)))]
    groups: dict[int, tuple[list, list]] = {}
    for index, record in kept:
        group = groups.setdefault(len(record.args), ([], []))
        group[0].append(index)
        group[1].append(record)
    return groups


def _partials_at_once(primitive, width: int, group: tuple[list, list], position: dict, refs: list,
                      pool: _Pool) -> None:
    """Each partial of the scalar nodes ``group`` by one call of the tangent rule on arrays."""
    indices, records = group
    if len(records) < 2:
        return
    ans = onp.fromiter(map(_VALUE, records), onp.float64, len(records))
    columns = [onp.fromiter(map(itemgetter(k), map(_ARGS, records)), onp.float64, len(records))
               for k in range(width)]
    for argnum in range(width):
        rule, local = primitive.jvp_rule(argnum), primitive.local_partials.get(argnum)
        places = list(map(position.get, zip(indices, repeat(argnum))))
        if rule is None or None in places:
            continue
        ones = onp.ones(len(records))
        try:  # as partial_value has it: the row's own partial, or its tangent rule on ones
            with onp.errstate(all="ignore"):  # a NaN partial is shown, not warned about
                values = unbox(ones * local(ans, *columns) if local is not None else rule(ones, ans, *columns))
        except Exception:  # noqa: BLE001 - then one by one, as any other edge
            continue
        if type(values) is onp.ndarray and values.shape == ans.shape and values.dtype == ans.dtype:
            for place, ref in zip(places, pool.add_numbers(values)):
                refs[place] = ref


def _sweep_columns(sweep: Sweep, pool: _Pool) -> dict:
    steps = sweep.steps
    terms = [step.terms for step in steps]
    flat = [term for each in terms for term in each]
    columns = {"node": [step.node for step in steps], "value": pool.add_all([step.value for step in steps]),
               "term_end": list(accumulate(map(len, terms))), "term_arg": [a for a, _, _ in flat],
               "term_node": [p for _, p, _ in flat], "term_value": pool.add_all([t for _, _, t in flat])}
    return {"kind": sweep.kind, "label": sweep.label,
            "seeds": [[index, pool.add(seed)] for index, seed in sweep.seeds.items()],
            "results": _column(pool.add_all(sweep.results)),
            "steps": {"count": len(steps), **{k: _column(v) for k, v in columns.items()}}}


def trace_to_dict(trace: Trace) -> dict:
    """The whole trace as plain JSON-ready data: every per-node field a column."""
    pool = _Pool()
    nodes, ops, texts, rules = _node_columns(trace, pool)
    sweeps = [_sweep_columns(sweep, pool) for sweep in trace.sweeps]
    data = {"format": FORMAT, "version": VERSION, "name": trace.name,
            "inputs": trace.inputs, "input_names": trace.input_names,
            "outputs": trace.outputs, "output_names": trace.output_names,
            "ops": ops, "texts": texts, "nodes": nodes, "sweeps": sweeps, "pool": pool.to_dict()}
    if rules is not None:  # optional: a first-order trace's file is as it always was
        data["rules"] = rules
    return data


def trace_from_dict(data: Any) -> Trace:
    """Rebuild a :class:`Trace` from :func:`trace_to_dict` data, after checking all of it;
    raises :class:`~gradviz.errors.TraceFileError` naming the first field that is wrong."""
    checked = check_file(data, FORMAT, (1, VERSION))
    if isinstance(checked, Columns):
        with _collector_paused():
            return _build_columns(data, checked)
    return _build(data, checked)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic collector paused: building a large trace makes hundreds of thousands
    of tuples, none in a cycle, and would run it over them again and again (half the time
    of a load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    """A trace from a checked version-3 file, column by column: each field of every record
    is gathered at once by numpy indexing, and the records are made in one pass."""
    objects = checked.pool.objects  # a value reference indexes it, negative ones from the end
    nodes, count = checked.nodes, checked.count
    primitives = onp.fromiter(
        (None if entry["op"] == "input" else
         _stand_in(entry["op"], entry["differentiable"], tuple(sorted(entry["partials"].items())),
                   entry["elementwise"]) for entry in checked.ops), dtype=object, count=len(checked.ops))
    arg_end, parent_end = nodes["arg_end"], nodes["parent_end"]
    parent_arg, parent_node = nodes["parent_arg"], nodes["parent_node"]
    owner = onp.repeat(onp.arange(count), onp.diff(parent_end, prepend=0))
    # An argument that is a node holds that node's value: its reference is the node's.
    arg_refs = nodes["args"].copy()
    arg_refs[(arg_end - onp.diff(arg_end, prepend=0))[owner] + parent_arg] = nodes["value"][parent_node]
    args = _segments(objects[arg_refs].tolist(), arg_end)
    parents = _segments(list(zip(parent_arg.tolist(), parent_node.tolist())), parent_end)
    records = list(map(tuple.__new__, repeat(Record), zip(
        primitives[nodes["op"]].tolist(), args, iter(dict, None), parents,
        objects[nodes["value"]].tolist(), _sites(checked.texts, nodes["site"], nodes["source"]))))
    tape = Tape(1)
    tape.records = records
    tape.made_by = _made_by(checked, primitives)
    trace = Trace(tape, list(data["inputs"]), list(data["input_names"]), list(data["outputs"]),
                  list(data["output_names"]), data["name"])
    remember_partials(trace, dict(zip(zip(owner.tolist(), parent_arg.tolist()),  # no rules to
                                      objects[nodes["partial_value"]].tolist())))  # work them out
    trace.sweeps.extend(_sweep_from_columns(entry, objects) for entry in checked.sweeps)
    return trace


def _made_by(checked: Columns, primitives: onp.ndarray) -> dict[int, tuple]:
    """:attr:`Tape.made_by` from the checked rules (each names an earlier one or ``-1``) and
    the rule column: ``(kind, primitive, site, outer rule)`` as the sweeps record it."""
    texts, made = checked.texts, []
    for entry in checked.rules:
        description, outer = texts[entry["site"]], entry["outer"]
        made.append((entry["kind"], primitives[entry["op"]],
                     TextSite(description, texts[entry["source"]]) if description else None,
                     made[outer] if outer >= 0 else None))
    column = checked.nodes.get("rule")
    if column is None:
        return {}
    recorded = onp.flatnonzero(column >= 0)
    return dict(zip(recorded.tolist(), map(made.__getitem__, column[recorded].tolist())))


def _segments(items: list, ends: onp.ndarray) -> list[tuple]:
    """``items`` cut into tuples ending at ``ends`` (checked: never decreasing, the last
    ``len(items)``); segments of one length, as in a chain, are cut without a Python loop."""
    counts = onp.diff(ends, prepend=0)
    if len(counts) and not onp.any(counts != counts[0]):
        width = int(counts[0])
        if width == 0:
            return [()] * len(counts)
        return list(zip(*[iter(items)] * width))
    starts = (ends - counts).tolist()
    return [tuple(items[start:end]) for start, end in zip(starts, ends.tolist())]


def _sites(texts: list, site: onp.ndarray, source: onp.ndarray) -> list:
    """Each node's :class:`TextSite` (``None`` where it has none), one object per distinct
    (description, source line) pair: a loop's nodes share theirs."""
    pairs, inverse = onp.unique(site * max(len(texts), 1) + source, return_inverse=True)
    made = onp.fromiter((TextSite(texts[pair // max(len(texts), 1)], texts[pair % max(len(texts), 1)])
                         if texts[pair // max(len(texts), 1)] else None for pair in pairs.tolist()),
                        dtype=object, count=len(pairs))
    return made[inverse.reshape(-1)].tolist()


def _sweep_from_columns(entry: dict, objects: onp.ndarray) -> Sweep:
    columns = entry["steps"]
    terms = list(zip(columns["term_arg"].tolist(), columns["term_node"].tolist(),
                     objects[columns["term_value"]].tolist()))
    steps = list(map(tuple.__new__, repeat(Step), zip(
        columns["node"].tolist(), objects[columns["value"]].tolist(),
        _segments(terms, columns["term_end"]))))
    seeds = {i: objects[v] for i, v in entry["seeds"]}
    return Sweep(entry["kind"], seeds, objects[entry["results"]].tolist(), steps, entry["label"])


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
