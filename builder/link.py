"""Link stage: resolve every reference, check quotes, and derive backlinks and balances.

Takes the ``Loaded`` value of the load stage and returns a new ``Book``; all
problems come back as diagnostics.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Collection, Iterable

from mdurl import decode as url_decode

from . import quotes, schema
from .diagnostics import Diagnostic, Loc, did_you_mean, error, warning, with_article
from .load import NO_BIBLIOGRAPHY, Loaded
from .records import Actor, Claim, Evidence, Note, Page, Scenario, Source
from .safety import Target, is_relative_path, link_targets, unsafe_links
from .syntax import Span, scan

FOLDERS = {Actor: "actors", Scenario: "scenarios", Claim: "claims", Source: "sources", Page: ""}
KIND_NAMES = {Actor: "actor", Scenario: "scenario", Claim: "claim", Source: "source", Page: "page"}

#: Headings every generated page of a kind carries, as (anchor, title), in page order (a claim's title, its
#: statement, carries the anchor ``statement``).
SECTIONS = {
    Actor: (("about", "About"), ("relations", "Relations"), ("claims", "Claims involving this actor"),
            ("scenarios", "Scenarios"), ("referenced-by", "Referenced by"), ("references", "References")),
    Scenario: (("actors", "Actors"), ("triggers", "Triggers"), ("indicators", "Indicators"),
               ("likelihood", "Likelihood"), ("claims", "Claims"), ("matrix", "Claims against evidence"),
               ("referenced-by", "Referenced by"), ("references", "References")),
    Claim: (("statement", "Statement"), ("actors", "Actors"), ("evidence", "Evidence"), ("balance", "Balance"),
            ("scenarios", "Scenarios"), ("referenced-by", "Referenced by"), ("references", "References")),
    Source: (("reference", "Reference"), ("about", "About this source"), ("grade", "Grade"), ("gaps", "Gaps"),
             ("relays", "Relays"),
             ("claims", "Claims this source bears on"), ("passages", "Passages cited"),
             ("referenced-by", "Referenced by"), ("references", "References")),
    Page: (("referenced-by", "Referenced by"), ("references", "References")),
}

#: For each kind: section anchor → title; and the anchors, which a body's own headings must not take.
SECTION_TITLES = {kind: dict(sections) for kind, sections in SECTIONS.items()}
RESERVED_ANCHORS = {kind: tuple(anchor for anchor, _ in sections) for kind, sections in SECTIONS.items()}

#: The section a note's body starts in on its page: the anchor of the heading above it ('' where it follows the
#: title). A reference before the body's first heading of its own is in that section.
BODY_SECTIONS = {Actor: "about", Scenario: "", Claim: "", Source: "about", Page: ""}

#: Which page section each front-matter field is shown in (field → anchor).
FIELD_SECTIONS = {
    Actor: {"affiliation": "about", "relations": "relations"},
    Scenario: {"actors": "actors", "triggers": "triggers", "indicators": "indicators", "claims": "claims",
               "likelihood_source": "likelihood"},
    Claim: {"statement": "", "actors": "actors", "evidence": "evidence"},  # the statement is the page's title
    Source: {"rationale": "grade", "relays": "relays", "gaps": "gaps"},
    Page: {},
}


def _section_order(kind: type, anchor: str) -> tuple[int, int]:
    """Where a section comes on a page of this kind: the top ('') first, then the generated sections in order, the
    body's own headings right after the section the body starts in."""
    anchors = RESERVED_ANCHORS[kind]
    if not anchor:
        return (-1, 0)
    if anchor in anchors:
        return (anchors.index(anchor), 0)
    body = BODY_SECTIONS[kind]
    return (anchors.index(body) if body else -1, 1)


def page_path(note: Note) -> str:
    """Path of the note's page in the generated docs, e.g. ``actors/north-korea.md``."""
    folder = FOLDERS[type(note)]
    return f"{folder}/{note.id}.md" if folder else f"{note.id}.md"


def note_title(note: Note) -> str:
    return note.name if isinstance(note, Actor) else note.title if not isinstance(note, Source) else note.id


@dataclass(frozen=True)
class Backlink:
    """One place that references a note."""

    source_id: str
    """Id of the referencing note."""
    section: str
    """Title of the section of the referencing page."""
    anchor: str
    """Anchor of that section ('' for the top of the page)."""


@dataclass(frozen=True)
class Balance:
    """How the evidence for a claim stacks up."""

    supports: int
    contradicts: int
    qualifies: int
    origins: int
    """Independent origins among all the evidence (relays followed)."""
    supporting_origins: int
    """Independent origins among the supporting evidence."""

    @property
    def single_source(self) -> bool:
        """The supporting evidence goes back to one origin. Evidence from other origins that only qualifies or
        contradicts the claim does not confirm it."""
        return self.supporting_origins == 1

    @property
    def unsupported(self) -> bool:
        """No piece of evidence supports the claim."""
        return self.supports == 0


