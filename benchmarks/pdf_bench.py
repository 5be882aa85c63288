"""Speed and memory of the chapter PDFs, against the mkdocs-print-site + WeasyPrint path.

    .venv/bin/python benchmarks/pdf_bench.py [--notes 100] [--jobs N] [--no-compare] [--with-book]

1. Generates a synthetic book (``builder.bench.generate``, default 100 notes).
2. "chapter PDFs": in a child process, renders the Markdown pages and writes the
   five chapter PDFs the way ``python -m builder pdf`` does (print HTML of our own
   templates laid out by WeasyPrint); with ``--with-book`` a second run adds the
   whole book's PDF as well.
3. "print-site": in another child process, the path users complain about: the
   same Markdown built into the Material site with the mkdocs-print-site plugin
   (installed into this Python on demand; not a project dependency), then
   WeasyPrint lays out Material's print page. Material's screen layout is a flex
   layout that WeasyPrint does not split across pages (it prints one page), and a
   diagram wider than the page stops the layout, so a small stylesheet turns the
   layout back into blocks and fits diagrams to the page, as anyone printing it must.

Each child is timed from outside (wall clock) and measured with ``os.wait4``:
CPU seconds and peak resident memory (``ru_maxrss``, the largest process of the
child's tree). Figures: seconds per note, per 1,000 words of notes (the Markdown
files in content/, front matter included), per PDF page, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Material's print page is a flex layout that WeasyPrint does not fragment: without this it prints one page.
UNFLEX_CSS = """
body, .md-container, .md-main, .md-main__inner, .md-content, .md-grid, .md-typeset {
  display: block !important; height: auto !important; overflow: visible !important; }
.md-sidebar, .md-header, .md-tabs, .md-footer, .md-search, .md-top, .md-dialog { display: none !important; }
.md-typeset * { overflow: visible !important; }
.md-typeset svg { min-width: 0 !important; max-width: 100% !important; height: auto !important; }
/* WeasyPrint stops laying out Material's print page at the relation graph (nothing after it is printed):
   leave the graphs out of this path, so that it prints the whole book; it then does less work than ours */
