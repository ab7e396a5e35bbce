"""The differential operators: ``grad``, ``jvp``, ``vjp``, ``jacobian``, ``hessian``, ``trace``.

Each is a few lines on one mechanism: :func:`_evaluate` runs the function on boxed inputs,
recording a tape, then forward sweeps push tangents and reverse sweeps pull adjoints over
that tape. Because the rules are written with gradviz's own operations, a sweep run while an
outer tape is recording is itself recorded, which is all higher order needs.
"""

from __future__ import annotations

import inspect
import math
import operator
import warnings
from contextvars import ContextVar
from functools import partial, wraps
from typing import Any, Callable, Sequence

import numpy as onp

from gradviz.engine.broadcast import shape_of
from gradviz.engine.collector import collector_paused
from gradviz.engine.containers import CONTAINER_TYPES, open_boxes
from gradviz.engine.sweeps import (PLAIN, RECORDED, USED_ONCE, forward_sweeps, observe_primal,
                                   observers, reverse_sweep)
from gradviz.engine.trace import Trace
from gradviz.engine.tracer import Box, Tape, tracing_depth, unbox
from gradviz.engine.tree import flatten, unflatten, unflatten_each
from gradviz.engine.values import box_types, registered_space
from gradviz.errors import (GradvizError, MissingRuleError, OutputTypeError, ShapeError,
                            UnsupportedTypeError)

__all__ = [
    "grad",
    "value_and_grad",
    "elementwise_grad",
    "jacobian",
    "jacobian_forward",
    "hessian",
    "hvp",
    "jvp",
    "vjp",
    "make_jvp",
    "make_vjp",
    "trace",
    "record",
    "Recording",
    "GradvizWarning",
]


class GradvizWarning(UserWarning):
    """A result that is correct but probably not what was meant (e.g. a zero gradient)."""


# --- evaluating a function on boxes ------------------------------------------------------------

_NUMERIC = (int, float, complex, onp.ndarray, onp.number, onp.bool_)


_LEAF = flatten(0.0)[1]


def _unsupported(leaf: Any, where: str) -> UnsupportedTypeError:
    return UnsupportedTypeError(
        f"cannot differentiate with respect to {where} of type {type(leaf).__name__}: "
        "pass a float, a numpy array, or a tuple/list/dict of them"
    )


def _missing_argument(fun: Callable, argnum: int, count: int) -> GradvizError:
    name = getattr(fun, "__name__", "the function")
    return GradvizError(
        f"argnum={argnum} differentiates {name}'s argument {argnum} (counting from 0), but it "
        f"was called with {count} argument{'s' if count != 1 else ''}: pass the point to the "
        f"call, e.g. grad(f)(3.0), or an argnum below {count}")


def _evaluate(fun: Callable, args: tuple, kwargs: dict, argnums: Sequence[int], lean: bool = False):
    """Run ``fun`` with the leaves of ``args[argnums]`` boxed on a new tape.

    Returns ``(tape, input indices, treedefs, output)``. Display names are not built here
    (see :func:`_input_names`): this runs on every ``grad`` call.
    """
    tape = Tape(tracing_depth() + 1, lean)
    args = list(args)
    inputs, treedefs = [], []
    for argnum in argnums:
        try:
            arg = args[argnum]
        except IndexError:
            raise _missing_argument(fun, argnum, len(args)) from None
        if type(arg) is onp.ndarray or type(arg) is float:  # the usual argument: one leaf
            args[argnum] = box = tape.new_input(arg)
            inputs.append(box._index)
            treedefs.append(_LEAF)
            continue
        leaves, treedef = flatten(arg)
        boxed = []
        for leaf in leaves:
            if (type(leaf) is not Box and not isinstance(leaf, _NUMERIC)
                    and type(leaf) not in box_types):  # nor a value type of the user's own
                raise _unsupported(leaf, _input_names(fun, len(args), [argnum], [treedef])[0])
            box = tape.new_input(leaf)
            inputs.append(box._index)
            boxed.append(box)
        treedefs.append(treedef)
        args[argnum] = unflatten(treedef, boxed) if treedef[0] != "leaf" else boxed[0]
    with tape, collector_paused:  # nothing recorded needs the cyclic collector
        output = fun(*args, **kwargs)
        if type(output) in CONTAINER_TYPES or (type(output) is Box
                                               and type(output._value) in CONTAINER_TYPES):
            output = open_boxes(output)  # a traced container's items, each its own output
    if observers():  # gradviz.debug_nans() is active: primal values are checked here
        observe_primal(tape)
    return tape, inputs, treedefs, output


