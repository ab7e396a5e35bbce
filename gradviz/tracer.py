"""autograd's ``tracer`` module, for programs that import it: ``trace`` and ``Node`` build a
graph of the user's own nodes as a function runs (see :mod:`gradviz.misc.tracers`), with
``primitive``, ``notrace_primitive``, ``register_notrace``, ``Box``, ``isbox`` and ``getval``.

gradviz's own record of a run is :func:`gradviz.trace`, which keeps more (source lines, the
sweeps) and draws it; this module is for code written against autograd's tracer.

Example:
    >>> import gradviz.numpy as np
    >>> isbox(np.sin(1.0)), getval(2.0)
    (False, 2.0)
"""

from __future__ import annotations

from typing import Any

from gradviz.engine.tracer import Box, unbox as getval
from gradviz.extend import notrace_primitive, primitive
from gradviz.misc.tracers import Node, register_notrace, trace

__all__ = ["trace", "Node", "primitive", "notrace_primitive", "register_notrace", "Box", "isbox",
           "getval"]


def isbox(value: Any) -> bool:
    """Whether ``value`` is being traced."""
    return isinstance(value, Box)
