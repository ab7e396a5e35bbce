"""The lecture's notation, built on demand from a trace: ``ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5``.

Nothing here runs while a function is differentiated: the sweeps keep references to their
numbers, and these functions turn them into text only when something is shown (the tables,
the graph labels, the inspector). Plain strings, no rich markup, so every view can use them.
"""

from __future__ import annotations

import math
import re
import weakref
from typing import Any

import numpy as onp

from gradviz.engine.source import describe_site
from gradviz.engine.sweeps import Step, Sweep
from gradviz.engine.tracer import unbox

__all__ = [
    "rule_origin",
    "format_value",
    "argument_label",
    "value_formula",
    "partial_formula",
    "partial_value",
    "remember_partials",
    "tangent_formula",
    "adjoint_formula",
    "contribution_formula",
    "dot_name",
    "bar_name",
    "INFIX",
    "index_text",
    "is_numeric",
    "received",
    "expression_text",
]

DOT = "\u0307"  # combining dot above: ẇ
BAR = "\u0304"  # combining macron: w̄

#: Binary primitives written infix, as in the lecture (``w3 = w1·w2``).
INFIX = {"add": "+", "subtract": "-", "multiply": "·", "divide": "/", "power": "^",
         "matmul": "@", "true_divide": "/"}


def dot_name(name: str) -> str:
    """``w3`` → ``ẇ3`` (the precomposed letter where Unicode has one, so it copies cleanly)."""
    if name.startswith("w"):
        return "\u1e87" + name[1:]
    return name[0] + DOT + name[1:]


def bar_name(name: str) -> str:
    """``w3`` → ``w̄3``."""
    return name[0] + BAR + name[1:]


def _container_text(value: Any, digits: int) -> str:
    """``(a, b)``, ``[a, b]`` or ``{'w': a}`` with each item formatted; long ones cut."""
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {format_value(v, digits, whole=3)}" for k, v in value.items()) + "}"
    else:
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        text = opening + ", ".join(format_value(v, digits, whole=3) for v in value) + closing
    return text if len(text) <= 60 else text[:59] + "…"


def format_value(value: Any, digits: int = 4, *, whole: int = 6) -> str:
    """A number with ``digits`` significant digits; an array in full up to ``whole`` elements,
    else its shape, dtype and min/mean/max.

    Example:
        >>> format_value(0.909297426825681)
        '0.9093'
        >>> import numpy
        >>> format_value(numpy.arange(500.0))
        '(500,) float64 min 0 mean 249.5 max 499'
        >>> format_value(numpy.ones((200, 8))), format_value(numpy.eye(2))
        ('(200, 8) float64 all 1', '[[1, 0], [0, 1]]')
    """
    value = unbox(value)
    if value is None:
        return "0"
    if isinstance(value, (tuple, list, dict)):  # a traced container: each item, briefly
        return _container_text(value, digits)
    if isinstance(value, (bool, onp.bool_)):
        return str(bool(value))
    try:
        array = onp.asarray(value)
    except ValueError:  # a ragged structure: no array to summarise
        array = onp.asarray(None, dtype=object)
    if array.dtype.kind not in "biufc":  # not a number (a dtype, a string, an object): its repr
        text = repr(value)
        return text if len(text) <= 40 else text[:39] + "…"
    if array.ndim == 0:
        return _scalar(array[()], digits)
    if array.size == 0:
        return f"empty {array.shape}"
    if array.size <= whole:  # nested as numpy writes it, so that the shape can be read
        return _nested(array, digits)
    if not onp.issubdtype(array.dtype, onp.number):
        return f"{array.shape} {array.dtype}"
    finite = array[onp.isfinite(array)] if onp.issubdtype(array.dtype, onp.inexact) else array
    low, high = (finite.min(), finite.max()) if finite.size else (None, None)
    if finite.size == 0:
        stats = "no finite values"
    elif low == high:  # ones, zeros: one number, not three equal statistics
        stats = f"all {_scalar(low, digits)}"
    else:
        stats = (f"min {_scalar(low, digits)} mean {_scalar(finite.mean(), digits)} "
                 f"max {_scalar(high, digits)}")
    bad = array.size - finite.size
    return f"{array.shape} {array.dtype} {stats}" + (f" ({bad} non-finite)" if bad else "")