def _input_names(fun: Callable, count: int, argnums: Sequence[int], treedefs: list) -> list[str]:
    """Display names of the input leaves: ``x1``, ``weights``, ``params['b']``."""
    arg_names = _argument_names(fun, count)
    return [arg_names[argnum] + path for argnum, treedef in zip(argnums, treedefs)
            for path in _leaf_paths(treedef)]


def _argument_names(fun: Callable, count: int) -> list[str]:
    try:
        parameters = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = []
    for position in range(count):
        if position < len(parameters) and parameters[position].kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            names.append(parameters[position].name)
        else:
            names.append(f"x{position + 1}")
    return names


def _leaf_paths(treedef) -> list[str]:
    if treedef[0] == "leaf":
        return [""]
    kind, keys, children = treedef
    labels = [repr(k) for k in keys] if kind is dict else [str(i) for i in range(keys)]
    return [f"[{label}]{rest}" for label, child in zip(labels, children) for rest in _leaf_paths(child)]


def _output_index(output: Any, tape: Tape) -> int | None:
    """The node index of ``output`` on ``tape``, or ``None`` if it does not depend on it."""
    if type(output) is Box and output._tape is tape:
        return output._index
    return None


def _float_dtype(raw: Any) -> onp.dtype:
    """The value's dtype if it is inexact, else float64 (integers get float derivatives); a
    Python complex number is complex128, as numpy reads it."""
    dtype = getattr(raw, "dtype", None)
    if dtype is None and type(raw) is complex:
        return onp.dtype(onp.complex128)
    if dtype is None or dtype.kind not in "fc":
        return onp.dtype(onp.float64)
    return dtype


_ONE = onp.float64(1.0)  # numpy scalars are immutable: one seed serves every call


def _ones_like(value: Any) -> Any:
    raw = unbox(value)
    if type(raw) is onp.float64 or type(raw) is float:
        return _ONE
    dtype = _float_dtype(raw)
    if onp.ndim(raw) == 0:
        return dtype.type(1.0)
    return onp.ones(onp.shape(raw), dtype)


def _zeros_like(value: Any) -> Any:
    raw = unbox(value)
    dtype = _float_dtype(raw)
    if onp.ndim(raw) == 0:
        return dtype.type(0.0)
    return onp.zeros(onp.shape(raw), dtype)


def _zero_adjoint(value: Any) -> Any:
    """The gradient of an input the output does not depend on: zeros of its shape, a 0-d
    array for a 0-d array (as autograd gives), a numpy scalar for a number."""
    raw = unbox(value)
    if type(raw) is onp.ndarray and raw.ndim == 0:
        return onp.zeros((), _float_dtype(raw))
    space = registered_space(raw)  # a value type of the user's own: its space's zero
    return _zeros_like(raw) if space is None else space.zeros()


def _input_results(tape: Tape, inputs: list[int], results: list) -> list:
    """The sweep's results on the inputs, with symbolic zeros made real."""
    return [
        _zero_adjoint(tape.records[i].value) if results[i] is None else results[i] for i in inputs
    ]


# --- keeping the traces of a training loop -----------------------------------------------------

# The recordings active in this thread or task, innermost last: a ``grad`` in another thread
# is not kept by this thread's ``record()``.
_recordings: ContextVar[tuple[Recording, ...]] = ContextVar("gradviz_recordings", default=())


