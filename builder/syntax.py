"""Citation and cross-reference syntax, parsed with markdown-it-py.

Two inline rules are added to a CommonMark parser:

* ``citation`` — Pandoc citations: ``[@key]``, ``[@key, para. 4]``,
  ``[see @a, p. 3; @b]``, ``[-@key]`` and ``@key`` in running text;
* ``xref`` — cross-references to notes: ``[[id]]`` and ``[[id|label]]``.

:func:`scan` returns every occurrence with its exact place in the source, so
that later stages can check it and :func:`rewrite` can replace it with plain
Markdown while leaving everything else (code included) untouched.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from markdown.extensions.toc import slugify, unique
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .diagnostics import Loc

KEY_CHARS = re.compile(r"[A-Za-z0-9_:.#$%&+?<>~/-]*")
INTEXT_KEY = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?")
ITEM = re.compile(r"^(?P<prefix>(?:[^@]|(?<=\w)@)*?)(?P<minus>-?)@(?P<key>[^\s,;\]]*)(?P<suffix>.*)$", re.S)
OPENERS = " \t\n([{\"'“‘—–"
CITATION_ITEM_START = re.compile(r"(?:^|[\s([])-?@")
#: ", @b", " and @b": a second citation where ';' was meant (an '@' after other words may be a handle, "by @x")
SECOND_ITEM = re.compile(r"(?:,|\s(?:and|&))\s*-?@([A-Za-z0-9_][^\s,;\]]*)")
UNCLOSED_CITATION = re.compile(r"^[^\]\n]{0,40}?(?:^|[\s(])-?@[A-Za-z0-9_]")
BRACKET_OR_ESCAPE = re.compile(r"[\[\]\\]")
SPAN_TOKENS = frozenset({"citation", "xref", "syntax_error"})


@dataclass(frozen=True)
class Cite:
    """One cited key inside a citation."""

    key: str
    """The bibliography key as written."""
    prefix: str
    """Text before the key (``see``)."""
    locator: str
    """Text after the key, without the leading comma (``para. 4``)."""
    suppress_author: bool
    """``[-@key]``: print the year only."""


@dataclass(frozen=True)
class Span:
    """A citation, cross-reference or malformed attempt found in a body."""

    kind: str
    """``citation``, ``xref`` or ``error``."""
    start: int
    """Offset of the first character in the scanned text."""
    end: int
    """Offset just past the last character."""
    loc: Loc
    """Line and column of the first character."""
    raw: str
    """The text as written."""
    section: str
    """Title of the heading the span is under ('' before any heading)."""
    section_anchor: str
    """Anchor of that heading on the rendered page ('' before any heading)."""
    cites: tuple[Cite, ...] = ()
    """For citations: the keys cited."""
    parenthetical: bool = True
    """For citations: ``[@key]`` (True) or ``@key`` in running text (False)."""
    target: str = ""
    """For cross-references: the id."""
    label: str = ""
    """For cross-references: the text to show, or '' for the note's title."""
    code: str = ""
    """For errors: the diagnostic code."""
    message: str = ""
    """For errors: what is wrong."""
    hint: str = ""
    """For errors: what to do, when it depends on what was written ('' for the code's own hint)."""


def _find_close(src: str, start: int, end: int) -> tuple[int, bool]:
    """Index of the ``]`` closing the ``[`` at ``start`` and whether brackets nest inside."""
    depth, nested = 0, False
    found = BRACKET_OR_ESCAPE.search(src, start, end)
    while found:
        pos = found.start()
        char = src[pos]
        if char == "\\":
            found = BRACKET_OR_ESCAPE.search(src, pos + 2, end)
            continue
        if char == "[":
            depth += 1
            if depth > 1:
                nested = True
        else:
            depth -= 1
            if depth == 0:
                return pos, nested
        found = BRACKET_OR_ESCAPE.search(src, pos + 1, end)
    return -1, nested


