"""Command line: ``python -m builder.bench generate --notes N --out DIR [--seed S]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .generate import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m builder.bench",
                                     description="Benchmark helpers for the briefing-book builder.")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a deterministic synthetic briefing book")
    gen.add_argument("--notes", type=int, required=True,
                     help="total number of notes (actors, scenarios, claims, sources, prose pages)")
    gen.add_argument("--out", type=Path, required=True,
                     help="output directory (empty, missing, or an earlier synthetic book)")
    gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)

    if args.command == "generate":
        start = time.perf_counter()
        try:
            counts = generate(args.out, args.notes, args.seed)
        except (ValueError, FileExistsError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        elapsed = time.perf_counter() - start
        summary = ", ".join(f"{name} {value}" for name, value in counts.items())
        print(f"wrote {args.out}: {summary} ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
