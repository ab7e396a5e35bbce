"""User expressions such as ``"x1*x2 + sin(x1)"``: parsed with :mod:`ast`, never evaluated.

Only numbers, variable names, ``+ - * / ** @``, unary minus, parentheses and calls of the
functions in :data:`FUNCTIONS` are accepted; anything else is an :class:`ExpressionError`
whose one-line message names the problem and points at it with a caret. Length, nesting
depth and constant powers are bounded so that no expression can hang or exhaust memory.
Nesting is what the reader sees: a flat sum ``t1 + t2 + … + t1000``, which Python's parser
stores as a left-leaning tree 1 000 deep, is one level, and is checked and evaluated in a
loop, not by recursion.

Example:
    >>> e = parse("x1*x2 + sin(x1)")
    >>> e.variables
    ['x1', 'x2']
    >>> round(float(e.function(2.0, 5.0)), 4)
    10.9093
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as onp

from gradviz.errors import ExpressionError

__all__ = ["parse", "parse_bindings", "Expression", "FUNCTIONS", "SIGNATURES", "MAX_LENGTH",
           "MAX_DEPTH"]

MAX_LENGTH = 20_000
MAX_DEPTH = 40
MAX_EXPONENT = 64.0
MAX_ARRAY = 10_000
#: The most elements one evaluation may create, all nodes together: every node of a trace
#: is kept (with its tangents and adjoints), so this bounds the memory an expression can use.
MAX_ELEMENTS = 2_000_000
MAX_BINDINGS_LENGTH = 200_000
# A variable name: a letter, then letters and digits, at most 16 characters.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")

#: The functions an expression may call, each a function of :mod:`gradviz.numpy`.
FUNCTIONS = (
    "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "abs", "absolute",
    "maximum", "minimum", "dot", "sum", "mean", "log1p", "expm1", "square", "reciprocal",
    "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2",
    "sign", "floor", "where", "outer", "matmul", "prod", "max", "min", "logaddexp",
    "arctan2", "hypot", "power", "transpose", "var", "std", "clip", "sinc",
)
_UNARY = ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "abs", "absolute",
          "log1p", "expm1", "square", "reciprocal", "arcsin", "arccos", "arctan", "arcsinh",
          "arccosh", "arctanh", "log2", "log10", "exp2", "sign", "floor", "sinc", "transpose")
_BINARY_CALLS = ("maximum", "minimum", "dot", "outer", "matmul", "logaddexp", "arctan2",
                 "hypot", "power")
_REDUCTIONS = ("sum", "mean", "prod", "max", "min", "var", "std")
#: Each function's positional arguments: ``(fewest, most, position of an axis or None)``.
#: numpy's own extra parameters (``out``, ``dtype``, ``where``) are out of reach, so that
#: no expression can write into an array it was given; an axis is an integer constant.
SIGNATURES: dict[str, tuple[int, int, int | None]] = {
    **{name: (1, 1, None) for name in _UNARY},
    **{name: (2, 2, None) for name in _BINARY_CALLS},
    **{name: (1, 2, 1) for name in _REDUCTIONS},
    "where": (3, 3, None),  # where(condition, x, y)
    "clip": (3, 3, None),  # clip(x, low, high)
}
#: Constant names an expression may use.
CONSTANTS = {"pi": onp.pi, "e": onp.e}

_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide",
           ast.Pow: "power", ast.MatMult: "matmul"}


@dataclass
class Expression:
    """A parsed expression: its text, its variables in order of appearance, and a function
    of those variables built from :mod:`gradviz.numpy` calls."""

    text: str
    variables: list[str]
    tree: ast.AST

    @property
    def function(self) -> Callable[..., Any]:
        names = list(self.variables)

        def expression(*values):
            return _evaluate(self.tree, dict(zip(names, values)), self.text, [MAX_ELEMENTS])

        expression.__name__ = "f"
        return expression


def _fail(text: str, node: ast.AST | None, message: str) -> ExpressionError:
    column = getattr(node, "col_offset", None)
    if column is None or "\n" in text:
        return ExpressionError(message)
    return ExpressionError(f"{message}\n  {text}\n  {' ' * column}^")


def parse(text: str) -> Expression:
    """Parse and validate ``text``; raises :class:`ExpressionError` on anything not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression: write one such as 'x1*x2 + sin(x1)'")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if "\n" in text or "\r" in text:
        raise ExpressionError("an expression is one line: remove the line breaks")
    _check_characters(text)
    if _parentheses_depth(text) > MAX_DEPTH:  # before Python's parser recurses into them
        raise ExpressionError(f"expression nests too deeply (the limit is {MAX_DEPTH} levels)")
    try:
        tree = _parse_quietly(text.strip())
    except SyntaxError as exc:
        stripped = text.strip()
        if not exc.offset or exc.offset > len(stripped):  # Python points nowhere: input ended early
            message, column = "the expression ends too early (an operand or ')' is missing)", len(stripped)
        else:
            message, column = f"syntax error: {exc.msg}", exc.offset - 1
        raise ExpressionError(f"{message}\n  {stripped}\n  {' ' * column}^") from None
    except (RecursionError, MemoryError):  # a chain longer than Python's parser can hold
        raise ExpressionError(f"expression chains too many operations for Python's parser "
                              f"({len(_OPERATORS.findall(text)):,} operators): split it") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise ExpressionError(f"cannot read the expression: {exc}") from None
    variables: list[str] = []
    _check(tree.body, text.strip(), variables, 0)
    if not variables:
        raise ExpressionError("expression has no variables: use names such as x1, x2 and give "
                              "their values with --at x1=2,x2=5")
    return Expression(text.strip(), variables, tree.body)


