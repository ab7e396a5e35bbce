"""One number or array as JSON, inline: ``{"dtype", "shape", "data"}``, NaN and ±Inf as
strings; what the graph's JSON holds and what version-1 trace files held.

Example:
    >>> import numpy
    >>> encode_value(numpy.array([1.0, numpy.inf]))
    {'dtype': 'float64', 'shape': [2], 'data': [1.0, 'inf']}
    >>> decode_value(encode_value(numpy.array([1.0, numpy.inf])))
    array([ 1., inf])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as onp

from gradviz.engine.tracer import unbox

__all__ = ["encode_value", "decode_value"]

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _encode_number(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def encode_value(value: Any) -> Any:
    """A JSON-ready form of a number or array (``None`` stays ``None``), inline:
    ``{"dtype", "shape", "data"}`` with NaN and ±Inf as strings (used by the graph's JSON)."""
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
    """Inverse of :func:`encode_value` (for data already checked by the schema)."""
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
