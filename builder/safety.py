"""Nothing a contributor writes may run in a reader's browser.

Two guards, both driven by the same markdown-it parser as citations
(:func:`builder.syntax.parser`, CommonMark with raw HTML enabled):

* :func:`unsafe_links` finds ``javascript:``, ``vbscript:`` and ``data:`` link
  targets — Markdown links, images, autolinks and reference definitions — and
  returns a ``link.unsafe`` error for each, at its file:line:col (the link stage
  calls it on every body and every front-matter string that may hold Markdown);
* :func:`sanitise_html` passes every raw HTML block and inline HTML tag of a
  body through nh3 (a maintained sanitiser): safe formatting tags stay, scripts,
  event handlers (``on*=``), iframes, SVG, styles and unsafe URLs go.

:func:`link_targets`, on the same parser, finds the target of every link, image
and reference definition where it is written, for the link stage's check of
where links go (a relative path is an error, ``link.relative``).

Front-matter strings never reach the page as HTML: cite.py and the templates
escape ``<``, ``>`` and ``&`` in them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdurl import decode as url_decode

from .diagnostics import Diagnostic, Loc, error
from .syntax import parser

UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)

#: Tags kept in raw HTML (nh3's defaults, which leave out script, style, iframe, svg, form, object …).
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS)
ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("span", "div", "mark", "abbr", "p", "sup", "sub", "a", "td", "th", "li"):
    ALLOWED_ATTRIBUTES.setdefault(_tag, set()).update({"title", "id", "class"})
SAFE_URL_SCHEMES = {"http", "https", "mailto"}


def unsafe_scheme(url: str) -> str:
    """The scheme of ``url`` if it is one that runs or embeds code (``javascript`` …), else ''."""
    cleaned = _IGNORED_IN_SCHEME.sub("", url_decode(url))
    match = _SCHEME.match(cleaned)
    if match and match.group(1).lower() in UNSAFE_SCHEMES:
        return match.group(1).lower()
    return ""


@lru_cache(maxsize=1)
def _permissive_parser() -> MarkdownIt:
    """The book's parser, but keeping every link (markdown-it drops javascript: links silently)."""
    md = copy.copy(parser())
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _locate(lines: list[str], first: int, last: int, scheme: str,
            cursors: dict[int, int]) -> tuple[int, int] | None:
    """(0-based line, 0-based col) of the next ``scheme:`` between lines first..last, or None."""
    pattern = re.compile(re.escape(scheme) + r"\s*:", re.I)
    for number in range(first, min(last, len(lines))):
        found = pattern.search(lines[number], cursors.get(number, 0))
        if found:
            cursors[number] = found.end()
            return number, found.start()
    return None


def unsafe_links(text: str, path: str, first_line: int) -> list[Diagnostic]:
    """A ``link.unsafe`` error for every javascript:/vbscript:/data: link target in Markdown ``text``."""
    lowered = text.lower()
    if not any(scheme in lowered for scheme in UNSAFE_SCHEMES) and "&" not in text and "%" not in text:
        return []
    env: dict = {}
    try:
        tokens = _permissive_parser().parse(text, env)
    except Exception:  # pragma: no cover - markdown-it does not raise on any input we know of
        return []
    lines = text.split("\n")
    cursors: dict[int, int] = {}
    found: list[Diagnostic] = []

    references = {str(ref.get("href", "")) for ref in env.get("references", {}).values()}

    def report(url: str, scheme: str, what: str, first: int, last: int) -> None:
        place = _locate(lines, first, last, scheme, cursors)
        if place is None and what != "reference definition" and url in references:
            return  # a [text][label] link: its definition is reported
        if place is None:  # written with entities: point at the start of the block
            line = lines[first] if first < len(lines) else ""
            place = (first, len(line) - len(line.lstrip()))
        line, col = place
        shown = url if len(url) <= 60 else url[:57] + "..."
        found.append(error(Loc(path, first_line + line, col + 1), "link.unsafe",
                           f"{what} target '{shown}' uses the '{scheme}:' scheme, which can run code in a "
                           "reader's browser", "link to an http(s) address or to a note ([[id]]) instead"))

    for token in tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        for child in token.children:
            if child.type == "link_open":
                url, what = str(child.attrGet("href") or ""), ("autolink" if child.markup == "autolink"
                                                               else "link")
            elif child.type == "image":
                url, what = str(child.attrGet("src") or ""), "image"
            else:
                continue
            scheme = unsafe_scheme(url)
            if scheme:
                report(url, scheme, what, token.map[0], token.map[1])
    for label, reference in sorted(env.get("references", {}).items()):
        url = str(reference.get("href", ""))
        scheme = unsafe_scheme(url)
        if scheme:
            report(url, scheme, "reference definition", 0, len(lines))
    return sorted(found, key=lambda d: (d.loc.line, d.loc.col))


