"""Saving a trace to JSON and loading it back (never pickle: a trace file is data, not code).

A loaded trace has every node, value, sweep and step, so it renders, prints its tables and
steps in the inspector exactly as the original. It cannot run new sweeps: its primitives are
stand-ins that carry a name and display partials but no rules.

Arrays are stored as ``{"dtype", "shape", "data"}`` with ``data`` flat; NaN and ±Inf are
written as the strings ``"nan"``, ``"inf"``, ``"-inf"`` so the file is strict JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as onp

from gradviz._files import write_atomic
from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import Primitive, Tape, unbox
from gradviz.engine.source import TextSite, describe_site, site_source
from gradviz.errors import TraceFileError
from gradviz.notation import partial_value

__all__ = ["save_trace", "load_trace", "trace_to_dict", "trace_from_dict", "FORMAT"]

FORMAT = "gradviz-trace"
VERSION = 1
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode_number(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def encode_value(value: Any) -> Any:
    """A JSON-ready form of a number or array (``None`` stays ``None``)."""
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
    """Inverse of :func:`encode_value`."""
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


def trace_to_dict(trace: Trace) -> dict:
    """The whole trace as plain JSON-ready data."""
    nodes = []
    for node in trace.tape.nodes:
        primitive = node.primitive
        nodes.append({
            "op": node.op,
            "parents": [list(p) for p in node.parents],
            "args": [None if any(a == k for a, _ in node.parents) else encode_value(arg)
                     for k, arg in enumerate(node.args)],
            "value": encode_value(node.value),
            "differentiable": primitive is None or primitive.differentiable,
            "partials": {str(k): v for k, v in (primitive.partials.items() if primitive else ())},
            "elementwise": bool(primitive is not None and primitive.info.get("elementwise")),
            "partial_values": {str(a): encode_value(partial_value(trace, node.index, a))
                               for a, _ in node.parents},
            "site": describe_site(node.site),
            "source": site_source(node.site),
        })
    sweeps = [{
        "kind": sweep.kind,
        "label": sweep.label,
        "seeds": [[index, encode_value(seed)] for index, seed in sweep.seeds.items()],
        "results": [encode_value(r) for r in sweep.results],
        "steps": [[step.node, encode_value(step.value),
                   [[a, p, encode_value(t)] for a, p, t in step.terms]] for step in sweep.steps],
    } for sweep in trace.sweeps]
    return {"format": FORMAT, "version": VERSION, "name": trace.name,
            "inputs": trace.inputs, "input_names": trace.input_names,
            "outputs": trace.outputs, "output_names": trace.output_names,
            "nodes": nodes, "sweeps": sweeps}


def trace_from_dict(data: dict) -> Trace:
    """Rebuild a :class:`Trace` from :func:`trace_to_dict` data; raises ``TraceFileError``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TraceFileError("not a gradviz trace file: its 'format' field is missing or wrong; "
                             "write one with Trace.save() or 'gradviz trace ... -o FILE.json'")
    if data.get("version") != VERSION:
        raise TraceFileError(f"trace file version {data.get('version')!r} is not supported "
                             f"(this gradviz reads version {VERSION})")
    try:
        return _build(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise TraceFileError(f"malformed trace file: {type(exc).__name__}: {exc}") from None


def _build(data: dict) -> Trace:
    tape = Tape(1)
    primitives: dict[tuple, Primitive] = {}
    for index, entry in enumerate(data["nodes"]):
        parents = tuple((int(a), int(p)) for a, p in entry["parents"])
        if any(p >= index for _, p in parents):
            raise ValueError(f"node {index} names a later node as its parent")
        value = decode_value(entry["value"])
        args = [decode_value(a) for a in entry["args"]]
        for argnum, parent in parents:
            args[argnum] = tape.records[parent][4]
        primitive = None
        if entry["op"] != "input":
            key = (entry["op"], entry["differentiable"], tuple(sorted(entry["partials"].items())),
                   entry.get("elementwise", False))
            primitive = primitives.get(key) or primitives.setdefault(key, _stand_in(*key))
        site = entry.get("site") or None
        tape.records.append((primitive, tuple(args), {}, parents, value,
                             TextSite(site, entry.get("source", "")) if site else None))
    trace = Trace(tape, list(data["inputs"]), list(data["input_names"]), list(data["outputs"]),
                  list(data["output_names"]), data.get("name", "f"))
    # The loaded stand-ins have no rules, so the saved edge partials fill notation's cache.
    trace.__dict__["_partials"] = {
        (index, int(a)): decode_value(v)
        for index, entry in enumerate(data["nodes"])
        for a, v in entry.get("partial_values", {}).items()
    }
    for entry in data["sweeps"]:
        seeds = {int(i): decode_value(v) for i, v in entry["seeds"]}
        results = [decode_value(r) for r in entry["results"]]
        steps = [Step(int(n), decode_value(v), tuple((int(a), int(p), decode_value(t)) for a, p, t in terms))
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
    text = json.dumps(trace_to_dict(trace), allow_nan=False)
    write_atomic(path, text.encode("utf-8"))


def load_trace(path) -> Trace:
    """Read a trace written by :func:`save_trace`."""
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        raise TraceFileError(f"no trace file at {path}: check the path") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TraceFileError(f"{path} is not valid JSON ({exc}): is it a gradviz trace file?") from None
    return trace_from_dict(data)
