"""The command line as a user meets it: exit codes, output formats, and a failed build losing nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys

import pytest
from pathlib import Path

from builder import cli
from conftest import CONFIG, PROJECT, run_builder


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_passes_on_a_valid_book(minimal_book):
    result = run_builder("check", "--strict", "--root", str(minimal_book))
    assert result.returncode == 0
    assert result.stderr.startswith("check passed: 0 error(s), 0 warning(s) (4 actors, 1 scenarios, 2 claims")


def test_check_fails_once_with_every_problem(minimal_book):
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text().replace("kind: state", "kind: stat\nnmae: x"), encoding="utf-8")
    result = run_builder("check", "--root", str(minimal_book))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "content/actors/russia.md:3:7: error[field.enum]: 'stat' is not an allowed value of 'kind' — "
        "did you mean 'state'?",
        "content/actors/russia.md:4:1: error[field.unknown]: unknown field 'nmae' in the front matter — "
        "did you mean 'name'?",
    ]
    assert lines[-1].startswith("check failed: 2 error(s)")


def test_json_and_github_formats(minimal_book):
    note = minimal_book / "content" / "actors" / "russia.md"
    note.write_text(note.read_text().replace("[[north-korea]]", "[[north-corea]]"), encoding="utf-8")
    result = run_builder("check", "--root", str(minimal_book), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == [{
        "path": "content/actors/russia.md", "line": 6, "col": 29, "severity": "error", "code": "ref.unknown",
        "message": "unknown note 'north-corea'", "hint": "did you mean 'north-korea'?"}]
    result = run_builder("check", "--root", str(minimal_book), "--format", "github")
    assert result.stdout == ("::error file=content/actors/russia.md,line=6,col=29,title=ref.unknown::"
                             "unknown note 'north-corea' — did you mean 'north-korea'?\n")


def test_strict_makes_warnings_fatal(minimal_book):
    (minimal_book / "content" / "actors" / "lonely.md").write_text("---\nname: Lonely\nkind: person\n---\n",
                                                                   encoding="utf-8")
    assert run_builder("check", "--root", str(minimal_book)).returncode == 0
    result = run_builder("check", "--strict", "--root", str(minimal_book))
    assert result.returncode == 1
    assert "content/actors/lonely.md: warning[note.orphan]: no other note links to 'lonely'" in result.stderr


def test_build_writes_the_site_and_a_failed_build_leaves_it_untouched(minimal_book, tmp_path):
    site = tmp_path / "site"
    ok = run_builder("build", "--root", str(minimal_book), "--config", str(CONFIG), "--site-dir", str(site))
    assert ok.returncode == 0, ok.stderr
    assert (site / "index.html").is_file() and (site / "claims" / "matrix" / "index.html").is_file()
    before_site = tree_digest(site)
    before_docs = tree_digest(minimal_book / "build" / "docs")

    note = minimal_book / "content" / "claims" / "north-korean-troops-to-donetsk.md"
    note.write_text(note.read_text().replace("para. 5", "para. 6"), encoding="utf-8")
    failed = run_builder("build", "--root", str(minimal_book), "--config", str(CONFIG), "--site-dir", str(site))
    assert failed.returncode == 1
    assert ("content/claims/north-korean-troops-to-donetsk.md:8:14: error[quote.locator]: the quote is in "
            "para. 5 of 'anbound-nd', not para. 6 — write 'locator: para. 5'") in failed.stderr
    assert "nothing was written" in failed.stderr
    assert tree_digest(site) == before_site
    assert tree_digest(minimal_book / "build" / "docs") == before_docs


def test_a_site_engine_failure_leaves_the_old_site(minimal_book, tmp_path):
    site = tmp_path / "site"
    assert run_builder("build", "--root", str(minimal_book), "--config", str(CONFIG),
                       "--site-dir", str(site)).returncode == 0
    before = tree_digest(site)
    broken_config = tmp_path / "mkdocs.yml"
    broken_config.write_text(CONFIG.read_text().replace("name: material", "name: no-such-theme"), encoding="utf-8")
    result = run_builder("build", "--root", str(minimal_book), "--config", str(broken_config),
                         "--site-dir", str(site))
    assert result.returncode == 3
    summary = result.stderr.splitlines()[-1]  # mkdocs' own reason, not its closing "Aborted with …" line
    assert summary.startswith("site build failed: Config value 'theme': Unrecognised theme name: 'no-such-theme'. "
                              "The available installed themes are: ")
    assert summary.endswith(f" — fix this setting in {broken_config}; the previous site in {site} is untouched")
    assert tree_digest(site) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]


def test_check_and_build_report_the_settings_alike_and_build_writes_nothing(minimal_book, tmp_path):
    config = minimal_book / "mkdocs.yml"
    config.write_text(CONFIG.read_text().replace("publish_archive: false", 'publish_archive: "false"'),
                      encoding="utf-8")
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if "publish_archive" in text)
    message = (f"mkdocs.yml:{line}:22: error[config.type]: 'extra.book.publish_archive' must be true or false, "
               "not the text \"false\" — write true or false without quotes")
    checked = run_builder("check", "--root", str(minimal_book))
    assert checked.returncode == 1
    assert checked.stderr.splitlines()[:-1] == [message]
    built = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--site-dir", str(tmp_path / "site"))
    assert built.returncode == 1
    assert built.stderr.splitlines() == [message, "build failed: 1 error(s), 0 warning(s); nothing was written"]
    assert not (minimal_book / "build").exists() and not (tmp_path / "site").exists()
    assert run_builder("check", "--root", str(minimal_book), "--config", str(CONFIG)).returncode == 0


def test_a_settings_file_outside_the_book_is_named_by_its_path(minimal_book, tmp_path):
    config = tmp_path / "settings.yml"
    config.write_text("site_name: A book\ntheme:\n  name: material\n   custom_dir: site_overrides\n", encoding="utf-8")
    message = (f"{config.resolve()}:4:14: error[config.yaml]: invalid YAML: mapping values are not allowed here — "
               "check the indentation and quoting on this line: keys of one mapping start in the same column")
    built = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(config))
    assert built.returncode == 1
    assert built.stderr.splitlines() == [message, "build failed: 1 error(s), 0 warning(s); nothing was written"]
    assert not (minimal_book / "build").exists() and not (minimal_book / "site").exists()
    checked = run_builder("check", "--root", str(minimal_book), "--config", str(config))
    assert (checked.returncode, checked.stderr.splitlines()[0]) == (1, message)


def test_the_reason_for_an_abort_is_in_what_mkdocs_said_before():
    import logging

    from mkdocs.exceptions import Abort, ConfigurationError

    from builder.sitebuild import reason

    warnings = [(logging.WARNING, f"Doc file 'page-{n}.md' contains a link 'x.md', but the target is not found")
                for n in range(1, 6)]
    assert reason(Abort("Aborted with 5 warnings in strict mode!"), warnings) == (
        "Doc file 'page-1.md' contains a link 'x.md', but the target is not found; Doc file 'page-2.md' contains a "
        "link 'x.md', but the target is not found; Doc file 'page-3.md' contains a link 'x.md', but the target is "
        "not found (and 2 more)")
    assert reason(Abort("Aborted with a configuration error!"),
                  warnings[:1] + [(logging.ERROR, "Config value 'plugins': The \"serch\" plugin is not installed")]) \
        == "Config value 'plugins': The \"serch\" plugin is not installed"
    assert reason(ConfigurationError("MkDocs encountered an error parsing the configuration file: mapping values "
                                     "are not allowed here\n  in \"mkdocs.yml\", line 9, column 14"), warnings) == (
        "MkDocs encountered an error parsing the configuration file: mapping values are not allowed here in "
        "\"mkdocs.yml\", line 9, column 14")


def test_a_setting_mkdocs_refuses_is_named_with_its_file(minimal_book, tmp_path):
    """A misspelt plugin passes check (mkdocs' own settings are the site engine's to check) but not the engine."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(CONFIG.read_text(encoding="utf-8").replace("\n  - search:\n", "\n  - serach:\n", 1),
                      encoding="utf-8")
    shutil.copytree(PROJECT / "site_overrides", tmp_path / "site_overrides")  # custom_dir, beside the file
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(config))
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (
        "site build failed: Config value 'plugins': The \"serach\" plugin is not installed — fix this setting in "
        f"{config}; no site was written")


