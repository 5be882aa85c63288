"""Work on another core gives what the same work gives in this process."""

from __future__ import annotations

import os

import pytest

from builder import parallel


def squares(numbers):
    return [n * n for n in numbers]


def pid_and(value):
    return os.getpid(), value


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setenv("BRIEFING_BOOK_JOBS", "2")


def test_in_background_runs_in_another_process_and_returns_the_result(two_cores):
    pending = parallel.in_background(pid_and, {"a": [1, 2]})
    pid, value = pending.result()
    assert value == {"a": [1, 2]}
    assert pid != os.getpid()


def test_a_failing_child_is_replaced_by_the_same_call_here(two_cores):

    def fails_outside_the_parent(parent_pid):
        if os.getpid() != parent_pid:
            raise RuntimeError("child failure")
        return "computed here"

    assert parallel.in_background(fails_outside_the_parent, os.getpid()).result() == "computed here"


def test_cancel_reaps_the_child(two_cores):
    pending = parallel.in_background(squares, range(100_000))
    pid = pending.pid
    pending.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)


def test_one_core_computes_in_this_process(monkeypatch):
    monkeypatch.setenv("BRIEFING_BOOK_JOBS", "1")
    pending = parallel.in_background(pid_and, 3)
    assert pending.pid is None
    assert pending.result() == (os.getpid(), 3)


def test_fork_map_keeps_the_order(two_cores):
    items = list(range(1000))
    assert parallel.fork_map(lambda n: n * 3, items) == [n * 3 for n in items]
