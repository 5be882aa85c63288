"""Typed records of the book: what the load stage returns and later stages read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .diagnostics import Loc


@dataclass(frozen=True)
class Body:
    """The Markdown body of a note."""

    text: str
    """The body as written, after the front matter."""
    loc: Loc
    """Where the body's first line is."""


@dataclass(frozen=True)
class Relation:
    """A typed link from one actor to another, stated by a source."""

    actor: str
    """Id of the other actor."""
    relation: str
    """Kind of relation: treaty, alliance, rivalry …"""
    source: str
    """Bibliography key of the source that states the relation."""
    locator: str
    """Where in that source (``para. 4``), or empty."""
    note: str
    """Optional one-line description (may cite)."""
    loc: Loc
    """Where the relation is written."""


@dataclass(frozen=True)
class Actor:
    """A state, body, group, outlet or person the sources name."""

    id: str
    """Stable id: the file stem."""
    loc: Loc
    """The note file."""
    name: str
    """Display name."""
    kind: str
    """One of ``schema.ACTOR_KINDS``."""
    aliases: tuple[str, ...]
    """Every other name the sources use."""
    tags: tuple[str, ...]
    """Free tags."""
    affiliation: str
    """Id of the actor this one belongs to, or empty."""
    relations: tuple[Relation, ...]
    """Typed relations to other actors."""
    body: Body
    """What the sources say about the actor."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each front-matter field (``actors.2`` for list items) is written; ``<field>.text``: where the text of
    a one-line string starts, when the file holds it as it reads."""

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class Scenario:
    """A contingency the sources discuss."""

    id: str
    """Stable id: the file stem."""
    loc: Loc
    """The note file."""
    title: str
    """One-line description of the contingency."""
    actors: tuple[str, ...]
    """Ids of the actors involved."""
    triggers: tuple[str, ...]
    """What would set it off (inline Markdown, may cite)."""
    indicators: tuple[str, ...]
    """What to watch for (inline Markdown, may cite)."""
    claims: tuple[str, ...]
    """Ids of the claims that bear on it."""
    likelihood: str
    """ICD 203 likelihood word, only where a source gives one; else empty."""
    likelihood_source: str
    """Bibliography key of the source giving the likelihood."""
    confidence: str
    """low, moderate or high; else empty."""
    tags: tuple[str, ...]
    """Free tags."""
    body: Body
    """Discussion, cited."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each front-matter field is written."""


@dataclass(frozen=True)
class Evidence:
    """One passage of one source, weighed against a claim."""

    claim: str
    """Id of the claim it bears on."""
    index: int
    """1-based position in the claim's evidence list (used in anchors)."""
    source: str
    """Bibliography key of the source (which has a source note)."""
    stance: str
    """supports, contradicts or qualifies."""
    quote: str
    """Verbatim passage from the archived text."""
    locator: str
    """Where the passage is: ``para. 4``."""
    note: str
    """One-line paraphrase (inline Markdown)."""
    via: tuple[str, ...]
    """Bibliography keys of what the passage passes on (the source's own key for its own words);
    empty means everything the source relays."""
    loc: Loc
    """Where the evidence item is written."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each field of the item is written."""

    @property
    def anchor(self) -> str:
        return f"ev-{self.index}"

    @property
    def passage_anchor(self) -> str:
        return f"q-{self.claim}-{self.index}"


@dataclass(frozen=True)
class Claim:
    """A statement the sources make or report, with its evidence."""

    id: str
    """Stable id: the file stem."""
    loc: Loc
    """The note file."""
    statement: str
    """The claim in one sentence (inline Markdown)."""
    actors: tuple[str, ...]
    """Ids of the actors the claim involves."""
    tags: tuple[str, ...]
    """Free tags."""
    evidence: tuple[Evidence, ...]
    """Passages that support, contradict or qualify the claim."""
    body: Body
    """Optional discussion."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each front-matter field is written."""

    @property
    def title(self) -> str:
        return self.statement


@dataclass(frozen=True)
class Source:
    """The analyst's note on one bibliography entry the book draws on."""

    id: str
    """The bibliography key (also the file stem)."""
    loc: Loc
    """The note file."""
    kind: str
    """news, opinion, analysis or report."""
    reliability: str
    """Admiralty reliability grade, A–F."""
    credibility: str
    """Admiralty credibility grade, 1–6."""
    rationale: str
    """One line on why the grade (inline Markdown)."""
    archive: str
    """Path of the archived text, relative to the book root."""
    gaps: tuple[str, ...]
    """What the source does not give: date, author, year …"""
    relays: tuple[str, ...]
    """Bibliography keys of the reports or outlets it passes on."""
    tags: tuple[str, ...]
    """Free tags."""
    body: Body
    """What it is and how to read it."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each front-matter field is written."""

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"


@dataclass(frozen=True)
class Page:
    """A prose page of the Overview chapter (home, key judgments …)."""

    id: str
    """Stable id: the file stem (``index`` is the home page)."""
    loc: Loc
    """The note file."""
    title: str
    """Page title."""
    order: int
    """Position in the chapter; lower first."""
    body: Body
    """The page's Markdown."""
    field_locs: Mapping[str, Loc] = field(default_factory=dict, compare=False)
    """Where each front-matter field is written."""


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry, as pybtex parsed it."""

    key: str
    """The citation key."""
    loc: Loc
    """The ``@type{key,`` line."""
    entry: object
    """The ``pybtex.database.Entry``."""


@dataclass(frozen=True)
class Archive:
    """The archived text of a source, split into paragraphs."""

    path: str
    """Path relative to the book root."""
    paragraphs: tuple[str, ...]
    """Non-blank lines of the text, in order; ``para. N`` is ``paragraphs[N-1]``."""


Note = Actor | Scenario | Claim | Source | Page