def is_relative_path(url: str) -> bool:
    """Whether a link target is a path relative to the page (``../x.md``, ``x.md``, ``/x/``): no scheme, no host
    (``//host/x``), and not an anchor on the page itself (``#section``)."""
    target = url_decode(url).strip()
    return bool(target) and not target.startswith(("#", "//")) and not _SCHEME.match(target)


@dataclass(frozen=True)
class Target:
    """The target of a link, image or reference definition, where it is written."""

    url: str
    """The target as markdown-it reads it (entities and escapes resolved, percent-encoded)."""
    what: str
    """``link``, ``image`` or ``reference definition``."""
    line: int
    """0-based line in the text."""
    col: int
    """0-based column of the target's first character (of the start of its block when it cannot be found)."""


def link_targets(text: str) -> list[Target]:
    """The target of every inline link and image, and of every reference definition, in Markdown ``text``, in
    order of place. A ``[text][label]`` link is left to its definition; autolinks (``<https://…>``), which always
    have a scheme, are left out."""
    if "](" not in text and "]:" not in text:
        return []  # neither an inline destination nor a definition can be in it
    env: dict = {}
    tokens = _permissive_parser().parse(text, env)
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    used: set[int] = set()

    def place(url: str, opener: str, first: int, last: int) -> int | None:
        """Offset of ``url`` written right after ``opener`` (``](`` or ``]:``) in lines first..last, not yet
        taken by an earlier target; None when it is not written there."""
        begin = starts[min(first, len(starts) - 1)]
        end = starts[last] if last < len(starts) else len(text)
        for written in dict.fromkeys((url, url_decode(url))):
            pattern = re.compile(re.escape(opener) + r"[ \t]*(?:\n[ \t]*)?<?" + re.escape(written))
            for found in pattern.finditer(text, begin, end):
                offset = found.end() - len(written)
                if offset not in used:
                    used.add(offset)
                    return offset
        return None

    def at(offset: int) -> tuple[int, int]:
        line = next(number for number in range(len(starts) - 1, -1, -1) if starts[number] <= offset)
        return line, offset - starts[line]

    references = {str(ref.get("href", "")) for ref in env.get("references", {}).values()}
    found: list[Target] = []
    for token in tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        for child in token.children:
            if child.type == "link_open" and child.markup != "autolink":
                url, what = str(child.attrGet("href") or ""), "link"
            elif child.type == "image":
                url, what = str(child.attrGet("src") or ""), "image"
            else:
                continue
            offset = place(url, "](", token.map[0], token.map[1])
            if offset is None and url in references:
                continue  # a [text][label] link: its definition is reported
            if offset is None:  # written with escapes or entities: the start of the block
                line = text.split("\n")[token.map[0]] if token.map[0] < len(starts) else ""
                found.append(Target(url, what, token.map[0], len(line) - len(line.lstrip())))
            else:
                found.append(Target(url, what, *at(offset)))
    for _label, reference in sorted(env.get("references", {}).items()):
        url = str(reference.get("href", ""))
        first, last = reference.get("map") or (0, len(starts))
        offset = place(url, "]:", first, last)
        found.append(Target(url, "reference definition", *(at(offset) if offset is not None else (first, 0))))
    return sorted(found, key=lambda target: (target.line, target.col))


def clean_html(fragment: str) -> str:
    """``fragment`` of raw HTML with only safe tags, attributes and URLs left (nh3)."""
    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=SAFE_URL_SCHEMES, link_rel="noopener noreferrer")


