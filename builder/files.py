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
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename in (str(tmp), tmp):  # the user knows the file by its own name, not the temporary one's
            raise type(exc)(exc.errno, exc.strerror, str(target)) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
