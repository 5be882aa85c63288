"""The build cache: what the last ``build`` or ``pdf`` computed, kept in build/cache/ between runs.

The next run re-reads only the files whose size, time stamp or inode changed,
re-parses only the texts that changed, re-formats only the changed references
and re-renders only the pages an edit touches (``builder/incremental.py``).
The cache is thrown away, and everything built afresh, when anything else that
shapes the output may differ: the builder's own code and templates, the
versions of the libraries it uses, Python, the settings file, or the generated
pages in build/docs (written by another command, edited or deleted by hand).
A cache that cannot be read is ignored with a note, never trusted.

The cache is a pickle: only this machine's own builds write it (build/ is git-ignored and never shared
between CI runs); do not copy a build/cache/ folder from elsewhere.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .files import replacing
from .incremental import BuildState
from .pipeline import Paths

CACHE_FILE = "state.pickle"
MAGIC = b"briefing-book build cache "
LIBRARIES = ("jinja2", "markdown-it-py", "pybtex", "PyYAML", "Markdown", "pymdown-extensions", "latexcodec", "nh3")


@dataclass
class Stored:
    """What the cache file holds after its first line (the magic words and the ``fingerprint``)."""

    pages: dict
    """Each generated page's (time stamp, size) in build/docs as this build left it."""
    state: BuildState
    """The caches and the last book and pages."""


def cache_path(paths: Paths) -> Path:
    return paths.cache / CACHE_FILE


def fingerprint(paths: Paths) -> str:
    """Digest of the builder's code and templates, library and Python versions, and the settings file."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    digest.update(sys.version.encode() + b"\0")
    digest.update(str(paths.root).encode() + b"\0")
    try:
        digest.update(paths.config.read_bytes())
    except OSError:
        pass
    return digest.hexdigest()


def _page_stats(docs: Path, pages) -> dict[str, tuple[int, int]] | None:
    stats = {}
    for rel in pages:
        try:
            stat = (docs / rel).stat()
        except OSError:
            return None
        stats[rel] = (stat.st_mtime_ns, stat.st_size)
    return stats


def load_state(paths: Paths) -> tuple[BuildState, str]:
    """The cached state (or a fresh one) and a line saying which, for the build's log."""
    path = cache_path(paths)
    if not path.is_file():
        return BuildState(), "no build cache yet: building everything"
    try:
        with path.open("rb") as stream:
            header = stream.readline()
            if not header.startswith(MAGIC):
                raise ValueError("not a build cache")
            if header[len(MAGIC):].strip().decode("ascii") != fingerprint(paths):
                return BuildState(), "the builder, its libraries or the settings changed: building everything"
            # millions of objects come back at once: without the collector looking at them each time (and again
            # in every later collection) loading takes about half as long; read as a stream, so that the file's
            # bytes are never all in memory beside the objects
            gc.disable()
            try:
                stored = pickle.load(stream)
            finally:
                gc.freeze()
                gc.enable()
        if not isinstance(stored, Stored) or not isinstance(stored.state, BuildState):
            raise ValueError("not a build cache")
    except Exception as exc:  # any unreadable cache is ignored, whatever the reason
        return BuildState(), f"note: ignoring the unreadable build cache {path} ({exc}); building everything"
    state = stored.state
    if state.rendered is not None and _page_stats(paths.docs, state.rendered.chapters) != stored.pages:
        # the generated pages are not as the last build left them: render them all again (the parsed notes,
        # citations and references are still reused)
        state.book, state.rendered = None, None
        return state, "build/docs changed since the last build: rendering every page"
    return state, f"using the build cache {path}"


def save_state(paths: Paths, state: BuildState) -> None:
    """Write the cache atomically; a cache that cannot be written only costs the next build time."""
    path = cache_path(paths)
    if state.rendered is None:
        return
    pages = _page_stats(paths.docs, state.rendered.chapters)
    if pages is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        gc.disable()
        with replacing(path) as tmp, tmp.open("wb") as stream:
            stream.write(MAGIC + fingerprint(paths).encode("ascii") + b"\n")
            pickle.dump(Stored(pages, state), stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        print(f"note: could not write the build cache {path} ({exc})", file=sys.stderr)
    finally:
        gc.enable()


class Saving:
    """A cache being written by a child process while the build goes on (the site engine, the PDFs)."""

    def __init__(self, pid: int | None):
        self.pid = pid

    def wait(self) -> None:
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None


def save_in_background(paths: Paths, state: BuildState) -> Saving:
    """``save_state`` in a forked copy of this process (where there is fork); call ``wait()`` before exiting."""
    if not hasattr(os, "fork"):
        save_state(paths, state)
        return Saving(None)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: write the cache, then leave without running the parent's clean-up
        code = 0
        try:
            save_state(paths, state)
        except BaseException:
            code = 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    return Saving(pid)
