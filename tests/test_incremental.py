"""An incremental build (as ``serve`` runs it) writes exactly what a full build writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.bench.generate import generate as generate_book
from builder.diagnostics import BuildFailed
from builder.incremental import BuildState, generate_incremental
from builder.pipeline import Paths

from conftest import CONFIG, assert_same_as_from_scratch, markdown_tree as tree


def assert_same_as_full(root: Path, incremental: Paths, tmp_path: Path, name: str) -> None:
    assert_same_as_from_scratch(root, incremental.docs, tmp_path / f"full-{name}")


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    generate_book(root, 120, seed=7)
    return root


def test_edits_rebuild_only_what_they_touch_and_match_a_full_build(book, tmp_path):
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    _, rendered, written = generate_incremental(paths, state)
    assert len(written) == len(rendered.pages)

    _, _, written = generate_incremental(paths, state)
    assert written == []

    claim = sorted((book / "content" / "claims").glob("*.md"))[0]
    claim.write_text(claim.read_text().replace("statement: ", "statement: Edited. ", 1), encoding="utf-8")
    _, rendered, written = generate_incremental(paths, state)
    assert f"claims/{claim.stem}.md" in written
    assert 0 < len(written) < len(rendered.pages) / 2
    assert_same_as_full(book, paths, tmp_path, "edit")

    actor = sorted((book / "content" / "actors").glob("*.md"))[0]
    (book / "content" / "actors" / "new-actor.md").write_text(
        f"---\nname: New actor\nkind: person\n---\nWorks with [[{actor.stem}]].\n", encoding="utf-8")
    actor.write_text(actor.read_text() + "\nSee [[new-actor]].\n", encoding="utf-8")
    _, _, written = generate_incremental(paths, state)
    assert "actors/new-actor.md" in written
    assert_same_as_full(book, paths, tmp_path, "add")

    (book / "content" / "actors" / "new-actor.md").unlink()
    actor.write_text(actor.read_text().replace("\nSee [[new-actor]].\n", ""), encoding="utf-8")
    generate_incremental(paths, state)
    assert not (paths.docs / "actors" / "new-actor.md").exists()
    assert_same_as_full(book, paths, tmp_path, "remove")

    bib = book / "bibliography" / "book.bib"
    bib.write_text(bib.read_text().replace("title = {", "title = {Retitled ", 1), encoding="utf-8")
    generate_incremental(paths, state)
    assert_same_as_full(book, paths, tmp_path, "bib")


def test_a_broken_edit_fails_and_the_next_good_one_recovers(book, tmp_path):
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)
    before = tree(paths.docs)
    claim = sorted((book / "content" / "claims").glob("*.md"))[1]
    good = claim.read_text()
    claim.write_text(re.sub(r"stance: \w+", "stance: sideways", good, count=1), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        generate_incremental(paths, state)
    assert any(d.code == "field.enum" for d in failed.value.diagnostics)
    assert tree(paths.docs) == before
    claim.write_text(good.replace("statement: ", "statement: Fixed. ", 1), encoding="utf-8")
    generate_incremental(paths, state)
    assert_same_as_full(book, paths, tmp_path, "recovered")


def _first(book: Path, folder: str, pattern: str) -> Path:
    """The first note in ``folder`` whose text matches ``pattern``."""
    return next(path for path in sorted((book / "content" / folder).glob("*.md"))
                if re.search(pattern, path.read_text(encoding="utf-8"), re.M))


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert edited != text, pattern
    path.write_text(edited, encoding="utf-8")


# one edit of each kind a note's front matter allows: each shows in pages other than the note's own
FRONT_MATTER_EDITS = {
    "actor name": lambda book: _edit(_first(book, "actors", r"^relations:"), r"^name: .*$", 'name: "Renamed Actor"'),
    "actor kind": lambda book: _edit(_first(book, "actors", r"^kind: (?!person)"), r"^kind: .*$", "kind: person"),
    "actor alias": lambda book: _edit(_first(book, "actors", r"^aliases: \[\]"), r"^aliases: \[\]",
                                      'aliases: ["Another Name"]'),
    "relation type": lambda book: _edit(_first(book, "actors", r"relation: (?!rivalry)"),
                                        r"relation: (?!rivalry)\w+", "relation: rivalry"),
    "scenario title": lambda book: _edit(_first(book, "scenarios", r"^title:"), r'^title: "', 'title: "Retitled: '),
    "scenario likelihood": lambda book: _edit(_first(book, "scenarios", r"^likelihood: (?!unlikely)"),
                                              r"^likelihood: .*$", "likelihood: unlikely"),
    "claim actors": lambda book: _edit(_first(book, "claims", r"^actors: \[[^,\]]+\]"), r"^actors: \[([^,\]]+)\]",
                                       lambda m: f"actors: [{m[1]}, "
                                                 f"{sorted((book / 'content' / 'actors').glob('*.md'))[-1].stem}]"),
    "evidence stance": lambda book: _edit(_first(book, "claims", r"stance: supports"), r"stance: supports",
                                          "stance: contradicts"),
    "source grade": lambda book: _edit(_first(book, "sources", r"^reliability: [^B]"), r"^reliability: .*$",
                                       "reliability: B"),
    "source gaps": lambda book: _edit(_first(book, "sources", r"^gaps:"), r"^gaps: .*$", 'gaps: ["author not given"]'),
    "actor affiliation": lambda book: _edit(_first(book, "actors", r"^affiliation: "), r"^affiliation: .*\n", ""),
    "source relays": lambda book: _edit(_first(book, "sources", r"^relays: \[.+\]"), r"^relays: .*$", "relays: []"),
    "page title": lambda book: _edit(next(p for p in sorted((book / "content").glob("*.md")) if p.stem != "index"),
                                     r'^title: "', 'title: "Retitled: '),
}


@pytest.mark.parametrize("edit", sorted(FRONT_MATTER_EDITS))
def test_each_kind_of_edit_matches_a_full_build(edit, book, tmp_path):
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)
    FRONT_MATTER_EDITS[edit](book)
    _, rendered, written = generate_incremental(paths, state)
    assert written and len(written) < len(rendered.pages)
    assert_same_as_full(book, paths, tmp_path, "edit")


def test_a_relay_changed_down_a_chain_shows_on_the_first_source(book, tmp_path):
    """a relays b, b relays c: what c relays changes the origins a's page counts, two hops away."""
    first, second, third = sorted((book / "content" / "sources").glob("*.md"))[:3]
    _edit(first, r"^relays: .*$", f"relays: [{second.stem}]")
    _edit(second, r"^relays: .*$", f"relays: [{third.stem}]")
    _edit(third, r"^relays: .*$", "relays: []")
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    _, before, _ = generate_incremental(paths, state)
    reports = re.findall(r"^@\w+\{([\w-]+-report-\d+),", (book / "bibliography" / "book.bib").read_text(), re.M)
    _edit(third, r"^relays: .*$", f"relays: [{reports[0]}]")
    _, after, written = generate_incremental(paths, state)
    assert f"sources/{first.stem}.md" in written
    assert before.pages[f"sources/{first.stem}.md"] != after.pages[f"sources/{first.stem}.md"]
    assert_same_as_full(book, paths, tmp_path, "chain")
