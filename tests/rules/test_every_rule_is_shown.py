"""Every rule of the numpy table can be shown: its trace renders to DOT, prints the lecture's
tables, steps through the inspector's plain mode, saves to JSON and loads back. (The notation meets every kind of argument here:
axes, shapes, slices, masks, keyword options.)"""

import io

import numpy
import pytest
from rich.console import Console

import gradviz
from gradviz.export.tables import trace_tables

import test_linalg_rules as linalg_cases
from test_numpy_rules import CASES, TABLE, calls_of, draw_arguments


@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{name}-{k}" for name, k in CASES])
def test_rule_trace_renders_prints_and_round_trips(name, k, tmp_path):
    call = calls_of(name)[k]
    args = draw_arguments(TABLE[name], call, seed=k)
    _show_everything(call.fun, args, tmp_path)


@pytest.mark.filterwarnings("ignore::gradviz.GradvizWarning")
@pytest.mark.parametrize("case", sorted(linalg_cases.CASES))
def test_linalg_trace_renders_prints_and_round_trips(case, tmp_path):
    fun, makers = linalg_cases.CASES[case]
    _show_everything(fun, linalg_cases._inputs(makers, 1), tmp_path)


def _show_everything(fun, args, tmp_path):
    with numpy.errstate(all="ignore"):
        trace = gradviz.trace(fun, *args, max_sweeps=2)
    assert len(trace) > len(args)
    source = gradviz.to_dot(trace).source
    assert "digraph" in source and "w1" in source
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(trace_tables(trace))
    assert "Operations to compute value" in console.file.getvalue()
    from gradviz.inspector import make_state
    from gradviz.inspector.plain import print_run

    print_run(make_state(trace), console)  # every step of every sweep, as the inspector shows it
    trace.save(tmp_path / "trace.json")
    loaded = gradviz.Trace.load(tmp_path / "trace.json")
    assert [node.op for node in loaded] == [node.op for node in trace]
