"""Render stage: the linked book → Markdown pages (Jinja2) and a navigation.

Returns a new value, ``Rendered``: a mapping of page path → Markdown text and
the nav as plain data, so that any static-site engine can take it.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import schema
from .bibliography import Reference, format_references
from .cite import (BIBLIOGRAPHY_PAGE, Citer, escape_text, escape_title, folder_of, inline_text,
                   inner_quotes_single, link_from)
from .parallel import fork_map
from .link import SECTION_TITLES, Book, independent_groups, page_path
from .records import Actor, Claim, Evidence, Page, Scenario, Source
from .settings import Settings

STANCE_SYMBOLS = {"supports": "▲", "contradicts": "▼", "qualifies": "◆"}
CHAPTERS = ("Overview", "Actors", "Scenarios", "Claims & evidence", "Sources")


@dataclass(frozen=True)
class Rendered:
    """The generated site: Markdown pages and navigation."""

    pages: dict[str, str]
    """Page path (``actors/north-korea.md``) → Markdown."""
    nav: list
    """mkdocs-style nav: a list of {title: path-or-list}."""
    chapters: dict[str, str]
    """Page path → chapter title."""
    references: dict[str, Reference] | None = None
    """The formatted references the pages cite (the PDFs print them too)."""


@lru_cache(maxsize=4)
def _environment(compiled: str | None = None) -> jinja2.Environment:
    """The template environment (cached: compiling the templates is the slow part).

    ``compiled``: a folder where Jinja keeps compiled templates between runs (see ``bytecode_cache``)."""
    env = jinja2.Environment(
        bytecode_cache=bytecode_cache(compiled),
        loader=jinja2.PackageLoader("builder", "templates"),
        autoescape=False,  # the output is Markdown; values are escaped explicitly
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # the templates are part of the package: no need to check them for each page
    )
    env.filters["md"] = escape_text
    env.filters["html"] = html.escape
    env.filters["yaml_str"] = lambda text: json.dumps(" ".join(str(text).split()), ensure_ascii=False)
    env.filters["inline"] = lambda text: inline_text(text, keep_markup=True)
    return env


def bytecode_cache(compiled: str | None) -> jinja2.BytecodeCache | None:
    """Where compiled templates are kept between runs: ``compiled``, or else Jinja's own folder for this user in
    the temporary directory. Like Python's .pyc files: checked against each template's source (an edited
    template is compiled again), and only the first run on a machine compiles them all (~0.05 s)."""
    try:
        if compiled:
            Path(compiled).mkdir(parents=True, exist_ok=True)
            return jinja2.FileSystemBytecodeCache(compiled)
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no folder it can safely write to: compiled on each run
        return None


@dataclass(frozen=True)
class BookIndex:
    """Reverse look-ups, built once per render so that no page scans the whole book."""

    claims_by_actor: dict[str, list[Claim]]
    scenarios_by_actor: dict[str, list[Scenario]]
    scenarios_by_claim: dict[str, list[Scenario]]
    evidence_by_source: dict[str, list[tuple[Claim, Evidence]]]
    relayed_by: dict[str, list[Source]]
    incoming_relations: dict[str, list[tuple[Actor, int]]]
    """For each actor, the relations other notes state with it: (the stating actor, position in its relations)."""
    members: dict[str, list[Actor]]

    @classmethod
    def of(cls, book: Book) -> "BookIndex":
        index = cls(*(defaultdict(list) for _ in range(7)))
        for claim in book.claims.values():
            for actor_id in dict.fromkeys(claim.actors):
                index.claims_by_actor[actor_id].append(claim)
            for ev in claim.evidence:
                index.evidence_by_source[ev.source].append((claim, ev))
        for scenario in book.scenarios.values():
            for actor_id in dict.fromkeys(scenario.actors):
                index.scenarios_by_actor[actor_id].append(scenario)
            for claim_id in dict.fromkeys(scenario.claims):
                index.scenarios_by_claim[claim_id].append(scenario)
        for source in book.sources.values():
            for key in dict.fromkeys(source.relays):
                index.relayed_by[key].append(source)
        for actor in book.actors.values():
            for position, relation in enumerate(actor.relations):
                index.incoming_relations[relation.actor].append((actor, position))
            if actor.affiliation:
                index.members[actor.affiliation].append(actor)
        return index


@dataclass(frozen=True)
class Passage:
    """A paragraph of a source's archived text, as shown on the source's page."""

    number: int
    """1-based paragraph number."""
    html: str
    """The paragraph as HTML, quoted ranges in <mark>."""
    claims: list[str]
    """Ids of the claims that quote it."""


@dataclass(frozen=True)
class Statement:
    """Where a relation between two actors is stated: a source (and place in it), on one or both actors' notes."""

    source: str
    locator: str
    actors: tuple[str, ...]
    """Ids of the actors whose notes record it."""
    names: str
    """Their names, for "stated on … page"."""


