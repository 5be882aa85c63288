"""An incremental build (as ``serve`` runs it) writes exactly what a full build writes."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from builder import cache
from builder.bench.generate import generate as generate_book
from builder.diagnostics import BuildFailed, sorted_diagnostics
from builder.incremental import BuildState, generate_incremental
from builder.pipeline import Paths, check

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


def test_deleting_a_note_that_failed_to_load_reports_what_a_full_check_reports(book, tmp_path):
    """A reference to a note that failed to load is silent while it fails; once the file is gone it is an
    unknown note, as a check from scratch says, not a page that links to nothing."""
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)
    actor = sorted((book / "content" / "actors").glob("*.md"))[0]
    referring = next(p for p in sorted((book / "content").rglob("*.md")) if f"[[{actor.stem}]]" in p.read_text())
    good = actor.read_text(encoding="utf-8")
    for broken in (actor.with_name(actor.stem.replace("-", " ").title() + ".md"), actor):
        actor.unlink(missing_ok=True)
        broken.write_text(good if broken != actor else "---\nname: [unclosed\n---\n", encoding="utf-8")
        with pytest.raises(BuildFailed) as failed:
            generate_incremental(paths, state)
        assert [d.format() for d in failed.value.diagnostics] == \
            [d.format() for d in sorted_diagnostics(check(book).diagnostics)]
        broken.unlink()
        with pytest.raises(BuildFailed) as failed:
            generate_incremental(paths, state)
        full = sorted_diagnostics(check(book).diagnostics)
        assert [d.format() for d in failed.value.diagnostics] == [d.format() for d in full]
        assert any(d.code == "ref.unknown" and d.loc.path == referring.relative_to(book).as_posix() for d in full)
    actor.write_text(good, encoding="utf-8")
    generate_incremental(paths, state)
    assert_same_as_full(book, paths, tmp_path, "restored")


def test_bibliography_mistakes_are_reported_as_a_full_check_reports_them(book, tmp_path):
    """An entry that cannot be used silences the citations of it, an entry that is gone does not, and a .bib
    file read only in part reports each missing key once: the same after each edit as a check from scratch."""
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)
    bib = book / "bibliography" / "book.bib"
    good = bib.read_text(encoding="utf-8")
    cited = sorted(set(_keys(book)) & set(re.findall(r"\[@([\w-]+)", "".join(
        p.read_text(encoding="utf-8") for p in (book / "content").rglob("*.md")))))[0]
    entry = re.search(r"^@\w+\{" + re.escape(cited) + r",\n(?:.*\n)*?\}\n", good, re.M)[0]
    untitled = re.sub(r"^  title +=.*\n", "", entry, flags=re.M)
    edits = {
        "no title": good.replace(entry, untitled),
        "entry removed": good.replace(entry, ""),
        "unreadable entry": good.replace(entry, entry.replace("{", "[", 1)),
        "unclosed entry": good.replace(entry, entry[:-2]),
    }
    for name, text in edits.items():
        bib.write_text(text, encoding="utf-8")
        with pytest.raises(BuildFailed) as failed:
            generate_incremental(paths, state)
        full = sorted_diagnostics(check(book).diagnostics)
        assert [d.format() for d in failed.value.diagnostics] == [d.format() for d in full], name
        codes = {d.code for d in full if d.severity == "error"}
        assert ("cite.unknown" in codes or "source.no-bib" in codes) == (name in ("entry removed",
                                                                                  "unreadable entry")), name
    bib.write_text(good, encoding="utf-8")
    generate_incremental(paths, state)
    assert_same_as_full(book, paths, tmp_path, "bib-fixed")


def test_an_entry_of_the_same_author_and_year_added_and_removed_letters_the_others_reference(book, tmp_path):
    """A copy of a cited dated entry under another key gives both the same author and year: the cited one's
    citations and reference become "…a" (with the cache of references formatted before), and lose the letter
    again when the copy goes; each time the pages are those of a full build."""
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    _, rendered, _ = generate_incremental(paths, state)
    bib = book / "bibliography" / "book.bib"
    good = bib.read_text(encoding="utf-8")
    cited = set(re.findall(r"\[@([\w-]+)", "".join(p.read_text(encoding="utf-8")
                                                   for p in (book / "content").rglob("*.md"))))
    key = next(k for k in _keys(book) if k in cited and re.fullmatch(r"\d{4}", rendered.references[k].year))
    entry = re.search(r"^@\w+\{" + re.escape(key) + r",\n(?:.*\n)*?\}\n", good, re.M)[0]
    year = rendered.references[key].year
    copy = entry.replace(key, f"{key}-again", 1).replace("title = {", "title = {Again: ", 1)
    bib.write_text(good + "\n" + copy, encoding="utf-8")
    _, rendered, _ = generate_incremental(paths, state)
    assert rendered.references[key].year == f"{year}a"
    assert f". {year}a" in rendered.references[key].text
    assert any(f"[{rendered.references[key].author} {year}a" in page for page in rendered.pages.values())
    assert_same_as_full(book, paths, tmp_path, "copy-added")
    bib.write_text(good, encoding="utf-8")
    _, rendered, _ = generate_incremental(paths, state)
    assert rendered.references[key].year == year and f"{year}a" not in rendered.references[key].text
    assert_same_as_full(book, paths, tmp_path, "copy-removed")


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


def test_a_changed_book_setting_renders_every_page_as_a_full_build_does(book, tmp_path):
    """``extra.book`` in mkdocs.yml edited while serving (more claims per table page, fewer notes in the
    navigation): the pages are those a full build with the new settings writes, though no note changed."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    paths = Paths.for_root(book, config, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)
    before = tree(paths.docs)
    settings = config.read_text(encoding="utf-8")
    config.write_text(settings.replace("extra:\n  book:\n", "extra:\n  book:\n    matrix_claims_per_page: 7\n", 1)
                      .replace("nav_notes_limit: 200", "nav_notes_limit: 3"), encoding="utf-8")
    _, _, written = generate_incremental(paths, state)
    assert written and tree(paths.docs) != before
    assert_same_as_from_scratch(book, paths.docs, tmp_path / "full", config)
    assert (paths.build / "nav.yml").read_text(encoding="utf-8") == (tmp_path / "full" / "nav.yml").read_text(
        encoding="utf-8")


