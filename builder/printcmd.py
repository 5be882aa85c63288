"""``python -m builder pdf [CHAPTER …]`` and the PDF step of ``build``.

Writes one PDF per chapter and one for the whole book into SITE/pdf/
(overview.pdf, actors.pdf, scenarios.pdf, claims-and-evidence.pdf, sources.pdf,
book.pdf). See ``builder/pdf.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

from .pdf import BOOK, BOOK_TITLE, CHAPTER_FILES, PDF_FOLDER, LayoutProcess, PdfFailed, build_pdfs, chapter_of_name

PANGO_HINT = ("WeasyPrint needs Pango: on Debian/Ubuntu run "
              "'apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core'")


def add_parser(sub) -> None:
    """Register the ``pdf`` command."""
    p = sub.add_parser("pdf", help="write the chapter PDFs and the whole book's PDF into SITE/pdf/",
                       description="Write one PDF per chapter and one for the whole book. Chapters: "
                       + ", ".join([*CHAPTER_FILES.values(), BOOK]) + " (default: all of them).")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER",
                   help="chapters to print (file name without .pdf, or title); 'book' is the whole book")
    p.add_argument("--root", default=".", help="the book's folder (holds content/ and bibliography/)")
    p.add_argument("--config", help="mkdocs.yml to use (default: ROOT/mkdocs.yml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "github", "json"), default="text", help="how to print problems")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--site-dir", help="the site folder; PDFs go to SITE/pdf (default: ROOT/site)")
    p.add_argument("--out", help="write the PDFs to this folder instead of SITE/pdf")
    from .cli import add_cache_option

    add_cache_option(p)
    add_pdf_options(p)
    p.set_defaults(func=cmd_pdf)


def add_pdf_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size of the PDFs (default a4)")
    p.add_argument("--jobs", type=at_least_one, default=None, metavar="N",
                   help="PDFs laid out at once (default: 2 on 2+ cores)")


def at_least_one(text: str) -> int:
    """An option's whole number of at least 1 (argparse's ``type``: it reports the error and exits with 2)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number: give one of at least 1") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is below 1: give a whole number of at least 1")
    return number


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The PDF options of ``build``."""
    p.add_argument("--no-pdf", action="store_true", help="do not write the chapter PDFs into SITE/pdf")
    add_pdf_options(p)


def layout_process(args):
    """A context holding a ``LayoutProcess`` (or None) when the command will write PDFs: started before the
    book is generated, so that WeasyPrint is imported on another core meanwhile."""
    if getattr(args, "no_pdf", False):
        return contextlib.nullcontext(None)
    return LayoutProcess.start() or contextlib.nullcontext(None)


def _write(args, paths, book, rendered, out: Path, chapters: list[str] | None, shown: Path | None = None,
           layout: LayoutProcess | None = None) -> list:
    from .settings import checked_settings

    started = time.perf_counter()
    reuse = None if getattr(args, "no_cache", True) else paths.cache / "pdf"
    settings = checked_settings(paths.config, paths.root)
    written = build_pdfs(book, rendered, settings, out, config=paths.config, root=paths.root, docs=paths.docs,
                         chapters=chapters, paper=args.paper, jobs=args.jobs, reuse=reuse, layout=layout)
    for w in written:
        print(f"wrote {(shown or out) / w.path.name} ({w.pages} pages)", file=sys.stderr)
    print(f"{len(written)} PDF(s) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return written


def site_hook(args, paths, book, rendered, layout: LayoutProcess | None = None):
    """For ``build``: a function that writes the PDFs into the fresh site's pdf/ folder (or None)."""
    if getattr(args, "no_pdf", False):
        return None

    def write(folder: Path) -> None:
        from .pipeline import SiteBuildFailed

        try:
            _write(args, paths, book, rendered, folder, None, paths.site / PDF_FOLDER, layout)
        except ImportError as exc:
            raise SiteBuildFailed(f"cannot load WeasyPrint ({exc}); {PANGO_HINT}; or build with --no-pdf") from exc
        except (PdfFailed, OSError) as exc:
            raise SiteBuildFailed(f"the PDFs failed: {exc}; build with --no-pdf to skip them") from exc

    return write


def cmd_pdf(args) -> int:
    from .cli import EXIT_USAGE, _paths

    chapters = []
    for name in args.chapters:
        title = chapter_of_name(name)
        if title is None:
            print(f"error: unknown chapter '{name}' — choose from "
                  + ", ".join([*CHAPTER_FILES.values(), BOOK]), file=sys.stderr)
            return EXIT_USAGE
        chapters.append(title)
    paths = _paths(args)
    refusal = out_folder_refusal(paths, Path(args.out)) if args.out else None
    if refusal:
        print(f"error: {refusal} — choose a folder outside the book's own (default: SITE/pdf); nothing was written",
              file=sys.stderr)
        return EXIT_USAGE
    with layout_process(args) as layout:
        return _generate_and_write(args, paths, chapters, layout)


def out_folder_refusal(paths, out: Path) -> str | None:
    """Why the PDFs must not go to ``out``: a folder the book is made of, where they would be taken for its files
    (a note, a bibliography, a theme override), or the generated pages. None when it is safe."""
    from .pipeline import book_folders

    out = out.resolve()
    inputs = {**book_folders(paths), "the generated pages (build/docs)": paths.docs}
    for name, path in inputs.items():
        if out == path or path in out.parents:
            return f"--out {out} is {name}" if out == path else f"--out {out} is inside {name} ({path})"
    return None


def _generate_and_write(args, paths, chapters: list[str], layout: LayoutProcess | None) -> int:
    from .cli import EXIT_BOOK, EXIT_OK, EXIT_SITE, cannot_write, file_in_the_way, generate_reporting

    try:
        generated = generate_reporting(args, paths, "pdf")
    except OSError as exc:
        print(f"pdf failed: {cannot_write(exc, '--out, --root')}", file=sys.stderr)
        return EXIT_SITE
    if generated is None:
        return EXIT_BOOK
    book, rendered = generated
    out = Path(args.out) if args.out else paths.site / PDF_FOLDER
    blocked = file_in_the_way(out, "--out, --root")  # told now: the PDFs' processes would only say they failed
    if blocked:
        print(f"error: the PDFs failed: {blocked}", file=sys.stderr)
        return EXIT_SITE
    try:
        _write(args, paths, book, rendered, out, list(dict.fromkeys(chapters)) or None, layout=layout)
    except ImportError as exc:
        print(f"error: cannot load WeasyPrint ({exc}); {PANGO_HINT}", file=sys.stderr)
        return EXIT_SITE
    except OSError as exc:
        print(f"error: the PDFs failed: {cannot_write(exc, '--out, --root')}", file=sys.stderr)
        return EXIT_SITE
    except PdfFailed as exc:
        print(f"error: the PDFs failed: {exc}", file=sys.stderr)
        return EXIT_SITE
    return EXIT_OK


__all__ = ["add_parser", "add_build_options", "site_hook", "cmd_pdf", "BOOK_TITLE"]