@dataclass(frozen=True)
class RelationRow:
    """One row of an actor's relations table: one relation with another actor, however many notes state it."""

    relation: str
    """As read from the page's actor: "alliance", "leads (leadership)", "led by (leadership)"."""
    actor: str
    """The other actor's id (as written, when no such actor exists)."""
    statements: tuple[Statement, ...]
    notes: tuple[tuple[str, str, str], ...]
    """The relation's notes: (id of the actor whose note has it, field, text)."""


@dataclass(frozen=True)
class ListedRelation:
    """One row of the table of every relation: one relation, however many notes state it."""

    actor: str
    """Id of the actor it reads from: a directed relation's, whose note states it; a symmetric one's, the first
    in the table's order whose note states it."""
    relation: str
    """As read from ``actor``: "alliance", "leads (leadership)"."""
    other: str
    """Id of the other actor."""
    citations: tuple[tuple[str, str], ...]
    """(bibliography key, locator) of each place that states it, each once, in the order the notes give them."""
    notes: tuple[tuple[str, str, str], ...] = ()
    """The relation's notes: (id of the actor whose note has it, field, text)."""


class PageContext:
    """What templates call to link, cite and render text from one page."""

    def __init__(self, citer: Citer, index: BookIndex, page: str, settings: Settings, chapter: str):
        self.citer = citer
        self.index = index
        self.book = citer.book
        self.page = page
        self.folder = folder_of(page)
        self.settings = settings
        self.chapter = chapter
        self.refs = citer.references

    def link(self, note_id: str, label: str = "", anchor: str = "") -> str:
        return self.citer.link_to(note_id, self.folder, label, anchor)

    def href(self, target: str) -> str:
        return link_from(self.folder, target)

    def source_link(self, key: str, locator: str = "", label: str = "") -> str:
        return self.citer.source_link(key, self.folder, locator, label)

    def source_label(self, key: str) -> str:
        """The text of ``source_link(key)``: the reference's label ("Thornebrooke n.d."), or the key itself."""
        return self.refs[key].label if key in self.refs else key

    def text(self, note_id: str, field: str, value: str) -> str:
        return self.citer.render(note_id, field, value, self.page)

    def body(self, note) -> str:
        return self.citer.render(note.id, "body", note.body.text, self.page).strip()

    def grade(self, source: Source) -> str:
        return (f"{source.grade} — {schema.RELIABILITY[source.reliability]}; "
                f"{schema.CREDIBILITY[source.credibility]}")

    def evidence_rows(self, claim: Claim) -> list[str]:
        """The rows of a claim's evidence table: number, source, grade, stance, then the quote with the link to
        its passage and, below them, the note."""
        return [self._evidence_row(claim, ev, f"evidence.{position}.note")
                for position, ev in enumerate(claim.evidence)]

    def _evidence_row(self, claim: Claim, ev: Evidence, note_field: str) -> str:
        source = self.book.sources.get(ev.source)
        passage = (f'[{escape_text(ev.locator)}]({self.href(f"sources/{ev.source}.md#{ev.passage_anchor}")} '
                   '"Show the passage in context"){ .passage-link }')
        quote = f"“{escape_text(inner_quotes_single(ev.quote))}” ({passage})"
        if ev.note:
            quote += f'<br /><span class="evidence-note">{self.text(claim.id, note_field, ev.note)}</span>'
        cells = (f'<span id="{ev.anchor}"></span>{ev.index}',
                 self.source_link(ev.source) if ev.source in self.refs else escape_text(ev.source),
                 source.grade if source else "",
                 self.stance(ev.stance),
                 quote)
        return "| " + " | ".join(cells) + " |"

    def bearing_rows(self, key: str) -> list[str]:
        """The rows of a source's table of the claims it bears on: claim, stance, where in the source."""
        return [self._bearing_row(claim, ev) for claim, ev in self.evidence_of(key)]

    def _bearing_row(self, claim: Claim, ev: Evidence) -> str:
        href = self.href(f"{page_path(claim)}#{ev.anchor}")
        stance = f"[{self.stance(ev.stance)}]({href}){{ .stance .stance-{ev.stance} }}"
        return f"| {self.link(claim.id)} | {stance} | [{escape_text(ev.locator)}](#{ev.passage_anchor}) |"

    def stance(self, stance: str) -> str:
        return f"{STANCE_SYMBOLS[stance]} {stance}"

    def backlinks(self, note_id: str) -> str:
        """The "Referenced by" section: each referencing note, then the sections it refers from."""
        links = self.book.backlinks.get(note_id)
        if not links:
            return ""
        lines = ['## Referenced by { #referenced-by data-search-exclude="" }', ""]
        for source_id, group in groupby(links, key=attrgetter("source_id")):
            # a reference right under the page's title is in no section: the link to the page is enough
            sections = ", ".join(self.citer.section_link(source_id, b.section, b.anchor, self.folder)
                                 for b in group if b.section)
            # a dash: titles may end with a full stop
            lines.append(f"- {self.link(source_id)} — {sections}" if sections else f"- {self.link(source_id)}")
        return "\n".join(lines) + "\n"

    def references(self, note_id: str) -> list[str]:
        """The references a note cites, as list items, each linking to its source's page or bibliography entry."""
        keys = self.book.cited.get(note_id, [])
        cited = sorted((self.refs[k] for k in keys if k in self.refs), key=lambda r: r.order)
        return [self.citer.reference_item(reference, self.folder) for reference in cited]

    def claims_of_actor(self, actor_id: str) -> list[Claim]:
        return self.index.claims_by_actor.get(actor_id, [])

    def scenarios_of(self, attribute: str, note_id: str) -> list[Scenario]:
        found = self.index.scenarios_by_actor if attribute == "actors" else self.index.scenarios_by_claim
        return found.get(note_id, [])

    def evidence_of(self, key: str) -> list[tuple[Claim, Evidence]]:
        return self.index.evidence_by_source.get(key, [])

    def incoming_relations(self, actor_id: str) -> list[tuple[Actor, int]]:
        return self.index.incoming_relations.get(actor_id, [])

    def relation_rows(self, actor: Actor) -> list[RelationRow]:
        """The relations of an actor, stated on its own note or on the other actor's: one row per other actor and
        relation type, with every statement of it (a relation recorded on both notes is one row). A directed
        relation reads from this actor: "leads" when its note states it, "led by" when the other's does."""
        found: dict[tuple[str, str], list[tuple[Actor, int, bool]]] = {}
        for position, r in enumerate(actor.relations):
            found.setdefault((r.actor, r.relation), []).append((actor, position, True))
        for other, position in self.incoming_relations(actor.id):
            if other.id != actor.id:
                found.setdefault((other.id, other.relations[position].relation), []).append((other, position, False))
        rows = []
        for (other_id, kind), stated in found.items():
            ways = {outgoing for _, _, outgoing in stated}
            if kind not in schema.DIRECTION_WORDS:
                relation = kind
            elif len(ways) > 1:
                relation = f"{kind} (stated in both directions)"
            else:
                relation = f"{(schema.DIRECTION_WORDS if True in ways else schema.INVERSE_WORDS)[kind]} ({kind})"
            places: dict[tuple[str, str], list[Actor]] = {}
            for by, position, _ in stated:
                r = by.relations[position]
                places.setdefault((r.source, r.locator), []).append(by)
            statements = tuple(Statement(source, locator, tuple(a.id for a in by),
                                         " and ".join(dict.fromkeys(a.name for a in by)))
                               for (source, locator), by in places.items())
            notes = tuple((by.id, f"relations.{position}.note", by.relations[position].note)
                          for by, position, _ in stated if by.relations[position].note)
            rows.append(RelationRow(relation, other_id, statements, notes))
        return rows

    def every_relation(self) -> list[ListedRelation]:
        """Every relation between two actors of the book, once each (``schema.relation_key``), by the name of the
        actor it reads from: a relation stated on both notes is listed where the first of them comes."""
        found = schema.merged_relations(sorted(self.book.actors.values(), key=lambda a: a.name.lower()))
        return [ListedRelation(actor_id, f"{schema.DIRECTION_WORDS[kind]} ({kind})" if kind in schema.DIRECTION_WORDS
                               else kind, other_id, tuple(citations),
                               tuple((by, f"relations.{position}.note", self.book.actors[by].relations[position].note)
                                     for by, position in notes))
                for (_a, _b, kind), (actor_id, other_id, citations, notes) in found.items()]

    def members(self, actor_id: str) -> list[Actor]:
        return self.index.members.get(actor_id, [])

    def balance(self, claim_id: str):
        return self.book.balances[claim_id]

    def balance_text(self, claim_id: str) -> str:
        b = self.book.balances[claim_id]
        text = (f"{STANCE_SYMBOLS['supports']} {b.supports} · {STANCE_SYMBOLS['contradicts']} {b.contradicts} · "
                f"{STANCE_SYMBOLS['qualifies']} {b.qualifies}")
        if b.unsupported:
            return f"{text} · **no supporting evidence**"
        if b.single_source:
            return f"{text} · support from 1 origin · **single source**"
        return f"{text} · support from {b.supporting_origins} independent origins"

    def matrix(self, claim_ids: list[str]) -> dict:
        """Columns, rows and filter data of the claims-versus-evidence table for these claims.

        Each row is a table row: the claim, one cell per column (the links to the claim's evidence from
        that source, "—" if none), then the claim's balance."""
        claims = [self.book.claims[c] for c in claim_ids if c in self.book.claims]
        keys = sorted({ev.source for c in claims for ev in c.evidence if ev.source in self.refs},
                      key=lambda k: self.refs[k].order)
        return {"keys": keys,
                "rows": [self._matrix_row(claim, keys) for claim in claims],
                "actor_names": {a: self.book.actors[a].name
                                for claim in claims for a in claim.actors if a in self.book.actors},
                "source_names": [[key, self.refs[key].label] for key in keys]}

    def _matrix_row(self, claim: Claim, keys: list[str]) -> str:
        by_source: dict[str, list[str]] = defaultdict(list)
        for ev in claim.evidence:
            by_source[ev.source].append(self.stance_link(claim, ev))
        cells = [" ".join(by_source[key]) if key in by_source else "—" for key in keys]
        return " | ".join(["| " + self.link(claim.id) + self._matrix_row_data(claim), *cells,
                           self.balance_text(claim.id) + " |"])

    def stance_link(self, claim: Claim, ev: Evidence) -> str:
        """A link to one piece of a claim's evidence, labelled with its stance, the quote as the tooltip."""
        href = self.href(f"{page_path(claim)}#{ev.anchor}")
        return (f'[{self.stance(ev.stance)}]({href} "{escape_title(ev.quote)}")'
                f"{{ .stance .stance-{ev.stance} }}")

    def _matrix_row_data(self, claim: Claim) -> str:
        """The hidden span that gives matrix.js a row's actors, evidence and balance."""
        b = self.book.balances[claim.id]
        actors = " ".join(dict.fromkeys(a for a in claim.actors if a in self.book.actors))
        evidence = " ".join(f"{ev.source}:{ev.stance}" for ev in claim.evidence)
        return (f'<span class="matrix-row" hidden data-actors="{actors}" data-evidence="{evidence}" '
                f'data-supports="{b.supports}" data-contradicts="{b.contradicts}" '
                f'data-qualifies="{b.qualifies}" data-origins="{b.supporting_origins}"></span>')

    def claims_citing(self, key: str) -> list[Claim]:
        return list({claim.id: claim for claim, _ in self.evidence_of(key)}.values())

    def relayed_by(self, key: str) -> list[Source]:
        return self.index.relayed_by.get(key, [])

    def origin_groups(self, evidence) -> list[list[str]]:
        return independent_groups(evidence, self.book.origins)

    def passages(self, source: Source) -> list[Passage]:
        """Paragraphs to show on a source page, each with its highlighted quotes."""
        archive = self.book.loaded.archives.get(source.archive)
        if archive is None:
            return []
        numbers = range(1, len(archive.paragraphs) + 1) if self.settings.publish_archive else \
            self.book.passages.get(source.id, ())
        marks: dict[int, list[tuple[int, int, str, str]]] = {}
        for claim, ev in self.evidence_of(source.id):
            match = self.book.matches.get((claim.id, ev.index))
            if match:
                for number, (start, end) in enumerate(match.ranges):
                    anchor = ev.passage_anchor if number == 0 else ""
                    marks.setdefault(match.paragraph, []).append((start, end, anchor, claim.id))
        return [Passage(n, _highlight(archive.paragraphs[n - 1], marks.get(n, [])),
                        sorted({m[3] for m in marks.get(n, [])})) for n in numbers]

    def section_title(self, kind: type, anchor: str) -> str:
        return SECTION_TITLES[kind][anchor]

    def relation_graph(self, actor_id: str = "") -> str:
        """Inline SVG of one actor's relations, or of the whole book's (builder/graph.py); "" if none."""
        from . import graph

        edges = self.citer._memo.get(("graph-edges",))
        if edges is None:
            labels = {key: ref.label for key, ref in self.refs.items()}
            edges = self.citer._memo[("graph-edges",)] = graph.edges_of(self.book.actors, labels)
        if actor_id:
            by_actor = self.citer._memo.get(("graph-edges-by-actor",))
            if by_actor is None:
                by_actor = self.citer._memo[("graph-edges-by-actor",)] = defaultdict(list)
                for edge in edges:
                    by_actor[edge.a].append(edge)
                    if edge.b != edge.a:
                        by_actor[edge.b].append(edge)
            return graph.local_graph(self.book.actors, by_actor.get(actor_id, []), actor_id, self.page, page_path,
                                     self.settings.directory_urls)
        return graph.full_graph(self.book.actors, edges, self.page, page_path, self.settings.directory_urls)

    def search_keywords(self, actor: Actor) -> list[str]:
        """One-word names and aliases to index as search keywords of an actor's page (builder/aliases.py)."""
        from . import aliases

        return aliases.search_keywords(actor)