def _parse_items(parts: list[str]) -> tuple[list[Cite], str, str]:
    """The cites of a citation's parts; or no cites, the diagnostic code and what is wrong."""
    cites = []
    for part in parts:
        match = ITEM.match(part)
        if not match:
            return [], "cite.syntax", "each part of a citation needs an @key"
        key = match["key"].rstrip(".:")
        if not key:
            return [], "cite.empty-key", "citation with an empty key"
        second = SECOND_ITEM.search(match["suffix"])
        if second:  # [@a, para. 2, @b, para. 10]: a ',' where a ';' was meant
            return [], "cite.separator", (f"a second citation '@{second[1].rstrip('.:')}' inside the locator of "
                                          f"'@{key}'")
        cites.append(Cite(key, match["prefix"].strip(), match["suffix"].strip().lstrip(",").strip(),
                          bool(match["minus"])))
    return cites, "", ""


def _looks_like_citation(parts: list[str]) -> bool:
    return any(CITATION_ITEM_START.search(part) for part in parts)


def _bracket_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[" or state.linkLevel > 0:
        return False
    if src.startswith("[[", pos):
        return _xref(state, silent)
    close, nested = _find_close(src, pos, state.posMax)
    if close < 0:
        rest = src[pos + 1 : state.posMax]
        if UNCLOSED_CITATION.match(rest) or rest.startswith(("@", "-@")):
            return _error(state, silent, pos, state.posMax, "cite.unclosed",
                          "citation bracket is not closed")
        return False
    if close + 1 < state.posMax and src[close + 1] in "([:":
        return False  # a link or reference definition, as in Pandoc
    parts = [part.strip() for part in src[pos + 1 : close].split(";")]
    if not _looks_like_citation(parts):
        return False
    if nested:
        return _error(state, silent, pos, close + 1, "cite.nested", "brackets cannot nest inside a citation")
    cites, code, problem = _parse_items(parts)
    if problem:
        return _error(state, silent, pos, close + 1, code, problem)
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"cites": tuple(cites), "parenthetical": True, "start": pos, "end": close + 1}
    state.pos = close + 1
    return True


def _xref(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    close = src.find("]]", pos + 2, state.posMax)
    newline = src.find("\n", pos + 2, close if close >= 0 else state.posMax)
    single = src.find("]", pos + 2, newline if newline >= 0 else state.posMax)
    if single >= 0 and single != close and "[" not in src[pos + 2 : single] and src[pos + 2 : single].strip():
        written = src[pos + 2 : single]  # [[north-korea] and …: closed with one ']'
        return _error(state, silent, pos, single + 1, "xref.unclosed",
                      f"cross-reference '[[{written}]' is not closed: it ends with one ']'",
                      f"end it with ']]': [[{written}]]")
    if close < 0 or newline >= 0:
        return _error(state, silent, pos, pos + 2, "xref.unclosed", "cross-reference '[[' is not closed with ']]'")
    inner = src[pos + 2 : close]
    target, _, label = inner.partition("|")
    if "[" in inner:
        return _error(state, silent, pos, close + 2, "xref.syntax", "brackets cannot nest inside a cross-reference")
    if not target.strip():
        return _error(state, silent, pos, close + 2, "xref.empty", "cross-reference with no target")
    if not silent:
        token = state.push("xref", "", 0)
        token.meta = {"target": target.strip(), "label": label.strip(), "start": pos, "end": close + 2}
    state.pos = close + 2
    return True


def _intext_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "@" or state.linkLevel > 0:
        return False
    if pos > 0 and src[pos - 1] not in OPENERS:
        return False
    match = INTEXT_KEY.match(src, pos + 1, state.posMax)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"cites": (Cite(match.group(), "", "", False),), "parenthetical": False,
                      "start": pos, "end": match.end()}
    state.pos = match.end()
    return True


