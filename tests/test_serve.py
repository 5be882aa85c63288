"""``serve``: the site is served, and an edit to a note shows without restarting."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request

import pytest

from conftest import CONFIG, PROJECT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, wanted: str, seconds: float) -> str:
    return fetch_until(url, lambda text: wanted in text, seconds)


def fetch_until(url: str, done, seconds: float) -> str:
    """The page at ``url`` once ``done(page)``, or as it was when ``seconds`` ran out."""
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
            if done(text):
                return text
        except OSError:
            pass
        time.sleep(0.3)
    return text


def test_serve_rebuilds_after_an_edit(minimal_book):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(minimal_book), "--config",
                               str(CONFIG), "--dev-addr", f"127.0.0.1:{port}"], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/actors/russia/"
        assert "Russia signed a treaty" in fetch(url, "Russia signed a treaty", 60)
        note = minimal_book / "content" / "actors" / "russia.md"
        note.write_text(note.read_text().replace("Russia signed a treaty", "Russia has signed a treaty"),
                        encoding="utf-8")
        assert "Russia has signed a treaty" in fetch(url, "Russia has signed a treaty", 30)
        assert not (minimal_book / "content" / "actors" / "russia.md.tmp").exists()
        # the theme's templates, compiled once (builder/site_hooks.py), not again for every rebuild
        assert list((minimal_book / "build" / "cache" / "theme-templates").glob("__jinja2_*.cache"))
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "regenerated in" in output


def test_served_pages_say_when_the_book_has_errors_and_stop_when_fixed(minimal_book):
    """A mistake saved while serving leaves the last good pages in place; each page then shows the problems at
    its top (a script on every served page reads them from _serve/problems.json), until the note is fixed."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(minimal_book), "--config",
                               str(CONFIG), "--dev-addr", f"127.0.0.1:{port}"], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = fetch(f"http://127.0.0.1:{port}/actors/russia/", "Russia signed a treaty", 60)
        assert 'data-problems="../../_serve/problems.json"' in page
        problems_url = f"http://127.0.0.1:{port}/_serve/problems.json"
        assert json.loads(fetch(problems_url, "problems", 10)) == {"errors": 0, "warnings": 0, "problems": [],
                                                                   "built": True}
        note = minimal_book / "content" / "actors" / "russia.md"
        good = note.read_text(encoding="utf-8")
        note.write_text(good.replace("[@", "[@no-such-key; @", 1), encoding="utf-8")
        shown = json.loads(fetch(problems_url, "no-such-key", 30))
        assert shown == {"errors": 1, "warnings": 0, "problems": [
            "content/actors/russia.md:6:45: error[cite.unknown]: unknown citation key 'no-such-key' — add an entry "
            "with this key to a .bib file in bibliography/"], "built": True}
        assert "Russia signed a treaty" in fetch(f"http://127.0.0.1:{port}/actors/russia/", "", 5)
        note.write_text(good, encoding="utf-8")
        assert json.loads(fetch(problems_url, '"problems": []', 30))["problems"] == []
    finally:
        server.terminate()
        server.communicate(timeout=30)


UNKNOWN_KEY = ("content/actors/russia.md:6:45: error[cite.unknown]: unknown citation key 'no-such-key' — add an "
               "entry with this key to a .bib file in bibliography/")


def test_serve_starts_on_a_book_with_errors_and_shows_the_book_once_they_are_fixed(minimal_book):
    """An analyst starts `serve` in the middle of an edit, on a book never built: the site is one page saying the
    book has errors (every served page lists them at its top); the first fix brings the whole site."""
    note = minimal_book / "content" / "actors" / "russia.md"
    good = note.read_text(encoding="utf-8")
    note.write_text(good.replace("[@", "[@no-such-key; @", 1), encoding="utf-8")
    port = free_port()
    server = serving(minimal_book, port)
    try:
        home, problems_url = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/_serve/problems.json"
        page = fetch(home, "The book has errors", 60)
        assert "<h1 id=\"the-book-has-errors\">The book has errors<" in page
        assert "There is no good build of the book to show yet" in page
        assert json.loads(fetch(problems_url, "problems", 10)) == {"errors": 1, "warnings": 0,
                                                                   "problems": [UNKNOWN_KEY], "built": False}
        assert not (minimal_book / "build" / "nav.yml").exists()
        note.write_text(good, encoding="utf-8")
        assert "Russia signed a treaty" in fetch(home + "actors/russia/", "Russia signed a treaty", 30)
        assert "The book has errors" not in fetch_until(home, lambda text: "The book has errors" not in text, 30)
        assert json.loads(fetch(problems_url, '"problems": []', 30)) == {"errors": 0, "warnings": 0,
                                                                         "problems": [], "built": True}
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert UNKNOWN_KEY in output
    assert "the book has errors: the site shows them until they are fixed" in output