@dataclass(frozen=True)
class Book:
    """The linked book: records plus everything derived from resolving them."""

    loaded: Loaded
    notes: dict[str, Note]
    """Every note by id."""
    spans: dict[tuple[str, str], list[Span]]
    """Citations and cross-references by (note id, field) — field ``body`` for the body."""
    backlinks: dict[str, list[Backlink]]
    """For each note id: the notes that reference it."""
    cited: dict[str, list[str]]
    """For each note id: the bibliography keys its page cites, in first-use order."""
    origins: dict[str, tuple[str, ...]]
    """For each bibliography key: the origins it goes back to."""
    balances: dict[str, Balance]
    """For each claim id: its evidence balance."""
    matches: dict[tuple[str, int], quotes.Match]
    """For each (claim id, evidence index): where its quote is."""
    passages: dict[str, tuple[int, ...]]
    """For each source id: the paragraphs quoted or cited with a locator, in order."""
    diagnostics: tuple[Diagnostic, ...]

    @property
    def actors(self):
        return self.loaded.actors

    @property
    def scenarios(self):
        return self.loaded.scenarios

    @property
    def claims(self):
        return self.loaded.claims

    @property
    def sources(self):
        return self.loaded.sources

    @property
    def pages(self):
        return self.loaded.pages


def _text_fields(note: Note) -> Iterable[tuple[str, str, Loc]]:
    """(field path, text, place) of every front-matter string that may hold citations."""
    locs = note.field_locs
    if isinstance(note, Claim):
        yield "statement", note.statement, locs.get("statement", note.loc)
        for ev in note.evidence:
            if ev.note:
                yield f"evidence.{ev.index - 1}.note", ev.note, ev.field_locs.get("note", ev.loc)
    elif isinstance(note, Scenario):
        for name in ("triggers", "indicators"):
            for index, text in enumerate(getattr(note, name)):
                yield f"{name}.{index}", text, locs.get(f"{name}.{index}", note.loc)
    elif isinstance(note, Source):
        yield "rationale", note.rationale, locs.get("rationale", note.loc)
        for index, text in enumerate(note.gaps):
            yield f"gaps.{index}", text, locs.get(f"gaps.{index}", note.loc)
    elif isinstance(note, Actor):
        for index, relation in enumerate(note.relations):
            if relation.note:
                yield f"relations.{index}.note", relation.note, locs.get(f"relations.{index}.note", relation.loc)


def _placed(spans: list[Span], loc: Loc, text_loc: Loc | None) -> list[Span]:
    """The spans of a front-matter string, placed in the file: at their own column when the string is written
    on one line as it reads (``text_loc``, where its first character is), else at the start of the value."""
    if text_loc is None:
        return [replace(span, loc=loc) for span in spans]
    return [replace(span, loc=replace(text_loc, col=text_loc.col + span.start)) for span in spans]


def _relative_links(text: str, path: str, first_line: int, ids: Collection[str]) -> list[Diagnostic]:
    """A ``link.relative`` error for every link, image or reference definition in Markdown ``text`` whose target is
    a relative path (``../kim-il-sung.md``): a note's page is generated elsewhere than its file, so the path leads
    nowhere, and the site engine would fail on it with no place in the note."""
    found = []
    for target in link_targets(text):
        if not is_relative_path(target.url):
            continue
        written = url_decode(target.url)
        shown = written if len(written) <= 60 else written[:57] + "..."
        found.append(error(Loc(path, first_line + target.line, target.col + 1), "link.relative",
                           f"{target.what} target '{shown}' is a relative path, not a web address",
                           _relative_hint(target, ids)))
    return found


def _relative_hint(target: Target, ids: Collection[str]) -> str:
    """How to write a relative link instead: the note its file name names, or the closest id."""
    if target.what == "image":
        return "give the image's http(s) address: the site has no files beside the notes' pages"
    path = url_decode(target.url).split("#", 1)[0].split("?", 1)[0].replace("\\", "/")
    name = next((part for part in reversed(path.split("/")) if part not in ("", ".", "..")), "")
    stem = PurePosixPath(name).stem if name else ""
    if stem in ids:
        return f"link to the note with [[{stem}]]"
    close = [stem.lower()] if stem.lower() in ids else difflib.get_close_matches(stem, sorted(ids), n=1,
                                                                                 cutoff=0.6)
    if stem and close:
        return f"did you mean [[{close[0]}]]? Link to a note with [[id]]"
    return "link to a note with [[id]], or to an http(s) address"