def _nested(array: Any, digits: int) -> str:
    """``[[0, 1, 2], [3, 4, 5]]``: a small array with its rows (no recursion: the rows of the
    last axis are joined, then each earlier axis groups the texts made so far)."""
    texts = [_scalar(x, digits) for x in array.ravel()]
    for length in reversed(array.shape):
        texts = ["[" + ", ".join(texts[k:k + length]) + "]" for k in range(0, len(texts), length)]
    return texts[0]


def _scalar(x: Any, digits: int) -> str:
    if isinstance(x, (complex, onp.complexfloating)):
        return f"{x.real:.{digits}g}{x.imag:+.{digits}g}j"
    if isinstance(x, (onp.integer, int)):
        return str(int(x))
    x = float(x)
    if onp.isnan(x):
        return "nan"
    if onp.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def argument_label(trace, node, argnum: int) -> str:
    """The name of a node's argument: ``w1`` for a node, the formatted value for a constant."""
    for position, parent in node.parents:
        if position == argnum:
            return trace.tape.nodes[parent].name
    if argnum >= len(node.args):
        return "?"
    arg = unbox(node.args[argnum])
    if (node.op == "getitem" and argnum == 1) or _is_index(arg):
        return index_text(arg)
    shape = onp.shape(arg) if isinstance(arg, (onp.ndarray, list)) else ()
    if math.prod(shape) > 3:  # a data array: its shape, not its numbers (train_X is [500×2])
        return "[" + "×".join(map(str, shape)) + "]"
    return format_value(arg, 4, whole=3)


def _is_index(value: Any) -> bool:
    """An indexing argument (``x[:, 0]``, ``x[mask]``) rather than a number or an array."""
    if isinstance(value, (slice, type(Ellipsis), type(None))):
        return True
    return isinstance(value, tuple) and any(isinstance(part, (slice, type(Ellipsis), type(None), int,
                                                             onp.ndarray, list)) for part in value)


def index_text(index: Any) -> str:
    """numpy's indexing syntax for an index: ``:, 0``; ``...``; ``1:3``; an array by its shape."""
    parts = index if isinstance(index, tuple) else (index,)
    return ", ".join(_index_part(part) for part in parts)


def _index_part(part: Any) -> str:
    if isinstance(part, slice):
        text = ":".join("" if bound is None else str(bound) for bound in (part.start, part.stop))
        return text + (f":{part.step}" if part.step is not None else "")
    if part is Ellipsis:
        return "..."
    if part is None:
        return "newaxis"
    if isinstance(part, (int, onp.integer)):
        return str(int(part))
    array = onp.asarray(part)
    if array.dtype.kind == "b":
        return f"mask {array.shape}"
    return str(array.tolist()) if array.size <= 3 else f"index array {array.shape}"


def value_formula(trace, index: int, *, numbers: bool = True) -> str:
    """``w3 = w1·w2 = 2·5 = 10``; an input reads ``w1 = x1 = 2``."""
    node = trace.tape.nodes[index]
    if node.primitive is None:
        name = trace.input_names[trace.inputs.index(index)] if index in trace.inputs else "input"
        return f"{node.name} = {name}" + (f" = {format_value(node.value)}" if numbers else "")
    symbolic = _expression(node, [argument_label(trace, node, k) for k in range(len(node.args))])
    text = f"{node.name} = {symbolic}"
    if numbers:
        text += f" = {format_value(node.value)}"
    return text


def _expression(node, labels: list[str]) -> str:
    op = node.op
    if op == "getitem" and len(labels) == 2:
        return f"{labels[0]}[{labels[1]}]"
    if op in INFIX and len(labels) == 2:
        return f"{labels[0]} {INFIX[op]} {labels[1]}" if INFIX[op] in "+-@/" else f"{labels[0]}{INFIX[op]}{labels[1]}"
    if op == "negative":
        return f"-{labels[0]}"
    if len(labels) == 1 and op in _PREFIX:
        return f"{op} {labels[0]}"
    shown = [label for k, label in enumerate(labels)
             if any(p == k for p, _ in node.parents) or _shown_argument(node.args[k])]
    return f"{op}({', '.join(shown)}{_options(node)})"


def _options(node) -> str:
    """``, axis=1, keepdims=True``: the keyword arguments a call was given (an axis changes
    what a reduction means)."""
    return "".join(f", {key}={_option(value)}" for key, value in node.kwargs.items()
                   if _shown_argument(value))