def _parse_quietly(text: str) -> ast.Expression:
    """``ast.parse`` without its warnings (``8if``: "invalid decimal literal"), which would
    print beside the one-line error; the error itself says what is wrong. Python 3.10 and 3.11
    raise that one as a DeprecationWarning, 3.12 on as a SyntaxWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text, mode="eval")


def _check_characters(text: str) -> None:
    """Only printable ASCII: no look-alike letters (Python folds ``ｘ`` into ``x``), no control
    characters, and carets that line up (``ast`` counts columns in UTF-8 bytes)."""
    for column, char in enumerate(text):
        if not (" " <= char <= "~"):
            shown = f"{char!r}" if char.isprintable() else f"U+{ord(char):04X}"
            caret = f"\n  {text}\n  {' ' * column}^" if text.isprintable() else ""
            raise ExpressionError(f"character {shown} at column {column + 1} is not allowed: "
                                  f"expressions are plain ASCII, e.g. x1*x2 + sin(x1){caret}")


_OPERATORS = re.compile(r"\*\*|[-+*/@]")
# Operators that chain at one level of precedence: ``a - b + c`` and ``a / b * c``.
_CHAINS = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 1, ast.MatMult: 1}


def _parentheses_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


def _chain(node: ast.BinOp) -> list[ast.BinOp]:
    """The links of the chain ``node`` ends, innermost first: ``a + b - c`` is
    ``[a + b, (a + b) - c]``; the first link's left operand starts the chain."""
    links = [node]
    group = _CHAINS.get(type(node.op))
    while (group is not None and isinstance(links[-1].left, ast.BinOp)
           and _CHAINS.get(type(links[-1].left.op)) == group):
        links.append(links[-1].left)
    return links[::-1]


def _check(node: ast.AST, text: str, variables: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _fail(text, node, f"expression nests too deeply (the limit is {MAX_DEPTH} levels)")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(text, node, f"only numbers are allowed as constants, not {type(node.value).__name__}")
        if abs(node.value) > 1e300:
            raise _fail(text, node, "number too large")
    elif isinstance(node, ast.Name):
        _check_name(node, text, variables)
    elif isinstance(node, ast.BinOp):
        links = _chain(node)
        _check(links[0].left, text, variables, depth + 1)
        for link in links:  # in reading order, so that variables keep their order
            if type(link.op) not in _BINARY:
                raise _fail(text, link, f"operator {type(link.op).__name__} is not allowed: use + - * / ** @")
            if isinstance(link.op, ast.Pow):
                _check_exponent(link, text)
            _check(link.right, text, variables, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _fail(text, node, "only unary minus and plus are allowed")
        _check(node.operand, text, variables, depth + 1)
    elif isinstance(node, ast.Call):
        _check_call(node, text, variables, depth)
    else:
        raise _fail(text, node, f"{_describe(node)} is not allowed in an expression")


def _check_name(node: ast.Name, text: str, variables: list[str]) -> None:
    name = node.id
    if name.startswith("_"):
        raise _fail(text, node, f"name {name!r} is not allowed: variable names may not start with '_'")
    if name in FUNCTIONS:
        raise _fail(text, node, f"{name} is a function: call it, e.g. {name}(x)")
    if name in CONSTANTS:
        return
    if not _NAME.fullmatch(name):
        raise _fail(text, node, f"variable name {name!r} is not allowed: use letters and digits, at most 16")
    if name not in variables:
        variables.append(name)


def _check_exponent(node: ast.BinOp, text: str) -> None:
    exponent = node.right
    if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.operand, ast.Constant):
        exponent = exponent.operand
    if isinstance(exponent, ast.Constant) and isinstance(exponent.value, (int, float)):
        if abs(exponent.value) > MAX_EXPONENT:
            raise _fail(text, node.right, f"constant exponent {exponent.value!r} is too large "
                                          f"(at most {MAX_EXPONENT:g})")
    if isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Pow):
        base = node.right.left
        if isinstance(base, ast.Constant):
            raise _fail(text, node.right, "nested constant powers such as 9**9**9 are not allowed")


