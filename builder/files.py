"""Writing a file so that nobody ever reads half of it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def replacing(target: Path):
    """A temporary path beside ``target`` to write to; it replaces ``target`` when the block ends without an
    error, and is removed whatever happens."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename in (str(tmp), tmp):  # the user knows the file by its name
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
        raise
