"""Plain mode on a long trace prints its first steps and says so, then walks the rest without
printing, its breakpoints still checked (issue 15, item 11: it must not print for minutes)."""

from __future__ import annotations

import io

from rich.console import Console

import gradviz
import gradviz.numpy as np
from gradviz.inspector import make_state
from gradviz.inspector.breakpoints import NonFinite
from gradviz.inspector.plain import print_steps


def _chain(x):
    for _ in range(30):
        x = np.sin(x)
    return x


def _chain_to_zero(x):
    return np.log(_chain(x) - _chain(x))  # log 0 = -inf, born at the very end


def _printed(trace, limit, breakpoints=()):
    out = io.StringIO()
    state = make_state(trace, breakpoints=breakpoints)
    code = print_steps(state, Console(file=out, width=300, color_system=None), limit=limit)
    return code, out.getvalue()


def test_a_long_trace_prints_its_first_steps_and_says_how_many_were_left():
    trace = gradviz.trace(_chain, 0.5)
    code, text = _printed(trace, limit=10)
    total = 2 * len(trace)  # a forward and a reverse sweep, a step per node each
    assert code == 0
    assert f"the first 10 of {total} steps printed" in text
    assert "w12 = sin w11" not in text.split("steps printed")[1]  # nothing after the note
    _, whole = _printed(trace, limit=10_000)
    assert "steps printed" not in whole and len(whole) > 5 * len(text)


def test_a_breakpoint_after_the_printed_steps_still_stops_the_run_and_is_shown():
    with np.errstate(all="ignore"):
        trace = gradviz.trace(_chain_to_zero, 0.5)
        code, text = _printed(trace, limit=5, breakpoints=[NonFinite()])
    assert code == 1
    after = text.split("steps printed")[1]
    assert "log" in after and "stopped" in after