def _option(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(map(str, value)) + ("," if len(value) == 1 else "") + ")"
    return format_value(value) if is_numeric(value) else str(value)


_PREFIX = {"sin", "cos", "tan", "exp", "log", "tanh", "sinh", "cosh", "sqrt", "log1p", "expm1",
           "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2"}


def _shown_argument(value: Any) -> bool:
    """Arrays and numbers are shown (large ones by their shape); options such as an axis of
    ``None`` are not."""
    return value is not None and not isinstance(value, (str, type, onp.dtype))


def partial_formula(trace, index: int, argnum: int) -> str:
    """The local partial ``∂w_index/∂arg`` in symbols: ``w2`` for ``w3 = w1·w2``, argument 0."""
    node = trace.tape.nodes[index]
    if node.primitive is not None and not node.primitive.differentiable:
        return "none (not differentiable)"
    template = node.primitive.partial_template(argnum) if node.primitive is not None else None
    labels = [argument_label(trace, node, k) for k in range(len(node.args))]
    if template is None:
        return f"∂{node.op}/∂{labels[argnum] if argnum < len(labels) else argnum}"
    return fill_template(template, labels, node.name)


_FIELD = re.compile(r"\{(\d+|ans)\}")


def fill_template(template: str, labels: list[str], ans: str) -> str:
    """``"{1}·{0}^({1}-1)"`` with ``{k}`` the k-th argument's label and ``{ans}`` the node's.

    Only those fields are filled, by plain substitution, never :meth:`str.format`: a template
    read from a trace file is data, so ``{0:>200000000}`` or ``{0.__class__}`` stays as written.

    Example:
        >>> fill_template("{1}·{0}^({1}-1)", ["w1", "w2"], "w3")
        'w2·w1^(w2-1)'
        >>> fill_template("{0.__class__} {9}", ["w1"], "w3")
        '{0.__class__} {9}'
    """
    def field(match: re.Match) -> str:
        key = match.group(1)
        if key == "ans":
            return ans
        return labels[int(key)] if int(key) < len(labels) else match.group(0)

    return _FIELD.sub(field, template)


def rule_origin(node) -> tuple[str, str, str] | None:
    """For a node a derivative rule recorded (a higher-order derivative), ``(the user's
    operation, the rule, the user's line)``: ``("sqrt", "sqrt's derivative rule 1/(2√x) (its
    reverse rule)", "f.py:3: y = np.sqrt(x)")``; ``None`` for a node of the user's own code.

    A rule may itself run inside another rule (third order): the chain is followed out to
    the operation the user wrote, and the rules in between are named after it.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(gradviz.grad(lambda x: np.sqrt(x)), 4.0)
        >>> [rule_origin(node) is not None for node in t.nodes]   # ½/w2, then ȳ·(½/w2)
        [False, False, True, True]
        >>> rule_origin(t.nodes[2])[:2]
        ('sqrt', "sqrt's derivative rule 1/(2√x) (its reverse rule)")
    """
    made = node.made_by
    if made is None:
        return None
    chain = [made]
    while chain[-1][3] is not None:
        chain.append(chain[-1][3])
    kind, primitive, site, _ = chain[-1]
    partials = list(primitive.partials.values())
    shown = f" {fill_template(partials[0], ['x'], 'ans')}" if len(partials) == 1 and partials[0] else ""
    rule = f"{primitive.name}'s derivative rule{shown} (its {kind} rule"
    rule += "".join(f", in {p.name}'s {k} rule" for k, p, _s, _m in chain[-2::-1]) + ")"
    return primitive.name, rule, describe_site(site)


#: Per trace, the partials already worked out, ``{(index, argnum): value}``. Keyed weakly: a
#: trace's numbers go with it.
_PARTIALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def partial_value(trace, index: int, argnum: int) -> Any:
    """The local partial as a number (or an elementwise array), or ``None`` when it is a
    Jacobian that has no compact form. A row that states its partial (``defrule(partial=…)``)
    shows that partial; any other the node's own tangent rule applied to ones. Cached per trace.
    """
    cache = _PARTIALS.setdefault(trace, {})
    key = (index, argnum)
    if key not in cache:
        cache[key] = _partial_number(trace.tape.nodes[index], argnum)
    return cache[key]


def remember_partials(trace, partials: dict[tuple[int, int], Any]) -> None:
    """Give ``trace`` its partials, ``{(index, argnum): value}``, as a saved trace has them: its
    primitives are stand-ins without rules, so :func:`partial_value` could not work them out."""
    _PARTIALS.setdefault(trace, {}).update(partials)


def _partial_number(node, argnum: int) -> Any:
    primitive = node.primitive
    rule = primitive.jvp_rule(argnum) if primitive is not None else None
    numeric = is_numeric(node.value) and argnum < len(node.args) and is_numeric(node.args[argnum])
    if rule is None or not numeric:  # (a several-output primitive's partial is a Jacobian)
        return None
    arg = unbox(node.args[argnum])
    size_one = onp.size(arg) == 1 and onp.size(unbox(node.value)) == 1
    elementwise = primitive.info.get("elementwise") and onp.shape(arg) == onp.shape(unbox(node.value))
    if not (size_one or elementwise):
        return None
    dtype = onp.result_type(arg, onp.float32) if hasattr(arg, "dtype") else onp.dtype(onp.float64)
    one = onp.ones(onp.shape(arg), dtype) if onp.ndim(arg) else dtype.type(1.0)
    local = primitive.local_partials.get(argnum)
    try:
        with onp.errstate(all="ignore"):  # a NaN partial is shown, not warned about
            if local is not None:  # at the argument's shape and dtype, as the tangent rule has it
                return unbox(one * local(node.value, *node.args))
            return unbox(rule(one, node.value, *node.args, **node.kwargs))
    except Exception:  # a display aid must never break the display
        return None


def is_numeric(value: Any) -> bool:
    """A number or a numeric array (not a bool, an index, an axis or an option)."""
    value = unbox(value)
    return isinstance(value, (int, float, complex, onp.number, onp.ndarray)) and not isinstance(value, bool)


def _product(partial: str, name: str, *, partial_first: bool) -> str:
    """``partial·name`` (a tangent term) or ``name·partial`` (an adjoint contribution).

    A partial ``1`` or ``-1`` disappears; one written as ``"·w2ᵀ"`` or ``"w1ᵀ·"`` (a matrix
    product, whose side matters) keeps its side whatever the order asked for.
    """
    if partial == "1":
        return name
    if partial == "-1":
        return f"-{name}"
    if partial.startswith("·"):
        return f"{name}{partial}"
    if partial.endswith("·"):
        return f"{partial}{name}"
    return f"{_wrap(partial)}·{name}" if partial_first else f"{name}·{_wrap(partial)}"


#: Reductions: an argument larger than the value is summed (or averaged, or …) down to it.
_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "nansum",
               "nanmean", "nanprod", "nanmax", "nanmin"}