def test_a_relation_stated_back_on_the_other_note_rebuilds_both_actors_and_the_relations_page(book, tmp_path):
    """One actor's note states an alliance (or another symmetric relation); the other actor's note states it back,
    then from another paragraph, then the first note drops it. The relations page lists it once throughout, and
    after each edit the pages of both actors and the relations page are what a full build writes."""
    first = _first(book, "actors", r"relation: (alliance|treaty|partnership|rivalry|kinship)$")
    stated = re.search(r"^  - actor: (\S+)\n    relation: (alliance|treaty|partnership|rivalry|kinship)\n"
                       r"    source: (\S+)\n    locator: para\. (\d+)\n", first.read_text(encoding="utf-8"), re.M)
    other_id, kind, source, paragraph = stated.groups()
    other = book / "content" / "actors" / f"{other_id}.md"
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    state = BuildState()
    generate_incremental(paths, state)

    def table_rows() -> list[str]:
        page = (paths.docs / "actors" / "relations.md").read_text(encoding="utf-8")
        return [line for line in page.split("## Every relation", 1)[1].splitlines() if line.startswith("| [")]

    rows = len(table_rows())
    back = f"  - actor: {first.stem}\n    relation: {kind}\n    source: {source}\n    locator: para. {paragraph}\n"
    if re.search(r"^relations:$", other.read_text(encoding="utf-8"), re.M):
        _edit(other, r"^relations:\n", f"relations:\n{back}")
    else:
        _edit(other, r"^aliases: .*\n", lambda m: f"{m[0]}relations:\n{back}")
    generate_incremental(paths, state)
    assert len(table_rows()) == rows
    assert_same_as_full(book, paths, tmp_path, "stated-back")

    elsewhere = "1" if paragraph != "1" else "2"
    _edit(other, rf"(actor: {first.stem}\n    relation: {kind}\n    source: {source}\n    locator: para\. ){paragraph}$",
          rf"\g<1>{elsewhere}")
    _, _, written = generate_incremental(paths, state)
    assert {"actors/relations.md", f"actors/{first.stem}.md", f"actors/{other_id}.md"} <= set(written)
    assert len(table_rows()) == rows
    assert_same_as_full(book, paths, tmp_path, "cited-elsewhere")

    _edit(first, re.escape(stated[0]), "")
    _, _, written = generate_incremental(paths, state)
    assert {"actors/relations.md", f"actors/{first.stem}.md", f"actors/{other_id}.md"} <= set(written)
    assert len(table_rows()) == rows
    assert_same_as_full(book, paths, tmp_path, "dropped")


