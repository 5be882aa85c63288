"""Incremental builds: after an edit, re-read, re-link and re-render only what it touches.

``BuildState`` keeps what the previous run computed; ``generate_incremental``
returns the same Markdown a full build would (the tests compare the two) but
re-renders only the edited notes' pages, the pages they link to or are linked
from, the index pages and the parts of the claims table that show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .link import Book, page_path
from .load import load
from .pipeline import Paths, link_and_format, without_collector, write_pages
from .records import Actor, Claim, Source
from .render import Rendered, matrix_parts, render
from .settings import load_settings

INDEX_PAGES = ("index.md", "actors/index.md", "scenarios/index.md", "claims/index.md", "sources/index.md")
RELATIONS_PAGE = "actors/relations.md"


@dataclass
class BuildState:
    """What the last build computed, kept between builds of one process (``serve``)."""

    files: dict = field(default_factory=dict)
    """Loaded records by file, with the size and time stamp they were read at."""
    links: dict = field(default_factory=dict)
    """The link stage's cache: citations and cross-references found in each text, and what they resolved to."""
    references: dict = field(default_factory=dict)
    """Formatted references by entry."""
    book: Book | None = None
    """The last book that built."""
    rendered: Rendered | None = None
    """Its pages."""
    settings: object = None
    """The book settings (``extra.book`` and others in mkdocs.yml) it was rendered with."""


def _forward_links(book: Book) -> dict[str, set[str]]:
    forward: dict[str, set[str]] = {}
    for target, links in book.backlinks.items():
        for backlink in links:
            forward.setdefault(backlink.source_id, set()).add(target)
    return forward


def affected_pages(old: Book, new: Book, settings) -> set[str] | None:
    """Pages whose text may differ between two builds; None when any page may."""
    if (old.loaded.bib.keys() != new.loaded.bib.keys()
            or any(old.loaded.bib[k] is not new.loaded.bib[k] for k in new.loaded.bib)
            or old.loaded.archives.keys() != new.loaded.archives.keys()
            or any(old.loaded.archives[k] is not new.loaded.archives[k] for k in new.loaded.archives)):
        return None
    changed = {i for i in old.notes.keys() | new.notes.keys() if old.notes.get(i) != new.notes.get(i)}
    changed |= {c for c in new.balances if old.balances.get(c) != new.balances[c]}
    # origins follow relays down a chain: a source page shows its own, which an edit two hops away changes
    changed |= {s for s in new.origins.keys() | old.origins.keys() if old.origins.get(s) != new.origins.get(s)}
    if not changed:
        return set()
    pages = set(INDEX_PAGES)
    for book in (old, new):
        forward = _forward_links(book)
        for note_id in changed:
            neighbours = {b.source_id for b in book.backlinks.get(note_id, [])} | forward.get(note_id, set())
            for other in neighbours | {note_id}:
                if other in book.notes:
                    pages.add(page_path(book.notes[other]))
        for path, claim_ids in matrix_parts(book, settings):
            if _shown_in_table(book, claim_ids) & changed or not claim_ids:
                pages.add(path)
        for scenario in book.scenarios.values():  # a scenario's page has the table of its claims
            if _shown_in_table(book, scenario.claims) & changed:
                pages.add(page_path(scenario))
    kinds = {type(old.notes.get(i) or new.notes.get(i)) for i in changed}
    if kinds & {Claim, Source}:
        pages |= {path for path, _ in matrix_parts(new, settings)} - {
            path for path, _ in matrix_parts(old, settings)}
    if Actor in kinds:
        pages.add(RELATIONS_PAGE)  # the graph of every actor
    return pages


def _shown_in_table(book: Book, claim_ids) -> set[str]:
    """The notes a claims-against-evidence table of these claims names: the claims, their sources (columns,
    with their grade) and their actors (the table's actor filter)."""
    shown = set(claim_ids)
    for claim_id in claim_ids:
        claim = book.claims.get(claim_id)
        if claim is not None:
            shown.update(ev.source for ev in claim.evidence)
            shown.update(claim.actors)
    return shown


def generate_incremental(paths: Paths, state: BuildState, strict: bool = False) -> tuple[Book, Rendered, list[str]]:
    """Like ``pipeline.generate``, reusing ``state``; returns the book, all pages, and the paths rewritten."""
    with without_collector():
        return _generate_incremental(paths, state, strict)


def _generate_incremental(paths: Paths, state: BuildState, strict: bool) -> tuple[Book, Rendered, list[str]]:
    settings, problems = load_settings(paths.config, paths.root)
    book, references = link_and_format(load(paths.root, state.files), strict, state.links, state.references,
                                       problems=problems)
    only = None
    if state.book is not None and state.rendered is not None and state.settings == settings:
        only = affected_pages(state.book, book, settings)  # other settings may change any page
    fresh = render(book, settings, references, only, compiled_templates=paths.cache / "templates")
    written = write_pages(paths.docs, fresh)  # only the pages just rendered; stale ones go by fresh.chapters
    pages = fresh.pages
    if only is not None:
        pages = {path: state.rendered.pages[path] for path in fresh.chapters if path in state.rendered.pages}
        pages.update(fresh.pages)
    rendered = Rendered(pages, fresh.nav, fresh.chapters, fresh.references)
    state.book, state.rendered, state.settings = book, rendered, settings
    return book, rendered, written
