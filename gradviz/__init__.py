"""gradviz: see automatic differentiation happen.

``import gradviz.numpy as np`` and ``from gradviz import grad`` run numpy code under
forward- and reverse-mode AD while recording its evaluation trace; the trace exports to
networkx, renders with Graphviz, steps in a terminal inspector and is checked by the
gradient debugger.

Nothing is imported until a name is used, so that ``gradviz --help`` does not pay for
numpy: the first use of any public name imports the whole API at once (:func:`_load`).
"""

__version__ = "0.1.0"


def _load() -> None:
    """Import the public API into this module (and register the rules and box operators)."""
    from gradviz.differential import (
        GradvizWarning,
        Recording,
        elementwise_grad,
        grad,
        hessian,
        hvp,
        jacobian,
        jacobian_forward,
        jvp,
        make_jvp,
        make_vjp,
        record,
        trace,
        value_and_grad,
        vjp,
    )
    from gradviz.differential_operators import (
        deriv,
        grad_and_aux,
        grad_named,
        hessian_tensor_product,
        hessian_vector_product,
        holomorphic_grad,
        make_ggnvp,
        make_hvp,
        make_jvp_reversemode,
        multigrad_dict,
        tensor_jacobian_product,
        vector_jacobian_product,
    )
    from gradviz.engine.trace import Trace
    from gradviz.extend import primitive
    from gradviz.builtins import dict, isinstance, list, tuple, type  # noqa: A004  (autograd's)
    from gradviz.errors import GradvizError
    import gradviz.numpy  # noqa: F401  (registers the rules and box operators)
    from gradviz.checkpoint import checkpoint
    from gradviz.inspector import inspect  # textual and rich load on use

    globals().update((name, value) for name, value in locals().items() if name in __all__)


def __getattr__(name: str):
    # The renderer (graphviz, networkx) and the debugger load on first use: a training
    # script that only differentiates, and the command line, start sooner.
    if name in ("render", "to_dot"):
        import gradviz.drawing

        return getattr(gradviz.drawing, name)
    if name in ("check_grads", "debug_nans", "first_nonfinite", "nan_birth", "debug"):
        import gradviz.debug

        return gradviz.debug if name == "debug" else getattr(gradviz.debug, name)
    if name in __all__:
        _load()
        return globals()[name]
    raise AttributeError(f"module 'gradviz' has no attribute {name!r}")

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
    "deriv",
    "holomorphic_grad",
    "grad_and_aux",
    "grad_named",
    "multigrad_dict",
    "hessian_tensor_product",
    "hessian_vector_product",
    "tensor_jacobian_product",
    "vector_jacobian_product",
    "make_hvp",
    "make_ggnvp",
    "make_jvp_reversemode",
    "primitive",
    "tuple",
    "list",
    "dict",
    "isinstance",
    "type",
    "trace",
    "record",
    "Recording",
    "Trace",
    "GradvizError",
    "GradvizWarning",
    "check_grads",
    "checkpoint",
    "debug_nans",
    "nan_birth",
    "first_nonfinite",
    "inspect",
    "to_dot",
    "render",
]
