"""Saving a trace to JSON and loading it back (never pickle: a trace file is data, not code).

A loaded trace has every node, value, sweep and step, so it renders, prints its tables and
steps in the inspector exactly as the original. It cannot run new sweeps: its primitives are
stand-ins that carry a name and display partials but no rules.

The file is strict JSON. Every number and array of the trace sits in one pool: per entry its
dtype, its shape and where its elements start, and per dtype all elements as little-endian
bytes in base64 (a 100 001-node chain saves and loads in about a second). A value in a node
or a sweep is the number of its pool entry, ``null``, or ``{"repr": text}`` for an index.
Version 1 files, whose values were ``{"dtype", "shape", "data"}`` inline, are still read.

A file is checked whole before anything is built (:mod:`gradviz.export._schema`): every
index in range, every type, every size bounded. A file that loads is consistent; any other
is refused with a :class:`~gradviz.errors.TraceFileError` naming the field.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as onp

from gradviz._files import write_atomic
from gradviz.export._schema import DTYPES, check_file, read_only_array
from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import Primitive, Record, Tape, unbox
from gradviz.engine.source import TextSite, describe_site, site_source
from gradviz.errors import TraceFileError
from gradviz.export.notation import partial_value

__all__ = ["save_trace", "load_trace", "trace_to_dict", "trace_from_dict", "FORMAT",
           "encode_value", "decode_value"]

FORMAT = "gradviz-trace"
VERSION = 2
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode_number(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def encode_value(value: Any) -> Any:
    """A JSON-ready form of a number or array (``None`` stays ``None``), inline:
    ``{"dtype", "shape", "data"}`` with NaN and ±Inf as strings (used by the graph's JSON)."""
    value = unbox(value)
    if value is None:
        return None
    try:
        array = onp.asarray(value)
    except ValueError:  # an index such as (None, slice(1, None), array([0, 2])): kept as text
        return {"repr": repr(value)}
    if array.dtype.kind not in "biufc":
        return {"repr": repr(value)}
    if array.dtype.kind == "c":
        data = [[_encode_number(float(z.real)), _encode_number(float(z.imag))] for z in array.ravel()]
    else:
        data = [_encode_number(x) for x in array.ravel().tolist()]
    return {"dtype": str(array.dtype), "shape": list(array.shape), "data": data}


def decode_value(encoded: Any) -> Any:
    """Inverse of :func:`encode_value` (for data already checked by the schema)."""
    if encoded is None:
        return None
    if "repr" in encoded:
        return encoded["repr"]
    dtype = onp.dtype(encoded["dtype"])
    data = encoded["data"]
    if dtype.kind == "c":
        flat = [complex(_decode_number(re), _decode_number(im)) for re, im in data]
    else:
        flat = [_decode_number(x) for x in data]
    array = onp.array(flat, dtype=dtype).reshape(encoded["shape"])
    return array[()] if array.ndim == 0 else array


def _decode_number(x: Any) -> Any:
    return _SPECIAL[x] if isinstance(x, str) else x


class _Pool:
    """Collects every value of a trace, to be written as one base64 blob per dtype."""

    def __init__(self) -> None:
        self.dtypes: list[str] = []
        self._dtype_index: dict[Any, int] = {}
        self.kinds: list[int] = []
        self.shapes: list[list[int]] = []
        self.offsets: list[int] = []
        self._parts: dict[int, list] = {}
        self._sizes: dict[int, int] = {}

    def add(self, value: Any) -> Any:
        value = unbox(value)
        if value is None:
            return None
        if type(value) is float or type(value) is onp.float64:  # the usual case, made cheap
            return self._append(onp.float64, (), value, 1)
        try:
            array = onp.asarray(value)
        except ValueError:  # an index such as (None, slice(1, None)): kept as text
            return {"repr": repr(value)}
        if array.dtype.name not in DTYPES:
            return {"repr": repr(value)}
        return self._append(array.dtype.type, array.shape, array, array.size)

    def _append(self, key: Any, shape: tuple, value: Any, size: int) -> int:
        kind = self._dtype_index.get(key)
        if kind is None:
            kind = self._dtype_index[key] = len(self.dtypes)
            self.dtypes.append(onp.dtype(key).name)
            self._parts[kind], self._sizes[kind] = [], 0
        self.kinds.append(kind)
        self.shapes.append(list(shape))
        self.offsets.append(self._sizes[kind])
        self._parts[kind].append(value)
        self._sizes[kind] += size
        return len(self.kinds) - 1

    def to_dict(self) -> dict:
        data = {}
        for kind, name in enumerate(self.dtypes):
            dtype = onp.dtype(name).newbyteorder("<")
            parts = self._parts[kind]
            if all(onp.ndim(part) == 0 for part in parts):
                flat = onp.array(parts, dtype=dtype)
            else:
                flat = onp.concatenate([onp.ravel(onp.asarray(p, dtype=dtype)) for p in parts])
            data[name] = base64.b64encode(flat.tobytes()).decode("ascii")
        return {"dtypes": self.dtypes, "kinds": self.kinds, "shapes": self.shapes,
                "offsets": self.offsets, "data": data}


def trace_to_dict(trace: Trace) -> dict:
    """The whole trace as plain JSON-ready data."""
    pool = _Pool()
    add = pool.add
    nodes = []
    for node in trace.tape.nodes:
        primitive = node.primitive
        nodes.append({
            "op": node.op,
            "parents": [list(p) for p in node.parents],
            "args": [None if any(a == k for a, _ in node.parents) else add(arg)
                     for k, arg in enumerate(node.args)],
            "value": add(node.value),
            "differentiable": primitive is None or primitive.differentiable,
            "partials": {str(k): v for k, v in (primitive.partials.items() if primitive else ())},
            "elementwise": bool(primitive is not None and primitive.info.get("elementwise")),
            "partial_values": {str(a): add(partial_value(trace, node.index, a))
                               for a, _ in node.parents},
            "site": describe_site(node.site),
            "source": site_source(node.site),
        })
    sweeps = [{
        "kind": sweep.kind,
        "label": sweep.label,
        "seeds": [[index, add(seed)] for index, seed in sweep.seeds.items()],
        "results": [add(r) for r in sweep.results],
        "steps": [[step.node, add(step.value), [[a, p, add(t)] for a, p, t in step.terms]]
                  for step in sweep.steps],
    } for sweep in trace.sweeps]
    return {"format": FORMAT, "version": VERSION, "name": trace.name,
            "inputs": trace.inputs, "input_names": trace.input_names,
            "outputs": trace.outputs, "output_names": trace.output_names,
            "nodes": nodes, "sweeps": sweeps, "pool": pool.to_dict()}


def trace_from_dict(data: Any) -> Trace:
    """Rebuild a :class:`Trace` from :func:`trace_to_dict` data, after checking all of it;
    raises :class:`~gradviz.errors.TraceFileError` naming the first field that is wrong."""
    decode = check_file(data, FORMAT, (1, VERSION))
    return _build(data, decode)


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
    # The loaded stand-ins have no rules, so the saved edge partials fill notation's cache.
    trace.__dict__["_partials"] = {
        (index, int(a)): decode(v)
        for index, entry in enumerate(data["nodes"])
        for a, v in entry["partial_values"].items()
    }
    for entry in data["sweeps"]:
        seeds = {i: decode(v) for i, v in entry["seeds"]}
        results = [decode(r) for r in entry["results"]]
        steps = [Step(n, decode(v), tuple((a, p, decode(t)) for a, p, t in terms))
                 for n, v, terms in entry["steps"]]
        trace.sweeps.append(Sweep(entry["kind"], seeds, results, steps, entry["label"]))
    return trace


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
