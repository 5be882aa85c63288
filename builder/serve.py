"""``serve``: regenerate the Markdown when content/ or bibliography/ change; mkdocs reloads the browser."""

from __future__ import annotations

import sys
import threading
import time

from .cli import print_diagnostics
from .diagnostics import BuildFailed
from .incremental import BuildState, generate_incremental
from .pipeline import Paths, quiet_mkdocs

POLL_SECONDS = 0.5


def snapshot(paths: Paths) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every input file, to notice edits."""
    state = {}
    for folder in (paths.root / "content", paths.root / "bibliography"):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    stat = path.stat()
                    state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def serve(paths: Paths, dev_addr: str, strict: bool) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve

    quiet_mkdocs(False)
    nav: list = []  # mkdocs re-reads its config on each rebuild; this list is updated in place
    state = BuildState()

    def regenerate() -> None:
        try:
            _, rendered, _ = generate_incremental(paths, state, strict)
        except BuildFailed as failed:
            print_diagnostics(failed.diagnostics, "text")
            print("the book has errors: the site shows the last good build", file=sys.stderr)
            return
        nav[:] = rendered.nav

    regenerate()
    if not nav:
        return 1
    stop = threading.Event()

    def watch() -> None:
        seen = snapshot(paths)
        while not stop.wait(POLL_SECONDS):
            now = snapshot(paths)
            if now != seen:
                seen = now
                started = time.perf_counter()
                regenerate()
                print(f"regenerated in {time.perf_counter() - started:.2f} s", file=sys.stderr)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        mkdocs_serve(config_file=str(paths.config), livereload=True, build_type="dirty", dev_addr=dev_addr,
                     docs_dir=str(paths.docs), nav=nav)
    finally:
        stop.set()
    return 0