def _check_call(node: ast.Call, text: str, variables: list[str], depth: int) -> None:
    if not isinstance(node.func, ast.Name):
        raise _fail(text, node.func, f"{_describe(node.func)} cannot be called: call a listed "
                                     "function by name, e.g. sin(x)")
    if node.func.id not in FUNCTIONS:
        raise _fail(text, node.func, f"unknown function {node.func.id!r}: the allowed functions "
                                     f"are {', '.join(FUNCTIONS[:12])}, … (see 'gradviz render --help')")
    if node.keywords:
        raise _fail(text, node.keywords[0].value, "keyword arguments are not allowed")
    name = node.func.id
    fewest, most, axis = SIGNATURES[name]
    if not fewest <= len(node.args) <= most:
        raise _fail(text, node, f"{name}() takes {_counted(fewest, most)}, got {len(node.args)}"
                                f"{_usage(name)}")
    for position, arg in enumerate(node.args):
        if isinstance(arg, ast.Starred):
            raise _fail(text, arg, "starred arguments are not allowed")
        if position == axis:
            _axis(arg, text, name)
        else:
            _check(arg, text, variables, depth + 1)


def _counted(fewest: int, most: int) -> str:
    words = {1: "one argument", 2: "two arguments", 3: "three arguments"}
    return words[most] if fewest == most else f"{words[fewest][:-9]} or {words[most]}"


def _usage(name: str) -> str:
    usages = {"where": "where(condition, x, y)", "clip": "clip(x, low, high)"}
    if name in usages:
        return f": {usages[name]}"
    return f": {name}(x) or {name}(x, axis), the axis an integer" if name in _REDUCTIONS else ""


def _axis(node: ast.AST, text: str, name: str) -> int:
    """The integer constant an axis argument must be (``sum(x, 0)``, ``mean(x, -1)``)."""
    value = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
    if not (isinstance(value, ast.Constant) and type(value.value) is int and value.value < 64):
        raise _fail(text, node, f"the axis of {name}() is an integer such as 0 or -1")
    return -value.value if value is not node else value.value


def _describe(node: ast.AST) -> str:
    names = {ast.Attribute: "attribute access", ast.Subscript: "subscripting", ast.Lambda: "a lambda",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a generator", ast.DictComp: "a comprehension",
             ast.SetComp: "a comprehension", ast.Compare: "a comparison", ast.BoolOp: "and/or",
             ast.IfExp: "if/else", ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
             ast.Set: "a set", ast.JoinedStr: "an f-string", ast.NamedExpr: "assignment (:=)",
             ast.Await: "await", ast.Yield: "yield", ast.Starred: "a starred expression"}
    return names.get(type(node), type(node).__name__)


