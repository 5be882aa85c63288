"""The whole pipeline: load → link → render → write → site, each stage a function."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .bibliography import Reference, format_entries_by_key, format_references
from .diagnostics import BuildFailed, Diagnostic, sorted_diagnostics
from .files import replacing
from .link import Book, link
from .load import Loaded, load, load_starting
from .parallel import in_background
from .render import Rendered, render
from .settings import load_settings


@dataclass(frozen=True)
class Paths:
    """Where a book's input and output live."""

    root: Path
    """The book: content/ and bibliography/."""
    config: Path
    """mkdocs.yml: theme and book settings."""
    build: Path
    """Generated Markdown goes to build/docs (git-ignored)."""
    site: Path
    """The built site."""

    @classmethod
    def for_root(cls, root: Path, config: Path | None = None, site: Path | None = None,
                 build: Path | None = None) -> "Paths":
        root = root.resolve()
        return cls(root, (config or root / "mkdocs.yml").resolve(), (build or root / "build").resolve(),
                   (site or root / "site").resolve())

    @property
    def docs(self) -> Path:
        return self.build / "docs"

    @property
    def cache(self) -> Path:
        """What builds keep for the next one (``builder/cache.py``): state, compiled templates, PDFs."""
        return self.build / "cache"


@contextlib.contextmanager
def without_collector():
    """No garbage collection while a build runs: it makes millions of objects and keeps nearly all of them until
    it ends, and hardly any reference cycles (the same peak memory at 2,000 notes with and without collections),
    so collections would only walk them again and again (5 % of the builder's time at 2,000 notes, even when
    collecting 50 times less often than Python does). Collection resumes when the build ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check(root: Path, config: Path | None = None) -> Book:
    """Load and link the book, and check its settings in ``config`` (default: ROOT/mkdocs.yml, when there is
    one); the diagnostics are on the result."""
    config = config or root / "mkdocs.yml"
    problems = load_settings(config, root)[1] if config.is_file() else []
    with without_collector():
        return with_problems(link(load(root)), problems)


def with_problems(book: Book, problems: list[Diagnostic] | None) -> Book:
    """The book with more problems (found outside the notes: in mkdocs.yml) among its diagnostics."""
    return replace(book, diagnostics=book.diagnostics + tuple(problems)) if problems else book


def failures(book: Book, strict: bool) -> list[Diagnostic]:
    return [d for d in book.diagnostics if d.severity == "error" or strict]


def link_and_format(loaded: Loaded, strict: bool, link_cache: dict | None = None,
                    reference_cache: dict | None = None, formatting=None,
                    problems: list[Diagnostic] | None = None) -> tuple[Book, dict[str, Reference]]:
    """Link the book while another core formats its references; raises BuildFailed when the book has errors.

    ``formatting``: ``format_entries_by_key(loaded.bib)`` started already (``load_starting``); ``problems``:
    those found in the settings (reported with the book's)."""
    pending = formatting or (None if reference_cache else in_background(format_entries_by_key, loaded.bib))
    book = with_problems(link(loaded, link_cache), problems)
    if failures(book, strict):
        if pending is not None:
            pending.cancel()
        raise BuildFailed(sorted_diagnostics(book.diagnostics))
    formatted = pending.result() if pending is not None else None
    return book, format_references(book.loaded.bib, reference_cache, formatted)


def generate(paths: Paths, strict: bool = False) -> tuple[Book, Rendered]:
    """Check, render and write the generated Markdown; raises BuildFailed before writing anything."""
    with without_collector():
        loaded, formatting = load_starting(paths.root, after_bib=format_entries_by_key)
        settings, problems = load_settings(paths.config, paths.root)
        book, references = link_and_format(loaded, strict, formatting=formatting, problems=problems)
        rendered = render(book, settings, references)
        write_pages(paths.docs, rendered)
    return book, rendered


def write_pages(docs: Path, rendered: Rendered) -> list[str]:
    """Write pages whose text changed, remove pages that are gone; return the paths written."""
    docs.mkdir(parents=True, exist_ok=True)
    written = []
    folders = {docs}
    for rel, text in sorted(rendered.pages.items()):
        target = docs / rel
        data = text.encode("utf-8")
        try:
            if target.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        if target.parent not in folders:  # once per folder: thousands of pages share a few folders
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        with replacing(target) as tmp:
            tmp.write_bytes(data)
        written.append(rel)
    wanted = set(rendered.chapters)  # every page of the book, also when only some were rendered
    for folder, _subfolders, names in os.walk(docs):
        prefix = Path(folder).relative_to(docs).as_posix()
        for name in names:
            if name.endswith(".md") and (name if prefix == "." else f"{prefix}/{name}") not in wanted:
                os.unlink(os.path.join(folder, name))
    # libyaml writes the same text as PyYAML's own emitter, eight times faster (0.026 → 0.003 s at 2,000 notes)
    dumper = yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper
    (docs.parent / "nav.yml").write_text(yaml.dump(rendered.nav, Dumper=dumper, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
    return written


def mkdocs_config(paths: Paths, nav: list, site_dir: Path, **extra):
    from mkdocs.config import load_config

    return load_config(config_file=str(paths.config), docs_dir=str(paths.docs), site_dir=str(site_dir), nav=nav,
                       **extra)


def _package_path() -> str:
    """PYTHONPATH for a child that imports this package, wherever it was imported from."""
    here = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)


SITE_FOLDER_LEFTOVERS = {"pdf"}
"""What a site folder may hold before any site was built into it (``pdf`` writes SITE/pdf/)."""


def book_folders(paths: Paths) -> dict[str, Path]:
    """The folders the book is written in, by how messages name them: no output may go into them."""
    return {"the book's content/ folder": paths.root / "content",
            "the book's bibliography/ folder": paths.root / "bibliography",
            "the theme overrides (site_overrides/)": paths.root / "site_overrides"}


def site_folder_refusal(paths: Paths) -> str | None:
    """Why building into ``paths.site`` would destroy something, or None when it is safe.

    A build replaces the site folder as a whole, so it must not be (or hold, or lie inside) the book's own
    files, and a folder that is already there must be a site built before (or empty)."""
    site = paths.site
    inputs = {"the book's folder": paths.root, **book_folders(paths), "the build folder": paths.build,
              "the settings file": paths.config}
    for name, path in inputs.items():
        if site == path:
            return f"the site folder {site} is {name}; building would replace it"
        if site in path.parents:
            return f"the site folder {site} holds {name} ({path}); building would replace it"
        if path in site.parents and name != "the book's folder":
            return f"the site folder {site} is inside {name} ({path})"
    if site.is_file() or site.is_symlink():
        return f"the site folder {site} is a file; building would replace it"
    if site.is_dir():
        entries = {entry.name for entry in os.scandir(site)}
        if entries and "index.html" not in entries and not entries <= SITE_FOLDER_LEFTOVERS:
            shown = ", ".join(sorted(entries)[:3]) + (", …" if len(entries) > 3 else "")
            return (f"the site folder {site} holds files ({shown}) but no index.html, so it is not a site built "
                    "before; building would replace everything in it")
    return None


class SiteBuildFailed(Exception):
    """mkdocs could not build the site (the old site is left as it was)."""


def build_site(paths: Paths, nav: list, pdfs=None) -> str | None:
    """Build the site into a fresh folder and swap it in only when the build succeeded.

    ``pdfs(folder)``, when given, writes the chapter PDFs into ``folder`` while the site engine runs (the two
    use different cores); they become the fresh site's pdf/ folder, and the pages link to them
    (``extra.pdf_downloads``). If either fails, the old site stays as it was. Returns a note for the user when
    the old site could not be removed once the new one was in place."""
    parent = paths.site.parent
    parent.mkdir(parents=True, exist_ok=True)
    fresh = parent / f".{paths.site.name}.new-{os.getpid()}"
    old = parent / f".{paths.site.name}.old-{os.getpid()}"
    staging = parent / f".{paths.site.name}.pdf-{os.getpid()}"
    nav_file = parent / f".{paths.site.name}.nav-{os.getpid()}.json"
    reason_file = parent / f".{paths.site.name}.reason-{os.getpid()}.txt"  # why the engine failed, in one line
    for folder in (fresh, staging):
        shutil.rmtree(folder, ignore_errors=True)
    engine = None
    try:
        nav_file.write_text(json.dumps(nav), encoding="utf-8")
        # the engine's messages go to a file, not a pipe: a full pipe would stop it while the PDFs are laid out
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as messages:
            engine = subprocess.Popen(
                [sys.executable, "-m", "builder.sitebuild", str(paths.config), str(paths.docs), str(fresh),
                 str(nav_file), "1" if pdfs is not None else "0",
                 str(logging.getLogger("mkdocs").getEffectiveLevel()), str(reason_file)],
                stderr=messages, text=True, env={**os.environ, "PYTHONPATH": _package_path()})
            if pdfs is not None:
                pdfs(staging)
            returncode = engine.wait()
            messages.seek(0)
            stderr = messages.read()
        if stderr:
            sys.stderr.write(stderr)
        if returncode != 0:
            raise SiteBuildFailed(_engine_failure(reason_file, stderr, returncode))
    except BaseException:  # a failure, Ctrl-C or SIGTERM: the engine is stopped before its folder is removed
        if engine is not None and engine.poll() is None:
            engine.kill()
            engine.wait()
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        nav_file.unlink(missing_ok=True)
        reason_file.unlink(missing_ok=True)
    if pdfs is not None:
        shutil.rmtree(fresh / "pdf", ignore_errors=True)
        staging.mkdir(exist_ok=True)  # the PDFs make it as they are written
        os.replace(staging, fresh / "pdf")
    with _signals_held():  # the old site moved aside and the new one put in its place, never only the first
        if paths.site.exists():
            os.replace(paths.site, old)
        os.replace(fresh, paths.site)
    shutil.rmtree(old, ignore_errors=True)
    if old.exists():
        return f"could not remove the previous site, left in {old} — delete it by hand"
    return None


def _engine_failure(reason_file: Path, stderr: str, returncode: int) -> str:
    """Why the site engine failed: the reason it gave (``builder/sitebuild.py``), else its last message."""
    try:
        given = reason_file.read_text(encoding="utf-8").strip()
    except OSError:  # it stopped before it could say (a crash, a signal)
        given = ""
    return given or (stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {returncode}")


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the block has run (they are then raised as usual)."""
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def build(paths: Paths, strict: bool = False) -> Book:
    """The whole build: check, generate Markdown, build the site."""
    book, rendered = generate(paths, strict)
    build_site(paths, rendered.nav)
    return book


def quiet_mkdocs(verbose: bool) -> None:
    logging.getLogger("mkdocs").setLevel(logging.INFO if verbose else logging.WARNING)