def test_serve_starts_on_a_book_with_errors_showing_its_last_good_build(minimal_book):
    """Started on a book with errors that was built before, `serve` shows that build, with the problems."""
    subprocess.run([sys.executable, "-m", "builder", "build", "--no-pdf", "--root", str(minimal_book), "--config",
                    str(CONFIG)], cwd=PROJECT, check=True, capture_output=True)
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text(encoding="utf-8").replace("[@", "[@no-such-key; @", 1), encoding="utf-8")
    port = free_port()
    server = serving(minimal_book, port)
    try:
        page = fetch(f"http://127.0.0.1:{port}/actors/russia/", "Russia signed a treaty", 60)
        assert "Russia signed a treaty" in page and "The book has errors" not in page
        assert json.loads(fetch(f"http://127.0.0.1:{port}/_serve/problems.json", "problems", 10)) == {
            "errors": 1, "warnings": 0, "problems": [UNKNOWN_KEY], "built": True}
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "the book has errors: the site shows the last good build" in output


def serving(book, port: int, config=CONFIG) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(book), "--config", str(config),
                             "--dev-addr", f"127.0.0.1:{port}"], cwd=PROJECT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def gone(url: str, seconds: float) -> bool:
    """Whether ``url`` answers 404 Not Found within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def test_a_new_note_shows_in_the_navigation_of_every_page_and_a_deleted_one_is_gone(minimal_book):
    """mkdocs' server rebuilds only the pages whose Markdown changed; yet every page has the navigation, so a
    note added (or retitled, or deleted) shows in the navigation of pages it does not touch; and the page of a
    deleted note is no longer served, as after a build."""
    port = free_port()
    server = serving(minimal_book, port)
    try:
        unrelated = f"http://127.0.0.1:{port}/claims/north-korean-troops-to-donetsk/"
        assert "Russia" in fetch(unrelated, "Russia", 60)
        note = minimal_book / "content" / "actors" / "ukraine.md"
        note.write_text("---\nname: Ukrainia\nkind: state\n---\nAt war with [[russia]].\n", encoding="utf-8")
        assert "Ukrainia" in fetch(f"http://127.0.0.1:{port}/actors/ukraine/", "Ukrainia", 30)
        assert "Ukrainia" in fetch(unrelated, "Ukrainia", 30)
        note.write_text(note.read_text(encoding="utf-8").replace("Ukrainia", "Ukraine"), encoding="utf-8")
        assert "Ukrainia" not in fetch_until(unrelated, lambda page: "Ukrainia" not in page, 30)  # retitled
        assert "Ukraine" in fetch(unrelated, "", 5)
        note.unlink()
        assert gone(f"http://127.0.0.1:{port}/actors/ukraine/", 30)
        assert "Ukraine" not in fetch_until(unrelated, lambda page: "Ukraine" not in page, 30)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output


def _rename_site(book):
    config = book / "mkdocs.yml"
    config.write_text(re.sub(r"^site_name: .*$", "site_name: Draft, not for release",
                             config.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")


def _mark_theme(book):
    main = book / "site_overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>Draft, not for release</p>", 1), encoding="utf-8")


@pytest.mark.parametrize("edit", [_rename_site, _mark_theme], ids=["site name in mkdocs.yml", "theme overrides"])
def test_an_edit_of_the_settings_or_the_theme_while_serving_shows_on_every_page(minimal_book, edit):
    """mkdocs.yml and site_overrides/ shape every page, not only those whose Markdown changed."""
    config = minimal_book / "mkdocs.yml"
    config.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(CONFIG.parent / "site_overrides", minimal_book / "site_overrides")
    port = free_port()
    server = serving(minimal_book, port, config)
    try:
        pages = [f"http://127.0.0.1:{port}/actors/russia/", f"http://127.0.0.1:{port}/claims/"]
        for page in pages:
            assert "Russia" in fetch(page, "Russia", 60)
        edit(minimal_book)
        for page in pages:
            assert "Draft, not for release" in fetch(page, "Draft, not for release", 30)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output
    assert "'dirty' build" not in output  # mkdocs' warning that the navigation may be wrong: it is not


@contextlib.contextmanager
def served(book, config):
    """``serve`` running on ``book``: yields the site's address; ``.output`` is what it printed, once stopped."""
    port = free_port()
    server = serving(book, port, config)
    site = types.SimpleNamespace(url=f"http://127.0.0.1:{port}/", output="")
    try:
        yield site
    finally:
        server.terminate()
        site.output = server.communicate(timeout=30)[0]
    assert "Traceback" not in site.output and "appear stuck" not in site.output