def _evaluate(node: ast.AST, values: dict[str, Any], text: str, budget: list[int]) -> Any:
    """Evaluate a checked tree with gradviz.numpy; ``budget`` counts down the elements that
    may still be created (recursion is bounded by the nesting limit checked in parse)."""
    import gradviz.numpy as gnp  # the differentiable functions, resolved at evaluation time

    # The tree was checked by parse(): only the node types below can occur.
    if isinstance(node, ast.Constant):
        return float(node.value)  # float arithmetic: 99**64 cannot grow a huge integer
    if isinstance(node, ast.Name):
        return CONSTANTS[node.id] if node.id in CONSTANTS and node.id not in values else values[node.id]
    if isinstance(node, ast.BinOp):
        links = _chain(node)
        left = _evaluate(links[0].left, values, text, budget)
        for link in links:
            right = _evaluate(link.right, values, text, budget)
            _check_size(_BINARY[type(link.op)], (left, right), budget, text, link)
            left = _located(getattr(gnp, _BINARY[type(link.op)])(left, right), link, text)
        return left
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values, text, budget)
        if isinstance(node.op, ast.UAdd):
            return operand
        return _located(gnp.negative(operand), node, text)
    if isinstance(node, ast.Call):
        function = getattr(gnp, node.func.id)
        axis = SIGNATURES[node.func.id][2]
        args = [_axis(arg, text, node.func.id) if position == axis
                else _evaluate(arg, values, text, budget) for position, arg in enumerate(node.args)]
        _check_size(node.func.id, args, budget, text, node)
        return _located(function(*args), node, text)
    raise _fail(text, node, f"{_describe(node)} is not allowed in an expression")


def _located(result: Any, node: ast.AST, text: str) -> Any:
    """Give the node just recorded for ``result`` its place in the expression as source site
    (the Python line that evaluated it is gradviz's own, which would tell a user nothing)."""
    from gradviz.engine.source import TextSite
    from gradviz.engine.tracer import Box

    if type(result) is Box and not isinstance(result.node.site, TextSite):
        start = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None) or start + 1
        result._tape.set_site(result._index, TextSite(f"column {start + 1}: {text[start:end]}", text))
    return result


def _result_size(name: str, shapes: list[tuple[int, ...]]) -> int:
    """How many elements ``name`` would create from arguments of these shapes, found from
    the shapes alone (before numpy allocates anything)."""
    sizes = [int(onp.prod(shape)) for shape in shapes]
    if name == "outer" and len(sizes) == 2:
        return sizes[0] * sizes[1]
    if name in ("dot", "matmul") and len(shapes) == 2 and all(shapes):
        a, b = shapes
        inner_b = b[-2] if len(b) > 1 else b[-1]
        return (sizes[0] // max(1, a[-1])) * (sizes[1] // max(1, inner_b))
    try:
        return int(onp.prod(onp.broadcast_shapes(*shapes)))
    except ValueError:
        return max(sizes, default=1)  # numpy reports the mismatch when it runs


def _check_size(name: str, args, budget: list[int], text: str, node: ast.AST) -> None:
    from gradviz.engine.tracer import unbox

    size = _result_size(name, [tuple(onp.shape(unbox(arg))) for arg in args])
    budget[0] -= size
    if budget[0] < 0:
        raise _fail(text, node, f"the expression would create more than {MAX_ELEMENTS:,} numbers "
                                f"({name} alone makes {size:,}): use smaller arrays")


def parse_bindings(text: str) -> dict[str, Any]:
    """Parse ``"x1=2,x2=5"`` or ``"x=[1,2,3],y=0.5"`` into float values and arrays.

    Example:
        >>> parse_bindings("x1=2,x2=[1, 2.5]")
        {'x1': 2.0, 'x2': array([1. , 2.5])}
    """
    if not text or not text.strip():
        raise ExpressionError("no values given: use --at x1=2,x2=5")
    if len(text) > MAX_BINDINGS_LENGTH:
        raise ExpressionError(f"--at is {len(text):,} characters long; the limit is {MAX_BINDINGS_LENGTH:,}")
    bindings: dict[str, Any] = {}
    for name, value in _split_bindings(text):
        if not _NAME.fullmatch(name):
            raise ExpressionError(f"bad variable name {name!r} in --at: use letters and digits, e.g. x1=2")
        if name in bindings:
            raise ExpressionError(f"variable {name!r} is given twice in --at")
        bindings[name] = _parse_number_or_array(name, value)
    return bindings


def _split_bindings(text: str):
    depth, start, parts = 0, 0, []
    for position, char in enumerate(text):
        depth += char == "["
        depth -= char == "]"
        if char == "," and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    parts.append(text[start:])
    for part in parts:
        if "=" not in part:
            raise ExpressionError(f"cannot read {part.strip()!r} in --at: write name=value, e.g. x1=2")
        name, value = part.split("=", 1)
        yield name.strip(), value.strip()


def _parse_number_or_array(name: str, text: str) -> Any:
    try:
        node = _parse_quietly(text).body
        value = _literal(node)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"cannot read the value of {name}: {_cut(text)!r} is not a number or "
                              "a list of numbers, e.g. 2.5, pi or [1, 2, 3]") from None
    try:
        array = onp.asarray(value, dtype=float)
    except OverflowError:  # an integer of hundreds of digits
        raise ExpressionError(f"the value of {name} is too large for a float (the largest is "
                              f"about 1.8e308): {_cut(text)}") from None
    if array.size == 0:  # no element to seed: every command would have nothing to show
        raise ExpressionError(f"the value of {name} is empty: give it at least one number, "
                              f"e.g. {name}=[1, 2]")
    if array.size > MAX_ARRAY:
        raise ExpressionError(f"the value of {name} has {array.size} elements; the limit is {MAX_ARRAY}")
    return float(array) if array.ndim == 0 else array


