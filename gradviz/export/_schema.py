"""The schema of a saved trace, checked whole before a trace is built from it.

Every field's type, every index's range and every size is checked, so that a file that
loads is consistent (parents come before their children, an argument number names an
argument, a step names a node) and one that does not is refused in one line that names the
field: ``nodes[3].parents[0][1]: earlier node 999 does not exist (there are earlier nodes 0
to 2)``.

Example:
    >>> check_file({"format": "gradviz-trace", "version": 1, "name": "f", "inputs": [],
    ...             "input_names": [], "outputs": [], "output_names": [], "nodes": "x",
    ...             "sweeps": []}, "gradviz-trace", (1, 2))
    Traceback (most recent call last):
    ...
    gradviz.errors.TraceFileError: malformed trace file: nodes: expected a list, got str
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any, Callable

import numpy as onp

from gradviz.errors import TraceFileError

__all__ = ["check_file", "DTYPES", "read_only_array"]

#: The dtypes a saved value may have.
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128")
MAX_NODES = 5_000_000
MAX_TEXT = 100_000
MAX_ARGUMENTS = 10_000
MAX_ELEMENTS = 200_000_000  # of one value; the file's size bounds them all together
MAX_DIMENSIONS = 32
_KINDS = ("forward", "reverse")
_SPECIAL = ("nan", "inf", "-inf")


class _Bad(Exception):
    """A field that is wrong: its path and what is wrong with it."""


def _fail(where: str, message: str) -> _Bad:
    return _Bad(f"{where}: {message}")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__)


def _list(value: Any, where: str, limit: int = MAX_NODES) -> list:
    if type(value) is not list:
        raise _fail(where, f"expected a list, got {type(value).__name__}")
    if len(value) > limit:
        raise _fail(where, f"{len(value):,} entries; at most {limit:,}")
    return value


def _dict(value: Any, where: str) -> dict:
    if type(value) is not dict:
        raise _fail(where, f"expected an object, got {type(value).__name__}")
    return value


def _text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
    if type(value) is not str:
        raise _fail(where, f"expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise _fail(where, f"{len(value):,} characters; at most {limit:,}")
    return value


def _bool(value: Any, where: str) -> bool:
    if type(value) is not bool:
        raise _fail(where, f"expected true or false, got {type(value).__name__}")
    return value


def _index(value: Any, where: str, count: int, what: str = "node") -> int:
    """An index in ``range(count)`` (a negative one would wrap around silently)."""
    if type(value) is not int:
        raise _fail(where, f"expected a {what} number, got {type(value).__name__}")
    if not 0 <= value < count:
        shown = value if abs(value) < 10**12 else f"{str(value)[:12]}…"
        having = f"{what}s 0 to {count - 1}" if count else f"no {what}s"
        raise _fail(where, f"{what} {shown} does not exist (there are {having})")
    return value


def _pair(value: Any, where: str, what: str = "[argument number, node number]") -> list:
    if type(value) is not list or len(value) != 2:
        raise _fail(where, f"expected a pair {what}")
    return value


def check_file(data: Any, format: str, versions: tuple[int, int]) -> Callable[[Any], Any]:
    """Check ``data`` whole; returns the function that decodes its values.

    Raises:
        TraceFileError: one line naming the first field that is wrong.
    """
    if type(data) is not dict or data.get("format") != format:
        raise TraceFileError("not a gradviz trace file: its 'format' field is missing or wrong; "
                             "write one with Trace.save() or 'gradviz trace ... -o FILE.json'")
    version = data.get("version")
    if type(version) is not int or not versions[0] <= version <= versions[1]:
        shown = repr(version) if len(repr(version)) < 20 else repr(version)[:20] + "…"
        raise TraceFileError(f"trace file version {shown} is not supported (this gradviz reads "
                             f"versions {versions[0]} to {versions[1]})")
    try:
        values = _Values(data.get("pool") if version >= 2 else None, version)
        _check_top(data)
        _check_nodes(data["nodes"], values)
        _check_sweeps(data["sweeps"], len(data["nodes"]), values)
    except _Bad as exc:
        raise TraceFileError(f"malformed trace file: {exc}") from None
    return values.decode


def _check_top(data: dict) -> None:
    for field in ("name", "inputs", "input_names", "outputs", "output_names", "nodes", "sweeps"):
        if field not in data:
            raise _fail(field, "missing")
    _text(data["name"], "name", 1000)
    nodes = _list(data["nodes"], "nodes")
    count = len(nodes)
    for field, names in (("inputs", "input_names"), ("outputs", "output_names")):
        indices = _list(data[field], field)
        labels = _list(data[names], names)
        if len(labels) != len(indices):
            raise _fail(names, f"{len(labels)} names for {len(indices)} {field}")
        for k, index in enumerate(indices):
            _index(index, f"{field}[{k}]", count)
            _text(labels[k], f"{names}[{k}]", 1000)
    if len(set(data["inputs"])) != len(data["inputs"]):
        raise _fail("inputs", "a node is named twice")
    for k, index in enumerate(data["inputs"]):
        if type(nodes[index]) is dict and nodes[index].get("op") != "input":
            raise _fail(f"inputs[{k}]", f"node {index} is not an input node")


def _check_nodes(nodes: list, values: "_Values") -> None:
    for index, entry in enumerate(nodes):
        where = f"nodes[{index}]"
        _dict(entry, where)
        for field in ("op", "parents", "args", "value", "differentiable", "partials"):
            if field not in entry:
                raise _fail(f"{where}.{field}", "missing")
        entry.setdefault("elementwise", False)
        entry.setdefault("partial_values", {})
        entry.setdefault("site", "")
        entry.setdefault("source", "")
        _text(entry["op"], f"{where}.op", 200)
        if entry["op"] == "input" and (entry["parents"] or entry["args"]):
            raise _fail(where, "an input node has no parents and no arguments")
        args = _list(entry["args"], f"{where}.args", MAX_ARGUMENTS)
        for k, parent in enumerate(_list(entry["parents"], f"{where}.parents", MAX_ARGUMENTS)):
            argnum, node = _pair(parent, f"{where}.parents[{k}]")
            _index(argnum, f"{where}.parents[{k}][0]", len(args), "argument")
            _index(node, f"{where}.parents[{k}][1]", index, "earlier node")
        linked = {argnum for argnum, _ in entry["parents"]}
        for k, arg in enumerate(args):
            if k not in linked:
                values.check(arg, f"{where}.args[{k}]")
        values.check(entry["value"], f"{where}.value")
        _bool(entry["differentiable"], f"{where}.differentiable")
        _bool(entry["elementwise"], f"{where}.elementwise")
        _argument_map(entry["partials"], f"{where}.partials", len(args),
                      lambda v, w: v is None or _text(v, w, 1000))
        _argument_map(entry["partial_values"], f"{where}.partial_values", len(args), values.check)
        _text(entry["site"], f"{where}.site")
        _text(entry["source"], f"{where}.source")


def _argument_map(mapping: Any, where: str, count: int, check: Callable) -> None:
    """``{"0": …, "1": …}``: keys are argument numbers written as text."""
    for key, value in _dict(mapping, where).items():
        if not (key.isdigit() and len(key) < 6 and int(key) < count):
            raise _fail(f"{where}[{key[:20]!r}]", f"not an argument number (0 to {count - 1})")
        check(value, f"{where}[{key!r}]")


def _check_sweeps(sweeps: Any, count: int, values: "_Values") -> None:
    for s, entry in enumerate(_list(sweeps, "sweeps", 100_000)):
        where = f"sweeps[{s}]"
        _dict(entry, where)
        for field in ("kind", "label", "seeds", "results", "steps"):
            if field not in entry:
                raise _fail(f"{where}.{field}", "missing")
        if entry["kind"] not in _KINDS:
            raise _fail(f"{where}.kind", f"expected 'forward' or 'reverse', got {_type_name(entry['kind'])}")
        _text(entry["label"], f"{where}.label", 1000)
        for k, seed in enumerate(_list(entry["seeds"], f"{where}.seeds")):
            node, value = _pair(seed, f"{where}.seeds[{k}]", "[node number, value]")
            _index(node, f"{where}.seeds[{k}][0]", count)
            values.check(value, f"{where}.seeds[{k}][1]")
        results = _list(entry["results"], f"{where}.results")
        if len(results) != count:
            raise _fail(f"{where}.results", f"{len(results)} results for {count} nodes")
        for k, result in enumerate(results):
            values.check(result, f"{where}.results[{k}]")
        for k, step in enumerate(_list(entry["steps"], f"{where}.steps")):
            _check_step(step, f"{where}.steps[{k}]", count, values)


def _check_step(step: Any, where: str, count: int, values: "_Values") -> None:
    if type(step) is not list or len(step) != 3:
        raise _fail(where, "expected [node, value, terms]")
    _index(step[0], f"{where}[0]", count)
    values.check(step[1], f"{where}[1]")
    for k, term in enumerate(_list(step[2], f"{where}[2]", MAX_ARGUMENTS)):
        if type(term) is not list or len(term) != 3:
            raise _fail(f"{where}[2][{k}]", "expected [argument number, node, value]")
        _index(term[0], f"{where}[2][{k}][0]", MAX_ARGUMENTS, "argument")
        _index(term[1], f"{where}[2][{k}][1]", count)
        values.check(term[2], f"{where}[2][{k}][2]")


def read_only_array(flat: onp.ndarray, start: int, shape: tuple) -> Any:
    """Entry ``start…`` of a pool blob as a value: a numpy scalar, or an array copy."""
    if not shape:
        return flat[start]
    size = math.prod(shape)
    return flat[start:start + size].reshape(shape).copy()


class _Values:
    """The values of a file: pool entries (version 2) or inline ``{"dtype", "shape",
    "data"}`` (version 1); :meth:`check` validates one, :meth:`decode` returns it."""

    def __init__(self, pool: Any, version: int) -> None:
        self.version = version
        if version < 2:
            return
        pool = _dict(pool, "pool")
        for field in ("dtypes", "kinds", "shapes", "offsets", "data"):
            if field not in pool:
                raise _fail(f"pool.{field}", "missing")
        self.dtypes = _list(pool["dtypes"], "pool.dtypes", len(DTYPES))
        for k, name in enumerate(self.dtypes):
            if name not in DTYPES:
                raise _fail(f"pool.dtypes[{k}]", f"{_text(name, f'pool.dtypes[{k}]', 40)!r} "
                                                 f"is not one of {', '.join(DTYPES)}")
        self.kinds = _list(pool["kinds"], "pool.kinds", 10 * MAX_NODES)
        self.shapes = _list(pool["shapes"], "pool.shapes", 10 * MAX_NODES)
        self.offsets = _list(pool["offsets"], "pool.offsets", 10 * MAX_NODES)
        if not len(self.kinds) == len(self.shapes) == len(self.offsets):
            raise _fail("pool", "kinds, shapes and offsets differ in length")
        self.blobs = [self._blob(pool["data"], name) for name in self.dtypes]
        self._entries_checked = False

    @staticmethod
    def _blob(data: Any, name: str) -> onp.ndarray:
        encoded = _text(_dict(data, "pool.data").get(name), f"pool.data.{name}", 2**31)
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(f"pool.data.{name}", "not base64") from None
        dtype = onp.dtype(name).newbyteorder("<")
        if len(raw) % dtype.itemsize:
            raise _fail(f"pool.data.{name}", f"{len(raw)} bytes is not a whole number of {name}s")
        return onp.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))

    def _check_entries(self) -> None:
        """Every pool entry at once: its dtype, shape and extent inside its blob."""
        kinds, offsets = self.kinds, self.offsets
        for k, (kind, shape, offset) in enumerate(zip(kinds, self.shapes, offsets)):
            _index(kind, f"pool.kinds[{k}]", len(self.dtypes), "dtype")
            if shape:
                _shape(shape, f"pool.shapes[{k}]")
                size = math.prod(shape)
            elif type(shape) is not list:
                raise _fail(f"pool.shapes[{k}]", "expected a list of sizes")
            else:
                size = 1
            if type(offset) is not int or offset < 0 or offset + size > len(self.blobs[kind]):
                raise _fail(f"pool.offsets[{k}]", f"entry does not lie inside the "
                                                  f"{self.dtypes[kind]} data")
        self._entries_checked = True

    def check(self, value: Any, where: str) -> None:
        if value is None:
            return
        if type(value) is dict:
            if set(value) == {"repr"}:
                _text(value["repr"], where, 10_000)
                return
            if self.version >= 2:
                raise _fail(where, "expected a pool entry number, null or {\"repr\": text}")
            _check_inline(value, where)
            return
        if self.version < 2:
            raise _fail(where, f"expected a value, got {_type_name(value)}")
        if not self._entries_checked:
            self._check_entries()
        _index(value, where, len(self.kinds), "pool entry")

    def decode(self, value: Any) -> Any:
        if value is None:
            return None
        if type(value) is dict:
            if "repr" in value:
                return value["repr"]
            from gradviz.export.serialize import decode_value

            return decode_value(value)
        return read_only_array(self.blobs[self.kinds[value]], self.offsets[value],
                               tuple(self.shapes[value]))


def _shape(shape: Any, where: str) -> None:
    _list(shape, where, MAX_DIMENSIONS)
    for k, size in enumerate(shape):
        if type(size) is not int or not 0 <= size <= MAX_ELEMENTS:
            raise _fail(f"{where}[{k}]", f"a size is a whole number from 0 to {MAX_ELEMENTS:,}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise _fail(where, f"more than {MAX_ELEMENTS:,} elements")


def _check_inline(value: dict, where: str) -> None:
    """A version-1 value ``{"dtype", "shape", "data"}``, whose numbers must fit the dtype."""
    if set(value) != {"dtype", "shape", "data"}:
        raise _fail(where, "expected {\"dtype\", \"shape\", \"data\"} or {\"repr\": text}")
    if value["dtype"] not in DTYPES:
        raise _fail(f"{where}.dtype", f"not one of {', '.join(DTYPES)}")
    _shape(value["shape"], f"{where}.shape")
    data = _list(value["data"], f"{where}.data", MAX_ELEMENTS)
    if len(data) != math.prod(value["shape"]):
        raise _fail(f"{where}.data", f"{len(data)} numbers for shape {tuple(value['shape'])}")
    complex_ = value["dtype"].startswith("complex")
    for k, x in enumerate(data):
        for part in (_pair(x, f"{where}.data[{k}]", "[real, imaginary]") if complex_ else (x,)):
            if not (type(part) in (int, float) or part in _SPECIAL):
                raise _fail(f"{where}.data[{k}]", f"expected a number, got {_type_name(part)}")
    try:
        with onp.errstate(all="ignore"):
            from gradviz.export.serialize import decode_value

            decode_value(value)
    except (OverflowError, ValueError, TypeError):
        raise _fail(where, f"a number does not fit in {value['dtype']}") from None