def _uncited(field_name: str, loc: Loc) -> Diagnostic:
    """The error for a scenario's trigger or indicator (``triggers.0`` …) that cites no source."""
    name, index = field_name.split(".")
    what = {"triggers": "trigger", "indicators": "indicator"}[name]
    return error(loc, "scenario.uncited", f"{what} {int(index) + 1} cites no source",
                 "cite the passage that states it, e.g. [@key, para. N]")


def _placed_diagnostics(diagnostics: list[Diagnostic], loc: Loc, text_loc: Loc | None) -> list[Diagnostic]:
    """Diagnostics of a front-matter string (placed as if it started at line ``loc.line``, column 1), placed in the
    file as :func:`_placed` places spans."""
    if text_loc is None:
        return [replace(d, loc=loc) for d in diagnostics]
    return [replace(d, loc=replace(text_loc, col=text_loc.col + d.loc.col - 1)) if d.loc.line == loc.line
            else replace(d, loc=loc) for d in diagnostics]


@dataclass
class _Found:
    """What resolving some notes found; merged into the book's totals."""

    diagnostics: list = field(default_factory=list)
    backlinks: dict = field(default_factory=lambda: defaultdict(dict))
    cited: dict = field(default_factory=lambda: defaultdict(dict))
    used: set = field(default_factory=set)
    paras: dict = field(default_factory=lambda: defaultdict(set))
    spans: dict = field(default_factory=dict)
    unread: list = field(default_factory=list)
    """(key, place) of each citation of a key not found while a .bib file could not be read fully."""

    def merge(self, other: "_Found") -> None:
        self.diagnostics.extend(other.diagnostics)
        for target, links in other.backlinks.items():
            self.backlinks[target].update(links)
        for note_id, keys in other.cited.items():
            self.cited[note_id].update(keys)
        self.used |= other.used
        for key, paras in other.paras.items():
            self.paras[key] |= paras
        self.spans.update(other.spans)
        self.unread.extend(other.unread)