def _cut(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.List):
        items = [_literal(item) for item in node.elts]
        if len({onp.shape(item) for item in items}) > 1:
            raise ValueError("ragged")
        return items
    if isinstance(node, ast.Name) and node.id in ("nan", "inf"):
        return float(node.id)
    if isinstance(node, ast.Name) and node.id in CONSTANTS:  # --at x=pi, as in expressions
        return CONSTANTS[node.id]
    raise ValueError("not a literal")


def trace_expression(text: str, at: str | dict[str, Any], *, wrt: list[str] | None = None):
    """Parse ``text``, bind ``at`` and return the :class:`~gradviz.Trace` of both sweeps.

    ``wrt`` picks the variables that are inputs (the others are constants); by default all.

    Example:
        >>> t = trace_expression("x1*x2 + sin(x1)", "x1=2,x2=5")
        >>> [node.op for node in t.nodes]
        ['input', 'input', 'multiply', 'sin', 'add']
    """
    expression = parse(text)
    given = parse_bindings(at) if isinstance(at, str) else dict(at)
    bindings = {name: _read_only_copy(value) for name, value in given.items()}
    missing = [name for name in expression.variables if name not in bindings]
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}: add it to --at, e.g. --at "
                              + ",".join(f"{name}=1" for name in expression.variables))
    unused = [name for name in bindings if name not in expression.variables]
    if unused:
        raise ExpressionError(f"{', '.join(unused)} given in --at but not used in the expression")
    wrt = list(expression.variables) if wrt is None else list(wrt)
    unknown = [name for name in wrt if name not in expression.variables]
    if unknown:
        raise ExpressionError(f"--wrt names {', '.join(unknown)}, which the expression does not use")
    constants = {name: bindings[name] for name in expression.variables if name not in wrt}

    def f(*inputs):
        values = dict(zip(wrt, inputs), **constants)
        return expression.function(*[values[name] for name in expression.variables])

    f.__name__ = "f"
    return _traced(f, expression, [bindings[name] for name in wrt], wrt)


def _read_only_copy(value: Any) -> Any:
    """The caller's arrays are never handed to numpy: a copy, marked read-only, is traced."""
    if not isinstance(value, (onp.ndarray, list, tuple)):
        return value
    array = onp.array(value)
    array.flags.writeable = False
    return array


def _traced(f: Callable, expression: Expression, args: list, wrt: list[str]):
    """Trace ``f``; numpy's own failures (mismatched shapes, wrong arguments) become one-line
    errors, because the expression came from a user, not from a program."""
    from gradviz.differential import trace
    from gradviz.errors import GradvizError

    try:
        with onp.errstate(all="ignore"):
            result = trace(f, *args, names=wrt, output_names=["f"])
    except GradvizError:
        raise
    except (RecursionError, MemoryError):
        raise ExpressionError(f"{expression.text!r} is too large to evaluate") from None
    except Exception as exc:  # numpy's ValueError/TypeError/IndexError, named below
        raise ExpressionError(f"cannot evaluate {expression.text!r}: "
                              f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    if not result.outputs:
        raise ExpressionError(f"{expression.text!r} does not give a differentiable number or array "
                              "(for example sign() or floor() of everything): nothing to draw")
    return result