.md-typeset figure.relation-graph { display: none !important; }
"""


def words_of(root: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in sorted((root / "content").rglob("*.md")))


# --------------------------------------------------------------------------- children


def child_ours(root: Path, out: Path, jobs: int, with_book: bool) -> dict:
    from builder import pdf
    from builder.pipeline import Paths, generate
    from builder.settings import checked_settings

    paths = Paths.for_root(root, REPO / "mkdocs.yml", site=out / "site", build=out / "build")
    started = time.perf_counter()
    with pdf.LayoutProcess.start() as layout:  # as the pdf command: WeasyPrint is imported while generating
        book, rendered = generate(paths)
        markdown_done = time.perf_counter()
        chapters = list(pdf.CHAPTERS) + ([pdf.BOOK_TITLE] if with_book else [])
        written = pdf.build_pdfs(book, rendered, checked_settings(paths.config), out / "pdf", config=paths.config,
                                 root=root, docs=paths.docs, chapters=chapters, jobs=jobs, progress=False,
                                 layout=layout)
    return {"markdown_s": markdown_done - started, "pdf_s": time.perf_counter() - markdown_done,
            "pages": sum(w.pages for w in written), "files": {w.path.name: w.pages for w in written}}


def child_print_site(root: Path, out: Path) -> dict:
    import yaml
    import weasyprint
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from builder import pdf
    from builder.pipeline import Paths, generate

    data = pdf._read_yaml(REPO / "mkdocs.yml")
    theme = dict(data.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((REPO / theme["custom_dir"]).resolve())
    data["theme"] = theme
    plugins = [p for p in (data.get("plugins") or ["search"]) if p != "print-site"]
    data["plugins"] = plugins + ["print-site"]  # print-site must come last
    data.pop("validation", None)
    out.mkdir(parents=True, exist_ok=True)
    config_file = out / "mkdocs-print-site.yml"
    config_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    paths = Paths.for_root(root, config_file, site=out / "site", build=out / "build")
    started = time.perf_counter()
    _book, rendered = generate(paths)
    markdown_done = time.perf_counter()
    import logging

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    build(load_config(config_file=str(config_file), docs_dir=str(paths.docs), site_dir=str(paths.site),
                      nav=rendered.nav))
    site_done = time.perf_counter()
    document = weasyprint.HTML(filename=str(paths.site / "print_page" / "index.html"),
                               url_fetcher=pdf.url_fetcher()).render(stylesheets=[weasyprint.CSS(string=UNFLEX_CSS)])
    document.write_pdf(out / "print-site.pdf")
    return {"markdown_s": markdown_done - started, "site_s": site_done - markdown_done,
            "pdf_s": time.perf_counter() - site_done, "pages": len(document.pages)}


# --------------------------------------------------------------------------- parent


def measure(args: list[str]) -> dict:
    """Run this script as a child; its JSON result plus wall seconds, CPU seconds and peak memory (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child {args[1]} failed with exit code {process.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result.update(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_mib=usage.ru_maxrss / 1024)
    return result


def ensure_print_site() -> None:
    try:
        import mkdocs_print_site_plugin  # noqa: F401
    except ImportError:
        print("installing mkdocs-print-site-plugin (for the comparison only) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "mkdocs-print-site-plugin"], check=True)


def row(name: str, r: dict, notes: int, words: int) -> str:
    return (f"{name:<22} {r['wall_s']:8.2f} {r['cpu_s']:8.2f} {r['wall_s'] / notes:9.3f} "
            f"{r['wall_s'] / (words / 1000):9.3f} {r['wall_s'] / max(1, r['pages']):9.3f} {r['pages']:6d} "
            f"{r['peak_mib']:8.0f}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        kind, root, out = argv[1], Path(argv[2]), Path(argv[3])
        if kind == "print-site":
            result = child_print_site(root, out)
        else:
            result = child_ours(root, out, int(argv[4]), kind == "ours-book")
        print(json.dumps(result))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100, help="notes in the synthetic book (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None,
                        help="PDFs laid out at once (default: as `python -m builder pdf`, 2 on 2+ cores)")
    parser.add_argument("--no-compare", action="store_true", help="skip the mkdocs-print-site path")
    parser.add_argument("--with-book", action="store_true", help="also time the chapters plus the whole book's PDF")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the PDFs")
    args = parser.parse_args(argv)

    from builder.bench.generate import generate

    work = args.keep or Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "book"
    counts = generate(root, args.notes, args.seed)
    words = words_of(root)
    jobs = args.jobs if args.jobs is not None else min(2, os.cpu_count() or 1)
    print(f"synthetic book: {counts['notes']} notes, {words} words; {os.cpu_count()} CPUs; jobs={jobs}")

    results = {"chapter PDFs": measure(["--child", "ours", str(root), str(work / "ours"), str(jobs)])}
    if args.with_book:
        results["chapters + book.pdf"] = measure(["--child", "ours-book", str(root), str(work / "ours-book"),
                                                  str(jobs)])
    if not args.no_compare:
        ensure_print_site()
        results["print-site + WeasyPrint"] = measure(["--child", "print-site", str(root), str(work / "print-site")])

    notes = counts["notes"]
    print(f"\n{'path':<22} {'wall s':>8} {'CPU s':>8} {'s/note':>9} {'s/1k word':>9} {'s/page':>9} "
          f"{'pages':>6} {'peak MiB':>8}")
    for name, result in results.items():
        print(row(name, result, notes, words))
    ours = results["chapter PDFs"]
    print(f"\nchapter PDFs: Markdown {ours['markdown_s']:.2f} s, PDFs {ours['pdf_s']:.2f} s; "
          + ", ".join(f"{k} {v} p." for k, v in ours["files"].items()))
    theirs = results.get("print-site + WeasyPrint")
    if theirs:
        print(f"print-site: Markdown {theirs['markdown_s']:.2f} s, mkdocs site {theirs['site_s']:.2f} s, "
              f"WeasyPrint {theirs['pdf_s']:.2f} s")
        print(f"\nratio print-site / chapter PDFs: {theirs['wall_s'] / ours['wall_s']:.2f}x per note and per "
              f"1,000 words (wall), {theirs['cpu_s'] / ours['cpu_s']:.2f}x (CPU), "
              f"{(theirs['wall_s'] / theirs['pages']) / (ours['wall_s'] / ours['pages']):.2f}x per page")
    target_ok = ours["peak_mib"] < 500
    print(f"peak memory of the chapter PDFs: {ours['peak_mib']:.0f} MiB ({'under' if target_ok else 'OVER'} 500 MiB)")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
