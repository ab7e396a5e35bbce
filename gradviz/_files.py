"""Writing and reading the files gradviz makes (pictures, saved traces), safely.

A write goes to a temporary file in the same directory, is flushed to disk and renamed over
the target, so a reader sees the old file or the new one and never half of one. A symlink
is written through to its target (as editors do); a FIFO, a device or a folder is refused,
never replaced. Temporaries left by a writer that was killed are removed by the next write.

Example:
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "out.txt")
    ...     write_atomic(path, b"hello")
    ...     open(path, "rb").read()
    b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile

__all__ = ["write_atomic", "read_regular", "MAX_READ_BYTES"]

#: The largest file :func:`read_regular` reads.
MAX_READ_BYTES = 2 * 1024**3
_PREFIX = ".gradviz-"


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    ``os.replace`` makes the switch atomic: a reader sees the old file or the new one, and a
    failure leaves no partial file and an existing file untouched. The file gets the mode a
    plain ``open(path, "w")`` would give it. Failures raise :class:`OSError`, also when
    ``path`` is not a regular file.
    """
    target = os.path.realpath(os.fspath(path))  # a symlink: its target is written
    _refuse_special(target)
    directory = os.path.dirname(target)
    _remove_stale(directory)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f"{_PREFIX}{os.getpid()}-",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _refuse_special(target: str) -> None:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a FIFO or a device)"
        raise OSError(errno.EEXIST, f"it is {kind}; give the name of a file", target)


def _remove_stale(directory: str) -> None:
    """Remove ``.gradviz-PID-*.tmp`` files whose writer (process PID) no longer runs."""
    for name in glob.glob(os.path.join(glob.escape(directory), f"{_PREFIX}*-*.tmp")):
        pid = os.path.basename(name)[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(name).st_mode):
                    os.unlink(name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or not a process number: leave it be
    return True


def _file_mode(target: str) -> int:
    """The mode a plain ``open(target, "w")`` would give: mkstemp's is owner-only."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def read_regular(path: str | os.PathLike, *, what: str, error: type[Exception]) -> str:
    """The text of ``path``, a regular UTF-8 file of at most :data:`MAX_READ_BYTES`; anything
    else (missing, a FIFO that would block, a device, a folder) raises ``error`` in one line."""
    shown = os.fspath(path)
    try:
        info = os.stat(shown)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{shown} is not a regular file: give the path of a {what}")
        if info.st_size > MAX_READ_BYTES:
            raise error(f"{shown} is {info.st_size:,} bytes; a {what} is at most {MAX_READ_BYTES:,}")
        with open(shown, "rb") as file:  # (asking for MAX_READ_BYTES at once would allocate it)
            data = file.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: read on, to the limit
                data += file.read(MAX_READ_BYTES + 1 - len(data))
        if len(data) > MAX_READ_BYTES:
            raise error(f"{shown} is over {MAX_READ_BYTES:,} bytes; a {what} is at most that")
        return data.decode("utf-8")
    except FileNotFoundError:
        raise error(f"no {what} at {shown}: check the path") from None
    except UnicodeDecodeError:
        raise error(f"{shown} is not UTF-8 text: is it a {what}?") from None
    except OSError as exc:
        raise error(f"cannot read {shown}: {exc.strerror or exc}") from None