def _unused(book: Path, key: str, instead: str) -> None:
    """No note names source ``key`` any more: its evidence items go, its citations and other uses name
    ``instead`` (without a locator, which may not fit that source)."""
    for note in (book / "content").rglob("*.md"):
        if note.stem == key:
            continue
        text = note.read_text(encoding="utf-8")
        text = re.sub(rf"^  - source: {key}\n(?:    .*\n)*", "", text, flags=re.M)
        text = re.sub(rf"^(\s+(?:- )?source: ){key}\n(\s+locator: .*\n)?", rf"\g<1>{instead}\n", text, flags=re.M)
        text = re.sub(rf"@{key}(?:, para\. \d+)?(?![\w-])", f"@{instead}", text)
        text = re.sub(rf"(?<![\w-]){key}(?![\w-])", instead, text)
        note.write_text(text, encoding="utf-8")


def test_a_relay_changed_down_a_chain_shows_on_the_first_source(book, tmp_path):
    """a relays b, b relays c: what c relays changes the origins a's page counts, two hops away. No other
    note names a, so that nothing but the origins can tell that a's page changed."""
    first, second, third, fourth = sorted((book / "content" / "sources").glob("*.md"))[:4]
    _unused(book, first.stem, fourth.stem)
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


def _random_note(rng: random.Random, book: Path, folder: str = "") -> Path:
    return rng.choice(sorted((book / "content" / folder).rglob("*.md") if folder else
                             (book / "content").rglob("*.md")))


def _ids(book: Path) -> list[str]:
    return sorted(path.stem for path in (book / "content").rglob("*.md"))


def _sample_ids(rng: random.Random, book: Path, folder: str) -> list[str]:
    return rng.sample(sorted(path.stem for path in (book / "content" / folder).glob("*.md")), 2)


def _keys(book: Path) -> list[str]:
    return re.findall(r"^@\w+\{([\w-]+),", (book / "bibliography" / "book.bib").read_text(), re.M)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _rename(rng: random.Random, book: Path) -> None:
    """A note gets a new id, and every note that refers to it is changed to the new one."""
    note = _random_note(rng, book, rng.choice(["actors", "claims", "sources"]))
    old, new = note.stem, f"renamed-{note.stem}"
    for other in (book / "content").rglob("*.md"):
        text = other.read_text(encoding="utf-8")
        changed = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
        if changed != text:
            other.write_text(changed, encoding="utf-8")
    note.rename(note.with_name(f"{new}.md"))


def _copy(rng: random.Random, book: Path) -> None:
    note = _random_note(rng, book, "claims")
    note.with_name(f"copy-{note.name}").write_text(note.read_text(encoding="utf-8"), encoding="utf-8")


def _retitle(rng: random.Random, book: Path) -> None:
    bib = book / "bibliography" / "book.bib"
    bib.write_text(re.sub(r"title = \{", "title = {Retitled ", bib.read_text(encoding="utf-8"),
                          count=rng.randint(1, 40)), encoding="utf-8")


def _edit_random(rng: random.Random, book: Path, folder: str, pattern: str, replacement) -> None:
    candidates = [p for p in sorted((book / "content" / folder).glob("*.md"))
                  if re.search(pattern, p.read_text(encoding="utf-8"), re.M)]
    if candidates:  # the new value may be the old one: an edit that changes nothing is an edit too
        path = rng.choice(candidates)
        path.write_text(re.sub(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M),
                        encoding="utf-8")