def _size(value: Any) -> int:
    try:
        return int(onp.size(unbox(value)))
    except (TypeError, ValueError):
        return 1


def _reduces(node, argnum: int) -> bool:
    return (node.op in _REDUCTIONS and argnum < len(node.args)
            and _size(node.args[argnum]) != _size(node.value))


def _broadcast(node, argnum: int) -> bool:
    """An elementwise operation's argument that numpy stretched to the value's shape
    (``a·x`` with a scalar ``a``): its adjoint is the contribution summed back."""
    return (node.primitive is not None and bool(node.primitive.info.get("elementwise"))
            and argnum < len(node.args) and _size(node.args[argnum]) < _size(node.value))


def _axis(node) -> Any:
    axis = node.kwargs.get("axis", node.args[1] if len(node.args) > 1 else None)
    return axis if _shown_argument(axis) else None


def _tangent_term(trace, index: int, argnum: int, parent: int, partial: str) -> str:
    """``w2·ẇ1``; ``sum(ẇ4, axis=1)`` for a reduction, whose tangent is reduced too."""
    node = trace.tape.nodes[index]
    name = dot_name(trace.tape.nodes[parent].name)
    if not _reduces(node, argnum):
        return _product(partial, name, partial_first=True)
    axes = "".join(f", {text}" for text in _reduction_options(node))
    if node.op in ("sum", "mean", "nansum", "nanmean"):
        return f"{node.op}({name}{axes})"
    return f"sum({_product(partial, name, partial_first=True)}{axes})"


