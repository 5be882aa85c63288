"""A file being replaced is never seen half-written, and nothing is left behind when writing fails."""

from __future__ import annotations

import pytest

from builder.files import replacing


def test_the_new_text_replaces_the_old_one_only_when_written(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old\n")
    with replacing(target) as tmp:
        tmp.write_text("new\n")
        assert target.read_text() == "old\n"
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with replacing(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_a_failed_write_names_the_file_being_written_not_the_temporary_one(tmp_path):
    target = tmp_path / "missing" / "page.md"
    with pytest.raises(FileNotFoundError) as failed:
        with replacing(target) as tmp:
            tmp.write_text("new\n")
    assert failed.value.filename == str(target)
    assert not (tmp_path / "missing").exists()


def test_a_page_that_cannot_be_written_is_named_in_the_builds_message(tmp_path, monkeypatch, capsys):
    """As when build/docs/actors is read-only (simulated: the tests may run as root, whom no mode stops)."""
    import shutil
    from pathlib import Path

    from builder import cli
    from conftest import CONFIG, SITES

    book = tmp_path / "book"
    shutil.copytree(SITES / "minimal", book, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    write_bytes = Path.write_bytes

    def refusing(path: Path, data: bytes) -> int:
        if path.parent.name == "actors" and path.parent.parent.name == "docs":
            raise PermissionError(13, "Permission denied", str(path))
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", refusing)
    assert cli.main(["build", "--no-pdf", "--root", str(book), "--config", str(CONFIG)]) == cli.EXIT_SITE
    err = capsys.readouterr().err.splitlines()
    first = min([note.name for note in (book / "content" / "actors").glob("*.md")] + ["index.md", "relations.md"])
    assert err[-1] == (f"build failed: cannot write {book.resolve() / 'build' / 'docs' / 'actors' / first}: "
                       "Permission denied — check that you may write there, or choose other folders (--site-dir, "
                       "--root); no site was written")