def link(loaded: Loaded, cache: dict | None = None) -> Book:
    """Resolve the loaded book.

    ``cache``, a dict kept between calls, saves re-parsing unchanged text and
    re-resolving the text of unchanged notes while the set of notes and keys
    stays the same.
    """
    cache = {} if cache is None else cache
    scans = cache.setdefault("scans", {})
    resolved = cache.setdefault("notes", {})
    checked_evidence = cache.setdefault("evidence", {})

    def scan_cached(text: str, path: str, line: int, reserved: tuple[str, ...] = ()) -> list[Span]:
        key = (text, path, line, reserved)
        found = scans.get(key)
        if found is None:
            found = scans[key] = scan(text, path, line, reserved)
        return found

    notes: dict[str, Note] = {}
    for group in (loaded.pages, loaded.actors, loaded.scenarios, loaded.claims, loaded.sources):
        notes.update(group)
    bib = loaded.bib
    total = _Found()
    diagnostics = total.diagnostics

    def add_backlink(acc: _Found, target: str, source_note: Note, anchor: str, section: str) -> None:
        if target == source_note.id or target not in notes:
            return
        found = acc.backlinks[target]
        key = (source_note.id, anchor, section)
        if key not in found:
            found[key] = Backlink(source_note.id, section, anchor)

    def section_title(note: Note, anchor: str) -> str:
        return SECTION_TITLES[type(note)].get(anchor, anchor)

    def check_ref(note: Note, target: str, kinds: tuple[type, ...], loc: Loc, what: str,
                  anchor: str, section: str = "", acc: _Found = total) -> None:
        if not target:
            return  # a required id left out is reported as a missing field
        found = notes.get(target)
        if found is not None and isinstance(found, kinds):
            add_backlink(acc, target, note, anchor, section or section_title(note, anchor))
            return
        if target in loaded.broken_ids:
            return
        choices = [n.id for n in notes.values() if isinstance(n, kinds)]
        if found is not None:
            acc.diagnostics.append(error(loc, "ref.kind", f"'{target}' is {with_article(KIND_NAMES[type(found)])}, "
                                         f"not {with_article(what)}",
                                         did_you_mean(target, choices) or f"name {with_article(what)} here"))
        else:
            fallback = (f"create content/{what}s/{target}.md" if what != "note"
                        else "no note has this id: fix the id or create the note")
            by_alias = _aliases(loaded, target) if what in ("actor", "note") else []
            hint = (f"did you mean '{by_alias[0]}'?" if by_alias else did_you_mean(target, choices)) or fallback
            if loaded.folders_unread:
                hint = (f"its note may be in {' or '.join(loaded.folders_unread)}, which could not be read: fix that "
                        "first")
            acc.diagnostics.append(error(loc, "ref.unknown", f"unknown {what} '{target}'", hint))

    def check_key(note: Note, key: str, loc: Loc, anchor: str, section: str, acc: _Found = total) -> None:
        if not key:
            return  # a required key left out is reported as a missing field; a citation needs one to parse
        acc.used.add(key)
        if key not in bib:
            if key in loaded.sources:  # the source note is linked all the same
                add_backlink(acc, key, note, anchor, section)
            if key in loaded.bib_broken:
                return  # the entry's own error says why it cannot be used
            if loaded.bib_unread:
                acc.unread.append((key, loc))  # reported once, below
                return
            acc.diagnostics.append(error(loc, "cite.unknown", f"unknown citation key '{key}'",
                                         _key_hint(key, bib) or "add an entry with this key to a .bib file in "
                                         "bibliography/"))
            return
        acc.cited[note.id].setdefault(key, None)
        if key in notes:
            add_backlink(acc, key, note, anchor, section)

    def check_spans(acc: _Found, note: Note, field: str, found: list[Span], anchor: str | None,
                    section: str) -> None:
        acc.spans[(note.id, field)] = found
        for span in found:
            if anchor is not None:
                span_anchor, span_section = anchor, section
            elif span.section:
                span_anchor, span_section = span.section_anchor, span.section
            else:  # in the section the page shows the body in; in none ('') right under the title
                span_anchor = BODY_SECTIONS[type(note)]
                span_section = section_title(note, span_anchor) if span_anchor else ""
            if span.kind == "error":
                acc.diagnostics.append(error(span.loc, span.code, span.message,
                                             span.hint or _syntax_hint(span.code)))
            elif span.kind == "xref":
                check_ref(note, span.target, (Actor, Scenario, Claim, Source, Page), span.loc, "note",
                          span_anchor, span_section, acc)
            else:
                for cite in span.cites:
                    check_key(note, cite.key, span.loc, span_anchor, span_section, acc)
                    if cite.locator:
                        _check_citation_locator(loaded, cite.key, cite.locator, span.loc, acc.diagnostics,
                                                acc.paras)

    def resolve_text(note: Note) -> _Found:
        acc = _Found()
        body_spans = scan_cached(note.body.text, note.body.loc.path, note.body.loc.line,
                                 RESERVED_ANCHORS[type(note)])
        check_spans(acc, note, "body", body_spans, None, "")
        acc.diagnostics.extend(_doubled_parentheses(note.body.text, body_spans))
        acc.diagnostics.extend(unsafe_links(note.body.text, note.body.loc.path, note.body.loc.line))
        acc.diagnostics.extend(_relative_links(note.body.text, note.body.loc.path, note.body.loc.line, notes))
        for field_name, text, loc in _text_fields(note):
            acc.diagnostics.extend(replace(d, loc=loc) for d in unsafe_links(text, loc.path, loc.line))
            acc.diagnostics.extend(_placed_diagnostics(_relative_links(text, loc.path, loc.line, notes), loc,
                                                       note.field_locs.get(f"{field_name}.text")))
            anchor = FIELD_SECTIONS[type(note)].get(field_name.split(".")[0], "")
            found = _placed(scan_cached(text, loc.path, loc.line), loc, note.field_locs.get(f"{field_name}.text"))
            check_spans(acc, note, field_name, found, anchor, section_title(note, anchor))
            acc.diagnostics.extend(_doubled_parentheses(text, found))
            if isinstance(note, Scenario) and not any(span.kind == "citation" or span.code.startswith("cite.")
                                                      for span in found):
                acc.diagnostics.append(_uncited(field_name, loc))
        return acc

    # --- bodies and text fields; a note whose text resolved cleanly against the same
    # notes, keys and archives is not resolved again
    # compared by value, not by hash(): str hashes differ between processes and the build cache outlives one
    world = (frozenset((note_id, type(note).__name__) for note_id, note in notes.items()), frozenset(bib),
             frozenset((key, len(archive.paragraphs)) for key, archive in loaded.archives.items()),
             frozenset((s.id, s.archive) for s in loaded.sources.values()), loaded.bib_broken, loaded.bib_unread,
             loaded.broken_ids, loaded.folders_unread)  # a reference to a note that failed to load is silent only while it fails
    last_world = cache.get("world")
    if last_world == world:
        world = last_world  # the same object: each note's check below is then an identity check
    cache["world"] = world
    for note in notes.values():
        hit = resolved.get(note.id)
        if hit is not None and hit[0] is note and hit[1] is world:
            total.merge(hit[2])
            continue
        found = resolve_text(note)
        if not found.diagnostics and not found.unread:
            resolved[note.id] = (note, world, found)
        total.merge(found)
    backlinks, cited, used_keys, citation_paras, spans = (total.backlinks, total.cited, total.used, total.paras,
                                                          total.spans)

    def add_backlink_total(target: str, source_note: Note, anchor: str, section: str) -> None:
        add_backlink(total, target, source_note, anchor, section)

    # --- front-matter references
    for actor in loaded.actors.values():
        if actor.affiliation:
            check_ref(actor, actor.affiliation, (Actor,), actor.field_locs.get("affiliation", actor.loc),
                      "actor", "about")
        for index, relation in enumerate(actor.relations):
            at = {name: actor.field_locs.get(f"relations.{index}.{name}", relation.loc)
                  for name in ("actor", "source", "locator")}
            if relation.actor == actor.id:
                diagnostics.append(error(at["actor"], "relation.self", f"{with_article(relation.relation)} relation "
                                         f"of '{actor.id}' with itself", "name the other actor in 'actor:'"))
                continue
            check_ref(actor, relation.actor, (Actor,), at["actor"], "actor", "relations")
            check_key(actor, relation.source, at["source"], "relations", "Relations")
            _check_citation_locator(loaded, relation.source, relation.locator, at["locator"], diagnostics,
                                    citation_paras)
    _check_directions(loaded.actors, diagnostics)
    _check_cycles(loaded.actors, lambda a: [a.affiliation] if a.affiliation else [], "actor.affiliation-cycle",
                  "affiliation", diagnostics)
    for scenario in loaded.scenarios.values():
        for index, target in enumerate(scenario.actors):
            check_ref(scenario, target, (Actor,), scenario.field_locs.get(f"actors.{index}", scenario.loc),
                      "actor", "actors")
        for index, target in enumerate(scenario.claims):
            check_ref(scenario, target, (Claim,), scenario.field_locs.get(f"claims.{index}", scenario.loc),
                      "claim", "claims")
        if scenario.likelihood and not scenario.likelihood_source:
            diagnostics.append(error(scenario.field_locs.get("likelihood", scenario.loc), "likelihood.unsourced",
                                     "a likelihood needs the source that gives it",
                                     "add 'likelihood_source: <bib key>', or remove the likelihood"))
        if scenario.likelihood_source:
            check_key(scenario, scenario.likelihood_source, scenario.field_locs.get("likelihood_source",
                                                                                     scenario.loc),
                      "likelihood", "Likelihood")
    matches: dict[tuple[str, int], quotes.Match] = {}
    for claim in loaded.claims.values():
        for index, target in enumerate(claim.actors):
            check_ref(claim, target, (Actor,), claim.field_locs.get(f"actors.{index}", claim.loc), "actor", "actors")
        for ev in claim.evidence:
            # a quote is searched for again only when the evidence, its source note or the archive changed
            source = loaded.sources.get(ev.source)
            archive = loaded.archives.get(source.archive) if source is not None else None
            hit = checked_evidence.get((claim.id, ev.index))
            if hit is not None and hit[0] is ev and hit[1] is source and hit[2] is archive:
                if hit[3] is not None:
                    matches[(claim.id, ev.index)] = hit[3]
            else:
                before = len(diagnostics)
                _check_evidence(loaded, notes, claim, ev, diagnostics, matches, total.unread)
                if len(diagnostics) == before and archive is not None:
                    checked_evidence[(claim.id, ev.index)] = (ev, source, archive, matches.get((claim.id, ev.index)))
            if ev.source in bib:
                used_keys.add(ev.source)
                cited[claim.id].setdefault(ev.source, None)
            if ev.source in bib or ev.source in loaded.sources:  # the source note is linked all the same
                add_backlink_total(ev.source, claim, "evidence", "Evidence")
    for source in loaded.sources.values():
        if source.id not in bib and source.id not in loaded.bib_broken and loaded.bib_unread != NO_BIBLIOGRAPHY:
            unread = _unread_hint(loaded)
            diagnostics.append(error(source.loc, "source.no-bib", f"no bibliography entry '{source.id}' for "
                                     "this source note", _key_hint(source.id, bib, unread) or unread or
                                     "add an entry with this key to a .bib file, or rename the note"))
        used_keys.add(source.id)
        for index, key in enumerate(source.relays):
            check_key(source, key, source.field_locs.get(f"relays.{index}", source.loc), "relays", "Relays")
    _report_unread(loaded, total.unread, diagnostics)
    origins = _origins(loaded, diagnostics)

    # --- derived values
    balances = {claim.id: _balance(claim, origins) for claim in loaded.claims.values()}
    passages: dict[str, set[int]] = defaultdict(set)
    for (claim_id, index), match in matches.items():
        source_id = loaded.claims[claim_id].evidence[index - 1].source
        passages[source_id].add(match.paragraph)
    for key, paras in citation_paras.items():
        passages[key].update(paras)

    # --- warnings
    for key, entry in sorted(bib.items()):
        if key not in used_keys:
            diagnostics.append(warning(entry.loc, "bib.uncited", f"bibliography entry '{key}' is never cited",
                                       "cite it, list it in a source note's 'relays', or remove it"))
    for note in notes.values():  # (not while a folder of notes is unread: its notes may link to this one)
        if note.id != "index" and not backlinks.get(note.id) and not loaded.folders_unread:
            diagnostics.append(warning(note.loc, "note.orphan", f"no other note links to '{note.id}'",
                                       f"reference it, e.g. [[{note.id}]], from a related note"))

    def in_page_order(b: Backlink) -> tuple:
        """The referring note, then its sections in the order its page shows them."""
        return (b.source_id, _section_order(type(notes[b.source_id]), b.anchor), b.anchor, b.section)

    ordered_backlinks = {key: sorted(value.values(), key=in_page_order) for key, value in backlinks.items()}
    return Book(loaded, notes, spans, ordered_backlinks, {k: list(v) for k, v in cited.items()}, origins,
                balances, matches, {k: tuple(sorted(v)) for k, v in passages.items()},
                tuple(loaded.diagnostics) + tuple(diagnostics))