def _highlight(text: str, marks: list[tuple[int, int, str, str]]) -> str:
    """HTML of a paragraph with quoted ranges in <mark> and an anchor where each quote starts."""
    if not marks:
        return html.escape(text, quote=False)
    boundaries = sorted({0, len(text)} | {m[0] for m in marks} | {m[1] for m in marks})
    out = []
    anchors = {}
    for start, _end, anchor, _claim in sorted(marks):
        if anchor:
            anchors.setdefault(start, []).append(anchor)
    for left, right in zip(boundaries, boundaries[1:]):
        for anchor in sorted(anchors.get(left, [])):
            out.append(f'<span class="quote-anchor" id="{anchor}"></span>')
        piece = html.escape(text[left:right], quote=False)
        covered = any(m[0] <= left and right <= m[1] for m in marks)
        out.append(f"<mark>{piece}</mark>" if covered else piece)
    return "".join(out)


def _nav_label(text: str, limit: int = 70) -> str:
    """A title for the navigation: whole when it has ``limit`` characters or fewer, else cut after a word, with
    "…" (a word is cut only when it alone is that long)."""
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[: limit - 1]
        if text[limit - 1] != " " and " " in cut:
            cut = cut[: cut.rindex(" ")]
        text = cut.rstrip(" ,;:–—-") + "…"
    # mkdocs puts nav titles into the page as they are, unescaped; quotes stay as they are, since Material
    # escapes the title again in attributes (footer aria-label: a &quot; there would read "&amp;quot;")
    return html.escape(text, quote=False)


