"""Command line: ``python -m builder check|build|serve|new|review|pdf``.

Exit codes: 0 success; 1 the book has errors (or warnings with --strict),
or 'new' refused the id or the folder; 2 wrong usage (or 'review' cannot read the base
revision, or the site folder would replace something else); 3 the site engine failed or
the output could not be written (the previous site is untouched);
130 interrupted (Ctrl-C or SIGTERM: the previous site is untouched).
"""

from __future__ import annotations

import argparse
import errno
import json
import shlex
import signal
import sys
import threading
from pathlib import Path

from .diagnostics import BuildFailed, Diagnostic, sorted_diagnostics
from . import printcmd
from .pipeline import (Paths, SiteBuildFailed, build_site, check, failures, generate, quiet_mkdocs,
                       site_folder_refusal)

EXIT_OK, EXIT_BOOK, EXIT_USAGE, EXIT_SITE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _paths(args) -> Paths:
    config = Path(args.config) if args.config else Path(args.root) / "mkdocs.yml"
    site = Path(args.site_dir) if getattr(args, "site_dir", None) else None
    if site is None and config.is_file():
        from .settings import load_settings

        site_dir = load_settings(config)[0].site_dir  # its problems are reported by the command itself
        site = Path(args.root) / site_dir if site_dir else None  # the book's folder, as for docs_dir
    return Paths.for_root(Path(args.root), config, site)


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str, stream=None) -> None:
    stream = stream or sys.stderr  # looked up at call time, so redirected stderr is honoured
    if fmt == "json":
        print(json.dumps([{"path": d.loc.path, "line": d.loc.line, "col": d.loc.col, "severity": d.severity,
                           "code": d.code, "message": d.message, "hint": d.hint} for d in diagnostics],
                         ensure_ascii=False, indent=2), file=sys.stdout)
        return
    for d in diagnostics:
        if fmt == "github":
            place = f"file={d.loc.path}" + (f",line={d.loc.line}" if d.loc.line else "") + \
                    (f",col={d.loc.col}" if d.loc.col else "")
            text = d.message + (f" — {d.hint}" if d.hint else "")
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::{d.severity} {place},title={d.code}::{text}", file=sys.stdout)
        else:
            print(d.format(), file=stream)


def _summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def cmd_check(args) -> int:
    paths = _paths(args)
    book = check(paths.root, paths.config)
    diagnostics = sorted_diagnostics(book.diagnostics)
    print_diagnostics(diagnostics, args.format)
    failed = failures(book, args.strict)
    if args.format == "text":
        counts = (f"{len(book.actors)} actors, {len(book.scenarios)} scenarios, {len(book.claims)} claims, "
                  f"{len(book.sources)} sources, {len(book.pages)} pages, {len(book.loaded.bib)} bibliography "
                  "entries")
        print(f"{'check failed' if failed else 'check passed'}: {_summary(diagnostics)} ({counts})",
              file=sys.stderr)
    return EXIT_BOOK if failed else EXIT_OK


def generate_reporting(args, paths: Paths, command: str):
    """Check and generate the Markdown, printing the problems; None when the book has errors.

    Unless ``--no-cache``, the build cache in build/cache/ is used and updated (``builder/cache.py``)."""
    quiet_mkdocs(args.verbose)
    try:
        if getattr(args, "no_cache", True):
            book, rendered = generate(paths, args.strict)
        else:
            from . import cache
            from .incremental import generate_incremental

            state, message = cache.load_state(paths)
            if args.verbose or message.startswith("note:"):
                print(message, file=sys.stderr)
            book, rendered, _ = generate_incremental(paths, state, args.strict)
            args.saving_cache = cache.save_in_background(paths, state)  # main() waits for it before exiting
    except BuildFailed as failed:
        print_diagnostics(failed.diagnostics, args.format)
        print(f"{command} failed: {_summary(failed.diagnostics)}; nothing was written", file=sys.stderr)
        return None
    print_diagnostics(sorted_diagnostics(book.diagnostics), args.format)
    return book, rendered


def cmd_build(args) -> int:
    paths = _paths(args)
    with printcmd.layout_process(args) as layout:
        return _build(args, paths, layout)


def _build(args, paths, layout) -> int:
    refusal = site_folder_refusal(paths)
    if refusal:
        print(f"error: {refusal} — choose a new or empty folder with --site-dir (default: ROOT/site); nothing "
              "was written", file=sys.stderr)
        return EXIT_USAGE
    try:
        generated = generate_reporting(args, paths, "build")
        if generated is None:
            return EXIT_BOOK
        book, rendered = generated
        print(f"generated {len(rendered.pages)} pages in {paths.docs}", file=sys.stderr)
        note = build_site(paths, rendered.nav, pdfs=printcmd.site_hook(args, paths, book, rendered, layout))
    except SiteBuildFailed as exc:
        print(f"site build failed: {str(exc).rstrip('.')}; {_site_kept(paths)}", file=sys.stderr)
        return EXIT_SITE
    except OSError as exc:
        print(f"build failed: {cannot_write(exc)}; {_site_kept(paths)}", file=sys.stderr)
        return EXIT_SITE
    if note:
        print(f"note: {note}", file=sys.stderr)
    print(f"site written to {paths.site}{_how_to_look(paths)}", file=sys.stderr)
    return EXIT_OK


