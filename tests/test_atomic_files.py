"""Every file gradviz writes is whole or absent: symlinks written through, special files
refused, temporaries of a killed writer removed."""

import os
import subprocess
import sys

import pytest

import gradviz
import gradviz.cli
from gradviz._files import read_regular, write_atomic
from gradviz.errors import TraceFileError


def test_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.svg"
    target.write_bytes(b"old")
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_fifo_is_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(fifo, b"data")
    assert fifo.is_fifo()


def test_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "out.svg"
    link.symlink_to("/dev/null")
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(link, b"data")
    assert os.path.realpath(link) == "/dev/null" and not os.path.isfile("/dev/null")


def test_trace_saved_onto_a_fifo_is_one_line_error(tmp_path, capsys):
    fifo = tmp_path / "t.json"
    os.mkfifo(fifo)
    code = gradviz.cli.main(["trace", "x*y", "--at", "x=1,y=2", "-o", str(fifo)])
    err = capsys.readouterr().err
    assert code == 2 and "not a regular file" in err and len(err.splitlines()) == 1
    assert fifo.is_fifo()


def test_reading_a_fifo_does_not_block(tmp_path):
    fifo = tmp_path / "t.json"
    os.mkfifo(fifo)
    with pytest.raises(TraceFileError, match="not a regular file"):
        gradviz.Trace.load(fifo)
    with pytest.raises(TraceFileError, match="not UTF-8"):
        (tmp_path / "b.json").write_bytes(b"\xff\xfe")
        read_regular(tmp_path / "b.json", what="trace file", error=TraceFileError)


def test_stale_temporary_of_a_killed_writer_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".gradviz-{dead}-abc.tmp"
    stale.write_bytes(b"half")
    live = tmp_path / f".gradviz-{os.getpid()}-def.tmp"  # a write in progress: kept
    live.write_bytes(b"writing")
    write_atomic(tmp_path / "out.svg", b"whole")
    assert not stale.exists() and live.exists() and (tmp_path / "out.svg").read_bytes() == b"whole"


def test_reading_a_small_file_allocates_little(tmp_path):
    import tracemalloc

    from gradviz._files import read_regular

    path = tmp_path / "small.json"
    path.write_text("{}")
    tracemalloc.start()
    assert read_regular(path, what="trace file", error=ValueError) == "{}"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10_000_000  # reading asked for the whole limit (2 GB) at once
