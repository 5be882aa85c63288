"""The build cache (build/cache/): a cached build writes exactly what a build from scratch writes."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from builder import cache, cli
from builder.bench.generate import generate as generate_book
from builder.pipeline import Paths

from conftest import CONFIG, assert_same_as_from_scratch, markdown_tree as tree


def cached_generate(paths: Paths, capsys) -> tuple[str, int]:
    """What ``build`` does before the site engine runs: (its messages, number of pages rendered)."""
    args = argparse.Namespace(verbose=True, strict=False, format="text", no_cache=False)
    generated = cli.generate_reporting(args, paths, "build")
    args.saving_cache.wait()
    assert generated is not None
    return capsys.readouterr().err, len(generated[1].pages)


def assert_same_as_scratch(paths: Paths, tmp_path: Path, name: str) -> None:
    assert_same_as_from_scratch(paths.root, paths.docs, tmp_path / f"scratch-{name}")


@pytest.fixture
def book(tmp_path) -> Paths:
    root = tmp_path / "book"
    generate_book(root, 120, seed=11)
    return Paths.for_root(root, CONFIG, build=tmp_path / "build")


def rendered_pages(paths: Paths) -> dict[str, int]:
    return {p.relative_to(paths.docs).as_posix(): p.stat().st_mtime_ns for p in paths.docs.rglob("*.md")}


def test_second_build_uses_the_cache_and_edits_match_a_build_from_scratch(book, tmp_path, capsys):
    err, _ = cached_generate(book, capsys)
    assert "no build cache yet" in err
    assert cache.cache_path(book).is_file()

    before = rendered_pages(book)
    err, _ = cached_generate(book, capsys)
    assert f"using the build cache {cache.cache_path(book)}" in err
    assert rendered_pages(book) == before  # nothing changed, nothing rewritten

    claim = sorted((book.root / "content" / "claims").glob("*.md"))[0]
    claim.write_text(claim.read_text().replace("statement: ", "statement: Edited. ", 1), encoding="utf-8")
    err, _ = cached_generate(book, capsys)
    assert "using the build cache" in err
    after = rendered_pages(book)
    rewritten = {page for page in after if after[page] != before.get(page)}
    assert f"claims/{claim.stem}.md" in rewritten
    assert 0 < len(rewritten) < len(after) / 2
    assert_same_as_scratch(book, tmp_path, "edit")

    actor = sorted((book.root / "content" / "actors").glob("*.md"))[0]
    (book.root / "content" / "actors" / "new-actor.md").write_text(
        f"---\nname: New actor\nkind: person\n---\nWorks with [[{actor.stem}]].\n", encoding="utf-8")
    cached_generate(book, capsys)
    assert (book.docs / "actors" / "new-actor.md").is_file()
    assert_same_as_scratch(book, tmp_path, "add")

    (book.root / "content" / "actors" / "new-actor.md").unlink()
    bib = book.root / "bibliography" / "book.bib"
    bib.write_text(bib.read_text().replace("title = {", "title = {Retitled ", 1), encoding="utf-8")
    cached_generate(book, capsys)
    assert not (book.docs / "actors" / "new-actor.md").exists()
    assert_same_as_scratch(book, tmp_path, "remove-and-bib")


def test_a_hand_edited_generated_page_is_rendered_again(book, tmp_path, capsys):
    cached_generate(book, capsys)
    page = book.docs / "claims" / "index.md"
    original = page.read_bytes()
    page.write_text("hand edit\n", encoding="utf-8")
    err, _ = cached_generate(book, capsys)
    assert "build/docs changed since the last build: rendering every page" in err
    assert page.read_bytes() == original


def test_an_unreadable_cache_is_ignored_with_a_note(book, tmp_path, capsys):
    cached_generate(book, capsys)
    expected = tree(book.docs)
    path = cache.cache_path(book)
    path.write_bytes(path.read_bytes()[:1000])  # cut short, as by a full disk
    err, _ = cached_generate(book, capsys)
    assert f"note: ignoring the unreadable build cache {path}" in err
    assert tree(book.docs) == expected
    err, _ = cached_generate(book, capsys)
    assert "using the build cache" in err  # the build wrote a good one again


def test_changed_settings_or_builder_throw_the_cache_away(book, tmp_path, capsys):
    cached_generate(book, capsys)
    config = tmp_path / "mkdocs.yml"
    shutil.copy(CONFIG, config)
    text = config.read_text()
    assert "    nav_notes_limit: 200\n" in text
    config.write_text(text.replace("    nav_notes_limit: 200\n", "    nav_notes_limit: 200\n    matrix_claims_per_page: 7\n"),
                      encoding="utf-8")
    other = Paths.for_root(book.root, config, build=book.build)
    err, _ = cached_generate(other, capsys)
    assert "the builder, its libraries or the settings changed: building everything" in err
    assert_same_as_from_scratch(book.root, other.docs, tmp_path / "scratch-settings", config)


def test_a_failed_build_leaves_the_cache_as_it_was(book, tmp_path, capsys):
    cached_generate(book, capsys)
    stored = cache.cache_path(book).read_bytes()
    claim = sorted((book.root / "content" / "claims").glob("*.md"))[0]
    claim.write_text(claim.read_text() + "\nSee [[no-such-note]].\n", encoding="utf-8")
    args = argparse.Namespace(verbose=False, strict=False, format="text", no_cache=False)
    assert cli.generate_reporting(args, book, "build") is None
    assert "unknown" in capsys.readouterr().err
    assert cache.cache_path(book).read_bytes() == stored


def test_no_cache_neither_reads_nor_writes_it(book, tmp_path, capsys):
    args = argparse.Namespace(verbose=True, strict=False, format="text", no_cache=True)
    assert cli.generate_reporting(args, book, "build") is not None
    assert not cache.cache_path(book).exists()
    assert "cache" not in capsys.readouterr().err


def test_compiled_templates_are_kept_and_a_folder_that_cannot_be_written_only_costs_time(tmp_path):
    import jinja2

    from builder import render as rendering

    rendering._environment(str(tmp_path / "compiled")).get_template("home.md.j2")
    assert list((tmp_path / "compiled").iterdir())  # compiled once, read back by the next run
    assert isinstance(rendering.bytecode_cache(None), jinja2.FileSystemBytecodeCache)  # Jinja's folder

    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    assert rendering.bytecode_cache(str(tmp_path / "a-file" / "compiled")) is None
