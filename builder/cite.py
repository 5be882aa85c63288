"""Cite stage: turn citations and cross-references into plain Markdown links.

One in-text style everywhere (author–date with the locator, Chicago-like):
``[@key, para. 4]`` → ``(Thornebrooke n.d., para. 4)``, ``@key`` →
``Thornebrooke (n.d.)``, ``[-@key]`` → ``(n.d.)``. Each item links to the
source's page — to the exact paragraph when the locator names one — and
carries the full reference as its title, shown on hover.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from . import quotes
from .bibliography import Reference
from .link import Book, page_path
from .records import Actor, Claim, Scenario, Source
from .safety import neutralise_attr_lists, sanitise_body
from .syntax import Cite, Span

BIBLIOGRAPHY_PAGE = "sources/bibliography.md"


def escape_title(text: str) -> str:
    """Text safe inside a Markdown link title ("…")."""
    text = text.replace("\\", "\\\\").replace('"', "&quot;").replace("<", "&lt;").replace("|", "\\|")
    # a single quote ends the title early in Python-Markdown's link parser ("… alert('x')"), and a backtick opens a
    # code span there that a later backtick on the line closes, taking the rest of the link with it (an actor
    # named "`", and "\`" in the row's text)
    return " ".join(text.replace("'", "&#39;").replace("`", "&#96;").split())


_MARKDOWN_SPECIAL = re.compile(r"[&<>\\`*_\[\]|]")


def escape_text(text: str) -> str:
    """Plain text (a name, a quote) safe to put in Markdown, tables included."""
    if _MARKDOWN_SPECIAL.search(text):  # most text has nothing to escape: skip the ten replacements
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for char in "\\`*_[]|":
            text = text.replace(char, "\\" + char)
    return " ".join(text.split())


_INNER_QUOTES = str.maketrans({"“": "‘", "”": "’"})


def inner_quotes_single(quote: str) -> str:
    """A quotation to print between double quotation marks: its own double marks become single ones (the
    words are the source's; only the marks around a quotation inside it change)."""
    return quote.translate(_INNER_QUOTES)


def link_from(folder: str, target: str) -> str:
    """Link from any generated page in ``folder`` to generated path ``target`` (anchor allowed)."""
    path, _, anchor = target.partition("#")
    link = _relpath(path, folder) if path else ""
    return f"{link}#{anchor}" if anchor else link


def folder_of(page: str) -> str:
    """The folder of a generated page ("" at the top): every page in one folder links alike."""
    return page.rpartition("/")[0]


@lru_cache(maxsize=65536)
def _relpath(path: str, folder: str) -> str:
    """``posixpath.relpath(path, folder)``; computed on the names alone when both are plain relative paths,
    since relpath calls getcwd() twice and a large book has thousands of distinct links."""
    path_parts = path.split("/")
    folder_parts = folder.split("/") if folder else []
    if not (_plain(path_parts) and _plain(folder_parts)):
        return posixpath.relpath(path, folder or ".")
    common = 0
    for path_part, folder_part in zip(path_parts, folder_parts):
        if path_part != folder_part:
            break
        common += 1
    return "/".join([".."] * (len(folder_parts) - common) + path_parts[common:]) or "."


def _plain(parts: list[str]) -> bool:
    """No empty, "." or ".." part: the path means what its names say, wherever the build runs."""
    return all(part not in ("", ".", "..") for part in parts)


@dataclass(frozen=True)
class Citer:
    """Renders references of one book; pass the folder of the page being written to each call (see
    ``folder_of``)."""

    book: Book
    references: dict[str, Reference]
    _memo: dict = field(default_factory=dict, compare=False, repr=False)
    """Titles, summaries and links already computed (notes are linked many times, and links from pages
    in one folder are the same)."""

    def _memoised(self, key: tuple, make: Callable[[], str]) -> str:
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = make()
        return value

    def source_target(self, key: str, locator: str = "") -> str:
        if key in self.book.sources:
            span = quotes.parse_locator(locator) if locator else None
            anchor = f"#para-{span[0]}" if span and span[0] in self.book.passages.get(key, ()) else ""
            return f"sources/{key}.md{anchor}"
        return f"{BIBLIOGRAPHY_PAGE}#ref-{key}"

    def reference_item(self, reference: Reference, folder: str) -> str:
        """A reference in full (HTML), then a link to its source's page or bibliography entry."""
        return self._memoised(("reference", reference.key, folder), lambda: self._reference_item(reference, folder))

    def _reference_item(self, reference: Reference, folder: str) -> str:
        where = "Source page" if reference.key in self.book.sources else "Bibliography"
        target = link_from(folder, self.source_target(reference.key))
        return f'<span class="reference" id="cite-{reference.key}">{reference.html}</span> [{where}]({target})'

    def cite_item(self, cite: Cite, folder: str, parenthetical: bool = True) -> str:
        return self._memoised(("cite", cite, folder, parenthetical),
                              lambda: self._cite_item(cite, folder, parenthetical))

    def _cite_item(self, cite: Cite, folder: str, parenthetical: bool = True) -> str:
        reference = self.references[cite.key]
        link = link_from(folder, self.source_target(cite.key, cite.locator))
        title = self._reference_tooltip(cite.key)
        if not parenthetical:
            return f'[{escape_text(reference.author)} ({escape_text(reference.year)})]({link} "{title}"){{ .cite }}'
        text = reference.year if cite.suppress_author else f"{reference.author} {reference.year}"
        if cite.locator:
            text += f", {cite.locator}"
        item = f'[{escape_text(text)}]({link} "{title}"){{ .cite }}'
        return f"{escape_text(cite.prefix)} {item}" if cite.prefix else item

    def citation(self, span: Span, folder: str) -> str:
        if not span.parenthetical:
            return self.cite_item(span.cites[0], folder, parenthetical=False)
        return "(" + "; ".join(self.cite_item(cite, folder) for cite in span.cites) + ")"

    def note_summary(self, note_id: str) -> str:
        return self._memoised(("summary", note_id), lambda: self._note_summary(note_id))

    def _note_summary(self, note_id: str) -> str:
        note = self.book.notes[note_id]
        if isinstance(note, Actor):
            return f"{note.name} — {note.kind}" + (f" (also: {', '.join(note.aliases)})" if note.aliases else "")
        if isinstance(note, Claim):
            balance = self.book.balances[note.id]
            return (f"Claim: {note.statement} — {balance.supports} supporting, {balance.contradicts} "
                    f"contradicting, {balance.qualifies} qualifying")
        if isinstance(note, Scenario):
            return f"Scenario: {note.title}"
        if isinstance(note, Source):
            reference = self.references.get(note.id)
            return f"Source, graded {note.grade}: {reference.text if reference else note.id}"
        return note.title

    def title_of(self, note_id: str) -> str:
        note = self.book.notes[note_id]
        if isinstance(note, Actor):
            return note.name
        if isinstance(note, Claim):
            return note.statement
        if isinstance(note, Source):
            reference = self.references.get(note.id)
            return reference.title if reference else note.id
        return note.title

    def _xref_label(self, span: Span, inside_sentence: bool) -> str:
        """The label the writer gave, or "" for the note's title; ``inside_sentence``: more of the sentence follows
        on its line, so a claim's statement gives up its full stop ("… (Statement)." rather than
        "… (Statement.).")."""
        if not span.label and inside_sentence and isinstance(self.book.notes.get(span.target), Claim):
            return without_final_stop(self.book.notes[span.target].statement)
        return span.label

    def link_to(self, note_id: str, folder: str, label: str = "", anchor: str = "") -> str:
        """A Markdown link to a note's page, with its summary as the tooltip."""
        return self._memoised(("link", note_id, label, anchor, folder),
                              lambda: self._link_to(note_id, folder, label, anchor))

    def _link_to(self, note_id: str, folder: str, label: str, anchor: str) -> str:
        text = escape_text(label) if label else inline_text(self.title_of(note_id))
        return f'[{text}]({self._note_href(note_id, anchor, folder)} "{escape_title(self.note_summary(note_id))}")'

    def _note_href(self, note_id: str, anchor: str, folder: str) -> str:
        return link_from(folder, page_path(self.book.notes[note_id]) + (f"#{anchor}" if anchor else ""))

    def section_link(self, note_id: str, section: str, anchor: str, folder: str) -> str:
        """A link to one section of a note's page, labelled with the section's title."""
        return self._memoised(("section", note_id, section, anchor, folder),
                              lambda: self._section_link(note_id, section, anchor, folder))

    def _section_link(self, note_id: str, section: str, anchor: str, folder: str) -> str:
        return f"[{escape_text(section)}]({self._note_href(note_id, anchor, folder)})"

    def source_link(self, key: str, folder: str, locator: str = "", label: str = "") -> str:
        """A link to a source's page (or its bibliography entry), the full reference as the tooltip."""
        return self._memoised(("source", key, locator, label, folder),
                              lambda: self._source_link(key, folder, locator, label))

    def _source_link(self, key: str, folder: str, locator: str, label: str) -> str:
        target = link_from(folder, self.source_target(key, locator))
        label = label or self.references[key].label
        return f'[{escape_text(label)}]({target} "{self._reference_tooltip(key)}")'

    def _reference_tooltip(self, key: str) -> str:
        return self._memoised(("tooltip", key), lambda: escape_title(self.references[key].text))

    def render(self, note_id: str, field: str, text: str, page: str) -> str:
        """``text`` (a body or a front-matter string) with its citations and cross-references as links."""
        spans = self.book.spans.get((note_id, field), [])
        folder = folder_of(page)
        body = field == "body"
        pieces, cursor = [], 0
        for span in spans:
            between = text[cursor:span.start]
            pieces.append(between if body else inline_text(between, keep_markup=True))
            cursor = span.end
            if span.kind == "citation":
                pieces.append(self.citation(span, folder))
            elif span.kind == "xref":
                label = self._xref_label(span, _line_goes_on(text, cursor))
                pieces.append(self.link_to(span.target, folder, label) + "{ .xref }")
                shown = label or (self.title_of(span.target) if span.target in self.book.notes else "")
                if text[cursor:cursor + 1] == "." and text[cursor + 1:cursor + 2] != "." and shown.rstrip().endswith("."):
                    cursor += 1  # link text ending in a full stop ends the sentence too: not "… TV Chosun n.d.."
            else:
                pieces.append(span.raw)
        rest = text[cursor:]
        pieces.append(rest if body else inline_text(rest, keep_markup=True))
        return sanitise_body("".join(pieces)) if body else "".join(pieces)


def _line_goes_on(text: str, position: int) -> bool:
    """Whether anything but white space follows ``position`` on its line."""
    line_end = text.find("\n", position)
    rest_of_line = text[position:line_end] if line_end >= 0 else text[position:]
    return bool(rest_of_line.strip())


def without_final_stop(sentence: str) -> str:
    """The sentence without its closing full stop, unless that stop ends an abbreviation ("U.S.", "n.d.")."""
    stripped = sentence.rstrip()
    last_word = stripped.rsplit(None, 1)[-1] if stripped else ""
    if not last_word.endswith(".") or last_word.endswith("..") or "." in last_word[:-1]:
        return sentence
    return stripped[:-1]


def inline_text(text: str, keep_markup: bool = False) -> str:
    """A front-matter string as one line of inline Markdown (no raw HTML, table-safe)."""
    if not keep_markup:
        return escape_text(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return neutralise_attr_lists(text.replace("\n", " ").replace("\t", " "))