_CODE_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>?")
_TAG_NAME = re.compile(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def _clean_inline_tag(tag: str) -> str:
    """One inline HTML token (a single tag, comment or declaration) made safe."""
    match = _TAG_NAME.match(tag)
    if not match or match.group(2).lower() not in ALLOWED_TAGS:
        return escape_html(tag)
    closing, name = match.group(1), match.group(2).lower()
    if closing:
        return f"</{name}>"
    cleaned = clean_html(tag if tag.rstrip().endswith("/>") else tag + f"</{name}>")
    opening = re.match(r"^<[^>]*>", cleaned)
    return opening.group(0) if opening and opening.group(0).lower().startswith(f"<{name}") else ""


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sanitise_html(markdown: str) -> str:
    """``markdown`` with every raw HTML block and inline tag sanitised; all else is left byte for byte."""
    if "<" not in markdown:
        return markdown
    tokens = parser().parse(markdown)
    lines = markdown.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []
    for token in tokens:
        if token.type in ("code_block", "fence") and token.map:
            # Python-Markdown may not read this as code (an indented block after a footnote or an
            # admonition is Markdown there; mkdocs.yml enables no fenced code): clean its tags too
            start = line_starts[token.map[0]]
            end_line = min(token.map[1], len(lines))
            end = line_starts[end_line - 1] + len(lines[end_line - 1])
            raw = markdown[start:end]
            cleaned = _CODE_TAG.sub(lambda m: _clean_inline_tag(m.group(0)), raw)
            if cleaned != raw:
                edits.append((start, end, cleaned))
        elif token.type == "html_block" and token.map:
            start = line_starts[token.map[0]]
            end_line = min(token.map[1], len(lines))
            end = line_starts[end_line - 1] + len(lines[end_line - 1])
            raw = markdown[start:end]
            cleaned = clean_html(raw)
            if cleaned.strip() != raw.strip():
                edits.append((start, end, cleaned.strip("\n")))
        elif token.type == "inline" and token.children and token.map:
            start = line_starts[token.map[0]]
            end_line = min(token.map[1], len(lines))
            end = line_starts[end_line - 1] + len(lines[end_line - 1])
            cursor = start
            for child in token.children:
                if child.type != "html_inline":
                    continue
                position = markdown.find(child.content, cursor, end)
                if position < 0:  # e.g. a tag broken over lines inside a quote: escape the whole paragraph
                    edits.append((start, end, escape_html(markdown[start:end]).replace("&gt;", ">")))
                    break
                cursor = position + len(child.content)
                cleaned = _clean_inline_tag(child.content)
                if cleaned != child.content:
                    edits.append((position, cursor, cleaned))
    if not edits:
        return markdown
    pieces, cursor = [], 0
    for start, end, replacement in sorted(edits):
        if start < cursor:
            continue
        pieces.append(markdown[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(markdown[cursor:])
    return "".join(pieces)


# Python-Markdown's attr_list extension (enabled in mkdocs.yml) turns "{ onclick=… }" after an element
# into HTML attributes, and "{ href=… }" would override a link's target: such lists are escaped ("\{"),
# so they show as text. Lists of classes, ids and safe attributes ({ .cite }, { #anchor }) stay.
_ATTR_LIST = re.compile(r"(?<!\\)\{:?[ \t]*([^}\n]*)\}")
_ATTR_KEY = re.compile(r"([^\s=\"'{}]+)\s*=")
SAFE_ATTR_KEYS = frozenset({"title", "lang", "dir", "id", "class", "width", "height", "align", "colspan",
                            "rowspan", "start", "alt"})


def neutralise_attr_lists(text: str) -> str:
    """``text`` with every attribute list that sets an unsafe attribute escaped as ``\\{``."""
    if "{" not in text or "=" not in text:
        return text

    def replace(match: re.Match) -> str:
        keys = {key.lower().lstrip(".#") for key in _ATTR_KEY.findall(match.group(1))}
        return "\\" + match.group(0) if keys - SAFE_ATTR_KEYS else match.group(0)

    return _ATTR_LIST.sub(replace, text)


def sanitise_body(markdown: str) -> str:
    """A note's body made safe for the page: raw HTML sanitised, unsafe attribute lists escaped."""
    return sanitise_html(neutralise_attr_lists(markdown))