# edits as a writer makes them, at random places; several may break the book (a removed note others cite,
# a locator past the end of the archived text), and the session then undoes them
RANDOM_EDITS = {
    "add a cross-reference": lambda rng, book: _append(_random_note(rng, book),
                                                       f"\nSee [[{rng.choice(_ids(book))}]].\n"),
    "add a citation": lambda rng, book: _append(_random_note(rng, book),
                                                f"\nAs reported [@{rng.choice(_keys(book))}].\n"),
    "drop a cross-reference": lambda rng, book: _edit_random(rng, book, rng.choice(["actors", "scenarios"]),
                                                             r"\[\[[^\]]+\]\]", "someone"),
    "add a section": lambda rng, book: _append(_random_note(rng, book),
                                               f"\n## Later\n\nMore on [[{rng.choice(_ids(book))}]].\n"),
    "change a stance": lambda rng, book: _edit_random(
        rng, book, "claims", r"stance: \w+", f"stance: {rng.choice(['supports', 'contradicts', 'qualifies'])}"),
    "change a locator": lambda rng, book: _edit_random(rng, book, "claims", r"locator: para\. \d+",
                                                       f"locator: para. {rng.randint(1, 20)}"),
    "drop an evidence item": lambda rng, book: _edit_random(rng, book, "claims",
                                                            r"^  - source: .*\n(?:    .*\n)*", ""),
    "regrade a source": lambda rng, book: _edit_random(rng, book, "sources", r"^reliability: .*$",
                                                       f"reliability: {rng.choice('ABCDEF')}"),
    "change relays": lambda rng, book: _edit_random(rng, book, "sources", r"^relays: .*$",
                                                    f"relays: [{', '.join(_sample_ids(rng, book, 'sources'))}]"),
    "change a likelihood": lambda rng, book: _edit_random(rng, book, "scenarios", r"^likelihood: .*$",
                                                          f"likelihood: {rng.choice(['likely', 'very unlikely'])}"),
    "change an actor's kind": lambda rng, book: _edit_random(rng, book, "actors", r"^kind: .*$",
                                                             f"kind: {rng.choice(['person', 'state', 'party'])}"),
    "change a claim's actors": lambda rng, book: _edit_random(
        rng, book, "claims", r"^actors: .*$", f"actors: [{', '.join(_sample_ids(rng, book, 'actors'))}]"),
    "rename a note": _rename,
    "remove a note": lambda rng, book: _random_note(rng, book, rng.choice(["actors", "claims", "sources"])).unlink(),
    "copy a note": _copy,
    "retitle references": _retitle,
    "extend an archived text": lambda rng, book: _append(
        rng.choice(sorted((book / "bibliography" / "archive").glob("*.txt"))), "\nA further paragraph.\n"),
    "edit a page": lambda rng, book: _append(rng.choice(sorted((book / "content").glob("*.md"))),
                                             f"\nOn [[{rng.choice(_ids(book))}]] [@{rng.choice(_keys(book))}].\n"),
}


def test_a_long_session_of_mixed_edits_matches_full_builds(book, tmp_path):
    """Every kind of edit, twice over in a random order, one to three at a time, as ``serve`` and ``build`` with
    its cache see them; a build that fails is undone, as a writer would undo it. After every step the pages
    (and the navigation) are those of a build from scratch."""
    rng = random.Random(3)
    edits = [name for _ in range(2) for name in rng.sample(sorted(RANDOM_EDITS), len(RANDOM_EDITS))]
    paths = Paths.for_root(book, CONFIG, build=tmp_path / "incremental")
    cached = Paths.for_root(book, CONFIG, build=tmp_path / "cached")
    state = BuildState()
    generate_incremental(paths, state)
    failed = 0
    step = 0
    while edits:
        before = tmp_path / "before"
        shutil.rmtree(before, ignore_errors=True)
        shutil.copytree(book, before)
        for _ in range(min(rng.choice([1, 1, 2, 3]), len(edits))):
            RANDOM_EDITS[edits.pop()](rng, book)
        try:
            generate_incremental(paths, state)
        except BuildFailed:
            failed += 1
            shutil.rmtree(book)
            shutil.copytree(before, book)
            generate_incremental(paths, state)
        scratch = tmp_path / f"scratch-{step}"
        assert_same_as_from_scratch(book, paths.docs, scratch)
        assert (paths.build / "nav.yml").read_text() == (scratch / "nav.yml").read_text()
        if step % 4 == 3:  # the build cache, saved by one build and read by the next
            cached_state, _ = cache.load_state(cached)
            generate_incremental(cached, cached_state)
            cache.save_state(cached, cached_state)
            assert tree(cached.docs) == tree(scratch / "docs")
        shutil.rmtree(scratch)
        step += 1
    assert failed, "no edit broke the book: the undo after a failed build went untested"
