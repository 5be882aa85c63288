"""Speed and memory of the builder at 500, 2,000 and 5,000 notes, against the mkdocs floor.

    .venv/bin/python benchmarks/build_bench.py [--sizes 500 2000 5000] [--runs 3] [--jobs N] [--stages …]

For each size, a synthetic book (``python -m builder.bench generate``) is
measured in child processes, each timed from outside (wall clock) and measured
with ``os.wait4`` (CPU seconds; peak resident memory of the largest process):

* ``check``: load and link only (``python -m builder check``);
* ``builder``: the builder stage alone, notes → Markdown (check, render, write);
* ``floor``: mkdocs-material building that generated Markdown, builder skipped;
* ``full``: the whole ``python -m builder build --no-pdf`` (the site; PDFs have their own benchmark);
* ``edit``: with the builder's incremental state warm (as in ``serve``), one
  claim is edited and the builder stage re-run; the figure is that re-run;
* ``cached``: a new process after a one-claim edit, as ``build`` runs it with
  its cache in build/cache/: imports, reading the cache, the builder stage
  (measured inside the process; the cache is then written in the background
  while the site engine runs, and that is not counted).

It prints the median of ``--runs`` runs for each figure, notes per second of
the builder stage, the ratio full / floor, and the per-note time of the builder
stage at the largest size over the smallest (1.0 = linear).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "mkdocs.yml"
PY = sys.executable

BUILDER_STAGE = """
import sys
from pathlib import Path
from builder.pipeline import Paths, generate
generate(Paths.for_root(Path(sys.argv[1]), Path(sys.argv[2]), build=Path(sys.argv[3])))
"""

FLOOR = """
import logging, sys, yaml
from pathlib import Path
from mkdocs.commands.build import build
from builder.pipeline import Paths, mkdocs_config
paths = Paths.for_root(Path(sys.argv[1]), Path(sys.argv[2]), build=Path(sys.argv[3]), site=Path(sys.argv[4]))
logging.getLogger("mkdocs").setLevel(logging.ERROR)
build(mkdocs_config(paths, yaml.safe_load((paths.build / "nav.yml").read_text()), paths.site))
"""

EDIT = """
import sys, time
from pathlib import Path
from builder.incremental import BuildState, generate_incremental
from builder.pipeline import Paths
paths = Paths.for_root(Path(sys.argv[1]), Path(sys.argv[2]), build=Path(sys.argv[3]))
state = BuildState()
generate_incremental(paths, state)
times = []
for number, note in enumerate(sorted((paths.root / "content" / "claims").glob("*.md"))[:int(sys.argv[4])]):
    note.write_text(note.read_text().replace("statement: ", f"statement: Edited {number}. ", 1))
    started = time.perf_counter()
    generate_incremental(paths, state)
    times.append(time.perf_counter() - started)
print(" ".join(f"{t:.4f}" for t in times))
"""


CACHED = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from builder import cache
from builder.incremental import generate_incremental
from builder.pipeline import Paths
paths = Paths.for_root(Path(sys.argv[1]), Path(sys.argv[2]), build=Path(sys.argv[3]))
state, message = cache.load_state(paths)
assert sys.argv[4] == "cold" or message.startswith("using the build cache"), message
generate_incremental(paths, state)
print(f"{time.perf_counter() - started:.4f}")
cache.save_in_background(paths, state).wait()
"""


def run(args: list[str], env: dict) -> tuple[float, float, float, str]:
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


STAGES = ("check", "builder", "floor", "full", "edit", "cached")


