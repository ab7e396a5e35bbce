"""``gradviz trace FILE`` on a long trace prints bounded tables (the first and last rows, and
how to see the rest), and ``--rows all`` streams every row: issue 15, item 11."""

from __future__ import annotations

import re

import pytest

import gradviz
import gradviz.numpy as np
from gradviz.cli import main
from gradviz.export.tables import forward_rows, reverse_rows, shown_rows


def _chain(count):
    def f(x):
        for _ in range(count):
            x = np.sin(x)
        return x

    return f


@pytest.fixture(scope="module")
def long_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("traces") / "chain.json"
    gradviz.trace(_chain(1199), 0.5).save(path)
    return str(path)


def _names(text: str) -> set[str]:
    return set(re.findall(r"\bw(\d+) = sin", text))


def test_a_long_trace_prints_its_first_and_last_rows_and_says_how_to_see_more(long_file, capsys):
    assert main(["trace", long_file]) == 0
    out, err = capsys.readouterr()
    assert out.count("rows not shown") == 2 and "⋮ 1,100 rows not shown" in out
    assert "--rows all" in err
    shown = _names(out)
    assert {"2", "51", "1151", "1200"} <= shown and not shown & {"52", "600", "1150"}


def test_rows_chooses_how_many(long_file, capsys):
    assert main(["trace", long_file, "--rows", "6"]) == 0
    out, _ = capsys.readouterr()
    assert "⋮ 1,194 rows not shown" in out and not _names(out) & {"5", "600", "1196"}


def test_rows_all_streams_every_row_as_one_table(long_file, capsys):
    assert main(["trace", long_file, "--rows", "all"]) == 0
    out, err = capsys.readouterr()
    assert "not shown" not in out and "not shown" not in err
    assert _names(out) == {str(k) for k in range(2, 1201)}
    assert out.count("Operations to compute value") == 2  # one header per table, not per part
    assert out.count("Forward sweep 1 of 1") == 1


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_rows_refuses_anything_but_a_positive_number_or_all(bad, capsys):
    assert main(["trace", "x*y", "--at", "x=1,y=2", "--rows", bad]) == 2
    err = capsys.readouterr().err
    assert "expected a number of rows or 'all'" in err and len(err.strip().splitlines()) == 1


def test_rows_of_some_positions_are_those_rows_of_the_whole_table():
    t = gradviz.trace(lambda x, y: np.sin(x * y) + x, 2.0, 5.0)
    for make in (forward_rows, reverse_rows):
        whole = make(t, 0)
        positions, left_out = shown_rows(len(whole), 3)
        assert left_out == len(whole) - 3
        assert make(t, 0, positions) == [whole[p] for p in positions]
