"""Work on another core gives what the same work gives in this process."""

from __future__ import annotations

import os
import time

import pytest

from builder import parallel
from builder.bibliography import format_entries_by_key


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


def test_fork_map_computes_here_what_a_failed_child_took(two_cores):
    parent = os.getpid()

    def triple_here_only(n):
        if os.getpid() != parent:
            os._exit(3)  # the child dies in the middle of a chunk
        time.sleep(0.0002)  # slow enough for the child to take chunks before this process has taken them all
        return n * 3

    items = list(range(1000))
    assert parallel.fork_map(triple_here_only, items) == [n * 3 for n in items]


def test_a_bibliography_parsed_in_another_process_loads_as_one_parsed_here(two_cores, monkeypatch, tmp_path):
    import shutil

    from builder import load as loading
    from conftest import SITES

    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    (root / "bibliography" / "more.bib").write_text(
        "@online{second-key, title = {A title}, date = {2024}}\n"
        "@online{anbound-nd, title = {Again}}\n"   # a key the other file has
        "@online{broken, title = {No end}\n", encoding="utf-8")
    children = []
    real = loading.steps_in_background
    monkeypatch.setattr(loading, "steps_in_background", lambda *args: children.append(1) or real(*args))
    monkeypatch.setattr(loading, "BIB_BYTES_WORTH_A_PROCESS", 0)
    elsewhere, formatting = loading.load_starting(root, after_bib=format_entries_by_key)
    monkeypatch.setattr(loading, "BIB_BYTES_WORTH_A_PROCESS", 10**9)
    here, nothing_started = loading.load_starting(root, after_bib=format_entries_by_key)
    assert children == [1]  # the first load parsed in a child, the second here
    assert nothing_started is None
    # the references formatted in the child, right after its parse, are those of the book's entries
    assert formatting.result() == format_entries_by_key(here.bib)
    assert elsewhere.diagnostics == here.diagnostics
    assert {"bib.syntax", "bib.duplicate-key"} <= {d.code for d in here.diagnostics}
    assert {k: (e.loc, dict(e.entry.fields)) for k, e in elsewhere.bib.items()} == \
        {k: (e.loc, dict(e.entry.fields)) for k, e in here.bib.items()}
    assert "second-key" in here.bib


def counting_to(limit, parent_pid=None):
    for number in range(limit):
        if number == 1 and parent_pid is not None and os.getpid() != parent_pid:
            os._exit(3)  # the child dies after its first value
        yield number, os.getpid()


def test_steps_come_one_by_one_from_a_child(two_cores):
    steps = parallel.steps_in_background(counting_to, 3)
    values = [steps.next(), steps.next(), steps.result()]
    assert [number for number, _ in values] == [0, 1, 2]
    assert {pid for _, pid in values} == {steps.pid} != {os.getpid()}
    with pytest.raises(ChildProcessError):
        os.waitpid(steps.pid, 0)  # reaped once the last value was taken


def test_steps_a_child_did_not_give_are_computed_here(two_cores):
    steps = parallel.steps_in_background(counting_to, 3, os.getpid())
    first, second, third = steps.next(), steps.next(), steps.result()
    assert first == (0, steps.pid)
    assert second == (1, os.getpid()) and third == (2, os.getpid())


def test_steps_without_a_second_core_run_here(monkeypatch):
    monkeypatch.setenv("BRIEFING_BOOK_JOBS", "1")
    steps = parallel.steps_in_background(counting_to, 2)
    assert steps.pid is None
    assert [steps.next(), steps.result()] == [(0, os.getpid()), (1, os.getpid())]


def sleeps(seconds):
    time.sleep(seconds)
    return seconds


def value_then_sleep(seconds):
    yield "first"
    time.sleep(seconds)
    yield "second"


def test_cancel_stops_the_child_without_waiting_for_its_work(two_cores):
    started = time.monotonic()
    pending = parallel.in_background(sleeps, 60)
    steps = parallel.steps_in_background(value_then_sleep, 60)
    assert steps.next() == "first"
    pids = [pending.pid, steps.pid]
    pending.cancel()
    steps.cancel()
    assert time.monotonic() - started < 30
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)  # reaped


def test_an_error_here_stops_the_children_of_fork_map(two_cores):
    parent = os.getpid()

    def fails_here(n):
        if os.getpid() == parent:
            raise ValueError("broken page")
        time.sleep(0.001)
        return n

    with pytest.raises(ValueError, match="broken page"):
        parallel.fork_map(fails_here, list(range(1000)))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, not even one to reap