def matrix_parts(book: Book, settings: Settings) -> list[tuple[str, list[str]]]:
    """(page path, claim ids) of each page of the claims-against-evidence table."""
    claim_ids = list(book.claims)
    size = max(1, settings.matrix_claims_per_page)
    chunks = [claim_ids[i:i + size] for i in range(0, len(claim_ids), size)] or [[]]
    return [("claims/matrix.md" if number == 1 else f"claims/matrix/{number}.md", chunk)
            for number, chunk in enumerate(chunks, start=1)]


LISTING_TEMPLATES = {"actors_index.md.j2", "relations.md.j2", "scenarios_index.md.j2", "claims_index.md.j2",
                     "matrix.md.j2", "sources_index.md.j2", "bibliography.md.j2", "home.md.j2"}


def render(book: Book, settings: Settings, references: dict[str, Reference] | None = None,
           only: set[str] | None = None, compiled_templates: Path | None = None) -> Rendered:
    """Every page of the book (or only the paths in ``only``) and the navigation.

    ``compiled_templates``: where compiled templates are kept between runs (see ``_environment``)."""
    references = references if references is not None else format_references(book.loaded.bib)
    citer = Citer(book, references)
    index = BookIndex.of(book)
    env = _environment(str(compiled_templates) if compiled_templates else None)
    jobs: list[tuple[str, str, str, dict]] = []

    def add(path: str, template: str, chapter: str, **values) -> None:
        jobs.append((path, template, chapter, values))

    prose = sorted(book.pages.values(), key=lambda p: (p.id != "index", p.order, p.title, p.id))
    for page in prose:
        add(page_path(page), "page.md.j2", "Overview", note=page)
    if "index" not in book.pages:
        add("index.md", "home.md.j2", "Overview")
    for actor in book.actors.values():
        add(page_path(actor), "actor.md.j2", "Actors", note=actor)
    for scenario in book.scenarios.values():
        add(page_path(scenario), "scenario.md.j2", "Scenarios", note=scenario)
    for claim in book.claims.values():
        add(page_path(claim), "claim.md.j2", "Claims & evidence", note=claim)
    for source in book.sources.values():
        add(page_path(source), "source.md.j2", "Sources", note=source, reference=references.get(source.id))

    kinds = [k for k in schema.ACTOR_KINDS if any(a.kind == k for a in book.actors.values())]
    add("actors/index.md", "actors_index.md.j2", "Actors", kinds=kinds)
    add("actors/relations.md", "relations.md.j2", "Actors")
    add("scenarios/index.md", "scenarios_index.md.j2", "Scenarios")
    add("claims/index.md", "claims_index.md.j2", "Claims & evidence")
    parts = matrix_parts(book, settings)
    for number, (path, chunk) in enumerate(parts, start=1):
        add(path, "matrix.md.j2", "Claims & evidence", claim_ids=chunk, part=number, parts=parts)
    add("sources/index.md", "sources_index.md.j2", "Sources")
    add(BIBLIOGRAPHY_PAGE, "bibliography.md.j2", "Sources",
        entries=sorted(references.values(), key=lambda r: r.order))

    def write(job: tuple[str, str, str, dict]) -> str:
        path, template, chapter, values = job
        context = PageContext(citer, index, path, settings, chapter)
        return env.get_template(template).render(c=context, settings=settings, chapter=chapter, **values)

    chosen = [job for job in jobs if only is None or job[0] in only]
    # the pages that list many notes (indexes, the claims table, the bibliography) first, so that workers
    # end together: a worker left with them at the end would finish long after the other
    chosen.sort(key=lambda job: job[1] not in LISTING_TEMPLATES)
    for template in dict.fromkeys(job[1] for job in chosen):
        env.get_template(template)  # compiled once here, not again in every worker
    pages = dict(zip((job[0] for job in chosen), fork_map(write, chosen)))
    chapters = {job[0]: job[2] for job in jobs}
    return Rendered(pages, _nav(book, citer, settings, prose, kinds), chapters, references)


