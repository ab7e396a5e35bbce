"""Every differential operator autograd has, under autograd's names and signatures.

``from gradviz.differential_operators import grad, hessian_vector_product`` works where
``autograd.differential_operators`` did. The core operators (``grad``, ``jacobian``,
``make_vjp`` …) live in :mod:`gradviz.differential`; the ones here are a few lines each on
top of them. Second-order products go reverse over reverse, as autograd's do, so they work
through primitives that have only an adjoint rule.

Example:
    >>> import gradviz.numpy as np
    >>> from gradviz.differential_operators import hessian_vector_product
    >>> hessian_vector_product(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 6., 12.])
"""

from __future__ import annotations

import inspect
import warnings
from functools import wraps
from typing import Callable, Sequence

import numpy as onp

from gradviz.checkpoint import checkpoint  # noqa: F401
from gradviz.differential import (  # noqa: F401  (autograd's names, re-exported)
    _fun_name,
    _selecting,
    _value_and_grad,
    _zeros_like,
    elementwise_grad,
    grad,
    hessian,
    jacobian,
    make_jvp,
    make_vjp,
    value_and_grad,
)
from gradviz.engine.tree import flatten, unflatten
from gradviz.errors import GradvizError
from gradviz.extend import primitive  # noqa: F401

__all__ = [
    "grad", "value_and_grad", "elementwise_grad", "deriv", "jacobian", "hessian", "make_vjp",
    "make_jvp", "holomorphic_grad", "grad_and_aux", "grad_named", "multigrad_dict",
    "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
    "vector_jacobian_product", "make_hvp", "make_ggnvp", "make_jvp_reversemode", "checkpoint",
    "primitive",
]

#: autograd's other name for :func:`~gradviz.differential.elementwise_grad`.
deriv = elementwise_grad


