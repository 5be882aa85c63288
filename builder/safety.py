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

Front-matter strings never reach the page as HTML: cite.py and the templates
escape ``<``, ``>`` and ``&`` in them.
"""

from __future__ import annotations

import copy
import re
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
