"""How long an edit takes to show in the browser with ``python -m builder serve``.

    .venv/bin/python benchmarks/serve_bench.py [--notes 0] [--edits 12] [--what body|statement]

The book is this project's own (``--notes 0``, the default) or a synthetic book
of that many notes (``builder.bench.generate``), copied to a temporary folder.
``serve`` runs in a child process on a free port. Each edit changes one claim:
``body`` adds a paragraph (only the claim's page changes), ``statement`` changes
its statement (its title: every page that lists or links the claim changes).
The figure is the time from writing the file to the claim's page, fetched over
HTTP every 20 ms, showing the edit. That is the builder noticing the edit and
regenerating the Markdown, then mkdocs noticing the new Markdown and rebuilding
the changed pages. Edits are spaced 2–3 s apart at random (seeded), so that they
fall at every phase of anything that polls. Prints the CPU time ``serve`` takes
while nothing changes (``--idle`` seconds, before the first edit; Linux), each
edit's time, then the median, minimum and maximum.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux's /proc), None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_book(notes: int, folder: Path) -> Path:
    book = folder / "book"
    if notes:
        subprocess.run([PY, "-m", "builder.bench", "generate", "--notes", str(notes), "--out", str(book)],
                       cwd=REPO, check=True)
    else:
        book.mkdir()
        for name in ("content", "bibliography"):
            shutil.copytree(REPO / name, book / name)
    return book


def edit(claim: Path, marker: str, what: str) -> None:
    text = claim.read_text(encoding="utf-8")
    if what == "body":
        claim.write_text(text + f"\n{marker} is a new paragraph.\n", encoding="utf-8")
    else:  # inside the quotes when the statement is quoted
        claim.write_text(re.sub(r"^statement: (\"?)", lambda m: f"statement: {m[1]}{marker} ", text, count=1,
                                flags=re.M), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=0, help="synthetic book of this many notes (0: this book)")
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--what", choices=("body", "statement"), default="body")
    parser.add_argument("--idle", type=float, default=10, help="seconds of CPU measured while nothing changes")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as temporary:
        book = make_book(args.notes, Path(temporary))
        claims = sorted((book / "content" / "claims").glob("*.md"))
        port = free_port()
        started = time.perf_counter()
        server = subprocess.Popen([PY, "-m", "builder", "serve", "--root", str(book), "--config",
                                   str(REPO / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"], cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times = []
        try:
            while not fetch(f"http://127.0.0.1:{port}/"):
                if server.poll() is not None:
                    raise SystemExit("serve stopped before serving the site")
                time.sleep(0.2)
            print(f"{f'{args.notes} notes' if args.notes else 'this book'}, {len(claims)} claims: site served after "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            time.sleep(2)  # the first build's aftermath (mkdocs' own first look at the pages)
            before, idle_started = cpu_seconds(server.pid), time.perf_counter()
            time.sleep(args.idle)
            after = cpu_seconds(server.pid)
            if before is not None and after is not None:
                idle = time.perf_counter() - idle_started
                print(f"idle: {after - before:.2f} s of CPU in {idle:.1f} s ({100 * (after - before) / idle:.1f} % of a "
                      f"core)", flush=True)
            for number in range(args.edits):
                time.sleep(2 + rng.random())
                claim = claims[number % len(claims)]
                url = f"http://127.0.0.1:{port}/claims/{claim.stem}/"
                marker = f"Edited{number}x{time.time_ns()}"
                edit(claim, marker, args.what)
                written = time.perf_counter()
                while marker not in fetch(url):
                    if time.perf_counter() - written > 120:
                        raise SystemExit(f"edit {number} did not show within 120 s")
                    time.sleep(0.02)
                times.append(time.perf_counter() - written)
                print(f"  edit {number + 1:>2}: {times[-1]:.2f} s", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(f"edit → page shown ({args.what}): median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