def _key_hint(key: str, keys, otherwise: str = "") -> str:
    """"did you mean" the key that differs from ``key`` only in case, or a close one; then ``otherwise``."""
    same = [k for k in keys if k.lower() == key.lower()]
    hint = f"did you mean '{same[0]}'?" if same else did_you_mean(key, keys)
    return f"{hint} If not, {otherwise[0].lower()}{otherwise[1:]}" if hint and otherwise else hint


def _unread_hint(loaded: Loaded) -> str:
    """Where an entry not found may be, when a .bib file could not be read fully; '' when all were."""
    if not loaded.bib_unread or loaded.bib_unread == NO_BIBLIOGRAPHY:
        return ""
    files = " or ".join(loaded.bib_unread)
    return f"its entry may be in the part of {files} that could not be read: fix the error there first"


def _report_unread(loaded: Loaded, uses: list[tuple[str, Loc]], diagnostics: list[Diagnostic]) -> None:
    """One error for each key cited but not found while a .bib file could not be read fully, at its first
    citation; none for a source note's key (its note has one) or when there is no bibliography/ folder."""
    if not uses or loaded.bib_unread == NO_BIBLIOGRAPHY:
        return
    places: dict[str, list[Loc]] = defaultdict(list)
    for key, loc in uses:
        places[key].append(loc)
    hint = _unread_hint(loaded)
    for key, locs in sorted(places.items()):
        if key in loaded.sources:
            continue
        others = len(set(locs)) - 1
        more = f" ({others} other citation{'s' if others > 1 else ''} of it not reported)" if others else ""
        diagnostics.append(error(min(locs), "cite.unknown", f"unknown citation key '{key}'{more}",
                                 _key_hint(key, loaded.bib, hint) or hint))