class Recording:
    """Collects the :class:`Trace` of every top-level differentiation made while it is active.

    Example:
        >>> import gradviz, gradviz.numpy as np
        >>> f = gradviz.grad(lambda w: np.sum(np.tanh(w) ** 2))
        >>> with gradviz.record() as run:
        ...     for step in range(3):
        ...         _ = f(np.array([0.5, -1.0]))
        >>> len(run.traces)
        3
    """

    def __init__(self, keep: int | None = None):
        self.keep = keep
        self._traces: list[Trace] = []
        # The parts of the newest traces, not built yet: a training loop keeps a trace per
        # step and looks at few of them, so their Trace objects are made on first use.
        self._pending: list[tuple] = []
        self._tokens: list = []

    @property
    def traces(self) -> list[Trace]:
        """The traces kept, oldest first."""
        for *arguments, sweeps in self._pending:
            trace = _new_trace(*arguments)
            trace.sweeps.extend(sweeps)
            self._traces.append(trace)
        self._pending.clear()
        return self._traces

    def add(self, trace: Trace) -> None:
        """Keep ``trace`` (dropping the oldest when more than ``keep`` are kept)."""
        self.traces.append(trace)  # after the pending ones, which are older
        self._drop_oldest()

    def add_parts(self, *parts) -> None:
        """Keep a trace not built yet: :func:`_new_trace`'s arguments and the sweeps done."""
        self._pending.append(parts)
        self._drop_oldest()

    def _drop_oldest(self) -> None:
        if self.keep is not None and len(self) > self.keep:
            if self._traces:
                del self._traces[0]
            else:
                del self._pending[0]

    def __enter__(self) -> Recording:
        self._tokens.append(_recordings.set(_recordings.get() + (self,)))
        return self

    def __exit__(self, *exc_info) -> None:
        _recordings.reset(self._tokens.pop())

    def __len__(self) -> int:
        return len(self._traces) + len(self._pending)

    def __getitem__(self, index: int) -> Trace:
        return self.traces[index]

    def _repr_html_(self) -> str | None:
        """Jupyter shows an iteration slider over the traces kept (see
        :func:`gradviz.renderer.html.training_fragment`), its NaN and Inf iterations marked;
        nothing while none is kept."""
        from gradviz.drawing import training_findings
        from gradviz.renderer.html import notebook_html

        return notebook_html(self, training_findings(self.traces)) if len(self) else None

    def _repr_svg_(self) -> str | None:
        """The newest trace's graph as SVG, for front ends that show no HTML."""
        return self.traces[-1]._repr_svg_() if len(self) else None


def record(keep: int | None = None) -> Recording:
    """Keep the trace of every ``grad``/``jvp``/``vjp`` call inside a ``with`` block.

    One line around a training loop, no change to the loss function:
    ``with gradviz.record() as run: ...``; then ``run.traces[i]`` is iteration ``i``'s trace
    with its recorded sweep. ``keep=N`` keeps only the last ``N`` traces.
    """
    return Recording(keep)


def _unrecorded(sweep: Callable, *args, **kwargs) -> Any:
    """``sweep(*args, **kwargs)`` with no recording active: what a rule differentiates to
    compute its own result (``odeint``'s augmented systems) is the rule's internal work, not
    a trace of the user's. Nothing is set while nothing records."""
    if not _recordings.get():
        return sweep(*args, **kwargs)
    token = _recordings.set(())
    try:
        return sweep(*args, **kwargs)
    finally:
        _recordings.reset(token)


def _active_recording(tape: Tape) -> Recording | None:
    recordings = _recordings.get()
    if recordings and tape.level == 1:
        return recordings[-1]
    return None


def _fun_name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _new_trace(fun: Callable, args: tuple, argnums: Sequence[int], tape: Tape, inputs: list[int],
               treedefs: list, outputs: list[int], output_names: list[str], names=None) -> Trace:
    """A :class:`Trace` of one evaluation; display names are worked out on first use."""
    names = names if names is not None else partial(_input_names, fun, len(args), argnums, treedefs)
    trace = Trace(tape, inputs, names, outputs, output_names, _fun_name(fun))
    trace.argument_structure = treedefs
    return trace


# --- reverse mode ------------------------------------------------------------------------------