def _error(state: StateInline, silent: bool, start: int, end: int, code: str, message: str, hint: str = "") -> bool:
    if not silent:
        token = state.push("syntax_error", "", 0)
        token.meta = {"code": code, "message": message, "hint": hint, "start": start, "end": end}
    state.pos = end
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.inline.ruler.before("link", "citation_bracket", _bracket_rule)
    md.inline.ruler.before("link", "citation_intext", _intext_rule)
    return md


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _content_line_offsets(content: str, first_line: int, lines: list[str], line_starts: list[int],
                          cursors: dict[int, int]) -> list[int]:
    """Absolute offset in the text of each line of an inline token's content."""
    offsets = []
    parts = content.split("\n")
    for number, part in enumerate(parts):
        line_no = first_line + number
        if line_no >= len(lines):
            offsets.append(line_starts[-1])
            continue
        line = lines[line_no]
        cursor = cursors.get(line_no, 0)
        col = -1
        for candidate in (line, line.rstrip()):
            if candidate.endswith(part) and len(candidate) - len(part) >= cursor:
                col = len(candidate) - len(part)
                break
        if col < 0 or (number == 0 and len(parts) == 1 and line.find(part, cursor) not in (-1, col)):
            found = line.find(part, cursor)
            col = found if found >= 0 else cursor
        cursors[line_no] = col + len(part)
        offsets.append(line_starts[line_no] + col)
    return offsets


def scan(text: str, path: str, first_line: int, reserved_anchors: tuple[str, ...] = ()) -> list[Span]:
    """Every citation, cross-reference and malformed attempt in ``text``, in order.

    ``first_line`` is the file line of ``text``'s first line, for diagnostics;
    ``reserved_anchors`` are the ids the rendered page already uses, so that
    heading anchors come out as the site's table of contents makes them.
    """
    if "@" not in text and "[" not in text:
        return []  # no citation, cross-reference or malformed attempt can be in it
    tokens = parser().parse(text)
    lines = text.split("\n")
    line_starts = _line_starts(text)
    cursors: dict[int, int] = {}
    spans: list[Span] = []
    section, section_anchor = "", ""
    heading_next = False
    slugs = set(reserved_anchors)
    for token in tokens:
        if token.type == "heading_open":
            heading_next = True
            continue
        if token.type != "inline" or token.map is None or not token.children:
            continue
        if heading_next:
            heading_next = False
            section = _plain(token)
            section_anchor = unique(slugify(section, "-"), slugs)
        offsets = _content_line_offsets(token.content, token.map[0], lines, line_starts, cursors)
        newlines = _line_starts(token.content)
        for child in token.children:
            if child.type not in SPAN_TOKENS:
                continue
            meta = child.meta
            start = _absolute(meta["start"], newlines, offsets)
            end = _absolute(meta["end"], newlines, offsets)
            line_no = _line_of(start, line_starts)
            loc = Loc(path, first_line + line_no, start - line_starts[line_no] + 1)
            raw = token.content[meta["start"] : meta["end"]]
            spans.append(_span(child.type, meta, start, end, loc, raw, section, section_anchor))
    return spans


def _span(token_type: str, meta: dict, start: int, end: int, loc: Loc, raw: str, section: str,
          section_anchor: str) -> Span:
    """The span for a ``citation``, ``xref`` or ``syntax_error`` token with its place worked out."""
    if token_type == "citation":
        return Span("citation", start, end, loc, raw, section, section_anchor, cites=meta["cites"],
                    parenthetical=meta["parenthetical"])
    if token_type == "xref":
        return Span("xref", start, end, loc, raw, section, section_anchor, target=meta["target"],
                    label=meta["label"])
    return Span("error", start, end, loc, raw, section, section_anchor, code=meta["code"],
                message=meta["message"], hint=meta.get("hint", ""))


def _plain(token) -> str:
    return "".join(child.content if child.type in ("text", "code_inline") else
                   (child.meta.get("label") or child.meta.get("target", "")) if child.type == "xref" else ""
                   for child in token.children).strip()


def _absolute(offset: int, newlines: list[int], line_offsets: list[int]) -> int:
    line = _line_of(offset, newlines)
    return line_offsets[line] + offset - newlines[line]


def _line_of(offset: int, starts: list[int]) -> int:
    """Index of the line holding ``offset``, given the offsets where lines start (the first is 0)."""
    return bisect_right(starts, offset) - 1


def rewrite(text: str, spans: list[Span], replacement) -> str:
    """``text`` with each span replaced by ``replacement(span)``."""
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor : span.start])
        pieces.append(replacement(span))
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)