def _aliases(loaded: Loaded, target: str) -> list[str]:
    """Actor ids whose name or alias matches ``target`` (so 'dprk' suggests 'north-korea')."""
    wanted = target.replace("-", " ").lower()
    return [actor.id for actor in loaded.actors.values()
            if wanted in {a.lower() for a in (actor.name, *actor.aliases)}]


def _syntax_hint(code: str) -> str:
    return {
        "cite.unclosed": "close it with ']', or write '\\[' for a literal bracket",
        "cite.nested": "write citations as [see @a, para. 3; @b] without inner brackets",
        "cite.empty-key": "write the key after '@', e.g. [@kei-2025, para. 4]",
        "cite.syntax": "write citations as [see @a, para. 3; @b]",
        "cite.separator": "separate citations with ';'",
        "xref.unclosed": "write cross-references as [[id]] or [[id|text]] on one line",
        "xref.empty": "write the id of a note: [[north-korea]]",
        "xref.syntax": "write cross-references as [[id]] or [[id|text]]",
    }.get(code, "")


def _check_citation_locator(loaded: Loaded, key: str, locator: str, loc: Loc, diagnostics: list[Diagnostic],
                            citation_paras: dict[str, set[int]]) -> None:
    """A locator of a source with an archived text must name its paragraphs, 'para. N' or 'paras. N-M';
    a bibliography entry without one (a report the book only knows of) keeps any locator."""
    source = loaded.sources.get(key) if locator else None
    if source is None:
        return
    archive = loaded.archives.get(source.archive)
    if archive is None:
        return
    last = len(archive.paragraphs)
    span = quotes.parse_locator(locator)
    loose = False
    if span is None:
        span = quotes.parse_loose_locator(locator)
        if span is None:
            diagnostics.append(error(loc, "cite.locator", f"locator '{locator}' of '{key}' is not 'para. N'",
                                     f"its archived text is cited by paragraph: write 'para. N' or 'paras. N-M', "
                                     f"N from 1 to {last}"))
            return
        loose = True
    first, end = span
    if first > end and 1 <= end and first <= last:
        diagnostics.append(error(loc, "cite.locator", f"locator '{locator}' of '{key}' is a backwards range",
                                 f"write '{quotes.format_locator(end, first)}'"))
        return
    if end > last or first < 1 or first > end:
        diagnostics.append(error(loc, "cite.locator", f"'{locator}' is outside '{key}', which has {last} "
                                 "paragraphs", f"use a paragraph between 1 and {last}"
                                 + (", written 'para. N'" if loose else "")))
        return
    if loose:
        right = quotes.format_locator(first, end)
        diagnostics.append(error(loc, "cite.locator", f"locator '{locator}' of '{key}' is not "
                                 f"'{'para. N' if first == end else 'paras. N-M'}'", f"write '{right}'"))
        return
    citation_paras[key].update(range(first, end + 1))