def _book_with_settings(book):
    config = book / "mkdocs.yml"
    config.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(CONFIG.parent / "site_overrides", book / "site_overrides")
    return config


NOT_INSTALLED = ("mkdocs.yml: error[config.site]: Config value 'plugins': The \"serch\" plugin is not installed — fix it "
                 "in mkdocs.yml; until then the site is served with the settings it had before")


def test_a_setting_mkdocs_refuses_while_serving_shows_on_every_page_and_the_site_is_served_on(minimal_book):
    """A misspelt plugin saved in mkdocs.yml: mkdocs cannot load its settings. Its server used to hang ("The
    server will appear stuck") after a traceback; now the site is served on with the settings it had, every page
    shows the problem, and the fix brings the new settings."""
    config = _book_with_settings(minimal_book)
    good = config.read_text(encoding="utf-8")
    with served(minimal_book, config) as site:
        page_url, problems_url = site.url + "actors/russia/", site.url + "_serve/problems.json"
        assert "Russia signed a treaty" in fetch(page_url, "Russia signed a treaty", 60)
        broken = good.replace("  - search:", "  - serch:", 1).replace("site_name: ", "site_name: Draft of ", 1)
        assert broken.count("serch") == 1 and "Draft of" in broken
        config.write_text(broken, encoding="utf-8")
        assert json.loads(fetch(problems_url, "serch", 30)) == {"errors": 1, "warnings": 0,
                                                                "problems": [NOT_INSTALLED], "built": True}
        page = fetch(page_url, "Russia signed a treaty", 10)
        assert "Russia signed a treaty" in page and "Draft of" not in page  # the settings it had before
        config.write_text(good.replace("site_name: ", "site_name: Draft of ", 1), encoding="utf-8")
        assert json.loads(fetch(problems_url, '"problems": []', 30))["problems"] == []
        assert "Draft of" in fetch(page_url, "Draft of", 30)
    assert site.output.count(NOT_INSTALLED) == 1


def test_serve_starts_on_a_settings_file_mkdocs_cannot_load_and_shows_the_site_once_it_is_fixed(minimal_book):
    """Broken YAML in mkdocs.yml when `serve` starts: it used to stop with mkdocs' traceback. Now the site is served
    with plain settings, its one page saying the book has errors, the YAML error at its top (once: the book's own
    check finds it, so mkdocs' message is not added); the fix brings the book with its own settings."""
    config = _book_with_settings(minimal_book)
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("site_name: ", "site_name: [", 1), encoding="utf-8")
    with served(minimal_book, config) as site:
        home, problems_url = site.url, site.url + "_serve/problems.json"
        page = fetch(home, "The book has errors", 60)
        assert "There is no good build of the book to show yet" in page
        assert "The settings file has errors</title>" in page
        shown = json.loads(fetch(problems_url, "problems", 10))
        assert [problem.split(": error[")[1].split("]")[0] for problem in shown["problems"]] == ["config.yaml"]
        assert shown["problems"][0].startswith("mkdocs.yml:") and shown["built"] is False
        config.write_text(good, encoding="utf-8")
        assert "Russia signed a treaty" in fetch(home + "actors/russia/", "Russia signed a treaty", 30)
        assert json.loads(fetch(problems_url, '"problems": []', 30))["problems"] == []
        assert "The settings file has errors" not in fetch(home + "actors/russia/", "", 5)
    assert "error[config.yaml]" in site.output and "error[config.site]" not in site.output


