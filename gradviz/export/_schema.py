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
from gradviz.export.values import decode_value

__all__ = ["check_file", "Columns", "DTYPES", "read_only_array"]

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
        article = "an" if what[0] in "aeiou" else "a"
        raise _fail(where, f"expected {article} {what} number, got {type(value).__name__}")
    if not 0 <= value < count:
        shown = value if abs(value) < 10**12 else f"{str(value)[:12]}…"
        having = f"{what}s 0 to {count - 1}" if count else f"no {what}s"
        raise _fail(where, f"{what} {shown} does not exist (there are {having})")
    return value


def _fields(entry: Any, where: str, names: tuple[str, ...]) -> dict:
    """An object that has every one of ``names``."""
    for name in names:
        if name not in _dict(entry, where):
            raise _fail(f"{where}.{name}", "missing")
    return entry


def _kind(value: Any, where: str) -> str:
    """A sweep's or a rule's kind."""
    if value not in _KINDS:
        raise _fail(where, f"expected 'forward' or 'reverse', got {_type_name(value)}")
    return value


def _pair(value: Any, where: str, what: str = "[argument number, node number]") -> list:
    if type(value) is not list or len(value) != 2:
        raise _fail(where, f"expected a pair {what}")
    return value


def check_file(data: Any, format: str, versions: tuple[int, int]) -> "Columns | Callable[[Any], Any]":
    """Check ``data`` whole; returns its checked :class:`Columns` (version 3), or the
    function that decodes its values (versions 1 and 2, one object per node).

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
        if version >= 3:
            return Columns(data)
        values = _Values(data.get("pool") if version >= 2 else None, version)
        _check_top(data)
        _check_nodes(data["nodes"], values)
        _check_sweeps(data["sweeps"], len(data["nodes"]), values)
    except _Bad as exc:
        raise TraceFileError(f"malformed trace file: {exc}") from None
    return values.decode


def _check_top(data: dict) -> None:
    _check_top_lists(data, lambda nodes: len(_list(nodes, "nodes")))
    nodes = data["nodes"]
    for k, index in enumerate(data["inputs"]):
        if type(nodes[index]) is dict and nodes[index].get("op") != "input":
            raise _fail(f"inputs[{k}]", f"node {index} is not an input node")


def _check_nodes(nodes: list, values: "_Values") -> None:
    for index, entry in enumerate(nodes):
        where = f"nodes[{index}]"
        _fields(entry, where, ("op", "parents", "args", "value", "differentiable", "partials"))
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
        _fields(entry, where, ("kind", "label", "seeds", "results", "steps"))
        _kind(entry["kind"], f"{where}.kind")
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
            decode_value(value)
    except (OverflowError, ValueError, TypeError):
        raise _fail(where, f"a number does not fit in {value['dtype']}") from None


# --- version 3: every per-node field a column -------------------------------------------

def _column(value: Any, where: str, length: int | None = None) -> onp.ndarray:
    """A column: base64 little-endian int64 numbers, ``length`` of them when given."""
    encoded = _text(value, where, 2**31)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(where, "not base64") from None
    if len(raw) % 8:
        raise _fail(where, f"{len(raw)} bytes is not a whole number of int64s")
    numbers = onp.frombuffer(raw, dtype="<i8").astype(onp.int64)
    if length is not None and len(numbers) != length:
        raise _fail(where, f"{len(numbers):,} numbers; expected {length:,}")
    return numbers


def _in_range(numbers: onp.ndarray, where: str, low: Any, high: Any, what: str,
              owner: Callable[[int], str] | None = None) -> None:
    """Every number in ``low <= n < high`` (arrays or numbers); names the first one that is not."""
    bad = (numbers < low) | (numbers >= high)
    if bad.any():
        k = int(onp.argmax(bad))
        top = high if onp.ndim(high) == 0 else high[k]
        bottom = low if onp.ndim(low) == 0 else low[k]
        having = f"{what}s {bottom} to {top - 1}" if top > bottom else f"no {what}s"
        place = f" ({owner(k)})" if owner else ""
        raise _fail(f"{where}[{k}]{place}", f"{what} {int(numbers[k])} does not exist (there are {having})")


def _ends(numbers: onp.ndarray, where: str, total: int) -> onp.ndarray:
    """A column of segment ends: never decreasing, the last one ``total``; returns the starts."""
    starts = onp.concatenate([[0], numbers[:-1]]) if len(numbers) else numbers
    if len(numbers) and (onp.any(numbers < starts) or numbers[-1] != total):
        raise _fail(where, f"segment ends must not decrease and must end at {total:,}")
    if not len(numbers) and total:
        raise _fail(where, f"no segments for {total:,} entries")
    return starts


class Columns:
    """A version-3 file, checked: its columns as numpy arrays and the function decoding a
    value reference (pool entry, ``-1`` for none, ``-2 - k`` for the ``k``-th text value)."""

    def __init__(self, data: dict) -> None:
        _check_top_lists(data, lambda nodes: _dict(nodes, "nodes").get("count"))
        self.count = count = data["nodes"]["count"]
        self.pool = _Pool(_dict(data.get("pool"), "pool"))
        self.ops = _list(data.get("ops"), "ops")
        for k, entry in enumerate(self.ops):
            _check_op(entry, f"ops[{k}]")
        self.texts = _list(data.get("texts"), "texts", 2 * MAX_NODES)
        for k, text in enumerate(self.texts):
            _text(text, f"texts[{k}]")
        self.nodes = self._nodes(data["nodes"], count)
        for k, index in enumerate(data["inputs"]):
            if self.ops[self.nodes["op"][index]]["op"] != "input":
                raise _fail(f"inputs[{k}]", f"node {index} is not an input node")
        self.rules = self._rules(data.get("rules", []))
        if "rule" in data["nodes"]:
            self.nodes["rule"] = self._rule_column(data["nodes"]["rule"], count)
        self.sweeps = [self._sweep(entry, f"sweeps[{s}]", count)
                       for s, entry in enumerate(_list(data["sweeps"], "sweeps", 100_000))]

    def _nodes(self, nodes: dict, count: Any) -> dict:
        where = lambda name: f"nodes.{name}"  # noqa: E731
        node = {name: _column(nodes.get(name), where(name), count)
                for name in ("op", "site", "source", "value", "arg_end", "parent_end")}
        node["args"] = _column(nodes.get("args"), where("args"))
        for name in ("parent_arg", "parent_node", "partial_value"):
            node[name] = _column(nodes.get(name), where(name), int(node["parent_end"][-1]) if count else 0)
        _in_range(node["op"], where("op"), 0, len(self.ops), "op")
        _in_range(node["site"], where("site"), 0, len(self.texts), "text")
        _in_range(node["source"], where("source"), 0, len(self.texts), "text")
        arg_starts = _ends(node["arg_end"], where("arg_end"), len(node["args"]))
        _ends(node["parent_end"], where("parent_end"), len(node["parent_arg"]))
        owner = onp.repeat(onp.arange(count), onp.diff(node["parent_end"], prepend=0))
        name = lambda k: f"node {int(owner[k])}"  # noqa: E731
        arg_counts = node["arg_end"] - arg_starts
        _in_range(node["parent_arg"], where("parent_arg"), 0, arg_counts[owner], "argument", name)
        _in_range(node["parent_node"], where("parent_node"), 0, owner, "earlier node", name)
        if onp.any(arg_counts > MAX_ARGUMENTS):
            raise _fail(where("arg_end"), f"a node has more than {MAX_ARGUMENTS:,} arguments")
        for column in ("value", "args", "partial_value"):
            self.pool.check_references(node[column], where(column))
        inputs = onp.array([entry["op"] == "input" for entry in self.ops], dtype=bool)[node["op"]]
        empty = (arg_counts == 0) & (onp.diff(node["parent_end"], prepend=0) == 0)
        if onp.any(inputs & ~empty):
            k = int(onp.argmax(inputs & ~empty))
            raise _fail(f"nodes[{k}]", "an input node has no parents and no arguments")
        return node

    def _rules(self, rules: Any) -> list[dict]:
        """The derivative rules that recorded nodes (optional: only a higher-order
        derivative's trace has them), each ``{"kind", "op", "site", "source", "outer"}``."""
        for k, entry in enumerate(_list(rules, "rules")):
            where = f"rules[{k}]"
            _fields(entry, where, ("kind", "op", "site", "source", "outer"))
            _kind(entry["kind"], f"{where}.kind")
            if self.ops[_index(entry["op"], f"{where}.op", len(self.ops), "op")]["op"] == "input":
                raise _fail(f"{where}.op", "an input has no derivative rule")
            _index(entry["site"], f"{where}.site", len(self.texts), "text")
            _index(entry["source"], f"{where}.source", len(self.texts), "text")
            outer = entry["outer"]
            if not (type(outer) is int and -1 <= outer < k):
                raise _fail(f"{where}.outer", f"expected -1 (none) or an earlier rule's number (0 to {k - 1})"
                            if k else "expected -1 (the first rule runs inside no other)")
        return rules

    def _rule_column(self, column: Any, count: int) -> onp.ndarray:
        """Each node's rule number, ``-1`` for a node of the user's own code."""
        rule = _column(column, "nodes.rule", count)
        bad = (rule < -1) | (rule >= len(self.rules))
        if bad.any():
            k = int(onp.argmax(bad))
            having = f"rules 0 to {len(self.rules) - 1}" if self.rules else "there are no rules"
            raise _fail(f"nodes.rule[{k}]", f"rule {int(rule[k])} does not exist (-1 for none; {having})")
        inputs = onp.array([entry["op"] == "input" for entry in self.ops], dtype=bool)[self.nodes["op"]]
        if onp.any(inputs & (rule >= 0)):
            k = int(onp.argmax(inputs & (rule >= 0)))
            raise _fail(f"nodes.rule[{k}]", "an input node is not recorded by a derivative rule")
        return rule

    def _sweep(self, entry: Any, where: str, count: int) -> dict:
        _fields(entry, where, ("kind", "label", "seeds", "results", "steps"))
        _kind(entry["kind"], f"{where}.kind")
        _text(entry["label"], f"{where}.label", 1000)
        for k, seed in enumerate(_list(entry["seeds"], f"{where}.seeds")):
            node, value = _pair(seed, f"{where}.seeds[{k}]", "[node number, value]")
            _index(node, f"{where}.seeds[{k}][0]", count)
            if type(value) is not int or abs(value) > 2**62:
                raise _fail(f"{where}.seeds[{k}][1]", "expected a value number")
            self.pool.check_references(onp.array([value]), f"{where}.seeds[{k}][1]")
        results = _column(entry["results"], f"{where}.results")
        if len(results) != count:
            raise _fail(f"{where}.results", f"{len(results)} results for {count} nodes")
        self.pool.check_references(results, f"{where}.results")
        steps = _dict(entry["steps"], f"{where}.steps")
        length = steps.get("count")
        if type(length) is not int or not 0 <= length <= 10 * MAX_NODES:
            raise _fail(f"{where}.steps.count", "a whole number of steps")
        columns = {name: _column(steps.get(name), f"{where}.steps.{name}", length)
                   for name in ("node", "value", "term_end")}
        total = int(columns["term_end"][-1]) if length else 0
        for name in ("term_arg", "term_node", "term_value"):
            columns[name] = _column(steps.get(name), f"{where}.steps.{name}", total)
        _ends(columns["term_end"], f"{where}.steps.term_end", total)
        _in_range(columns["node"], f"{where}.steps.node", 0, count, "node")
        _in_range(columns["term_node"], f"{where}.steps.term_node", 0, count, "node")
        _in_range(columns["term_arg"], f"{where}.steps.term_arg", 0, MAX_ARGUMENTS, "argument")
        for name in ("value", "term_value"):
            self.pool.check_references(columns[name], f"{where}.steps.{name}")
        return {"kind": entry["kind"], "label": entry["label"], "seeds": entry["seeds"],
                "results": results, "steps": columns}

    def decode(self, ref: int) -> Any:
        return self.pool.table[ref]


def _check_top_lists(data: dict, count_of: Callable[[Any], Any]) -> None:
    """The names, inputs and outputs (shared by every version)."""
    for field in ("name", "inputs", "input_names", "outputs", "output_names", "nodes", "sweeps"):
        if field not in data:
            raise _fail(field, "missing")
    _text(data["name"], "name", 1000)
    count = count_of(data["nodes"])
    if type(count) is not int or not 0 <= count <= MAX_NODES:
        raise _fail("nodes.count", f"a whole number from 0 to {MAX_NODES:,}")
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


def _check_op(entry: Any, where: str) -> None:
    _fields(entry, where, ("op", "differentiable", "partials", "elementwise"))
    _text(entry["op"], f"{where}.op", 200)
    _bool(entry["differentiable"], f"{where}.differentiable")
    _bool(entry["elementwise"], f"{where}.elementwise")
    _argument_map(entry["partials"], f"{where}.partials", MAX_ARGUMENTS,
                  lambda v, w: v is None or _text(v, w, 1000))


class _Pool:
    """A version-3 pool: per entry its dtype, its number of dimensions and where its
    elements start, the dimensions one after another, texts, and per dtype the elements."""

    def __init__(self, pool: dict) -> None:
        self.dtypes = _list(pool.get("dtypes"), "pool.dtypes", len(DTYPES))
        for k, name in enumerate(self.dtypes):
            if name not in DTYPES:
                raise _fail(f"pool.dtypes[{k}]", f"{_text(name, f'pool.dtypes[{k}]', 40)!r} "
                                                 f"is not one of {', '.join(DTYPES)}")
        self.reprs = _list(pool.get("reprs"), "pool.reprs")
        for k, text in enumerate(self.reprs):
            _text(text, f"pool.reprs[{k}]", 10_000)
        self.blobs = [_Values._blob(pool.get("data"), name) for name in self.dtypes]
        kinds = _column(pool.get("kinds"), "pool.kinds")
        ndims = _column(pool.get("ndims"), "pool.ndims", len(kinds))
        offsets = _column(pool.get("offsets"), "pool.offsets", len(kinds))
        _in_range(kinds, "pool.kinds", 0, len(self.dtypes), "dtype")
        _in_range(ndims, "pool.ndims", 0, MAX_DIMENSIONS + 1, "dimension count")
        dims = _column(pool.get("dims"), "pool.dims", int(ndims.sum()))
        _in_range(dims, "pool.dims", 0, MAX_ELEMENTS + 1, "size")
        sizes = onp.ones(len(kinds))
        shaped = onp.flatnonzero(ndims)
        if len(shaped):
            ends = onp.cumsum(ndims)
            sizes[shaped] = onp.multiply.reduceat(dims.astype(float), (ends - ndims)[shaped])
        if onp.any(sizes > MAX_ELEMENTS):
            k = int(onp.argmax(sizes > MAX_ELEMENTS))
            raise _fail(f"pool.dims (entry {k})", f"more than {MAX_ELEMENTS:,} elements")
        lengths = onp.array([len(blob) for blob in self.blobs] or [0])[kinds] if len(kinds) else kinds
        outside = (offsets < 0) | (offsets > lengths - sizes.astype(onp.int64))  # no overflow
        if onp.any(outside):
            k = int(onp.argmax(outside))
            raise _fail(f"pool.offsets[{k}]", f"entry does not lie inside the {self.dtypes[kinds[k]]} data")
        self.count = len(kinds)
        self.table = self._values(kinds, ndims, dims, offsets) + self.reprs[::-1] + [None]
        #: The same as an object array, for gathering many values by numpy indexing.
        self.objects = onp.fromiter(self.table, dtype=object, count=len(self.table))

    def _values(self, kinds: onp.ndarray, ndims: onp.ndarray, dims: onp.ndarray,
                offsets: onp.ndarray) -> list:
        """Every entry decoded: numbers at once per dtype, arrays one by one (copies)."""
        values: list[Any] = [None] * len(kinds)
        scalar = ndims == 0
        for kind, blob in enumerate(self.blobs):
            where = onp.flatnonzero(scalar & (kinds == kind))
            for k, number in zip(where.tolist(), blob[offsets[where]]):
                values[k] = number
        starts = onp.cumsum(ndims) - ndims
        for k in onp.flatnonzero(~scalar).tolist():
            shape = tuple(dims[starts[k]:starts[k] + ndims[k]].tolist())
            values[k] = read_only_array(self.blobs[kinds[k]], int(offsets[k]), shape)
        return values

    def check_references(self, refs: onp.ndarray, where: str) -> None:
        _in_range(refs, where, -1 - len(self.reprs), self.count, "value")

    def decode(self, ref: int) -> Any:
        """The value of reference ``ref`` (checked): ``-1`` is None, ``-2 - k`` text ``k``."""
        return self.table[ref]