_QUOTE = next(spec for spec in schema.EVIDENCE_FIELDS if spec.name == "quote")


def _check_evidence(loaded: Loaded, notes: dict[str, Note], claim: Claim, ev: Evidence,
                    diagnostics: list[Diagnostic], matches: dict, unread: list) -> None:
    """``unread``: where (key, place) goes for a source not found while a .bib file could not be read fully."""
    quote_loc = ev.field_locs.get("quote", ev.loc)
    words = quotes.word_count(ev.quote) if ev.quote.strip() and not schema.is_placeholder(_QUOTE, ev.quote) else -1
    if 0 <= words < quotes.MIN_WORDS:
        diagnostics.append(error(quote_loc, "quote.short", f"the quote has {words} word{'' if words == 1 else 's'}, "
                                 "too few to show what the source says",
                                 f"quote the passage that bears on the claim, at least {quotes.MIN_WORDS} words of "
                                 "it, copied from the archived text"))
    if not ev.source:
        return  # a missing or empty 'source' is already reported
    loc = ev.field_locs.get("source", ev.loc)
    source = loaded.sources.get(ev.source)
    if source is None:
        if ev.source in loaded.broken_ids:
            return
        if ev.source in loaded.bib or ev.source in loaded.bib_broken:
            diagnostics.append(error(loc, "evidence.no-note", f"source '{ev.source}' has no source note",
                                     f"add content/sources/{ev.source}.md with its grade and archive"))
        elif loaded.bib_unread:
            unread.append((ev.source, loc))
        else:
            diagnostics.append(error(loc, "cite.unknown", f"unknown citation key '{ev.source}'",
                                     _key_hint(ev.source, loaded.sources) or
                                     "add the source to a .bib file and write its source note"))
        return
    for index, key in enumerate(ev.via):
        if key != ev.source and key not in source.relays:
            via_loc = claim.field_locs.get(f"evidence.{ev.index - 1}.via.{index}", ev.field_locs.get("via", ev.loc))
            diagnostics.append(error(via_loc, "evidence.via", f"'{key}' is neither '{ev.source}' nor among what "
                                     "it relays", f"add '{key}' to the relays of content/sources/{ev.source}.md, "
                                     f"or write 'via: [{ev.source}]' for the source's own words"))
    archive = loaded.archives.get(source.archive)
    if archive is None:
        return  # the source note already has an archive error
    if words < quotes.MIN_WORDS:
        return  # a missing, empty or too short 'quote', or the template's, is already reported
    locator_loc = ev.field_locs.get("locator", ev.loc)
    wanted = quotes.parse_locator(ev.locator)
    found = quotes.find(ev.quote, archive.paragraphs, wanted[0] if wanted else 0)
    if not found and "..." in ev.quote and quotes.find(ev.quote.replace("...", "\u2026"), archive.paragraphs):
        diagnostics.append(error(quote_loc, "quote.ellipsis", f"the archived text of '{ev.source}' has no '...' where "
                                 "the quote has it", "write '…' for words left out; '...' is matched as written, "
                                 "for a source that has it"))
        return
    if not found:
        hint = "copy the passage exactly from " + source.archive
        near = quotes.explain_miss(ev.quote, archive.paragraphs)
        if near:
            hint += f": {near}"
        diagnostics.append(error(quote_loc, "quote.not-found", f"quote not found in the archived text of "
                                 f"'{ev.source}'", hint))
        return
    if wanted is None:
        if not ev.locator.strip():
            return  # a missing or empty 'locator' is already reported
        diagnostics.append(error(locator_loc, "evidence.locator", f"evidence locator '{ev.locator}' is not "
                                 "'para. N'", f"write 'locator: para. {found[0].paragraph}'"))
        return
    inside = [m for m in found if wanted[0] <= m.paragraph <= wanted[1]]
    if not inside:
        diagnostics.append(error(locator_loc, "quote.locator", f"the quote is in para. {found[0].paragraph} of "
                                 f"'{ev.source}', not {ev.locator}", f"write 'locator: para. {found[0].paragraph}'"))
        return
    matches[(claim.id, ev.index)] = inside[0]