def test_a_broken_theme_template_while_serving_shows_on_every_page_and_the_pages_are_served_on(minimal_book):
    """A Jinja syntax error saved in site_overrides/main.html made mkdocs' server hang after a traceback; now the
    pages built before are served, each shows the template's file and line, and the fix rebuilds them."""
    _book_with_settings(minimal_book)
    main = minimal_book / "site_overrides" / "main.html"
    good = main.read_text(encoding="utf-8")
    line = good[:good.index("{% block content %}")].count("\n") + 1
    with served(minimal_book, minimal_book / "mkdocs.yml") as site:
        page_url, problems_url = site.url + "actors/russia/", site.url + "_serve/problems.json"
        assert "Russia signed a treaty" in fetch(page_url, "Russia signed a treaty", 60)
        main.write_text(good.replace("{% block content %}", "{% block content %}{% if %}", 1), encoding="utf-8")
        assert json.loads(fetch(problems_url, "theme.template", 30)) == {"errors": 1, "warnings": 0, "problems": [
            f"site_overrides/main.html:{line}: error[theme.template]: error in a theme template: Expected an "
            "expression, got 'end of statement block' — fix the template (see the Jinja documentation for its "
            "syntax); until then the site shows the pages built before"], "built": True}
        assert "Russia signed a treaty" in fetch(page_url, "Russia signed a treaty", 10)
        main.write_text(good.replace("{% block content %}", "{% block content %}<p>Draft, not for release</p>", 1),
                        encoding="utf-8")
        assert json.loads(fetch(problems_url, '"problems": []', 30))["problems"] == []
        assert "Draft, not for release" in fetch(page_url, "Draft, not for release", 30)
    assert site.output.count("error[theme.template]") == 1


def test_serve_starts_on_a_broken_theme_template_with_the_themes_own_templates(minimal_book):
    """No pages were built yet, so there are none to keep: the site is built without the overrides, shows the
    template's problem on every page, and gets the overrides back once the template is fixed."""
    _book_with_settings(minimal_book)
    main = minimal_book / "site_overrides" / "main.html"
    good = main.read_text(encoding="utf-8")
    main.write_text(good.replace("{% block content %}", "{% block content %}{% if %}", 1), encoding="utf-8")
    with served(minimal_book, minimal_book / "mkdocs.yml") as site:
        page_url, problems_url = site.url + "actors/russia/", site.url + "_serve/problems.json"
        page = fetch(page_url, "Russia signed a treaty", 60)
        assert "Russia signed a treaty" in page and "book.css" not in page  # no overrides: not their styles
        problem, = json.loads(fetch(problems_url, "theme.template", 30))["problems"]
        assert problem.startswith("site_overrides/main.html:") and problem.endswith(
            "until then the site is shown with the theme's own templates")
        main.write_text(good.replace("{% block content %}", "{% block content %}<p>Draft, not for release</p>", 1),
                        encoding="utf-8")
        assert json.loads(fetch(problems_url, '"problems": []', 30))["problems"] == []
        page = fetch(page_url, "Draft, not for release", 30)
        assert "Draft, not for release" in page and "book.css" in page
    assert site.output.count("error[theme.template]") == 1


class Watching:
    """``serve.watch`` running in a thread, counting the rebuilds it asks for."""

    def __init__(self, root, config=CONFIG):
        from builder import serve
        from builder.pipeline import Paths

        self.calls = threading.Semaphore(0)
        self.stop = threading.Event()
        ready = threading.Event()
        self.thread = threading.Thread(target=serve.watch, args=(Paths.for_root(root, config), self.on_change,
                                                                 self.stop, ready), daemon=True)
        self.thread.start()
        assert ready.wait(timeout=20)

    def on_change(self) -> None:
        self.calls.release()

    def rebuilt(self, seconds: float = 20) -> bool:
        return self.calls.acquire(timeout=seconds)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


