"""Tools autograd keeps in ``autograd.misc``: flattening, optimizers, fixed points, const graphs.

``from gradviz.misc import flatten`` and ``from gradviz.misc.optimizers import adam`` work
where the autograd imports did, with the same numbers.
"""

from gradviz.misc.flatten import flatten, flatten_func
from gradviz.misc.tracers import const_graph

__all__ = ["flatten", "flatten_func", "const_graph"]
