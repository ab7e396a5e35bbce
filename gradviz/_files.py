"""Writing a file atomically, for every file gradviz writes (pictures, saved traces).

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
import os
import tempfile

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    ``os.replace`` makes the switch atomic: a reader sees the old file or the new one, and a
    failure leaves no partial file and an existing file untouched. The file gets the mode a
    plain ``open(path, "w")`` would give it. Failures raise :class:`OSError`.
    """
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".gradviz-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _file_mode(target: str) -> int:
    """The mode a plain ``open(target, "w")`` would give: mkstemp's is owner-only."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