def test_a_settings_file_without_the_sites_name_fails_the_check_before_anything_is_written(minimal_book, tmp_path):
    """mkdocs cannot build without site_name: the check says so (it used to pass, and the build to fail after
    generating the pages)."""
    config = tmp_path / "mkdocs.yml"
    config.write_text("\n".join(line for line in CONFIG.read_text(encoding="utf-8").splitlines()
                                if not line.startswith("site_name:")), encoding="utf-8")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{config}:1: error[config.missing]: 'site_name' is not set: the site engine needs it — add a line such as "
        "'site_name: Security on the Korean Peninsula' (the title of the site)",
        "build failed: 1 error(s), 0 warning(s); nothing was written"]
    assert not (minimal_book / "build").exists() and not (minimal_book / "site").exists()


def test_ctrl_c_while_the_builder_starts_is_no_traceback(monkeypatch, capsys):
    """Ctrl-C in the first half second, while the modules load, before main() can catch it."""
    import runpy

    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "builder.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    monkeypatch.delitem(sys.modules, "builder.cli", raising=False)
    monkeypatch.delitem(sys.modules, "builder.__main__", raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("builder", run_name="__main__")
    assert exited.value.code == 130  # as when main() is interrupted
    assert capsys.readouterr().err == "interrupted while starting; nothing was written\n"


@pytest.mark.parametrize("command", ["build", "pdf"])
@pytest.mark.parametrize("jobs, problem", [("0", "0 is below 1: give a whole number of at least 1"),
                                           ("-2", "-2 is below 1: give a whole number of at least 1"),
                                           ("two", "'two' is not a whole number: give one of at least 1")])
def test_jobs_below_one_is_a_usage_error(command, jobs, problem, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--jobs", jobs, "--root", str(tmp_path)])
    assert exited.value.code == cli.EXIT_USAGE
    assert capsys.readouterr().err.splitlines()[-1] == f"python -m builder {command}: error: argument --jobs: {problem}"


@pytest.mark.parametrize("command", ["check", "build", "serve", "pdf", "new", "review"])
def test_each_command_s_help_says_what_it_does(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    usage, description = capsys.readouterr().out.split("\n\n", 2)[:2]
    assert usage.startswith(f"usage: python -m builder {command} ")
    assert description[:1].isupper() and description.endswith(".") and "options:" not in description


def test_usage_errors_exit_2(tmp_path):
    assert run_builder("check", "--root", str(tmp_path / "missing")).returncode == 2
    assert run_builder("check", "--root", str(tmp_path), "--config", str(tmp_path / "mkdocs.yml")).returncode == 2
    assert run_builder("build", "--root", str(tmp_path)).returncode == 2
    assert run_builder("frobnicate").returncode == 2


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_sigterm_stops_a_build_and_leaves_the_old_site(minimal_book, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import PROJECT

    site = tmp_path / "site"
    args = ["build", "--no-pdf", "--root", str(minimal_book), "--config", str(CONFIG), "--site-dir", str(site)]
    assert run_builder(*args).returncode == 0
    before = tree_digest(site)
    build = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=PROJECT, stderr=subprocess.PIPE,
                             text=True)
    for line in build.stderr:
        if line.startswith("generated "):
            break  # the site engine starts now: it takes a second or more to import and build
    build.send_signal(signal.SIGTERM)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130
    assert "build interrupted; the previous site is untouched" in stderr
    assert "Traceback" not in stderr
    assert tree_digest(site) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_mentioning(str(tmp_path))  # the site engine was stopped too


@pytest.mark.parametrize("site_dir, why", [
    ("content", "is the book's content/ folder; building would replace it"),
    ("bibliography", "is the book's bibliography/ folder; building would replace it"),
    ("build", "is the build folder; building would replace it"),
    (".", "is the book's folder; building would replace it"),
    ("..", "holds the book's folder ({root}); building would replace it"),
    ("content/site", "is inside the book's content/ folder ({root}/content)"),
    ("mkdocs.yml", "is the settings file; building would replace it"),
    ("notes", "holds files (draft.md) but no index.html, so it is not a site built before; building would "
              "replace everything in it"),
])
def test_build_refuses_a_site_folder_that_would_replace_the_book(minimal_book, site_dir, why):
    shutil.copy(CONFIG, minimal_book / "mkdocs.yml")
    (minimal_book / "notes").mkdir()
    (minimal_book / "notes" / "draft.md").write_text("A draft.\n", encoding="utf-8")
    before = tree_digest(minimal_book)
    site = (minimal_book / site_dir).resolve()
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--site-dir", str(site))
    assert result.returncode == 2
    root = minimal_book.resolve()
    assert result.stderr == (f"error: the site folder {site} {why.format(root=root)} — choose a new or empty folder "
                             "with --site-dir (default: ROOT/site); nothing was written\n")
    assert tree_digest(minimal_book) == before


def test_build_replaces_a_folder_holding_only_pdfs(minimal_book, tmp_path):
    site = tmp_path / "site"
    (site / "pdf").mkdir(parents=True)
    (site / "pdf" / "actors.pdf").write_bytes(b"%PDF-1.7\n")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(CONFIG),
                         "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").is_file()


@pytest.fixture
def blocker(tmp_path) -> Path:
    """A file where an output folder would be made."""
    path = tmp_path / "a-file"
    path.write_text("not a folder\n", encoding="utf-8")
    return path


def test_an_output_that_cannot_be_written_is_reported_without_a_traceback(minimal_book, tmp_path, blocker):
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(CONFIG),
                         "--site-dir", str(blocker / "site"))
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (f"build failed: cannot make the folder {blocker}: {blocker} is a "
                                              "file — move it, or choose other folders (--site-dir, --root); no "
                                              "site was written")
    assert "Traceback" not in result.stderr

    shutil.rmtree(minimal_book / "build")  # the first build got as far as the Markdown
    (minimal_book / "build").write_text("not a folder either\n", encoding="utf-8")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(CONFIG),
                         "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 3
    build = minimal_book.resolve() / "build"
    assert result.stderr == (f"build failed: cannot make the folder {build / 'docs'}: {build} is a file — move it, "
                             "or choose other folders (--site-dir, --root); no site was written\n")


def test_pdf_into_a_folder_that_cannot_be_made_is_reported(minimal_book, blocker):
    result = run_builder("pdf", "overview", "--root", str(minimal_book), "--config", str(CONFIG),
                         "--out", str(blocker / "pdf"))
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (f"error: the PDFs failed: cannot make the folder {blocker / 'pdf'}: "
                                              f"{blocker} is a file — move it, or choose other folders (--out, "
                                              "--root)")


@pytest.mark.parametrize("folder", ["content", "content/actors", "bibliography", "build/docs/pdf"])
def test_pdf_refuses_to_write_into_the_books_own_folders(minimal_book, folder):
    """PDFs in content/ or bibliography/ would be taken for the book's files (and land in its pull requests)."""
    before = sorted(str(path) for path in minimal_book.rglob("*"))
    result = run_builder("pdf", "overview", "--root", str(minimal_book), "--config", str(CONFIG),
                         "--out", str(minimal_book / folder))
    assert result.returncode == 2
    top = folder.split("/")[0]
    what = {"content": "the book's content/ folder", "bibliography": "the book's bibliography/ folder",
            "build": "the generated pages (build/docs)"}[top]
    inside = minimal_book.resolve() / ("build/docs" if top == "build" else top)
    where = f"is {what}" if folder == top else f"is inside {what} ({inside})"
    assert result.stderr == (f"error: --out {minimal_book.resolve() / folder} {where} — choose a folder outside the "
                             "book's own (default: SITE/pdf); nothing was written\n")
    assert sorted(str(path) for path in minimal_book.rglob("*")) == before


def test_a_settings_file_that_is_not_there_says_what_to_pass(minimal_book, tmp_path):
    folder = run_builder("check", "--root", str(minimal_book), "--config", str(minimal_book / "content"))
    assert (folder.returncode, folder.stderr) == (2, (
        f"error: --config '{minimal_book / 'content'}' is a folder — pass the settings file itself, e.g. "
        f"--config {minimal_book / 'content' / 'mkdocs.yml'}\n"))
    missing = run_builder("check", "--root", str(minimal_book), "--config", str(tmp_path / "mkdcos.yml"))
    assert (missing.returncode, missing.stderr) == (2, (
        f"error: --config '{tmp_path / 'mkdcos.yml'}' does not exist — pass the book's settings file (mkdocs.yml)\n"))
    default = run_builder("build", "--root", str(minimal_book))  # the minimal book keeps no mkdocs.yml of its own
    assert (default.returncode, default.stderr) == (2, (
        f"error: no mkdocs.yml at '{minimal_book / 'mkdocs.yml'}' — pass --config PATH, or --root the book's "
        "folder\n"))


def test_a_previous_site_that_cannot_be_removed_is_named(minimal_book, tmp_path, monkeypatch, capsys):
    from builder import cli, pipeline

    site = tmp_path / "site"
    args = ["build", "--no-pdf", "--no-cache", "--root", str(minimal_book), "--config", str(CONFIG),
            "--site-dir", str(site)]
    assert cli.main(args) == 0
    removing = pipeline.shutil.rmtree

    def rmtree_failing_on_old_sites(path, *a, **k):  # as when the old site's folder is read-only
        if ".site.old-" not in str(path):
            removing(path, *a, **k)

    monkeypatch.setattr(pipeline.shutil, "rmtree", rmtree_failing_on_old_sites)
    capsys.readouterr()
    assert cli.main(args) == 0
    stderr = capsys.readouterr().err
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".site.old-")]
    assert len(left) == 1 and (left[0] / "index.html").is_file() and (site / "index.html").is_file()
    assert f"note: could not remove the previous site, left in {left[0]} — delete it by hand\n" in stderr