def make_vjp(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Autograd's ``make_vjp``: ``make_vjp(f)(*args)`` returns ``(vjp_fn, ans)``.

    Example:
        >>> import gradviz.numpy as np
        >>> vjp_fn, ans = make_vjp(np.sin)(0.0)
        >>> float(vjp_fn(2.0))
        2.0
    """

    selected_fun, position, arguments = _selecting(fun, argnum)

    def vjp_maker(*args, **kwargs):
        out, vjp_fn = _vjp(selected_fun, arguments(args), kwargs, (position,))
        return (lambda g: vjp_fn(g)[0]), out

    return vjp_maker


def _vjp(fun: Callable, args: tuple, kwargs: dict, argnums: Sequence[int]):
    tape, inputs, treedefs, output = _evaluate(fun, args, kwargs, argnums)
    out_leaves, out_treedef = flatten(output)
    out_indices = [_output_index(leaf, tape) for leaf in out_leaves]
    recording = _active_recording(tape)
    if recording is not None:
        outputs = [i for i in out_indices if i is not None]
        names = ["out"] if len(out_leaves) == 1 else [f"out{k}" for k, i in enumerate(out_indices)
                                                      if i is not None]
        trace = _new_trace(fun, args, argnums, tape, inputs, treedefs, outputs, names)
        recording.add(trace)

    def vjp_fn(g):
        g_leaves, _ = flatten(g)
        seeds: dict[int, Any] = {}
        for index, seed in zip(out_indices, g_leaves):
            if index is not None:
                seeds[index] = seed if index not in seeds else seeds[index] + seed
        if not seeds:
            _warn_constant(fun)
        with collector_paused:
            sweep = _unrecorded(reverse_sweep, tape, seeds, label="seed output",
                                policy=PLAIN if recording is None else RECORDED)
        if recording is not None:
            trace.sweeps.append(sweep)
        return unflatten_each(treedefs, _input_results(tape, inputs, sweep.results))

    return unbox_output(output, tape), vjp_fn


def unbox_output(output: Any, tape: Tape) -> Any:
    """Strip this tape's boxes from an output structure, keeping lower-level ones."""
    if type(output) is Box:
        return output._value if output._tape is tape else output
    if type(output) not in (tuple, list, dict):
        return output
    leaves, treedef = flatten(output)
    return unflatten(treedef, [leaf._value if type(leaf) is Box and leaf._tape is tape else leaf
                               for leaf in leaves])


def _warn_constant(fun: Callable) -> None:
    warnings.warn(
        f"the output of {_fun_name(fun)}() does not depend on the input being differentiated: "
        "its gradient is zero",
        GradvizWarning,
        stacklevel=4,
    )


def vjp(fun: Callable, *primals) -> tuple[Any, Callable]:
    """JAX's ``vjp``: returns ``(f(*primals), vjp_fn)`` with ``vjp_fn(ȳ) = ȳᵀ·∂f``, one per primal.

    Example:
        >>> import gradviz.numpy as np
        >>> out, vjp_fn = vjp(lambda x, y: x * y, 2.0, 5.0)
        >>> [float(v) for v in vjp_fn(1.0)]
        [5.0, 2.0]
    """
    out, vjp_fn = _vjp(fun, primals, {}, range(len(primals)))
    return out, (lambda g: tuple(vjp_fn(g)))


def _scalar_output_check(fun: Callable, output: Any) -> None:
    """A real output of size one, or a ``TypeError`` that says what to use instead (as
    autograd, a complex or boolean output is refused rather than silently given a zero)."""
    if type(output) is not Box and not isinstance(output, _NUMERIC):
        raise UnsupportedTypeError(
            f"grad() needs {_fun_name(fun)}() to return a scalar, got {type(output).__name__}: "
            "use jacobian() or vjp() for structured outputs"
        )
    raw = unbox(output)
    kind = onp.asarray(raw).dtype.kind
    if kind == "c":
        raise OutputTypeError(
            f"grad() needs a real output, got {onp.asarray(raw).dtype} from {_fun_name(fun)}(): "
            "use holomorphic_grad(), or differentiate np.real() or np.abs() of it"
        )
    if kind == "b":
        raise OutputTypeError(
            f"grad() needs a real output, got a boolean from {_fun_name(fun)}(): "
            "a comparison has no derivative; return the quantity compared instead"
        )
    shape = shape_of(output)
    if math.prod(shape) != 1:
        raise OutputTypeError(
            f"grad() needs a scalar output, got shape {shape}: "
            "use jacobian(), elementwise_grad() or vjp()"
        )


def _argnum_tuple(argnum: Any) -> tuple[tuple[int, ...], bool]:
    """``argnum`` as positions, and whether several were asked for (a tuple or list: then
    the result is a tuple, one entry per position, as in autograd)."""
    if isinstance(argnum, (tuple, list)):
        return tuple(operator.index(a) for a in argnum), True
    return (operator.index(argnum),), False


def _selecting(fun: Callable, argnum: Any) -> tuple[Callable, int, Callable]:
    """``(function, position, arguments)``: for a tuple or list ``argnum``, ``fun`` as a
    function of one tuple (the selected arguments, at position 0) followed by all the
    arguments, and how to build its call's arguments from the user's; for a single
    ``argnum``, ``fun`` itself, ``argnum``, and the arguments as they are."""
    positions, several = _argnum_tuple(argnum)
    if not several:
        return fun, positions[0], lambda args: args

    def of_selected(selected, *args, **kwargs):
        values = list(args)
        for position, value in zip(positions, selected):
            values[position] = value
        return fun(*values, **kwargs)

    of_selected.__name__ = _fun_name(fun)
    return of_selected, 0, lambda args: (tuple(args[p] for p in positions),) + tuple(args)


def value_and_grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Returns a function computing ``(f(x), ∇f(x))`` with one reverse sweep.

    ``argnum`` may be a tuple or list of positions: the gradient is then a tuple.

    Example:
        >>> import gradviz.numpy as np
        >>> value, slope = value_and_grad(lambda x: x ** 3)(2.0)
        >>> float(value), float(slope)
        (8.0, 12.0)
        >>> [float(g) for g in value_and_grad(lambda x, y: x * y, (0, 1))(2.0, 5.0)[1]]
        [5.0, 2.0]
    """
    return _value_and_grad(fun, argnum, aux=False)


def _value_and_grad(fun: Callable, argnum: Any, aux: bool) -> Callable:
    """``value_and_grad``, or with ``aux`` the gradient of the first of ``fun``'s two outputs
    and both of them."""
    argnums, several = _argnum_tuple(argnum)

    @wraps(fun)
    def value_and_grad_fun(*args, **kwargs):
        # A first-order gradient nobody keeps a trace of is swept once and thrown away: its
        # tape may let go of every value its rules will not read (see engine.liveness).
        lean = not _recordings.get() and not observers() and not tracing_depth()
        with collector_paused:  # from recording to the end of the sweep (see engine.collector)
            return _gradient(fun, args, kwargs, argnums, several, aux, lean)

    return value_and_grad_fun


def _gradient(fun: Callable, args: tuple, kwargs: dict, argnums: Sequence[int], several: bool,
              aux: bool, lean: bool) -> tuple[Any, Any]:
    """One gradient: ``fun`` recorded on a tape, swept back once, ``(value, gradient)``."""
    tape, inputs, treedefs, output = _evaluate(fun, args, kwargs, argnums, lean)
    whole = output
    if aux:
        output = _first_of_two(fun, output)
    # The usual loss, a float64 on this tape, is checked and seeded in a few reads.
    if type(output) is Box and output._tape is tape and type(output._value) is onp.float64:
        index, seed = output._index, _ONE
    else:
        _scalar_output_check(fun, output)
        index, seed = _output_index(output, tape), _ones_like(output)
    recording = _active_recording(tape)
    if index is None:
        _warn_constant(fun)
        results = [None] * len(tape.records)
        sweep = None
    else:
        sweep = _unrecorded(reverse_sweep, tape, {index: seed}, label="seed output",
                            policy=USED_ONCE if recording is None else RECORDED)
        results = sweep.results
    if recording is not None:
        recording.add_parts(fun, args, argnums, tape, inputs, treedefs,
                            [] if index is None else [index], ["out"],
                            () if sweep is None else (sweep,))
    value = unbox_output(whole, tape)
    if not several and treedefs[0] is _LEAF and results[inputs[0]] is not None:
        return value, results[inputs[0]]  # one array: its adjoint as it is
    gradients = unflatten_each(treedefs, _input_results(tape, inputs, results))
    return value, tuple(gradients) if several else gradients[0]


def _first_of_two(fun: Callable, output: Any) -> Any:
    if type(output) not in (tuple, list) or len(output) != 2:
        raise UnsupportedTypeError(
            f"grad_and_aux() needs {_fun_name(fun)}() to return (value, aux), got "
            f"{type(output).__name__}: return a pair"
        )
    return output[0]


def grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Returns ``∇f``: the gradient of scalar ``f`` with respect to argument ``argnum``.

    Computed by one reverse sweep. The argument may be a float, an array, or a
    tuple/list/dict of them; the gradient has the same structure. ``argnum`` may be a tuple
    or list of positions: the gradient is then a tuple. The output may be any real value
    of size one (a ``(1,)`` array, say); a complex or boolean output raises ``TypeError``.

    Example:
        >>> import gradviz.numpy as np
        >>> dz = grad(lambda x1, x2: x1 * x2 + np.sin(x1))
        >>> round(float(dz(2.0, 5.0)), 4)   # x2 + cos x1
        4.5839
    """
    value_and_grad_fun = value_and_grad(fun, argnum)

    @wraps(fun)
    def gradient_fun(*args, **kwargs):
        return value_and_grad_fun(*args, **kwargs)[1]

    return gradient_fun


def elementwise_grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Returns ``x ↦ 1ᵀ·∂f(x)``: the sum of the Jacobian's rows, one reverse sweep.

    For an elementwise ``f`` that is the derivative at every element.

    Example:
        >>> import gradviz.numpy as np
        >>> elementwise_grad(np.square)(np.array([1.0, 2.0]))
        array([2., 4.])
    """

    selected_fun, position, arguments = _selecting(fun, argnum)

    @wraps(fun)
    def elementwise_grad_fun(*args, **kwargs):
        out, vjp_fn = _vjp(selected_fun, arguments(args), kwargs, (position,))
        return vjp_fn(_ones_like(out))[0]

    return elementwise_grad_fun


def _stack(values: list, shape: tuple) -> Any:
    if Box in map(type, values):
        import gradviz.numpy as gnp

        return gnp.reshape(gnp.stack(values), shape)
    first = values[0]
    scalars = type(first) is onp.float64 or not shape or onp.ndim(first) == 0
    return (onp.array(values) if scalars else onp.stack(values)).reshape(shape)


def jacobian(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``∂f/∂x`` of shape ``out.shape + x.shape``, by one reverse sweep per output.

    Example:
        >>> import gradviz.numpy as np
        >>> jacobian(lambda x: x ** 2)(np.array([1.0, 3.0]))
        array([[2., 0.],
               [0., 6.]])
    """

    @wraps(fun)
    def jacobian_fun(*args, **kwargs):
        out, vjp_fn = _vjp(fun, args, kwargs, (argnum,))
        x = args[argnum]
        out_shape, x_shape = shape_of(out), shape_of(x)
        basis = onp.eye(int(onp.prod(out_shape)), dtype=_ones_like(out).dtype)
        rows = [vjp_fn(onp.reshape(row, out_shape))[0] for row in basis]
        return _stack(rows, out_shape + x_shape)

    return jacobian_fun


def _jvp(fun: Callable, args: tuple, kwargs: dict, argnums: Sequence[int], seed_sets: list[list]):
    with collector_paused:  # from recording to the end of the sweeps (see engine.collector)
        tape, inputs, treedefs, output = _evaluate(fun, args, kwargs, argnums)
        out_leaves, out_treedef = ([output], _LEAF) if type(output) is Box else flatten(output)
        out_indices = [_output_index(leaf, tape) for leaf in out_leaves]
        recording = _active_recording(tape)
        sweeps = _unrecorded(forward_sweeps, tape, [dict(zip(inputs, seeds)) for seeds in seed_sets],
                             policy=PLAIN if recording is None else RECORDED)
        results = []
        for sweep in sweeps:
            leaves = [
                _zeros_like(leaf) if index is None or sweep.results[index] is None else sweep.results[index]
                for leaf, index in zip(out_leaves, out_indices)
            ]
            results.append(leaves[0] if out_treedef[0] == "leaf" else unflatten(out_treedef, leaves))
        if recording is not None:
            outputs = [i for i in out_indices if i is not None]
            trace = _new_trace(fun, args, argnums, tape, inputs, treedefs, outputs, ["out"] * len(outputs))
            trace.sweeps.extend(sweeps)
            recording.add(trace)
        return unbox_output(output, tape), results


def jvp(fun: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """JAX's ``jvp``: returns ``(f(*primals), ∂f(primals)·tangents)`` by one forward sweep.

    Example:
        >>> import gradviz.numpy as np
        >>> out, tangent = jvp(lambda x1, x2: x1 * x2 + np.sin(x1), (2.0, 5.0), (1.0, 0.0))
        >>> round(float(tangent), 4)   # ẇ5 = x2 + cos x1
        4.5839
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise GradvizError(
            f"jvp() got {len(primals)} primals but {len(tangents)} tangents: give one tangent per primal"
        )
    seeds = []
    for primal, tangent in zip(primals, tangents):
        p_leaves, _ = flatten(primal)
        t_leaves, _ = flatten(tangent)
        for p, t in zip(p_leaves, t_leaves):
            if shape_of(p) != shape_of(t):
                raise ShapeError(
                    f"jvp() tangent of shape {shape_of(t)} does not match its primal's shape "
                    f"{shape_of(p)}: give tangents shaped like the primals"
                )
        seeds.extend(t_leaves)
    out, results = _jvp(fun, primals, {}, range(len(primals)), [seeds])
    return out, results[0]


def make_jvp(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Autograd's ``make_jvp``: ``make_jvp(f)(*args)(v)`` returns ``(f(x), ∂f(x)·v)``.

    Example:
        >>> import gradviz.numpy as np
        >>> ans, tangent = make_jvp(np.sin)(0.0)(3.0)
        >>> float(tangent)
        3.0
    """

    selected_fun, position, arguments = _selecting(fun, argnum)

    def jvp_maker(*args, **kwargs):
        def jvp_fn(tangent):
            t_leaves, _ = flatten(tangent)
            out, results = _jvp(selected_fun, arguments(args), kwargs, (position,), [t_leaves])
            return out, results[0]

        return jvp_fn

    return jvp_maker


def jacobian_forward(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``∂f/∂x`` of shape ``out.shape + x.shape``, by one forward sweep per input.

    The lecture's forward accumulation: as many sweeps as the input has elements.

    Example:
        >>> import gradviz.numpy as np
        >>> jacobian_forward(lambda x: np.sin(x) * 2.0)(np.array([0.0, 0.0]))
        array([[2., 0.],
               [0., 2.]])
    """

    @wraps(fun)
    def jacobian_fun(*args, **kwargs):
        x_shape = shape_of(args[argnum])
        out, columns = _jvp(fun, args, kwargs, (argnum,), _basis(x_shape, _float_dtype(unbox(args[argnum]))))
        out_shape = shape_of(out)
        stacked = _stack(columns, x_shape + out_shape)  # columns, one per input element
        return _move_input_axes_last(stacked, len(x_shape), len(out_shape))

    return jacobian_fun


_BASES: dict[tuple, list] = {}


def _basis(shape: tuple, dtype: onp.dtype) -> list[list[onp.ndarray]]:
    """The one-hot seeds of an input of ``shape``, one seed list per element. Small bases are
    made once and kept, read-only (a trace may hold them as its seeds)."""
    key = (shape, dtype)
    basis = _BASES.get(key)
    if basis is None:
        size = math.prod(shape)
        rows = onp.eye(size, dtype=dtype).reshape((size,) + shape)
        rows.flags.writeable = False
        basis = [[rows[k]] for k in range(size)]
        if size <= 256 and len(_BASES) < 64:
            _BASES[key] = basis
    return basis


def _move_input_axes_last(array: Any, x_ndim: int, out_ndim: int) -> Any:
    if out_ndim == 0:
        return array
    import gradviz.numpy as gnp

    axes = tuple(range(x_ndim, x_ndim + out_ndim)) + tuple(range(x_ndim))
    return gnp.transpose(array, axes)


def hessian(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``∂²f/∂x²``: forward mode over reverse mode (``jacobian_forward(grad(f))``).

    When a primitive met on the way has an adjoint rule but no tangent rule (a user's
    primitive given only ``defvjp``), reverse over reverse is used instead.

    Example:
        >>> import gradviz.numpy as np
        >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
        array([[ 6.,  0.],
               [ 0., 12.]])
    """
    return _forward_or_reverse(jacobian_forward(jacobian(fun, argnum), argnum),
                               jacobian(jacobian(fun, argnum), argnum))


def _forward_or_reverse(forward_over_reverse: Callable, reverse_over_reverse: Callable) -> Callable:
    """The first, or the second when a primitive turns out to have no tangent rule."""

    @wraps(forward_over_reverse)
    def second_order(*args, **kwargs):
        try:
            return forward_over_reverse(*args, **kwargs)
        except MissingRuleError as error:
            if error.kind != "JVP":
                raise
        return reverse_over_reverse(*args, **kwargs)

    return second_order


def hvp(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``(x, v) ↦ ∇²f(x)·v``, forward over reverse: one forward sweep through ``grad``.

    Example:
        >>> import gradviz.numpy as np
        >>> hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
        array([6., 0.])
    """

    def forward_over_reverse(*args):
        *primals, vector = args
        return make_jvp(grad(fun, argnum), argnum)(*primals)(vector)[1]

    def reverse_over_reverse(*args):
        *primals, vector = args
        return make_vjp(grad(fun, argnum), argnum)(*primals)[0](vector)

    return _forward_or_reverse(forward_over_reverse, reverse_over_reverse)


# --- the instrumented entry point -------------------------------------------------------------


def trace(
    fun: Callable,
    *args,
    names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    forward: bool = True,
    reverse: bool = True,
    max_sweeps: int = 32,
) -> Trace:
    """Run ``fun(*args)`` once and return its :class:`Trace` with both sweeps recorded.

    Every argument is an input. Forward mode does one sweep per scalar input component
    (the lecture's seeds ``ẇ1 = 1, ẇ2 = 0`` then ``ẇ1 = 0, ẇ2 = 1``); reverse mode one sweep
    per scalar output component. Above ``max_sweeps`` components, one sweep seeded with ones
    stands for them all.

    Example:
        >>> import gradviz.numpy as np
        >>> t = trace(lambda x1, x2: x1 * x2 + np.sin(x1), 2.0, 5.0)
        >>> len(t.forward_sweeps), len(t.reverse_sweeps)
        (2, 1)
        >>> round(float(t.tangent(4, sweep=0)), 4), float(t.tangent(4, sweep=1))
        (4.5839, 2.0)
    """
    tape, inputs, treedefs, output = _evaluate(fun, args, {}, range(len(args)))
    input_names = _input_names(fun, len(args), range(len(args)), treedefs)
    if names is not None:
        input_names = list(names)[: len(inputs)] + input_names[len(names) :]
    out_leaves, _ = flatten(output)
    outputs = [i for i in (_output_index(leaf, tape) for leaf in out_leaves) if i is not None]
    if output_names is None:
        base = "f" if _fun_name(fun) == "<lambda>" else _fun_name(fun)
        output_names = [base if len(outputs) == 1 else f"{base}[{k}]" for k in range(len(outputs))]
    result = _new_trace(fun, args, range(len(args)), tape, inputs, treedefs, outputs,
                        list(output_names), names=input_names)
    if forward:
        for label, seeds in _basis_seeds(tape, inputs, input_names, max_sweeps):
            result.run_forward(seeds, label=label)
    if reverse:
        for label, seeds in _basis_seeds(tape, outputs, output_names, max_sweeps):
            result.run_reverse(seeds, label=label)
    return result


def _basis_seeds(tape: Tape, indices: list[int], names: list[str], max_sweeps: int):
    """One one-hot seed per scalar component, or one all-ones seed when there are too many."""
    values = [tape.nodes[i].value for i in indices]
    total = sum(int(onp.size(unbox(v))) for v in values)
    if total > max_sweeps:
        yield "seed ones", {i: _ones_like(v) for i, v in zip(indices, values)}
        return
    for position, (index, value) in enumerate(zip(indices, values)):
        shape = shape_of(value)
        for flat in range(int(onp.prod(shape))):
            seeds = {i: _zeros_like(v) for i, v in zip(indices, values)}
            if shape == ():
                seeds[index] = _ones_like(value)
                label = f"seed {names[position]}"
            else:
                one_hot = _zeros_like(value)
                one_hot.flat[flat] = 1.0
                seeds[index] = one_hot
                label = f"seed {names[position]}[{', '.join(map(str, onp.unravel_index(flat, shape)))}]"
            yield label, seeds