def bench_size(notes: int, runs: int, env: dict, work: Path, edits: int, stages: set[str]) -> dict:
    book = work / f"book-{notes}"
    subprocess.run([PY, "-m", "builder.bench", "generate", "--notes", str(notes), "--out", str(book)], env=env,
                   cwd=REPO, check=True, capture_output=True)
    figures: dict[str, list] = {name: [] for name in STAGES}
    peaks: dict[str, float] = {}
    for number in range(runs):
        build_dir, site = work / f"build-{notes}-{number}", work / f"site-{notes}-{number}"
        for name, args in (
            ("check", [PY, "-m", "builder", "check", "--root", str(book)]),
            ("builder", [PY, "-c", BUILDER_STAGE, str(book), str(CONFIG), str(build_dir)]),
            ("floor", [PY, "-c", FLOOR, str(book), str(CONFIG), str(build_dir), str(site)]),
            ("full", [PY, "-m", "builder", "build", "--no-pdf", "--no-cache", "--root", str(book), "--config", str(CONFIG),
                      "--site-dir", str(work / f"full-{notes}-{number}")]),
        ):
            if name not in stages and not (name == "builder" and "floor" in stages):
                continue  # the floor builds the builder stage's Markdown: that runs, uncounted, when asked for
            wall, cpu, peak, _ = run(args, env)
            if name not in stages:
                continue
            figures[name].append(wall)
            peaks[name] = max(peaks.get(name, 0.0), peak)
            print(f"  {notes:>5} notes, run {number + 1}: {name:<7} {wall:7.2f} s wall {cpu:7.2f} s CPU "
                  f"{peak:7.0f} MiB", flush=True)
        copy = work / f"edit-{notes}-{number}"
        if edits and stages & {"edit", "cached"}:
            subprocess.run(["cp", "-r", str(book), str(copy)], check=True)
        if edits and "edit" in stages:
            _, _, peak, out = run([PY, "-c", EDIT, str(copy), str(CONFIG), str(work / f"editbuild-{notes}-{number}"),
                                   str(edits)], env)
            figures["edit"] += [float(t) for t in out.split()]
            peaks["edit"] = max(peaks.get("edit", 0.0), peak)
        if edits and "cached" in stages:
            cached_build = work / f"cachedbuild-{notes}-{number}"
            run([PY, "-c", CACHED, str(copy), str(CONFIG), str(cached_build), "cold"], env)
            for index, note in enumerate(sorted((copy / "content" / "claims").glob("*.md"))[:edits]):
                note.write_text(note.read_text().replace("statement: ", f"statement: Cached edit {index}. ", 1))
                _, _, peak, out = run([PY, "-c", CACHED, str(copy), str(CONFIG), str(cached_build), "warm"], env)
                figures["cached"].append(float(out))
                peaks["cached"] = max(peaks.get("cached", 0.0), peak)
    return {"notes": notes, **{name: median(values) for name, values in figures.items()}, "peaks": peaks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is printed)")
    parser.add_argument("--edits", type=int, default=5, help="one-note edits measured per run")
    parser.add_argument("--jobs", type=int, help="worker processes for the builder (BRIEFING_BOOK_JOBS)")
    parser.add_argument("--keep", type=Path, help="keep the books and sites in this folder")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES),
                        help="figures to measure (default: all); the others print as nan")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if args.jobs:
        env["BRIEFING_BOOK_JOBS"] = str(args.jobs)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for notes in args.sizes:
            results.append(bench_size(notes, args.runs, env, work, args.edits, set(args.stages)))
    print()
    print(f"{'notes':>6} {'check s':>8} {'builder s':>10} {'notes/s':>8} {'peak MiB':>9} {'floor s':>8} "
          f"{'full s':>8} {'full/floor':>10} {'edit s':>7} {'cached s':>9}")
    for r in results:
        print(f"{r['notes']:>6} {r['check']:>8.2f} {r['builder']:>10.2f} {r['notes'] / r['builder']:>8.0f} "
              f"{max(r['peaks'].values()):>9.0f} {r['floor']:>8.2f} {r['full']:>8.2f} {r['full'] / r['floor']:>10.3f} "
              f"{r['edit']:>7.3f} {r['cached']:>9.3f}")
    first, last = results[0], results[-1]
    per_note = (last["builder"] / last["notes"]) / (first["builder"] / first["notes"])
    print(f"\nper-note builder time at {last['notes']} notes / at {first['notes']} notes: {per_note:.2f}")
    print("peak memory by stage (MiB): " + "; ".join(
        f"{r['notes']}: " + ", ".join(f"{k} {v:.0f}" for k, v in r["peaks"].items()) for r in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