def _adjoint_term(trace, index: int, argnum: int, partial: str) -> str:
    """``w̄3·w2``; ``sum(w̄3·w2)`` to an argument numpy broadcast; ``expand_dims(w̄5, 1)``
    from a reduction over axis 1 (so that it broadcasts back as written)."""
    node = trace.tape.nodes[index]
    name = bar_name(node.name)
    if _reduces(node, argnum):
        axis = _axis(node)
        if axis is not None and not node.kwargs.get("keepdims", False):
            name = f"expand_dims({name}, {_option(axis)})"
        return _product(partial, name, partial_first=False)
    term = _product(partial, name, partial_first=False)
    return f"sum({term})" if _broadcast(node, argnum) else term


def _reduction_options(node) -> list[str]:
    """The options of a reduction as written: ``axis=1``, ``keepdims=True``."""
    options = [_option(arg) for arg in node.args[1:] if _shown_argument(arg)]
    return options + [f"{key}={_option(value)}" for key, value in node.kwargs.items()
                      if _shown_argument(value)]


def _wrap(text: str) -> str:
    return f"({text})" if any(c in text for c in "+-") and not text.startswith("(") and " " in text else text


def tangent_formula(trace, sweep: Sweep, step: Step, *, numbers: bool = True) -> str:
    """``ẇ3 = w2·ẇ1 + w1·ẇ2 = 5·1 + 2·0 = 5`` for one forward step."""
    node = trace.tape.nodes[step.node]
    symbols, values = [], []
    for argnum, parent, term in step.terms:
        partial = partial_formula(trace, step.node, argnum)
        symbols.append(_tangent_term(trace, step.node, argnum, parent, partial))
        numeric = _product_numbers(trace, step.node, argnum, sweep.results[parent], partial,
                                   partial_first=True)
        values.append(numeric or format_value(term))
    text = f"{dot_name(node.name)} = " + _join(symbols)
    if numbers:
        if len(values) > 1 or values[0] != format_value(step.value):
            text += " = " + _join(values)
        text += f" = {format_value(step.value)}"
    return text


def _product_numbers(trace, index: int, argnum: int, other: Any, symbol: str, *,
                     partial_first: bool) -> str:
    """``5·1`` for a term ``partial·other`` with scalar numbers; ``""`` when not scalar.

    ``symbol`` is the partial in symbols, :func:`partial_formula` of ``index`` and ``argnum``.
    """
    partial = partial_value(trace, index, argnum)
    if partial is None or onp.size(partial) != 1 or onp.size(unbox(other)) != 1:
        return ""
    if symbol in ("1", "-1"):
        return ("-" if symbol == "-1" else "") + _factor(other)
    pair = (_factor(partial), _factor(other)) if partial_first else (_factor(other), _factor(partial))
    return "·".join(pair)


def _factor(value: Any) -> str:
    text = format_value(value)
    return f"({text})" if text.startswith("-") else text


def _join(parts: list[str]) -> str:
    text = " + ".join(parts) if parts else "0"
    return text.replace("+ -", "- ")


def contribution_formula(trace, sweep: Sweep, step: Step, argnum: int, parent: int, term: Any,
                         *, numbers: bool = True) -> str:
    """``w̄1 += w̄3·w2 = 1·5 = 5``: one contribution a reverse step sends to a parent."""
    partial = partial_formula(trace, step.node, argnum)
    symbolic = _adjoint_term(trace, step.node, argnum, partial)
    text = f"{bar_name(trace.tape.nodes[parent].name)} += {symbolic}"
    if numbers:
        numeric = _product_numbers(trace, step.node, argnum, step.value, partial,
                                   partial_first=False)
        total = format_value(term)
        text += (f" = {numeric}" if numeric and numeric != total else "") + f" = {total}"
    return text


#: Per trace, :func:`received` of each of its sweeps (a sweep has no room for attributes).
_RECEIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def received(trace, sweep: Sweep) -> dict[int, list]:
    """Per node, the ``(step, argnum, term)`` contributions a reverse sweep sent it, in the
    order of the sending nodes (``w̄1 = w̄3·w2 + w̄4·cos w1``). Built once per sweep."""
    cache = _RECEIVED.setdefault(trace, {})
    # The sweep is kept beside its table, so that its id cannot be reused by another sweep.
    kept = cache.get(id(sweep))
    if kept is None:
        received: dict[int, list] = {}
        for step in sorted(sweep.steps, key=lambda step: step.node):
            for argnum, parent, term in step.terms:
                received.setdefault(parent, []).append((step, argnum, term))
        cache[id(sweep)] = kept = (sweep, received)
    return kept[1]