def holomorphic_grad(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """Returns ``f′(z)`` of a holomorphic ``f``: the adjoint of the seed ``1``.

    Example:
        >>> complex(holomorphic_grad(lambda z: z ** 2)(1.0 + 2.0j))
        (2+4j)
    """
    selected_fun, position, arguments = _selecting(fun, argnum)

    @wraps(fun)
    def holomorphic_grad_fun(*args, **kwargs):
        args = arguments(args)
        if not any(onp.iscomplexobj(leaf) for leaf in flatten(args[position])[0]):
            warnings.warn("the input of holomorphic_grad() is not complex", stacklevel=2)
        vjp_fn, ans = make_vjp(selected_fun, position)(*args, **kwargs)
        return vjp_fn(onp.ones_like(ans))

    return holomorphic_grad_fun


def grad_and_aux(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """For ``fun`` returning ``(value, aux)``: returns ``(∇value, aux)``, ``aux`` untouched.

    Example:
        >>> g, aux = grad_and_aux(lambda x: (x ** 2, "note"))(3.0)
        >>> float(g), aux
        (6.0, 'note')
    """
    value_and_grad_fun = _value_and_grad(fun, argnum, aux=True)

    @wraps(fun)
    def grad_and_aux_fun(*args, **kwargs):
        (_, aux), gradient = value_and_grad_fun(*args, **kwargs)
        return gradient, aux

    return grad_and_aux_fun


def _bound(fun: Callable, args: tuple, kwargs: dict) -> inspect.BoundArguments:
    try:
        bound = inspect.signature(fun).bind(*args, **kwargs)
    except TypeError as error:
        raise GradvizError(f"cannot call {_fun_name(fun)}() with these arguments: {error}") from None
    bound.apply_defaults()
    return bound


def grad_named(fun: Callable, argname: str) -> Callable:
    """Returns the gradient with respect to the argument named ``argname`` (passed by
    position or by keyword).

    Example:
        >>> float(grad_named(lambda x, y: x * y ** 2, "y")(2.0, y=3.0))
        12.0
    """
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise GradvizError(f"grad_named(): {_fun_name(fun)}() has no argument {argname!r}; "
                           f"its arguments are {', '.join(names)}")

    @wraps(fun)
    def grad_named_fun(*args, **kwargs):
        bound = _bound(fun, args, kwargs)
        return grad(fun, names.index(argname))(*bound.args, **bound.kwargs)

    return grad_named_fun


def multigrad_dict(fun: Callable) -> Callable:
    """Returns ``{argument name: gradient}`` for every argument of ``fun``, defaults included.

    Example:
        >>> g = multigrad_dict(lambda x, y=2.0: x * y)(3.0)
        >>> {name: float(value) for name, value in g.items()}
        {'x': 2.0, 'y': 3.0}
    """

    @wraps(fun)
    def multigrad_fun(*args, **kwargs):
        bound = _bound(fun, args, kwargs)
        arguments = dict(bound.arguments)

        def of_arguments(values):
            rebound = inspect.BoundArguments(bound.signature, values)
            return fun(*rebound.args, **rebound.kwargs)

        of_arguments.__name__ = _fun_name(fun)
        return grad(of_arguments)(arguments)

    return multigrad_fun


def _vector_dot(fun: Callable) -> Callable:
    """``(*args, v) ↦ ⟨fun(*args), v⟩``, summed over all of ``v``'s axes."""
    import gradviz.numpy as np

    def vector_dot(*args, **kwargs):
        *primals, vector = args
        return np.tensordot(fun(*primals, **kwargs), vector, np.ndim(vector))

    vector_dot.__name__ = f"dot({_fun_name(fun)})"
    return vector_dot


def hessian_tensor_product(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``(*args, v) ↦ ∇²f·v`` (``v`` shaped like the argument), reverse over reverse.

    Example:
        >>> import gradviz.numpy as np
        >>> hessian_tensor_product(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.array([0.0, 1.0]))
        array([ 0., 12.])
    """
    return grad(_vector_dot(grad(fun, argnum)), argnum)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun: Callable, argnum: int = 0) -> Callable:
    """Returns ``(*args, u) ↦ uᵀ·∂f`` (``u`` shaped like the output), by one reverse sweep.

    Example:
        >>> import gradviz.numpy as np
        >>> tensor_jacobian_product(lambda x: x ** 2)(np.array([1.0, 3.0]), np.array([1.0, 10.0]))
        array([ 2., 60.])
    """

    def product(*args, **kwargs):
        *primals, vector = args
        return make_vjp(fun, argnum)(*primals, **kwargs)[0](vector)

    return wraps(fun)(product)


vector_jacobian_product = tensor_jacobian_product


def make_hvp(fun: Callable, argnum: int = 0) -> Callable:
    """``make_hvp(f)(*args)`` returns ``(v ↦ ∇²f·v, ∇f)``: the gradient is computed once and
    every product reuses its recorded tape.

    Example:
        >>> import gradviz.numpy as np
        >>> hvp_fn, gradient = make_hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
        >>> hvp_fn(np.array([1.0, 0.0])), gradient
        (array([6., 0.]), array([ 3., 12.]))
    """
    return make_vjp(grad(fun, argnum), argnum)


def make_jvp_reversemode(fun: Callable, argnum: int = 0) -> Callable:
    """``make_jvp_reversemode(f)(*args)`` returns ``v ↦ ∂f·v`` computed by reverse sweeps only:
    the adjoint map ``u ↦ uᵀ·∂f`` is linear, and its own adjoint is ``v ↦ ∂f·v``.

    Example:
        >>> import gradviz.numpy as np
        >>> make_jvp_reversemode(lambda x: x ** 2)(np.array([1.0, 3.0]))(np.array([1.0, 1.0]))
        array([2., 6.])
    """

    def jvp_maker(*args, **kwargs):
        vjp_fn, ans = make_vjp(fun, argnum)(*args, **kwargs)
        zero = unflatten(flatten(ans)[1], [_zeros_like(leaf) for leaf in flatten(ans)[0]])
        return make_vjp(vjp_fn)(zero)[0]

    return jvp_maker


def _half_squared_norm(x):
    import gradviz.numpy as np

    return 0.5 * np.sum(x ** 2, axis=-1)


def make_ggnvp(f: Callable, g: Callable = _half_squared_norm, f_argnum: int = 0) -> Callable:
    """``make_ggnvp(f, g)(*args)`` returns ``v ↦ Jᵀ·∇²g·J·v``, the generalised Gauss-Newton
    product of ``g ∘ f`` (``J = ∂f``); ``g`` defaults to ``½‖y‖²`` over the last axis.

    Example:
        >>> import gradviz.numpy as np
        >>> ggnvp = make_ggnvp(lambda w: w * 2.0)(np.array([1.0, 3.0]))
        >>> ggnvp(np.array([1.0, 0.0]))
        array([4., 0.])
    """

    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = make_vjp(f, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        f_jvp = make_jvp_reversemode(f, f_argnum)(*args, **kwargs)
        return lambda v: f_vjp(g_hvp(f_jvp(v)))

    return ggnvp_maker