@pytest.fixture
def watching(minimal_book):
    started = []

    def start(root=minimal_book, config=CONFIG):
        started.append(Watching(root, config))
        return started[-1]

    yield start
    for watcher in started:
        watcher.close()


def test_an_edit_asks_for_a_rebuild_and_reading_the_notes_for_none(minimal_book, watching):
    watcher = watching()
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert watcher.rebuilt()
    while watcher.rebuilt(seconds=1):  # one save may be heard as two edits on a busy machine
        pass
    for path in sorted((minimal_book / "content").rglob("*.md")):
        path.read_bytes()  # what a rebuild does: were that an edit, serve would rebuild for ever
    assert not watcher.rebuilt(seconds=1)


def editor_files(book) -> None:
    """What editors write beside a note while it is open: a swap file, a lock, a temporary copy."""
    (book / "content" / "actors" / ".russia.md.swp").write_bytes(b"b0VIM 9.0")
    (book / "content" / ".#russia.md").write_text("analyst@host.1234", encoding="utf-8")
    (book / "content" / ".drafts").mkdir()
    (book / "content" / ".drafts" / "russia.md").write_text("---\nid: russia\n---\n", encoding="utf-8")


@pytest.mark.parametrize("events", [True, False], ids=["file events", "polling"])
def test_files_the_builder_never_reads_ask_for_no_rebuild(minimal_book, watching, monkeypatch, events):
    from builder import serve

    if not events:
        monkeypatch.setattr(serve, "_start_observer", lambda paths, changed: None)
    watcher = watching()
    editor_files(minimal_book)
    assert not watcher.rebuilt(seconds=1.5)  # three times what polling takes
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert watcher.rebuilt()


def test_a_bibliography_folder_made_after_serve_started_is_watched(minimal_book, watching):
    shutil.rmtree(minimal_book / "bibliography")
    watcher = watching()
    (minimal_book / "bibliography").mkdir()
    assert watcher.rebuilt()
    while watcher.rebuilt(seconds=1):
        pass
    (minimal_book / "bibliography" / "book.bib").write_text("@misc{a, title = {A}}\n", encoding="utf-8")
    assert watcher.rebuilt()


def test_without_file_events_the_folders_are_polled(minimal_book, watching, monkeypatch):
    from builder import serve

    monkeypatch.setattr(serve, "_start_observer", lambda paths, changed: None)
    watcher = watching()
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert watcher.rebuilt()


@pytest.mark.parametrize("events", [True, False], ids=["file events", "polling"])
@pytest.mark.parametrize("where", ["in the book", "elsewhere"])
def test_an_edit_of_the_settings_file_asks_for_a_rebuild(minimal_book, watching, monkeypatch, tmp_path, events,
                                                          where):
    """mkdocs.yml holds the book's settings (extra.book), which shape the pages: editing it while serving
    rebuilds them, whether it is the book's own or one given with --config, saved in place or by an editor
    that writes a new file and renames it over the old one."""
    from builder import serve

    if not events:
        monkeypatch.setattr(serve, "_start_observer", lambda paths, changed: None)
    config = (minimal_book if where == "in the book" else tmp_path / "settings") / "mkdocs.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    watcher = watching(config=config)
    config.write_text(config.read_text(encoding="utf-8").replace("nav_notes_limit: 200", "nav_notes_limit: 20"),
                      encoding="utf-8")
    assert watcher.rebuilt()
    while watcher.rebuilt(seconds=1.5):
        pass
    (config.parent / "other.yml").write_text("site_name: Another\n", encoding="utf-8")  # beside it, not read
    assert not watcher.rebuilt(seconds=1.5)
    replacement = config.with_name(".mkdocs.yml.tmp")
    replacement.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    replacement.replace(config)
    assert watcher.rebuilt()


def test_serve_keeps_the_hooks_of_the_settings_file(tmp_path):
    from builder.serve import site_hooks

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: A book\nhooks:\n  - hooks/links.py\n", encoding="utf-8")
    hooks = site_hooks(config)
    assert hooks[0] == str(tmp_path / "hooks" / "links.py")
    assert hooks[1].endswith("site_hooks.py") and len(hooks) == 2
    assert site_hooks(CONFIG)[-1] == hooks[1]


