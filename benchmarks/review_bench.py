"""How long `review` takes to pair renamed notes when a pull request moves many of them.

    .venv/bin/python benchmarks/review_bench.py [--notes 2000] [--moved 100 300 500]

A synthetic book (``python -m builder.bench generate``) is the base; for each count, that many claims are
renamed, once as they were (``git mv``) and once with a line added to each, and ``review.renames`` pairs the
removed notes with the added ones. It prints the seconds of the pairing alone and how many pairs it found.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.link import link  # noqa: E402
from builder.load import load  # noqa: E402
from builder.review import renames  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--moved", type=int, nargs="+", default=[100, 300, 500])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        base_root = Path(tmp) / "base"
        subprocess.run([sys.executable, "-m", "builder.bench", "generate", "--notes", str(args.notes), "--out",
                        str(base_root)], cwd=REPO, check=True, capture_output=True)
        base = link(load(base_root))
        for moved in args.moved:
            for edited in (False, True):
                head_root = Path(tmp) / f"head-{moved}-{edited}"
                shutil.copytree(base_root, head_root)
                for note in sorted((head_root / "content" / "claims").glob("*.md"))[:moved]:
                    text = note.read_text(encoding="utf-8") + ("\nA line added while it was moved.\n" if edited else "")
                    note.with_name(f"moved-{note.name}").write_text(text, encoding="utf-8")
                    note.unlink()
                head = link(load(head_root))
                added = sorted(set(head.notes) - set(base.notes))
                removed = sorted(set(base.notes) - set(head.notes))
                started = time.perf_counter()
                pairs = renames(base, head, added, removed)
                seconds = time.perf_counter() - started
                print(f"{args.notes} notes, {moved:>4} claims moved{' and edited' if edited else ''}: "
                      f"{len(pairs)} of {len(removed)} paired in {seconds:.2f} s", flush=True)


if __name__ == "__main__":
    main()