def _how_to_look(paths: Paths) -> str:
    """With mkdocs' use_directory_urls the site's links are folders ("actors/china/"), which a web server answers
    with their index.html and a browser opening the files from disk shows as folder listings."""
    from .settings import load_settings

    if not load_settings(paths.config)[0].directory_urls:
        return ""
    return f" (look at it through a web server: python3 -m http.server --directory {shlex.quote(str(paths.site))})"


def _site_kept(paths: Paths) -> str:
    return f"the previous site in {paths.site} is untouched" if paths.site.exists() else "no site was written"


def file_in_the_way(wanted: Path, options: str) -> str | None:
    """Why the folder ``wanted`` cannot be made when a file has its name or the name of a folder above it."""
    in_the_way = next((path for path in (wanted, *wanted.parents) if path.is_file()), None)
    if in_the_way is None:
        return None
    return f"cannot make the folder {wanted}: {in_the_way} is a file — move it, or choose other folders ({options})"


def cannot_write(exc: OSError, options: str = "--site-dir, --root") -> str:
    """What a failed file operation means for the user, naming the file; ``options`` choose other folders."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename:
        blocked = file_in_the_way(Path(exc.filename), options)
        if blocked:
            return blocked
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    hint = {errno.EACCES: f"check that you may write there, or choose other folders ({options})",
            errno.EPERM: f"check that you may write there, or choose other folders ({options})",
            errno.EROFS: f"the file system is read-only; choose folders on another one ({options})",
            errno.ENOSPC: "the disk is full; free some space and build again"}.get(exc.errno, "")
    return f"cannot write{where}: {reason}" + (f" — {hint}" if hint else "")


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(_paths(args), args.dev_addr, args.strict)


def add_cache_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-cache", action="store_true",
                   help="ignore the build cache in build/cache/ and do not update it (re-read and re-render everything)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m builder",
                                  description="Check a briefing book and build it into a cited, cross-linked site and PDFs.",
                                  epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--root", default=".", help="the book's folder (holds content/ and bibliography/)")
        p.add_argument("--config", help="mkdocs.yml to use (default: ROOT/mkdocs.yml)")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")
        p.add_argument("--format", choices=("text", "github", "json"), default="text",
                       help="how to print problems")
        p.add_argument("-v", "--verbose", action="store_true", help="show the site engine's messages")
        return p

    check_parser = sub.add_parser("check", help="check the book and print every problem",
                                  description="Check the book and print every problem as "
                                  "path:line:col: error[code]: message — hint.")
    common(check_parser).set_defaults(func=cmd_check)
    build = common(sub.add_parser("build", help="check, generate Markdown into build/docs and build site/",
                                  description="Check the book, then build the site and its PDFs; on any error "
                                  "nothing is written."))
    build.add_argument("--site-dir", help="where to write the site (default: ROOT/site)")
    add_cache_option(build)
    printcmd.add_build_options(build)
    build.set_defaults(func=cmd_build)
    serve = common(sub.add_parser("serve", help="build and serve the site, rebuilding on every change",
                                  description="Build and serve the site, rebuilding the pages an edit touches and "
                                  "reloading the browser."))
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    serve.add_argument("--site-dir", help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)
    from . import new, review

    new.add_parser(sub)
    review.add_parser(sub)
    printcmd.add_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not Path(args.root).is_dir():
        print(f"error: --root '{args.root}' is not a folder", file=sys.stderr)
        return EXIT_USAGE
    config = Path(args.config) if getattr(args, "config", None) else Path(args.root) / "mkdocs.yml"
    if (args.command in ("build", "serve", "pdf") or getattr(args, "config", None)) and not config.is_file():
        if config.is_dir():
            print(f"error: --config '{config}' is a folder — pass the settings file itself, e.g. "
                  f"--config {config / 'mkdocs.yml'}", file=sys.stderr)
        elif getattr(args, "config", None):
            print(f"error: --config '{config}' does not exist — pass the book's settings file (mkdocs.yml)",
                  file=sys.stderr)
        else:
            print(f"error: no mkdocs.yml at '{config}' — pass --config PATH, or --root the book's folder",
                  file=sys.stderr)
        return EXIT_USAGE
    # SIGTERM (a cancelled CI job) stops a command as Ctrl-C does, so that its clean-up runs: child processes
    # stopped, half-built folders removed, the previous site kept
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{args.command} interrupted; the previous site is untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        saving = getattr(args, "saving_cache", None)
        if saving is not None:
            saving.wait()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