class SiteServer:
    """mkdocs' development server watching a folder of pages and a settings file, as ``serve`` starts it, with
    a builder that only counts the rebuilds it is asked for."""

    def __init__(self, tmp_path, polling_seconds: float):
        from mkdocs.livereload import LiveReloadServer

        self.docs, self.settings = tmp_path / "docs", tmp_path / "mkdocs.yml"
        self.docs.mkdir()
        (self.docs / "index.md").write_text("# A book\n", encoding="utf-8")
        self.settings.write_text("site_name: A book\n", encoding="utf-8")
        self.config = types.SimpleNamespace(docs_dir=str(self.docs), config_file_path=str(self.settings))
        self.rebuilds = threading.Semaphore(0)
        self.server = LiveReloadServer(builder=self.rebuilds.release, host="127.0.0.1", port=free_port(),
                                       root=str(tmp_path / "site"), polling_interval=polling_seconds)
        self.server.watch(str(self.docs))
        self.server.watch(str(self.settings))
        self.serving: threading.Thread | None = None

    def serve(self) -> None:
        self.serving = threading.Thread(target=self.server.serve, daemon=True)
        self.serving.start()
        time.sleep(0.5)  # the server binds its port and starts its observer

    def rebuilt(self, seconds: float) -> bool:
        return self.rebuilds.acquire(timeout=seconds)

    def close(self) -> None:
        if self.serving is not None:
            self.server.shutdown(wait=True)
            self.serving.join(timeout=20)
        else:
            self.server.observer.stop()


@pytest.fixture
def site_server(tmp_path):
    started = []

    def start(polling_seconds: float = 60):
        started.append(SiteServer(tmp_path, polling_seconds))
        return started[-1]

    yield start
    for site in started:
        site.close()


def test_the_site_server_hears_new_pages_at_once_and_not_its_own_reading(site_server):
    from watchdog.observers.polling import PollingObserver

    from builder.serve import hear_page_edits

    site = site_server(polling_seconds=60)  # were it still polling, it would see nothing for a minute
    assert hear_page_edits(site.server, site.config) is site.server
    assert not isinstance(site.server.observer, PollingObserver)
    site.serve()
    (site.docs / "claims").mkdir()
    (site.docs / "claims" / "a-claim.md").write_text("# A claim\n", encoding="utf-8")
    assert site.rebuilt(seconds=10)
    while site.rebuilt(seconds=1):  # a file written, then closed: one rebuild or two
        pass
    for page in site.docs.rglob("*.md"):
        page.read_bytes()  # what mkdocs' rebuild does: were that an edit, it would rebuild for ever
    site.settings.read_bytes()
    assert not site.rebuilt(seconds=1)
    replacement = site.settings.with_name(".mkdocs.yml.tmp")  # how editors save: a new file renamed over it
    replacement.write_text("site_name: Another book\n", encoding="utf-8")
    replacement.replace(site.settings)
    assert site.rebuilt(seconds=10)


def test_without_file_events_the_site_server_keeps_polling(site_server, monkeypatch):
    from builder import serve

    def no_file_events(observer):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(serve.EditObserver, "start", no_file_events)
    site = site_server(polling_seconds=0.2)
    polling = site.server.observer
    serve.hear_page_edits(site.server, site.config)
    assert site.server.observer is polling
    site.serve()
    (site.docs / "a-claim.md").write_text("# A claim\n", encoding="utf-8")
    assert site.rebuilt(seconds=10)


def test_the_site_server_keeps_polling_what_a_plugin_watches(site_server, tmp_path):
    from builder.serve import hear_page_edits

    site = site_server(polling_seconds=0.2)
    theme = tmp_path / "theme"
    theme.mkdir()
    site.server.watch(str(theme))  # as a plugin's on_serve may: only that plugin could move it
    polling = site.server.observer
    hear_page_edits(site.server, site.config)
    assert site.server.observer is polling
    site.serve()
    (theme / "main.html").write_text("{% extends 'base.html' %}\n", encoding="utf-8")
    assert site.rebuilt(seconds=10)
    while site.rebuilt(seconds=1):
        pass
    (site.docs / "a-claim.md").write_text("# A claim\n", encoding="utf-8")
    assert site.rebuilt(seconds=10)
