"""Bad input gets a clear error at its place, and a failed build loses nothing.

Every case under tests/broken/ (see its README) is laid over the minimal book;
``check`` must print exactly the case's expected.txt. Cases that pass must
build; cases that fail must leave a previously built site byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builder import cli
from builder.load import MAX_NOTE_BYTES

from conftest import CONFIG, PROJECT, SITES

BROKEN = PROJECT / "tests" / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expected.txt").is_file())
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def _huge(root: Path) -> None:
    path = root / "content" / "actors" / "china.md"
    line = "China is a large country with a long border. " * 20 + "\n"
    path.write_text("---\nname: China\nkind: state\n---\n" + line * (MAX_NOTE_BYTES // len(line) + 10),
                    encoding="utf-8")


def _renamed(root: Path) -> None:
    actors = root / "content" / "actors"
    (actors / "north-korea.md").rename(actors / "North Korea.md")


def _no_bibliography(root: Path) -> None:
    shutil.rmtree(root / "bibliography")


def _links_broken(root: Path) -> None:
    """Links git cannot keep as they are: to themselves, to nothing; and a folder named like a note."""
    (root / "content" / "actors" / "loop.md").symlink_to("loop.md")
    (root / "content" / "timeline.md").symlink_to("nowhere.md")
    (root / "content" / "actors" / "china.md").mkdir()


def _folder_link_broken(root: Path) -> None:
    scenarios = root / "content" / "scenarios"
    shutil.rmtree(scenarios)
    scenarios.symlink_to("../../elsewhere/scenarios")


def _archive_folder(root: Path) -> None:
    """An archived text's name taken by a folder (git keeps no empty folder)."""
    archive = root / "bibliography" / "archive" / "scmp-nd.txt"
    archive.unlink()
    archive.mkdir()


GENERATED = {"huge-file": _huge, "id-renamed-note": _renamed, "no-bibliography": _no_bibliography,
             "link-broken": _links_broken, "folder-link-broken": _folder_link_broken,
             "archive-folder": _archive_folder}


def lay_case(name: str, root: Path) -> Path:
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    files = BROKEN / name / "files"
    if files.is_dir():
        shutil.copytree(files, root, dirs_exist_ok=True)
    if name in GENERATED:
        GENERATED[name](root)
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_problem_has_a_case():
    wanted = {"malformed-yaml", "tab-indent", "bom", "crlf", "non-utf8", "empty-file", "huge-file",
              "duplicate-keys", "yaml-anchor", "yaml-alias-bomb", "id-dotdot", "id-slash", "id-space",
              "id-cyrillic", "archive-outside", "archive-missing", "cite-empty-key", "cite-nested",
              "cite-unclosed", "affiliation-loop", "relays-loop", "claim-source-no-note", "bib-duplicate-key",
              "bib-broken-brace", "unsafe-links", "yaml-comment-cuts-value"}
    assert wanted <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_check_output(name: str, tmp_path: Path, capsys):
    root = lay_case(name, tmp_path / "book")
    code = cli.main(["check", "--root", str(root)])
    captured = capsys.readouterr()
    expected_path = BROKEN / name / "expected.txt"
    if UPDATE:
        expected_path.write_text(captured.err, encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8")
    assert captured.err == expected
    assert code == (cli.EXIT_BOOK if "check failed" in expected else cli.EXIT_OK)
    assert "Traceback" not in captured.err


@pytest.fixture(scope="module")
def previous_site(tmp_path_factory) -> Path:
    """The minimal book's site, built once with the real mkdocs."""
    root = tmp_path_factory.mktemp("previous") / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    assert cli.main(["build", "--root", str(root), "--config", str(CONFIG)]) == cli.EXIT_OK
    assert (root / "site" / "index.html").is_file()
    return root / "site"


@pytest.mark.parametrize("name", CASES)
def test_build(name: str, tmp_path: Path, previous_site: Path, capsys):
    """A failing case leaves the previous site untouched; a passing one (BOM, CRLF) builds."""
    root = lay_case(name, tmp_path / "book")
    site = tmp_path / "site"
    shutil.copytree(previous_site, site)
    before = _tree(site)
    config = root / "mkdocs.yml" if (root / "mkdocs.yml").is_file() else CONFIG  # a case may bring its own
    code = cli.main(["build", "--root", str(root), "--config", str(config), "--site-dir", str(site)])
    err = capsys.readouterr().err
    if "check failed" in (BROKEN / name / "expected.txt").read_text(encoding="utf-8"):
        assert code == cli.EXIT_BOOK, err
        assert "nothing was written" in err
        assert _tree(site) == before
        assert not (root / "build").exists()
    else:
        assert code == cli.EXIT_OK, err
        notes = sorted((BROKEN / name / "files" / "content" / "actors").glob("*.md"))
        assert notes and all((site / "actors" / note.stem / "index.html").is_file() for note in notes)
        assert _tree(site) != before


def test_a_file_that_cannot_be_read_is_an_error_at_it(tmp_path: Path, capsys, monkeypatch):
    """A note or archived text without read permission (chmod 000; simulated: the tests may run as root)."""
    root = lay_case("crlf", tmp_path / "book")
    denied = {root / "content" / "actors" / "russia.md", root / "bibliography" / "archive" / "scmp-nd.txt"}
    read_bytes = Path.read_bytes

    def refusing(path: Path) -> bytes:
        if path in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refusing)
    assert cli.main(["check", "--root", str(root)]) == cli.EXIT_BOOK
    err = capsys.readouterr().err
    assert "Traceback" not in err
    hint = "check that it exists and that you may read it (its permissions)"
    assert err.splitlines()[:2] == [
        f"bibliography/archive/scmp-nd.txt: error[file.unreadable]: cannot read the file: Permission denied — {hint}",
        f"content/actors/russia.md: error[file.unreadable]: cannot read the file: Permission denied — {hint}"]