def adjoint_formula(trace, sweep: Sweep, index: int, *, numbers: bool = True) -> str:
    """``w̄1 = w̄3·w2 + w̄4·cos w1 = 1·5 + 1·(-0.4161) = 4.584``: every contribution to one node."""
    name = bar_name(trace.tape.nodes[index].name)
    if index in sweep.seeds:
        return f"{name} = {format_value(sweep.seeds[index])} (seed)"
    symbols, numbers_text = [], []
    for step, argnum, term in received(trace, sweep).get(index, ()):
        partial = partial_formula(trace, step.node, argnum)
        symbols.append(_adjoint_term(trace, step.node, argnum, partial))
        numeric = _product_numbers(trace, step.node, argnum, step.value, partial,
                                   partial_first=False)
        numbers_text.append(numeric or format_value(term))
    if not symbols:
        return f"{name} = 0"
    text = f"{name} = " + _join(symbols)
    if numbers:
        total = format_value(sweep.results[index])
        if len(numbers_text) > 1 or numbers_text[0] != total:
            text += " = " + _join(numbers_text)
        text += f" = {total}"
    return text


# How tightly each form binds, for parentheses in expression_text: a name or a call, a power,
# a negation or a prefix function (``sin x1·x2`` is ``(sin x1)·x2``, as the tables' ``cos
# w1·ẇ1``), a product, a sum.
_ATOM, _POWER, _NEGATION, _PRODUCT, _SUM = 5, 4, 3, 2, 1
_BINDING = {"+": _SUM, "-": _SUM, "·": _PRODUCT, "/": _PRODUCT, "@": _PRODUCT, "^": _POWER}


def expression_text(trace, index: int | None = None, *, limit: int = 160) -> str | None:
    """Node ``index`` (default: the first output) written out in the inputs' names, in the
    lecture's notation, or ``None`` when that is longer than ``limit`` characters.

    Built in one pass over the trace (no recursion), each node's text from its arguments'.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> t = gradviz.trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> expression_text(t)
        'x1·x2 + sin x1'
        >>> expression_text(gradviz.trace(lambda a, b: np.sin(a * b) / (a - b), 1.0, 2.0))
        'sin(a·b) / (a - b)'
    """
    nodes = trace.tape.nodes
    if index is None:
        if not trace.outputs:
            return None
        index = trace.outputs[0]
    names = dict(zip(trace.inputs, trace.input_names))
    texts: dict[int, tuple[str, int] | None] = {}
    for node in nodes[: index + 1]:
        if node.primitive is None:
            texts[node.index] = (str(names.get(node.index, node.name)), _ATOM)
            continue
        parents = dict(node.parents)
        operands = [texts.get(parents[k]) if k in parents else (argument_label(trace, node, k), _ATOM)
                    for k in range(len(node.args))]
        if any(operand is None for operand in operands):
            texts[node.index] = None
            continue
        text = _written(node, operands)
        texts[node.index] = text if len(text[0]) <= limit else None
    result = texts.get(index)
    return None if result is None else result[0]


def _written(node, operands: list) -> tuple[str, int]:
    """The text of ``node`` from its operands' ``(text, binding)``, with the parentheses the
    bindings need."""
    op = node.op
    if op in INFIX and len(operands) == 2:
        symbol = INFIX[op]
        binding = _BINDING[symbol]
        (left, left_binding), (right, right_binding) = operands
        # a - (b - c), a / (b·c): the right operand of a non-commutative operator is wrapped
        # at equal binding; a power groups to the right.
        left = f"({left})" if left_binding < binding or (symbol == "^" and left_binding == binding) else left
        tight = symbol in "-/" and right_binding == binding
        right = f"({right})" if right_binding < binding or tight else right
        return _expression(node, [left, right]), binding
    if op == "negative":
        text, binding = operands[0]
        plain = binding >= _NEGATION and not text.startswith("-")
        return ("-" + (text if plain else f"({text})")), _NEGATION
    if len(operands) == 1 and op in _PREFIX:
        text, binding = operands[0]
        return (f"{op} {text}" if binding == _ATOM and " " not in text else f"{op}({text})"), _NEGATION
    return _expression(node, [text for text, _ in operands]), _ATOM