def _nav(book: Book, citer: Citer, settings: Settings, prose: list[Page], kinds: list[str]) -> list:
    def entries(notes, label) -> list:
        if len(notes) > settings.nav_notes_limit:
            return []
        return [{_nav_label(label(n)): page_path(n)} for n in notes]

    overview = [{"Home": "index.md"}] + [{_nav_label(p.title): page_path(p)} for p in prose if p.id != "index"]
    actors: list = [{"All actors": "actors/index.md"}, {"Relations between actors": "actors/relations.md"}]
    if len(book.actors) <= settings.nav_notes_limit:
        for kind in kinds:
            group = sorted((a for a in book.actors.values() if a.kind == kind), key=lambda a: a.name.lower())
            actors.append({kind[0].upper() + kind[1:]: [{_nav_label(a.name): page_path(a)} for a in group]})
    scenarios = [{"All scenarios": "scenarios/index.md"}] + entries(
        sorted(book.scenarios.values(), key=lambda s: s.title.lower()), lambda s: s.title)
    claims = [{"All claims": "claims/index.md"}, {"Claims against evidence": "claims/matrix.md"}] + entries(
        list(book.claims.values()), lambda c: c.statement)
    sources = [{"All sources": "sources/index.md"}, {"Bibliography": BIBLIOGRAPHY_PAGE}] + entries(
        sorted(book.sources.values(), key=lambda s: citer.references[s.id].label if s.id in citer.references
               else s.id), lambda s: citer.title_of(s.id))
    return [{"Overview": overview}, {"Actors": actors}, {"Scenarios": scenarios},
            {"Claims & evidence": claims}, {"Sources": sources}]


def read_mkdocs_yml(mkdocs_yml: Path) -> dict:
    """The settings file as plain data, its ``!!python/name:`` and other tags read as None; {} when unreadable."""
    import yaml

    class _Lenient(yaml.SafeLoader):
        pass

    _Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=_Lenient) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