def _doubled_parentheses(text: str, spans: list[Span]) -> list[Diagnostic]:
    """'([@key])', '([@key]; year not given)': a bracketed citation prints its own parentheses, so the page
    would show '((Author n.d.))'."""
    return [warning(span.loc, "cite.parentheses", f"'({span.raw}' prints two opening parentheses",
                    f"drop the parentheses around {span.raw}, or put words for them inside it, as in "
                    "[@key, year not given]")
            for span in spans if span.kind == "citation" and span.parenthetical and span.start > 0
            and text[span.start - 1] == "("]


def _check_directions(actors: dict[str, Actor], diagnostics: list[Diagnostic]) -> None:
    """A directed relation (leadership, employment …) stated by each of two actors about the other says
    opposite things: 'X leads Y' on X's note and 'Y leads X' on Y's."""
    stated = {(actor.id, relation.actor, relation.relation): relation for actor in actors.values()
              for relation in actor.relations if relation.relation in schema.DIRECTION_WORDS}
    for (one, other, kind), relation in sorted(stated.items()):
        back = stated.get((other, one, kind))
        if back is not None and one < other:
            word = schema.DIRECTION_WORDS[kind]
            diagnostics.append(warning(back.loc, "relation.both-ways", f"this note says {other} → {one} ({word}), "
                                       f"but {relation.loc.path}:{relation.loc.line} says {one} → {other}",
                                       "keep it on one of the two notes, the way round the source states it"))


def _check_cycles(items: dict, targets, code: str, what: str, diagnostics: list[Diagnostic]) -> None:
    """One error per loop of ``what`` links, at the ``what`` field of its first member (by id)."""
    in_a_loop: set[str] = set()
    for start in sorted(items):
        if start in in_a_loop:
            continue
        path, current = [start], start
        while True:
            nexts = [t for t in targets(items[current]) if t in items] if current in items else []
            if not nexts:
                break
            current = nexts[0]
            if current == start:
                chain = " → ".join(path + [start])
                in_a_loop.update(path)
                loc = items[start].field_locs.get(what, items[start].loc)
                diagnostics.append(error(loc, code, f"{what} goes round in a loop: {chain}",
                                         f"remove one {what} link of the loop"))
                break
            if current in path:
                break
            path.append(current)


def _origins(loaded: Loaded, diagnostics: list[Diagnostic]) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    reported: set[str] = set()

    def resolve(key: str, trail: tuple[str, ...]) -> tuple[str, ...]:
        if key in result:
            return result[key]
        source = loaded.sources.get(key)
        relays = [r for r in source.relays if r in loaded.bib] if source else []
        if not relays:
            result[key] = (key,)
            return result[key]
        if key in trail:
            start = trail[trail.index(key):]
            if key not in reported:
                reported.update(start)
                first = loaded.sources[start[0]]
                diagnostics.append(error(first.field_locs.get("relays", first.loc), "relays.cycle",
                                         "relays go round in a loop: " + " → ".join(start + (key,)),
                                         "a source relays the reports it passes on, never itself"))
            return (key,)
        found: dict[str, None] = {}
        for relayed in relays:
            for origin in resolve(relayed, trail + (key,)):
                found.setdefault(origin, None)
        result[key] = tuple(sorted(found))
        return result[key]

    for key in sorted(loaded.bib):
        resolve(key, ())
    return result


def evidence_origins(ev: Evidence, origins: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The origins a piece of evidence goes back to: its ``via`` keys, or what its source relays."""
    if not ev.via:
        return frozenset(origins.get(ev.source, (ev.source,)))
    found: set[str] = set()
    for key in ev.via:
        found.update((key,) if key == ev.source else origins.get(key, (key,)))
    return frozenset(found)


def independent_groups(evidence: Iterable[Evidence], origins: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Source keys of the evidence, grouped where they share an origin (two relays of one report are one)."""
    groups: list[tuple[set[str], list[str]]] = []
    for ev in sorted(evidence, key=lambda e: (e.source, e.index)):
        mine = set(evidence_origins(ev, origins))
        joined = [g for g in groups if g[0] & mine]
        merged_origins, merged_keys = set(mine), [ev.source]
        for group in joined:
            merged_origins |= group[0]
            merged_keys += group[1]
            groups.remove(group)
        groups.append((merged_origins, sorted(set(merged_keys))))
    return sorted((keys for _, keys in groups), key=lambda k: k[0])


def _balance(claim: Claim, origins: dict[str, tuple[str, ...]]) -> Balance:
    counts = {"supports": 0, "contradicts": 0, "qualifies": 0}
    for ev in claim.evidence:
        counts[ev.stance] = counts.get(ev.stance, 0) + 1
    all_groups = independent_groups(claim.evidence, origins)
    supporting = independent_groups([ev for ev in claim.evidence if ev.stance == "supports"], origins)
    return Balance(counts["supports"], counts["contradicts"], counts["qualifies"], len(all_groups), len(supporting))
