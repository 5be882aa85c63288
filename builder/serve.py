"""``serve``: regenerate the Markdown when content/ or bibliography/ change; mkdocs reloads the browser."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import yaml
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .cli import print_diagnostics
from .diagnostics import BuildFailed, Diagnostic, Loc, error
from .files import replacing
from .incremental import BuildState, generate_incremental
from .pipeline import Paths, quiet_mkdocs
from .render import _environment, read_mkdocs_yml
from .settings import shown_path
from .sitebuild import Messages, reason, template_problem

POLL_SECONDS = 0.5
"""How often the input folders are compared when the system gives no file events."""
SETTLE_SECONDS = 0.05
"""An editor's save is several events (a temporary file, a rename): the rebuild waits for this much quiet."""
INPUT_FOLDERS = ("content", "bibliography")
# what writing, moving or removing a file reports; opening and reading one (as the builder and mkdocs do) reports
# "opened" and "closed_no_write", which must not start another rebuild
CHANGE_EVENTS = frozenset({"created", "modified", "moved", "deleted", "closed"})


def may_change_the_book(root: str, path: str) -> bool:
    """Whether the file or folder at ``path`` is one the builder may read: anything under bibliography/ (a
    source's archived text may have any name), anything under content/ but what has a name starting with '.'
    (an editor's swap, lock or temporary file), which the builder never reads. ``root`` and ``path`` are
    absolute, as the observer reports them."""
    if not path.startswith(root + os.sep):
        return False
    # cut, not os.path.relpath: polling asks this of every file, and relpath doubled a comparison's time
    parts = path[len(root) + 1:].split(os.sep)
    if parts[0] == "content":
        return not any(part.startswith(".") for part in parts[1:])
    return parts[0] in INPUT_FOLDERS