def test_build_says_to_look_at_a_site_with_folder_links_through_a_web_server(minimal_book):
    """Opened from disk, the links of a site built with use_directory_urls ("actors/russia/") show folder
    listings; without it they are files, and nothing needs saying."""
    shutil.copytree(CONFIG.parent / "site_overrides", minimal_book / "site_overrides")
    for directory_urls, said in ((True, True), (False, False)):
        config = CONFIG.read_text(encoding="utf-8").replace("use_directory_urls: true", f"use_directory_urls: "
                                                            f"{str(directory_urls).lower()}")
        (minimal_book / "mkdocs.yml").write_text(config, encoding="utf-8")
        result = run_builder("build", "--no-pdf", "--root", str(minimal_book))
        assert result.returncode == 0, result.stderr
        site = minimal_book.resolve() / "site"
        assert (site / "actors" / ("russia/index.html" if directory_urls else "russia.html")).is_file()
        last = result.stderr.splitlines()[-1]
        assert last == (f"site written to {site} (look at it through a web server: python3 -m http.server "
                        f"--directory {site})" if said else f"site written to {site}")


def test_build_writes_the_site_where_mkdocs_yml_says(minimal_book):
    config = CONFIG.read_text(encoding="utf-8").replace("site_dir: site\n", "site_dir: public\n")
    assert "site_dir: public\n" in config
    (minimal_book / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(CONFIG.parent / "site_overrides", minimal_book / "site_overrides")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book))
    assert result.returncode == 0, result.stderr
    assert (minimal_book / "public" / "index.html").is_file() and not (minimal_book / "site").exists()
    public = minimal_book.resolve() / "public"
    assert result.stderr.endswith(f"site written to {public} (look at it through a web server: python3 -m "
                                  f"http.server --directory {public})\n")

    (minimal_book / "mkdocs.yml").write_text(config.replace("site_dir: public\n", "site_dir: content\n"),
                                             encoding="utf-8")
    refused = run_builder("build", "--no-pdf", "--root", str(minimal_book))
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: the site folder {minimal_book.resolve() / 'content'} is the book's "
                                     "content/ folder; building would replace it")


