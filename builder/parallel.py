"""Map a pure function over many items on every core, results in input order.

Workers are forked, so they inherit the inputs instead of receiving them
pickled; only results travel back. ``in_background`` runs one call on another
core while this process goes on, ``steps_in_background`` a generator whose
values come back one by one as it yields them. Small inputs, a single core, a process
with other threads running (``serve``), or ``BRIEFING_BOOK_JOBS=1`` run in
this process: the output is the same either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 300
CHUNKS_PER_WORKER = 8

# Forking and the collector: before a fork every object is moved out of the collector's reach (gc.freeze).
# Otherwise a collection in a worker touches every inherited object, the kernel copies each page it touches,
# and the workers spend more time on page copies than on work (measured: 2.2 s instead of 1.3 s to render
# 2,000 notes' pages on two workers).


def workers() -> int:
    wanted = os.environ.get("BRIEFING_BOOK_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _take_chunks(function: Callable, items: Sequence, bounds: list[tuple[int, int]], next_chunk) -> dict[int, list]:
    """Results of the chunks this process takes, one at a time, until none is left."""
    done = {}
    while True:
        with next_chunk.get_lock():
            number = next_chunk.value
            next_chunk.value += 1
        if number >= len(bounds):
            return done
        start, end = bounds[number]
        done[number] = [function(item) for item in items[start:end]]


def fork_map(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    count = workers()
    if (count < 2 or len(items) < MIN_ITEMS or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [function(item) for item in items]
    # several chunks per process, handed out as processes free up: items differ in cost (an index page, a
    # note). This process takes chunks too, beside count - 1 children: its own results need no pickling.
    size = max(1, -(-len(items) // (count * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    next_chunk = multiprocessing.get_context("fork").Value("i", 0)
    children = [in_background(_take_chunks, function, items, bounds, next_chunk) for _ in range(count - 1)]
    try:
        done = _take_chunks(function, items, bounds, next_chunk)
    except BaseException:  # an error here (or Ctrl-C): the children's work is not wanted
        for child in children:
            child.cancel()
        raise
    for child in children:
        done.update(child.result())  # a child that failed gives {} here: its chunks are computed below
    for number, (start, end) in enumerate(bounds):
        if number not in done:
            done[number] = [function(item) for item in items[start:end]]
    return [result for number in range(len(bounds)) for result in done[number]]


def _fork(write: Callable[[object], None]) -> tuple[int, int] | None:
    """Fork a child that calls ``write(stream)`` and exits; (pid, read end of its pipe), or None without fork."""
    if workers() < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    reader, writer = os.pipe()
    gc.freeze()  # see "Forking and the collector"; here it also spares this process the copies
    try:
        pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid == 0:
        code = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as stream:
                write(stream)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


class Steps:
    """The values a generator yields in a forked child, taken one by one: ``next()``, and ``result()`` for the
    last one. Without a child, or when it fails, the generator runs here (the values already taken skipped)."""

    def __init__(self, function: Callable, args: tuple, pid: int | None = None, reader: int | None = None):
        self.function, self.args, self.pid = function, args, pid
        self.stream = os.fdopen(reader, "rb") if reader is not None else None
        self.taken = 0
        self.here = None

    def next(self):
        if self.stream is not None:
            try:
                value = pickle.load(self.stream)
                self.taken += 1
                return value
            except Exception:  # the child failed: what it did not give is computed here
                self._reap()
        if self.here is None:
            self.here = self.function(*self.args)
            for _ in range(self.taken):
                next(self.here)
        self.taken += 1
        return next(self.here)

    def result(self):
        """The next value, the last one wanted: the child is then done."""
        value = self.next()
        self._reap()
        return value

    def cancel(self) -> None:
        """Stop the child at once: its values are not wanted."""
        if self.stream is not None:
            os.kill(self.pid, signal.SIGKILL)  # it holds nothing but its end of the pipe
        self._reap()

    def _reap(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
            os.waitpid(self.pid, 0)
            gc.unfreeze()


def steps_in_background(function: Callable, *args) -> Steps:
    """Start the generator ``function(*args)`` in a forked child (when there is a second core and fork); each
    value it yields is sent as it comes, pickled whole first: a child that fails half-way sends no half value."""

    def write(stream) -> None:
        for value in function(*args):
            stream.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            stream.flush()

    forked = _fork(write)
    return Steps(function, args) if forked is None else Steps(function, args, *forked)


def _one_value(function: Callable, args: tuple):
    yield function(*args)


def in_background(function: Callable[..., Result], *args) -> Steps:
    """Start ``function(*args)`` in a forked child; ``result()`` waits for it (see ``Steps``)."""
    return steps_in_background(_one_value, function, args)