def snapshot(paths: Paths) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every input file and of the settings file, to notice edits."""
    state = {}
    root = os.fspath(paths.root)
    try:
        stat = paths.config.stat()
        state[str(paths.config)] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        pass
    for folder in (paths.root / name for name in INPUT_FOLDERS):
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and may_change_the_book(root, os.fspath(path)):
                    stat = path.stat()
                    state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def _poll(paths: Paths, on_change: Callable[[], None], stop: threading.Event, ready: threading.Event) -> None:
    seen = snapshot(paths)
    ready.set()
    while not stop.wait(POLL_SECONDS):
        now = snapshot(paths)
        if now != seen:
            seen = now
            on_change()


class _EditsOnly(FileSystemEventHandler):
    """Passes on to ``handler`` the events of an edit, not those of opening or reading a file, nor a folder's
    "modified" (its entries changed, and each entry's own event is passed on)."""

    def __init__(self, handler: FileSystemEventHandler):
        super().__init__()
        self.handler = handler

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return  # a folder's entries changed: the entry's own event says which
        if event.event_type in CHANGE_EVENTS:
            self.handler.dispatch(event)


class EditObserver(Observer):
    """The system's file events (inotify, FSEvents …) for every handler scheduled, edits only; starting it
    twice is starting it once (mkdocs' server starts the observer it is given)."""

    def schedule(self, event_handler, path, recursive=False, **options):
        return super().schedule(_EditsOnly(event_handler), path, recursive=recursive, **options)

    def start(self) -> None:
        if not self.is_alive():
            super().start()


def _start_observer(paths: Paths, changed: threading.Event):
    """An observer that sets ``changed`` on every edit under the input folders, including folders created
    after it started, and of the settings file (its ``extra.book`` shapes the pages); None when the system
    cannot report file events (then the folders are polled)."""
    root = os.fspath(paths.root)
    config = os.fspath(paths.config)
    inputs = {os.path.join(root, name) for name in INPUT_FOLDERS}
    observer = EditObserver()
    watched: set[str] = set()

    def watch_inputs() -> None:
        for folder in sorted(inputs - watched):
            if os.path.isdir(folder):
                observer.schedule(handler, folder, recursive=True)
                watched.add(folder)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            touched = {os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")}
            if config in touched or any(may_change_the_book(root, path) for path in touched if path):
                if inputs - watched:
                    watch_inputs()  # content/ or bibliography/ may have just been made
                changed.set()

    handler = Handler()
    try:
        observer.schedule(handler, root, recursive=False)  # to see content/ or bibliography/ being made
        if os.path.dirname(config) != root:  # the settings file, which editors may replace by another
            observer.schedule(handler, os.path.dirname(config), recursive=False)
        watch_inputs()
        observer.start()
    except OSError:  # e.g. the limit on inotify watches reached
        return None
    return observer


def hear_page_edits(server, config):
    """Move the watches of mkdocs' development server (the pages in ``build/docs`` and the settings file) from
    its polling observer to file events; return the server.

    mkdocs' server compares what it watches every 0.5 s (watchdog's PollingObserver): a walk of the pages
    that costs 5 % of a core at 2,000 notes while nothing changes, and up to 0.5 s before new pages start
    its rebuild. With file events it hears the builder's last write at once. It keeps polling where the
    system gives no file events, and when a plugin watches something of its own."""
    polling = server.observer
    if not isinstance(polling, PollingObserver) or issubclass(EditObserver, PollingObserver):
        return server  # moved already, or this system has no file events: watchdog's Observer polls too
    watched = [path for path in (config.docs_dir, config.config_file_path) if path]
    for path in watched:
        server.unwatch(path)
    if polling.emitters:  # watches of a plugin, which only that plugin could move
        for path in watched:
            server.watch(path)
        return server
    server.observer = events = EditObserver()
    moved = []
    try:
        for path in watched:
            server.watch(path)
            moved.append(path)
        events.start()
    except OSError:  # e.g. the limit on inotify watches reached
        for path in moved:
            server.unwatch(path)
        events.stop()
        server.observer = polling
        for path in watched:
            server.watch(path)
    return server


def watch(paths: Paths, on_change: Callable[[], None], stop: threading.Event,
          ready: threading.Event | None = None) -> None:
    """Call ``on_change`` after each edit under content/ or bibliography/ or of the settings file, until ``stop``
    is set; ``ready`` is set once every later edit will be seen.

    File events (inotify, FSEvents …, through watchdog) start a rebuild at once and cost nothing while
    nothing changes; where the system gives none, the folders are compared every ``POLL_SECONDS``."""
    ready = ready or threading.Event()
    changed = threading.Event()
    observer = _start_observer(paths, changed)
    if observer is None:
        _poll(paths, on_change, stop, ready)
        return
    ready.set()
    try:
        while not stop.is_set():
            if not changed.wait(POLL_SECONDS):
                continue  # only to look at ``stop`` again
            changed.clear()
            while changed.wait(SETTLE_SECONDS) and not stop.is_set():
                changed.clear()
            if not stop.is_set():
                on_change()
    finally:
        observer.stop()
        observer.join()


class ServedSite:
    """What mkdocs' last rebuild of the served site was made from (``site_hooks.py``).

    ``serve`` has mkdocs rebuild only the pages whose Markdown changed (its "dirty" builds), but every page
    also shows the navigation (the tabs, the sidebar, the previous and next page), the settings (the site's
    name, the theme) and the theme overrides: when any of them changed, every page is rebuilt. And a page whose
    note was deleted or renamed is removed from the served site, which mkdocs leaves in place. mkdocs loads its
    hooks afresh for each rebuild, so this is kept here, in a module loaded once."""

    def __init__(self) -> None:
        self.made_from: tuple | None = None
        """The navigation, the settings file's text and the theme overrides' time stamps of the last rebuild."""
        self.pages: set[str] = set()
        """The HTML files of the pages of the last rebuild."""
        self.building: set[str] = set()
        """Those of the rebuild under way."""

    def rebuild_all(self, nav: list, config_file: str | None, theme_dir: str | None = None) -> bool:
        """Whether every page must be rebuilt: the navigation, the settings or the theme overrides in
        ``theme_dir`` (site_overrides/) changed since the last rebuild."""
        try:
            settings = Path(config_file).read_bytes() if config_file else b""
        except OSError:
            settings = b""
        made_from = (json.dumps(nav, sort_keys=True), settings, _stamps(theme_dir))
        changed = self.made_from is not None and made_from != self.made_from
        self.made_from = made_from
        return changed

    def built(self) -> set[str]:
        """The HTML files of pages the last rebuild had and the one just done has not (to be removed)."""
        gone = self.pages - self.building
        self.pages = self.building
        return gone


SERVED_SITE = ServedSite()


def _stamps(folder: str | None) -> tuple:
    """(path, size, time stamp) of every file under ``folder``: what tells that one of them changed."""
    if not folder:
        return ()
    stamps = []
    for parent, _folders, names in os.walk(folder):
        for name in names:
            try:
                stat = os.stat(os.path.join(parent, name))
            except OSError:
                continue
            stamps.append((os.path.join(parent, name), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(stamps))


def problems_file(docs: Path) -> Path:
    """What the book's last rebuild found wrong, for the site's pages to show (``site_hooks.py``): beside
    build/docs, in a folder of its own that mkdocs' server watches."""
    return docs.parent / "serve" / "problems.json"


def problems_text(diagnostics: list[Diagnostic], built: bool = True) -> str:
    """The JSON the served pages read: how many errors and warnings, each problem as ``check`` prints it, and
    whether the pages are a good build of the book (False: only the page saying there is none yet)."""
    errors = sum(d.severity == "error" for d in diagnostics)
    return json.dumps({"errors": errors, "warnings": len(diagnostics) - errors,
                       "problems": [d.format() for d in diagnostics], "built": built},
                      ensure_ascii=False, indent=1)


def show_problems(docs: Path, diagnostics: list[Diagnostic], built: bool = True) -> None:
    """Tell the served pages about the problems of the last rebuild (none: the pages show the book as it is).
    Written only when they change, since each write makes mkdocs rebuild and the browser reload."""
    text = problems_text(diagnostics, built)
    target = problems_file(docs)
    try:
        if target.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


UNBUILT_NAV = [{"The book has errors": "index.md"}]
"""The navigation while no good build of the book exists: the one page saying so."""


def last_good_nav(docs: Path) -> list | None:
    """The navigation of the pages an earlier ``build`` or ``serve`` left in ``docs`` (``build/nav.yml`` beside
    them, written after the pages), or None when there are none to show."""
    try:
        nav = yaml.safe_load((docs.parent / "nav.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return nav if isinstance(nav, list) and nav and (docs / "index.md").is_file() else None


def write_unbuilt_page(docs: Path) -> None:
    """The site's only page while the book has errors and was never built: it says so (the problems show above
    it, like on every served page)."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs.parent / "nav.yml").unlink(missing_ok=True)  # these are no longer the pages of a good build
    with replacing(docs / "index.md") as tmp:
        tmp.write_text(_environment().get_template("unbuilt.md.j2").render(), encoding="utf-8")


def site_hooks(config: Path) -> list[str]:
    """mkdocs' ``hooks:`` for ``serve``: those of the settings file, then ``site_hooks.py``."""
    configured = read_mkdocs_yml(config).get("hooks") or []
    own = [str(config.parent / hook) for hook in configured if isinstance(hook, str)]
    return own + [str(Path(__file__).resolve().parent / "site_hooks.py")]


PLAIN_SETTINGS = "site_name: The settings file has errors\ntheme:\n  name: material\n"
"""What the site is served with while mkdocs cannot load the settings file and never could since ``serve`` started."""


class _SettingsText(io.StringIO):
    """A settings file's text as mkdocs reads it: from memory, but with the file's name, so that the paths in it
    (custom_dir, hooks, INHERIT) are taken from the file's folder and mkdocs' server watches the file."""

    def __init__(self, text: str, name: str):
        super().__init__(text)
        self.name = name


class ServedSettings:
    """mkdocs' ``load_config`` for ``serve``, which loads the settings file for every rebuild.

    When mkdocs cannot load it (broken YAML, a plugin that is not installed, a theme folder that is not there),
    mkdocs' server stopped with a traceback at the start, and later hung with one ("The server will appear
    stuck"). Here the site is served on with the settings last loaded (plain ones when there were none yet),
    and ``report`` is given the problem for every page to show, then None once the file loads again."""

    def __init__(self, load: Callable, config: Path, root: Path, report: Callable[[Diagnostic | None], None]):
        self.load = load
        self.shown = shown_path(config, root)
        self.report = report
        self.last_loaded: str | None = None
        """The text of the settings file the last time mkdocs loaded it."""

    def __call__(self, config_file: str, **options):
        from mkdocs.exceptions import MkDocsException

        messages = Messages()
        engine_log = logging.getLogger("mkdocs.config")  # mkdocs logs why it refused, then raises a bare "Aborted"
        engine_log.addHandler(messages)
        engine_log.propagate = False
        try:
            text = Path(config_file).read_text(encoding="utf-8")
            config = self.load(config_file=_SettingsText(text, config_file), **options)
        except (MkDocsException, OSError, UnicodeDecodeError) as exc:
            problem = (f"cannot read the settings file: {exc.strerror or exc}" if isinstance(exc, OSError)
                       else reason(exc, messages.kept))
            served_with = "the settings it had before" if self.last_loaded is not None else "plain settings"
            self.report(error(Loc(self.shown), "config.site", problem.rstrip("."),
                              f"fix it in {self.shown}; until then the site is served with {served_with}"))
            config = self.load(config_file=_SettingsText(self.last_loaded or PLAIN_SETTINGS, config_file), **options)
        else:
            self.last_loaded = text
            self.report(None)
            for level, message in messages.kept:  # a warning of a file that loads is shown as mkdocs shows it
                logging.getLogger("mkdocs").log(level, message)
        finally:
            engine_log.removeHandler(messages)
            engine_log.propagate = True
        return config


class ServedBuild:
    """mkdocs' ``build`` for ``serve``.

    A theme template Jinja cannot compile or render (site_overrides/ edited while serving) made mkdocs' server
    hang after a traceback ("The server will appear stuck"), and stop with one when it was there at the start.
    Here ``report`` is given the problem for every page to show (at the template's file and line), then None once
    a rebuild succeeds; meanwhile the pages built before are served on, or, when there are none yet, the pages
    are built with the theme's own templates, without the overrides."""

    def __init__(self, build: Callable, root: Path, report: Callable[[Diagnostic | None], None]):
        self.build = build
        self.root = root
        self.report = report
        self.pages_built = False

    def __call__(self, config, **options) -> None:
        from jinja2 import TemplateError

        from .site_hooks import publish_problems

        try:
            self.build(config, **options)
        except TemplateError as exc:
            overrides = config.theme.custom_dir
            without_overrides = not self.pages_built and overrides in config.theme.dirs
            file, line, problem, hint = template_problem(exc)
            self.report(error(Loc(shown_path(Path(file), self.root) if file else "site_overrides", line),
                              "theme.template", problem,
                              f"{hint}; until then the site " + ("is shown with the theme's own templates"
                                                                 if without_overrides else
                                                                 "shows the pages built before")))
            if without_overrides:
                config.theme.dirs.remove(overrides)  # mkdocs loads the next rebuild's settings afresh
                self.build(config, **options)
                self.pages_built = True
            else:
                publish_problems(config)  # mkdocs' build stopped before its post-build hook could
        else:
            self.pages_built = True
            self.report(None)


@contextlib.contextmanager
def site_engine_through(settings: ServedSettings, build: ServedBuild):
    """mkdocs' server loads its settings through ``settings`` and builds the site through ``build`` while this
    lasts."""
    import mkdocs.commands.serve as engine_serve

    engine_load, engine_build = engine_serve.load_config, engine_serve.build
    engine_serve.load_config, engine_serve.build = settings, build
    try:
        yield
    finally:
        engine_serve.load_config, engine_serve.build = engine_load, engine_build


class ServedProblems:
    """What every served page shows at its top: the book's problems (from the last regeneration), and those of
    the settings file and the theme's templates when mkdocs cannot use them. They are found in different threads
    (the watcher's and mkdocs' builds)."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self.lock = threading.Lock()
        self.book: list[Diagnostic] = []
        self.built = True
        self.site_engine: dict[str, Diagnostic] = {}
        """The problem mkdocs has with the settings file ("settings") and with the templates ("theme")."""

    def of_book(self, diagnostics: list[Diagnostic], built: bool = True) -> None:
        with self.lock:
            self.book, self.built = diagnostics, built
            self._show()

    def of_site_engine(self, kind: str, problem: Diagnostic | None) -> None:
        with self.lock:
            if problem is not None and problem != self.site_engine.get(kind) and not self._found_by_check(problem):
                print_diagnostics([problem], "text")
            if problem is None:
                self.site_engine.pop(kind, None)
            else:
                self.site_engine[kind] = problem
            self._show()

    def _found_by_check(self, problem: Diagnostic) -> bool:
        """Whether the book's own check found errors in the same file (the settings file's YAML): those are
        shown, and mkdocs' complaint about the file would repeat them."""
        return any(d.loc.path == problem.loc.path and d.severity == "error" for d in self.book)

    def _show(self) -> None:
        extra = [d for d in self.site_engine.values() if not self._found_by_check(d)]
        show_problems(self.paths.docs, self.book + extra, self.built)


def serve(paths: Paths, dev_addr: str, strict: bool) -> int:
    from mkdocs.commands.serve import build, load_config, serve as mkdocs_serve

    quiet_mkdocs(False)
    nav: list = []  # mkdocs re-reads its config on each rebuild; this list is updated in place
    state = BuildState()
    problems = ServedProblems(paths)

    def regenerate() -> None:
        try:
            _, rendered, _ = generate_incremental(paths, state, strict)
        except BuildFailed as failed:
            print_diagnostics(failed.diagnostics, "text")
            if not nav:  # serve starts on a book with errors: show the last build, or a page saying there is none
                good = last_good_nav(paths.docs)
                if good is None:
                    write_unbuilt_page(paths.docs)
                nav[:] = good or UNBUILT_NAV
            built = nav != UNBUILT_NAV  # the pages of a good build, or only the page saying there is none yet
            print("the book has errors: " + ("the site shows the last good build" if built else
                                             "the site shows them until they are fixed"), file=sys.stderr)
            problems.of_book(failed.diagnostics, built)
            return
        nav[:] = rendered.nav
        problems.of_book([])

    regenerate()
    stop = threading.Event()

    def on_change() -> None:
        started = time.perf_counter()
        regenerate()
        print(f"regenerated in {time.perf_counter() - started:.2f} s", file=sys.stderr)

    watcher = threading.Thread(target=watch, args=(paths, on_change, stop), daemon=True)
    watcher.start()
    # mkdocs warns on each of its "dirty" rebuilds that the navigation may come out wrong; ServedSite rebuilds
    # every page when the navigation changed, so the warning would only worry the reader of the terminal
    logging.getLogger("mkdocs.commands.build").addFilter(
        lambda record: not record.getMessage().startswith("A 'dirty' build is being performed"))
    try:
        with site_engine_through(
                ServedSettings(load_config, paths.config, paths.root,
                               functools.partial(problems.of_site_engine, "settings")),
                ServedBuild(build, paths.root, functools.partial(problems.of_site_engine, "theme"))):
            mkdocs_serve(config_file=str(paths.config), livereload=True, build_type="dirty", dev_addr=dev_addr,
                         docs_dir=str(paths.docs), nav=nav, hooks=site_hooks(paths.config))
    finally:
        stop.set()
    return 0