def test_site_dir_is_read_relative_to_the_book_not_to_a_shared_mkdocs_yml(minimal_book, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "mkdocs.yml").write_text(CONFIG.read_text(encoding="utf-8").replace("site_dir: site\n",
                                                                                  "site_dir: public\n"),
                                       encoding="utf-8")
    shutil.copytree(CONFIG.parent / "site_overrides", shared / "site_overrides")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book), "--config", str(shared / "mkdocs.yml"))
    assert result.returncode == 0, result.stderr
    assert (minimal_book / "public" / "index.html").is_file() and not (shared / "public").exists()


def test_a_broken_theme_override_is_named_without_a_traceback(minimal_book):
    shutil.copy(CONFIG, minimal_book / "mkdocs.yml")
    shutil.copytree(CONFIG.parent / "site_overrides", minimal_book / "site_overrides")
    main_html = minimal_book / "site_overrides" / "main.html"
    text = main_html.read_text(encoding="utf-8")
    line = text[:text.index("{% block")].count("\n") + 1
    main_html.write_text(text.replace("{% block", "{% blok", 1), encoding="utf-8")
    result = run_builder("build", "--no-pdf", "--root", str(minimal_book))
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"site build failed: {main_html.resolve()}:{line}: error in a theme template: Encountered unknown tag "
        "'blok' — fix the template (see the Jinja documentation for its syntax); no site was written")
