"""Property-based tests: whatever is written, load+link return diagnostics or records, never crash;
a valid note set always renders (and, for a few examples, builds); builds are deterministic."""

from __future__ import annotations

import posixpath
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.bench.generate import generate as generate_book
from builder.cite import link_from
from builder.diagnostics import Diagnostic
from builder.link import Book, link
from builder.load import load
from builder.pipeline import Paths, build_site, generate
from builder.schema import ACTOR_KINDS

from conftest import CONFIG, SITES

FOLDERS = ("actors", "scenarios", "claims", "sources", "")
FIELD_NAMES = ("name", "kind", "aliases", "tags", "affiliation", "relations", "title", "actors", "triggers",
               "indicators", "claims", "likelihood", "likelihood_source", "confidence", "statement", "evidence",
               "source", "stance", "quote", "locator", "note", "reliability", "credibility", "rationale",
               "archive", "gaps", "relays", "order", "x")
PROFILE = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                   derandomize=True)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
                    st.text(max_size=30), st.sampled_from(["north-korea", "scmp-nd", "para. 3", "supports", "A",
                                                           "3", "state", "../x", "bibliography/archive/x.txt"]))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=5)), max_leaves=12)
front_matter = st.one_of(st.dictionaries(st.sampled_from(FIELD_NAMES), yaml_values, max_size=8), yaml_values)
body_pieces = st.sampled_from(["[@scmp-nd]", "[@scmp-nd, para. 7]", "@anbound-nd", "[-@scmp-nd]", "[[russia]]",
                               "[[russia|Moscow]]", "[[", "]]", "[@", "[see [@x]]", "@", "\\@", "`code [@x]`",
                               "<b>", "<script>alert(1)</script>", "[a](javascript:x)", "\n\n", "\n# H\n",
                               "{ onclick=x }", "|", "\t", "\r\n", "\ufeff", "é", "а", " text "])
bodies = st.lists(st.one_of(body_pieces, st.text(max_size=20)), max_size=12).map("".join)


def _note_text(data) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.builds(lambda fm, body: ("---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n" + body).encode(),
                  front_matter, bodies),
        st.builds(lambda head, body: ("---\n" + head + "\n---\n" + body).encode("utf-8", "surrogatepass"),
                  st.text(max_size=80), bodies),
        st.binary(max_size=200),
    )


notes = st.lists(st.tuples(st.sampled_from(FOLDERS), st.sampled_from(["china", "russia", "x", "scmp-nd", "b a",
                                                                       "index", "q1"]),
                           _note_text(None)), max_size=6)


def _lay(root: Path, files) -> None:
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    for folder, stem, data in files:
        path = root / "content" / folder / f"{stem}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _check(root: Path) -> Book:
    book = link(load(root))
    assert isinstance(book, Book)
    for d in book.diagnostics:
        assert isinstance(d, Diagnostic) and d.severity in ("error", "warning")
        assert isinstance(d.loc.path, str) and d.loc.line >= 0 and d.loc.col >= 0
        d.format()
    return book


@PROFILE
@given(notes)
def test_any_input_gives_diagnostics_not_exceptions(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        _lay(root, files)
        _check(root)


@PROFILE
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 400), st.text(max_size=6)), min_size=1, max_size=4))
def test_edited_notes_give_diagnostics_not_exceptions(edits):
    """Random cuts and insertions in the minimal book's notes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        _lay(root, [])
        paths = sorted((root / "content").rglob("*.md")) + sorted((root / "bibliography").rglob("*.bib"))
        for which, at, text in edits:
            path = paths[which % len(paths)]
            data = path.read_text(encoding="utf-8")
            at = at % (len(data) + 1)
            path.write_text(data[:at] + text + data[at + len(text):], encoding="utf-8")
        _check(root)


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)
safe_prose = st.text(st.characters(whitelist_categories=("L", "N", "Zs"), whitelist_characters=".,;!?'\"()-*<>&/é"),
                     max_size=60)
actor_notes = st.lists(st.tuples(names, st.sampled_from(ACTOR_KINDS), st.lists(names, max_size=2),
                                 st.lists(safe_prose, min_size=1, max_size=3)), min_size=1, max_size=4)


def _valid_book(root: Path, actors) -> None:
    _lay(root, [])
    links = []
    for number, (name, kind, aliases, paragraphs) in enumerate(actors):
        note_id = f"generated-{number}"
        links.append(f"[[{note_id}]]")
        front = yaml.safe_dump({"name": name, "kind": kind, "aliases": aliases, "affiliation": "russia",
                                "relations": [{"actor": "north-korea", "relation": "treaty",
                                               "source": "anbound-nd", "locator": "para. 2"}]},
                               allow_unicode=True)
        body = "\n\n".join(f"{p} [@scmp-nd, para. 7]. See [[russia]]." for p in paragraphs)
        (root / "content" / "actors" / f"{note_id}.md").write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")
    index = root / "content" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nAlso " + ", ".join(links) + ".\n", encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(actor_notes)
def test_valid_note_sets_render(actors):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        _valid_book(root, actors)
        book = _check(root)
        assert [d.format() for d in book.diagnostics if d.severity == "error"] == []
        _, rendered = generate(Paths.for_root(root, CONFIG))
        for number in range(len(actors)):
            assert f"actors/generated-{number}.md" in rendered.pages


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(actor_notes)
@example([("`", "state", [], [""])])  # the backtick in its link's title opened a code span on North Korea's page
def test_valid_note_sets_build_a_site(actors):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        _valid_book(root, actors)
        paths = Paths.for_root(root, CONFIG)
        _, rendered = generate(paths)
        build_site(paths, rendered.nav)
        assert (paths.site / "actors" / "generated-0" / "index.html").is_file()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.integers(0, 10**6), st.integers(12, 40))
def test_generated_books_pass_and_render(seed, size):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        generate_book(root, size, seed=seed)
        book = _check(root)
        assert [d.format() for d in book.diagnostics if d.severity == "error"] == []
        generate(Paths.for_root(root, CONFIG))


def _docs(paths: Paths) -> dict[str, bytes]:
    return {p.relative_to(paths.build).as_posix(): p.read_bytes()
            for p in sorted(paths.build.rglob("*")) if p.is_file()}


def test_two_builds_give_identical_markdown(tmp_path):
    for name, make in (("minimal", lambda root: _lay(root, [])),
                       ("generated", lambda root: generate_book(root, 40, seed=3))):
        root = tmp_path / name
        make(root)
        first = Paths.for_root(root, CONFIG, build=tmp_path / f"{name}-1")
        second = Paths.for_root(root, CONFIG, build=tmp_path / f"{name}-2")
        generate(first)
        generate(second)
        assert _docs(first) and _docs(first) == _docs(second)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["claims", "matrix", "sources", "x.md", "a", ".", "..", ""]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["claims", "matrix", "sources", "a", ".", "..", ""]), max_size=3))
def test_relative_links_match_posixpath(path_parts, folder_parts):
    path, folder = "/".join(path_parts), "/".join(folder_parts)
    if path:
        assert link_from(folder, path) == posixpath.relpath(path, folder or ".")
