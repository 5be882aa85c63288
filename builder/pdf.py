"""Print stage: one PDF per chapter and one for the whole book.

The generated Markdown pages (``Rendered.pages``) of each chapter, in nav order,
are converted to HTML with Python-Markdown (the extensions of mkdocs.yml),
their links rewritten to anchors inside the PDF, and wrapped in lean print
templates (``templates/print/``): a cover, a table of contents with page
numbers, the pages, and a reference list of exactly what the PDF cites (none
where the PDF prints the Bibliography page, which lists every entry).
WeasyPrint lays them out; it may read local files only (no network).

Links between pages of the same PDF become internal links. A link to a page of
another chapter goes to the site (when mkdocs.yml has a ``site_url``) or is
printed as text followed by the chapter's name. A citation of a source whose
page is not in the PDF goes to the PDF's own reference list.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as _dt
import functools
import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markdown

from .bibliography import Reference, format_references
from .files import replacing
from .cite import BIBLIOGRAPHY_PAGE
from .link import Book
from .render import CHAPTERS, Rendered, Settings

#: Chapter title → PDF file stem.
CHAPTER_FILES = {
    "Overview": "overview",
    "Actors": "actors",
    "Scenarios": "scenarios",
    "Claims & evidence": "claims-and-evidence",
    "Sources": "sources",
}
BOOK = "book"
"""File stem of the whole book's PDF."""
BOOK_TITLE = "Whole book"
PAPERS = {"a4": "A4", "letter": "letter"}
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
"""Width and height of each paper, portrait."""
PDF_FOLDER = "pdf"
"""Folder of the site the PDFs are written to."""

DEFAULT_EXTENSIONS: list = ["abbr", "admonition", "attr_list", "md_in_html", "tables", "footnotes", "def_list",
                            "toc"]
MATRIX_COLUMNS = {"a4": 8, "letter": 8}
"""Source columns per printed block of a claims-against-evidence table (landscape)."""
LANDSCAPE_FROM = 4
"""A claims-against-evidence table with more source columns than this is printed on a landscape page."""

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_TAGS = re.compile(r"<[^>]+>")
_ATTR = re.compile(r"""(\s)(id|href|src|xlink:href|title)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
_REFERENCES_SECTION = re.compile(r'<h2\b[^>]*\bid="references"[^>]*>.*?(?=<h[12][\s>]|\Z)', re.S)
_ATTR_LIST_ROW = re.compile(r"^\{:\s*(.*?)\s*\}$")
_PLACEHOLDER = re.compile("\x02[a-z]+:\\d+\x03")
_MARKED_ID = re.compile('\\sid="\x01([^"]*)"')
_OPEN_ENDED = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
               "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption"}
"""Elements with no end tag, or one HTML lets out."""
_MARK_LEADING_SPACE = re.compile(r"(<mark\b[^>]*>)(\s+)")
_MARK_TRAILING_SPACE = re.compile(r"(\s+)</mark>")
_CITE_LINK = r'[^()<>]*<a\b[^>]*\bclass="cite"[^>]*>[^<]*</a>'
_CITATION = re.compile(rf"\((?:{_CITE_LINK})(?:; {_CITE_LINK})*\)")
"""A bracketed citation as the renderer writes it: '(', a link for each source ('see' and such before it), ')'."""
_LOCATOR = re.compile(r"\bparas?\. \d+(?:-\d+)?")
"""A citation's locator, 'para. 4' or 'paras. 3-4', which a line does not split ('para.' / '4)')."""
_LINK_TEXT = re.compile(r"(?<=>)[^<]+(?=</a>)")
_QUOTE_ANCHORS = re.compile(r'((?:<span class="quote-anchor" id="[^"]*"></span>)+)<mark>')
_ANCHOR_ID = re.compile(r'id="([^"]*)"')
_STANCE_MARK = re.compile("([\u25b2\u25bc\u25c6]) (?=\\S)|(?<=\\S) (\u00b7 )")
"""Spaces where a line must not break: after a stance symbol (▲ supports, ▲ 3), before a middle dot (3 · ▼ 0)."""
BULLETS = ("\u2022\u00a0", "\u25e6\u00a0")
"""Bullets of plain lists (level 1, deeper), written as text with a no-break space: WeasyPrint lays a list
marker out as an absolutely positioned box, which costs more than all the item's text (see print.css.j2)."""


# --------------------------------------------------------------------------- choosing pages


def file_stem(chapter: str) -> str:
    """The PDF's file name without .pdf: ``actors``, ``claims-and-evidence`` … or ``book``."""
    return BOOK if chapter == BOOK_TITLE else CHAPTER_FILES[chapter]


def chapter_of_name(name: str) -> str | None:
    """The chapter title for a name given on the command line: a file stem, a title or its first word."""
    wanted = name.strip().lower().removesuffix(".pdf")
    if wanted in (BOOK, "all", "whole book"):
        return BOOK_TITLE
    for title, stem in CHAPTER_FILES.items():
        if wanted in (stem, title.lower(), title.split()[0].lower()):
            return title
    return None


def nav_labels(nav: list) -> dict[str, str]:
    """Page path → its label in the nav."""
    labels: dict[str, str] = {}
    for item in nav:
        for label, value in (item.items() if isinstance(item, dict) else []):
            if isinstance(value, list):
                for path, inner in nav_labels(value).items():
                    labels.setdefault(path, inner)
            elif isinstance(value, str):
                labels.setdefault(value, label)
    return labels


def chapter_pages(rendered: Rendered) -> dict[str, list[str]]:
    """Chapter title → its page paths: nav order first, then pages the nav leaves out."""
    result: dict[str, list[str]] = {title: [] for title in CHAPTERS}

    def walk(items, chapter: str) -> None:
        for item in items:
            for value in (item.values() if isinstance(item, dict) else [item]):
                if isinstance(value, list):
                    walk(value, chapter)
                elif isinstance(value, str) and value in rendered.pages and value not in seen:
                    seen.add(value)
                    result.setdefault(rendered.chapters.get(value, chapter), []).append(value)

    seen: set[str] = set()
    for entry in rendered.nav:
        for chapter, items in entry.items():
            walk(items if isinstance(items, list) else [items], chapter)
    for path in rendered.pages:
        if path not in seen:
            seen.add(path)
            result.setdefault(rendered.chapters.get(path, "Overview"), []).append(path)
    return result


# --------------------------------------------------------------------------- Markdown → HTML


# advance widths (hundredths of an em) of the characters U+0020 to U+007E in DejaVu Serif (table cells) and DejaVu
# Sans Bold (table headers), the print stylesheet's fonts; other characters as listed, or 0.62 em
_ASCII = [chr(code) for code in range(32, 127)]
_SERIF_EM = dict(zip(_ASCII, map(int, """
32 40 46 84 64 95 89 27 39 39 50 84 32 34 32 34 64 64 64 64 64 64 64 64 64 64 34 34 84 84 84 54 100 72 73 77 80 73
69 80 87 40 40 75 66 102 88 82 67 82 75 69 67 84 72 103 71 66 69 39 34 39 84 50 50 60 64 56 64 59 37 64 64 32 31 61
32 95 64 60 64 64 48 51 40 64 56 86 56 56 53 64 34 64 84""".split())))
_SANS_BOLD_EM = dict(zip(_ASCII, map(int, """
35 46 52 84 70 100 87 31 46 46 52 84 38 42 38 37 70 70 70 70 70 70 70 70 70 70 40 40 84 84 84 58 100 77 76 73 83 68
68 82 84 37 37 77 64 100 84 85 73 85 77 72 68 81 77 110 77 72 73 46 37 46 84 50 50 67 72 59 72 68 44 72 71 34 34 67
34 104 71 69 72 72 49 60 48 71 65 92 65 65 58 71 37 71 84""".split())))
_SANS_EM = dict(zip(_ASCII, map(int, """
32 40 46 84 64 95 78 27 39 39 50 84 32 36 32 34 64 64 64 64 64 64 64 64 64 64 34 34 84 84 84 53 100 68 69 70 77 63
58 77 75 29 29 66 56 86 75 79 60 79 69 63 61 73 68 99 69 61 69 39 34 39 84 50 50 61 63 55 63 62 35 63 63 28 28 58
28 97 63 61 63 63 41 52 39 63 59 82 59 59 52 64 34 64 84""".split())))
"""The same for DejaVu Sans, the relation graphs' font."""
for _table, _quotes in ((_SERIF_EM, (51, 32)), (_SANS_BOLD_EM, (66, 38)), (_SANS_EM, (52, 32))):
    _table.update({"\u25b2": 77, "\u25bc": 77, "\u25c6": 77, "\u2014": 100, "\u2013": 50, "\u2026": 100,
                   "\u201c": _quotes[0], "\u201d": _quotes[0], "\u2018": _quotes[1], "\u2019": _quotes[1],
                   "\u00b7": _quotes[1], "\u00a0": _quotes[1]})
TABLE_FONT_PT = 8.0
"""Font size of table cells (print.css.j2)."""
MATRIX_FONT_PT = 7.0
"""Font size of the claims-against-evidence tables (print.css.j2)."""
CELL_PADDING_MM = 2.5
"""A cell's padding and border, left and right (3 pt + 3 pt + 0.5 pt)."""
_BREAKS = re.compile(r"[ \t\r\n]+")
"""Where a line may break (not at a no-break space)."""


def _advance(text: str, glyphs: dict[str, int]) -> int:
    """The sum of ``text``'s glyph advances in one of the tables above, in hundredths of an em (0.62 em for a
    character the table does not list)."""
    return sum(glyphs.get(char, 62) for char in text)


def text_width_mm(text: str, size_pt: float, bold_sans: bool = False) -> float:
    """About how wide ``text`` is printed in DejaVu Serif (or DejaVu Sans Bold) at ``size_pt``, in mm (4 % more
    than the sum of the glyphs' advances, for the estimate's sake)."""
    table = _SANS_BOLD_EM if bold_sans else _SERIF_EM
    return _advance(text, table) * size_pt * 0.0036689  # 1/100 em → mm: × 0.35278 × 1.04 / 100


RUNNING_HEAD_MM = 100.0
"""Widest running head that fits on one line: the top-right margin box is 60 % of the text width (104 mm on A4)
and prints 7.5 pt DejaVu Sans (print.css.j2)."""


def running_head(title: str, width_mm: float = RUNNING_HEAD_MM) -> str:
    """A note's title as its running head: whole when it fits on one line, else cut after a word, with "…"."""
    def width(text: str) -> float:
        return _advance(text, _SANS_EM) * 7.5 * 0.0035278

    if width(title) <= width_mm:
        return title
    words = title.split(" ")
    while len(words) > 1 and width(" ".join(words) + "\u2026") > width_mm:
        words.pop()
    return " ".join(words).rstrip(",;:–—-") + "\u2026"


def with_running_head(page_html: str) -> str:
    """The page's HTML with its title (first ``h1``) given a ``data-running`` attribute: the running head the print
    stylesheet sets from it (``running_head``), one line long."""
    found = _H1.search(page_html)
    if found is None:
        return page_html
    head = running_head(" ".join(html.unescape(_TAGS.sub("", found.group(1))).split()))
    at = found.start() + len("<h1")
    return f'{page_html[:at]} data-running="{html.escape(head, quote=True)}"{page_html[at:]}'


def spaces_out_of_marks(page_html: str) -> str:
    """A space at either end of a highlighted passage (``<mark>despite … democracies, </mark><mark>including``, as
    the highlighting splits quotes that meet) written outside the ``mark`` instead: WeasyPrint breaks such a line
    after the first word of the passage instead of at that space (a paragraph printed '“Washington' on a line of its
    own; Kozea/WeasyPrint#2025, #1614)."""
    return _MARK_TRAILING_SPACE.sub(r"</mark>\1", _MARK_LEADING_SPACE.sub(r"\2\1", page_html))


def anchors_on_marks(page_html: str) -> str:
    """The anchor where a quote starts (an empty ``span.quote-anchor`` before its ``mark``) made the ``mark``'s own
    id: WeasyPrint breaks a line that reaches such an empty box after a space one word too early, leaving that word
    alone on a line ("formal," in para. 11 of the Korea Herald's article). A second anchor at the same place stays
    a ``span``, inside the ``mark``."""
    def on_mark(found: re.Match) -> str:
        first, *others = _ANCHOR_ID.findall(found.group(1))
        return f'<mark id="{first}">' + "".join(f'<span class="quote-anchor" id="{other}"></span>' for other in others)

    return _QUOTE_ANCHORS.sub(on_mark, page_html)


def citations_whole(page_html: str) -> str:
    """Each bracketed citation with its brackets inside its links: WeasyPrint did not break a line at the space
    before a citation's "(", which sticks to the link that follows it, but a word earlier, leaving that word alone
    on a line and the citation past the edge of a narrow table cell ('the' / 'information" (ANBOUND' in "How
    reports travelled"). With the "(" the first link's first letter, the space before it is an ordinary break
    between a text and a link. Its locators are kept whole with a no-break space ("para. 4", never "para." / "4)").
    Spans would do the same at 5 % more layout time: every inline box costs WeasyPrint ~0.4 ms."""
    def whole(found: re.Match) -> str:
        text = _LINK_TEXT.sub(lambda link_text: locators_whole(link_text.group(0)), found.group(0))
        if not text.startswith("(<a"):  # "(see <a…": the bracket cannot go into a link
            return text
        first = text.index(">") + 1
        last = text.rindex("</a>")
        return text[1:first] + "(" + text[first:last] + ")" + text[last:-1]

    return _CITATION.sub(whole, page_html)


def locators_whole(text: str) -> str:
    """``text`` with a no-break space inside each citation locator ("para.\u00a04"), which a line does not split."""
    return _LOCATOR.sub(lambda found: found.group(0).replace(" ", "\u00a0"), text)


_POSSESSIVE_AFTER_XREF = re.compile(r"""(<a\b[^>]*\bclass="[^"]*\bxref\b[^"]*"[^>]*>[^<]*)</a>(['’]s)\b""")


def possessives_in_links(page_html: str) -> str:
    """A cross-reference's possessive "'s" inside its link, so that the page number printed after the link in the
    whole book follows the word: "Kim Jong Un's [p. 73]", not "Kim Jong Un [p. 73]'s"."""
    return _POSSESSIVE_AFTER_XREF.sub(r"\1\2</a>", page_html)


def print_page_html(page_html: str) -> str:
    """A page's converted HTML made ready for print: stance marks whole (``keep_marks_whole``), spaces out of
    highlights (``spaces_out_of_marks``), quote anchors on their highlights (``anchors_on_marks``), brackets of
    citations in their links (``citations_whole``), possessives in cross-references (``possessives_in_links``) and
    its running head (``with_running_head``)."""
    return with_running_head(possessives_in_links(citations_whole(spaces_out_of_marks(anchors_on_marks(
        keep_marks_whole(page_html))))))


def keep_marks_whole(text: str) -> str:
    """No-break spaces where a line must not break: "▲ supports" and "▲ 3" stay whole, and a line does not start
    with the "·" between two of them, so that the marks of a cell can be counted."""
    return _STANCE_MARK.sub(lambda m: f"{m.group(1)}\u00a0" if m.group(1) else f"\u00a0{m.group(2)}", text)


class _PrintTables(markdown.treeprocessors.Treeprocessor):
    """Apply a trailing ``{: .class }`` row to its table and split wide claims-against-evidence tables."""

    def __init__(self, md, columns: int):
        super().__init__(md)
        self.columns = columns

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in reversed(list(enumerate(parent))):
                if child.tag == "table":
                    self._attr_row(child)
                    if self._is_matrix(child):
                        parent[index] = self._split(child)
        for table in root.iter("table"):
            self._widths(table)

    @staticmethod
    def _widths(table, width_mm: float = 170.0) -> None:
        """Column widths from the text of the cells, so that WeasyPrint can use the fast fixed table layout.

        Each column gets at least its longest word (a stance mark such as "▲ supports" is one word, and so is a
        citation's "para. 4"), measured with the fonts' glyph widths (``text_width_mm``); the rest of the width
        goes to the columns whose text is longer, in proportion to how much longer."""
        rows = [row for row in table.iter("tr")]
        count = max((len(row) for row in rows), default=0)
        if count < 2:
            return
        size = MATRIX_FONT_PT if "claims-matrix" in (table.get("class") or "") else TABLE_FONT_PT
        least = [3.0] * count
        natural = [3.0] * count
        for row in rows:
            for column, cell in enumerate(row):
                if column >= count:
                    break
                text = locators_whole(keep_marks_whole(_PLACEHOLDER.sub("x", "".join(cell.itertext()))))
                bold = cell.tag == "th"
                longest_word = max((text_width_mm(w, size, bold) for w in _BREAKS.split(text)), default=0.0)
                least[column] = max(least[column], min(longest_word, 35.0) + CELL_PADDING_MM)
                natural[column] = max(natural[column], text_width_mm(text[:300], size, bold) + CELL_PADDING_MM)
        if "landscape" in (table.get("data-print") or ""):
            width_mm *= 1.5
        widths = list(least)
        spare = width_mm - sum(widths)
        wants = [max(0.0, n - w) for n, w in zip(natural, widths)]
        if spare > 0 and sum(wants) > 0:
            share = min(1.0, spare / sum(wants))
            widths = [w + want * share for w, want in zip(widths, wants)]
        group = etree.Element("colgroup")
        for width in widths:
            etree.SubElement(group, "col", {"style": f"width: {100 * width / sum(widths):.1f}%"})
        table.insert(1 if len(table) and table[0].tag == "caption" else 0, group)
        table.set("class", " ".join(filter(None, [table.get("class", ""), "fixed"])))

    @staticmethod
    def _attr_row(table) -> None:
        body = table.find("tbody")
        if body is None or not len(body):
            return
        last = body[-1]
        texts = [(cell.text or "").strip() for cell in last]
        found = _ATTR_LIST_ROW.match(texts[0]) if texts and not any(len(cell) for cell in last) else None
        if found and not any(texts[1:]):
            body.remove(last)
            classes = [part[1:] for part in found.group(1).split() if part.startswith(".")]
            if classes:
                table.set("class", " ".join(filter(None, [table.get("class", "")] + classes)))

    @staticmethod
    def _is_matrix(table) -> bool:
        head = table.find("thead/tr")
        if head is None or len(head) < 2:
            return False
        first = "".join(head[0].itertext()).strip()
        last = "".join(head[-1].itertext()).strip()
        return first == "Claim" and last == "Balance"

    def _split(self, table):
        head = table.find("thead/tr")
        rows = table.findall("tbody/tr")
        sources = len(head) - 2
        wrapper = etree.Element("div", {"class": "wide-table" + (" landscape" if sources > LANDSCAPE_FROM else "")})
        table.set("class", " ".join(filter(None, [table.get("class", ""), "claims-matrix"])))
        if sources <= self.columns:
            if sources > LANDSCAPE_FROM:
                table.set("data-print", "landscape")
            wrapper.append(table)
            return wrapper
        blocks = -(-sources // self.columns)
        per = -(-sources // blocks)
        for number, start in enumerate(range(1, sources + 1, per), 1):
            stop = min(start + per, sources + 1)
            keep = [0, *range(start, stop)] + ([len(head) - 1] if stop == sources + 1 else [])
            part = etree.SubElement(wrapper, "table", {"class": table.get("class"), "data-print": "landscape"})
            caption = etree.SubElement(part, "caption")
            caption.text = f"Sources {start}–{stop - 1} of {sources} (part {number} of {blocks})"
            for group, source_rows in (("thead", [head]), ("tbody", rows)):
                section = etree.SubElement(part, group)
                for row in source_rows:
                    new_row = etree.SubElement(section, "tr")
                    for column in keep:
                        new_row.append(copy.deepcopy(row[column]))
        return wrapper


class _PrintExtension(markdown.extensions.Extension):
    def __init__(self, columns: int):
        super().__init__()
        self.columns = columns

    def extendMarkdown(self, md):
        md.treeprocessors.register(_PrintTables(md, self.columns), "print-tables", 1)


def markdown_extensions(config: Path | None) -> tuple[list, dict]:
    """The Markdown extensions of mkdocs.yml (toc without permalinks), or the defaults."""
    names: list = []
    configs: dict = {}
    data = _read_yaml(config) if config else {}
    for item in data.get("markdown_extensions") or DEFAULT_EXTENSIONS:
        if isinstance(item, dict):
            for name, options in item.items():
                names.append(name)
                configs[name] = dict(options or {})
        elif isinstance(item, str):
            names.append(item)
    configs.setdefault("toc", {}).update(permalink=False)
    if "toc" not in names:
        names.append("toc")
    return names, configs


def _read_yaml(path: Path) -> dict:
    import yaml

    class _Lenient(yaml.SafeLoader):
        pass

    _Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Lenient) or {}
    except (OSError, yaml.YAMLError):
        return {}


class Converter:
    """Markdown page → HTML, reusing one Python-Markdown instance."""

    def __init__(self, config: Path | None = None, paper: str = "a4"):
        names, configs = markdown_extensions(config)
        try:
            self.md = markdown.Markdown(extensions=names + [_PrintExtension(MATRIX_COLUMNS[paper])],
                                        extension_configs=configs)
        except Exception:  # an extension of the site that cannot be loaded here: use the usual set
            self.md = markdown.Markdown(extensions=DEFAULT_EXTENSIONS + [_PrintExtension(MATRIX_COLUMNS[paper])],
                                        extension_configs={"toc": {"permalink": False}})

    def convert(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(_FRONT_MATTER.sub("", text, count=1))


# --------------------------------------------------------------------------- links and anchors


def page_anchor(path: str) -> str:
    """Anchor of a page inside a PDF: ``actors/north-korea.md`` → ``actors.north-korea`` (ids have no dots)."""
    return path.removesuffix(".md").replace("/", ".")


def element_anchor(path: str, anchor: str) -> str:
    return f"{page_anchor(path)}~{anchor}"


def reference_anchor(key: str) -> str:
    return f"bib~{key}"


def site_url_of(path: str, site_url: str, directory_urls: bool = True) -> str:
    stem = path.removesuffix(".md")
    if not directory_urls:
        stem += ".html"
    elif stem == "index":
        stem = ""
    elif stem.endswith("/index"):
        stem = stem[: -len("index")]
    else:
        stem += "/"
    return site_url.rstrip("/") + "/" + stem


def source_key(target: str, anchor: str) -> str | None:
    """The bibliography key a link to ``target#anchor`` stands for, if it is a source page or bibliography entry."""
    if target == BIBLIOGRAPHY_PAGE:
        return anchor[4:] if anchor.startswith("ref-") else None
    if target.startswith("sources/") and target.count("/") == 1 and not target.endswith("/index.md"):
        return target[len("sources/"):-3]
    return None


@dataclass
class LinkPolicy:
    """Where links of one PDF go."""

    included: dict[str, str]
    """Page path in this PDF → its chapter."""
    chapters: dict[str, str]
    """Every page path → chapter."""
    references: set[str]
    """Keys in this PDF's reference list."""
    site_url: str = ""
    directory_urls: bool = True
    docs: Path | None = None
    """Folder of the generated Markdown (for images)."""
    used: set[str] = field(default_factory=set)
    """Keys that links actually pointed to the reference list."""
    targets: set[str] = field(default_factory=set)
    """Anchors that links inside the PDF point to."""

    def resolve(self, page: str, href: str) -> tuple[str, str | None]:
        """(new href, chapter) — chapter is set when the link leaves the PDF and must become text."""
        new, chapter = self._resolve(page, href)
        if new.startswith("#"):
            self.targets.add(new[1:])
        return new, chapter

    def _resolve(self, page: str, href: str) -> tuple[str, str | None]:
        if href.startswith("#"):
            return "#" + element_anchor(page, href[1:]) if len(href) > 1 else "#" + page_anchor(page), None
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
            return href, None
        path, _, anchor = href.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
        if path and not path.endswith(".md") and (path.endswith("/") or "." not in posixpath.basename(path)):
            target = self._page_of_url(page, path)  # a site URL written in raw HTML, e.g. "../anbound/"
            if target is None:
                return "", ""
        elif not target.endswith(".md"):
            if self.docs is not None:
                return (self.docs / target).resolve().as_uri(), None
            return href, None
        if target in self.included:
            return "#" + (element_anchor(target, anchor) if anchor else page_anchor(target)), None
        key = source_key(target, anchor)
        if key is not None and key in self.references:
            self.used.add(key)
            return "#" + reference_anchor(key), None
        chapter = self.chapters.get(target)
        if chapter is None:
            return "", ""
        if self.site_url:
            return site_url_of(target, self.site_url, self.directory_urls) + (f"#{anchor}" if anchor else ""), None
        return "", chapter


    def _page_of_url(self, page: str, url: str) -> str | None:
        """The page a directory URL relative to ``page``'s URL stands for (``../anbound/`` from
        ``actors/relations.md``, served at ``actors/relations/``, is ``actors/anbound.md``)."""
        here = posixpath.dirname(page) if posixpath.basename(page) == "index.md" else page.removesuffix(".md")
        target = posixpath.normpath(posixpath.join(here, url)).strip("/")
        if target in ("", "."):
            return "index.md"
        for candidate in (f"{target}.md", f"{target}/index.md"):
            if candidate in self.chapters:
                return candidate
        return None


class _Rewriter(HTMLParser):
    """Rewrites ids and links of one page's HTML, leaving everything else as it was written."""

    def __init__(self, page: str, policy: LinkPolicy):
        super().__init__(convert_charrefs=False)
        self.page = page
        self.policy = policy
        self.out: list[str] = []
        self.svg = 0
        self.closing: list[tuple[str, str | None]] = []
        self.last_label: tuple[int, str] | None = None
        """Where the last "(Chapter)" label went in ``out``, and its chapter."""
        self.lists: list[bool] = []
        """Open ``ul``/``ol`` elements: True for a plain bulleted list, whose bullets are written as text."""
        self.bullet = ""
        """The bullet of a list item just opened, not yet written (it goes before the item's first content)."""
        self.hidden: list[str] = []
        """Inside a ``hidden`` element (data for the site's scripts): its tag and the same tags open in it."""
        self.row_chapters: set[str] | None = None
        """Chapters already named by a label in the table row being written (None outside a row)."""
        self.halo: tuple[int, dict[str, str | None]] | None = None
        """In an SVG ``text`` drawn over a white outline: where its background goes in ``out``, and its attributes."""

    def _flush_bullet(self) -> None:
        if self.bullet:
            self.out.append(self.bullet)
            self.bullet = ""

    def _attrs(self, tag: str, text: str) -> tuple[str, str | None]:
        leaving: list[str | None] = [None]

        def replace(match: re.Match) -> str:
            space, name, equals, raw = match.groups()
            value = html.unescape(raw[1:-1] if raw[:1] in "\"'" else raw)
            lname = name.lower()
            if lname == "title":  # a tooltip: nothing in print, and long ones slow WeasyPrint down
                return match.group(0) if self.svg else ""
            if lname == "id":
                if self.svg:
                    return match.group(0)
                # marked, so that the ids no link points to can be left out once every page is rewritten
                return f' id="\x01{html.escape(element_anchor(self.page, value), quote=True)}"'
            elif lname == "src":
                if self.policy.docs is None or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                    return match.group(0)
                target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), value))
                value = (self.policy.docs / target).resolve().as_uri()
            else:
                if self.svg and value.startswith("#"):
                    return match.group(0)
                value, chapter = self.policy.resolve(self.page, value)
                if chapter is not None and tag == "a":
                    leaving[0] = chapter
                    return ""
            return f'{space}{name}{equals}"{html.escape(value, quote=True)}"'

        return _ATTR.sub(replace, text), leaving[0]

    def _hides(self, tag: str, attrs) -> bool:
        """A ``hidden`` element that can be left out with all it holds (its end tag is always written)."""
        return not self.svg and tag not in _OPEN_ENDED and any(name == "hidden" for name, _value in attrs)

    def handle_starttag(self, tag, attrs):
        if self.hidden or self._hides(tag, attrs):
            if not self.hidden or tag == self.hidden[0]:
                self.hidden.append(tag)  # not printed: left out of the PDF's HTML
            return
        text = self.get_starttag_text()
        if tag == "svg":
            self.svg += 1
        new, leaving = self._attrs(tag, text)
        if self.svg and tag == "text" and ("paint-order", "stroke") in attrs:
            # a name or word drawn over a white outline (paint-order) so that lines do not cross it: WeasyPrint
            # ignores paint-order and would paint the outline over the letters, so the text is drawn without it,
            # over a white box written before it once its words are known (a white copy of the text under it
            # would print each word twice in the PDF's text)
            self.out.append("")
            self.halo = (len(self.out) - 1, dict(attrs))
            new = _SVG_OUTLINE.sub("", new)
        if not self.svg:
            if tag == "li":
                self.out.append(new)
                if self.lists and self.lists[-1]:
                    self.bullet = BULLETS[min(sum(self.lists), len(BULLETS)) - 1]
                return
            if tag == "p" and self.bullet:  # a loose list: the bullet starts the item's first paragraph
                self.out.append(new)
                self._flush_bullet()
                return
            self._flush_bullet()
            if tag == "tr":
                self.row_chapters = set()
            if tag in ("ul", "ol"):
                plain = tag == "ul" and not any(name == "class" for name, _value in attrs)
                self.lists.append(plain)
                if plain:
                    new = '<ul class="bullets"' + new[3:]
        if tag == "a":
            if leaving is not None:
                # plain text, not a styled span: each inline element costs WeasyPrint ~0.4 ms of layout, and a
                # chapter can hold a thousand labels (~7 % of the Sources chapter)
                label = f" [{html.escape(leaving)}]" if leaving else ""  # brackets: often inside "(see …)"
                if self.row_chapters is not None and leaving:
                    if leaving in self.row_chapters:
                        label = ""  # "Claim [Claims & evidence] | ▲ supports", not "▲ supports [Claims & evidence]"
                    self.row_chapters.add(leaving)
                previous = self.last_label
                if previous and previous[1] == leaving and \
                        re.fullmatch(r"[\s:,;·—]*", "".join(self.out[previous[0] + 1:])):
                    self.out[previous[0]] = ""  # "A — B [Actors]", not "A [Actors] — B [Actors]"
                # the link's text stays as it is (no wrapper: every inline element costs WeasyPrint layout time)
                self.closing.append((label, leaving))
                return
            self.closing.append(("</a>", None))
        self.out.append(new)

    def handle_startendtag(self, tag, attrs):
        if self.hidden or self._hides(tag, attrs):
            return
        self._flush_bullet()
        self.out.append(self._attrs(tag, self.get_starttag_text())[0])

    def handle_endtag(self, tag):
        if self.hidden:
            if tag == self.hidden[0]:
                self.hidden.pop()
            return
        if tag == "svg":
            self.svg = max(0, self.svg - 1)
        if tag == "text" and self.halo is not None:
            where, attrs = self.halo
            self.halo = None
            self.out[where] = _label_background(html.unescape(_TAGS.sub("", "".join(self.out[where + 1:]))), attrs)
        self._flush_bullet()
        if tag in ("ul", "ol") and self.lists and not self.svg:
            self.lists.pop()
        if tag in ("tr", "table") and not self.svg:
            self.row_chapters = None
        if tag == "a" and self.closing:
            text, chapter = self.closing.pop()
            self.out.append(text)
            self.last_label = (len(self.out) - 1, chapter) if chapter else None
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.hidden:
            return
        if self.bullet and not data.isspace():
            self._flush_bullet()
        self.out.append(data)

    def handle_entityref(self, name):
        if self.hidden:
            return
        self._flush_bullet()
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        if self.hidden:
            return
        self._flush_bullet()
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")

    def result(self) -> str:
        self.close()
        self.out.extend(text for text, _chapter in reversed(self.closing))
        self.closing.clear()
        return "".join(self.out)


_FULL_GRAPH = re.compile(r'<figure class="relation-graph relation-graph-all".*?</figure>', re.S)
_SVG_OUTLINE = re.compile(r'\s(?:stroke|stroke-width|paint-order)="[^"]*"')


def _label_background(text: str, attrs: dict[str, str | None]) -> str:
    """A white box behind an SVG label (``text`` with its attributes), as wide as its glyphs in DejaVu Sans and a
    little more."""
    try:
        x, y, size = float(attrs.get("x") or 0), float(attrs.get("y") or 0), float(attrs.get("font-size") or 16)
    except ValueError:
        return ""
    glyphs = _SANS_BOLD_EM if attrs.get("font-weight") in ("700", "bold") else _SANS_EM
    width = _advance(text, glyphs) * size / 100 + size * 0.2
    anchor = attrs.get("text-anchor") or "start"
    left = x - width / 2 if anchor == "middle" else x - width + size * 0.1 if anchor == "end" else x - size * 0.1
    return (f'<rect x="{left:.1f}" y="{y - size * 0.8:.1f}" width="{width:.1f}" height="{size * 1.02:.1f}" '
            f'rx="{size * 0.2:.1f}" fill="#fff"/>')


def rewrite_links(page: str, page_html: str, policy: LinkPolicy, marked: bool = False) -> str:
    """The page's HTML with its ids and links rewritten for the PDF; ``marked``: its ids are marked for
    ``keep_ids`` (called once every page of the PDF is rewritten, when ``policy.targets`` is complete)."""
    rewriter = _Rewriter(page, policy)
    rewriter.feed(page_html)
    return rewriter.result() if marked else keep_ids(rewriter.result())


def keep_ids(marked_html: str, targets: set[str] | None = None) -> str:
    """Unmark the ids of ``rewrite_links(..., marked=True)``; with ``targets``, keep only those that links point
    to (WeasyPrint makes a named destination of each id: ~4 % of the time for ids nothing uses)."""
    if targets is None:
        return _MARKED_ID.sub(lambda m: f' id="{m.group(1)}"', marked_html)
    return _MARKED_ID.sub(lambda m: f' id="{m.group(1)}"' if html.unescape(m.group(1)) in targets else "",
                          marked_html)


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "a4"
    site_url: str = ""
    directory_urls: bool = True
    date: str = ""
    revision: str = ""


@dataclass(frozen=True)
class PrintPage:
    path: str
    anchor: str
    title: str
    html: str
    chapter: str
    wide: bool


@dataclass(frozen=True)
class PrintDocument:
    """One PDF to lay out: its file stem, title and HTML."""

    stem: str
    chapter: str
    html: str
    pages: tuple[str, ...]
    references: tuple[str, ...]


def revision(root: Path) -> str:
    """``git rev-parse --short HEAD`` of the book's repository, or "revision not known"; with "with uncommitted
    changes" when the notes or the bibliography differ from it (a briefer must know the PDF is not that text)."""
    def git(*args: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None

    done = git("rev-parse", "--short", "HEAD")
    value = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if not value:
        return "revision not known"
    changes = git("status", "--porcelain", "--", "content", "bibliography")
    if changes is not None and changes.returncode == 0 and changes.stdout.strip():
        return f"{value} with uncommitted changes"
    return value


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("builder", "templates/print"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _title_of(page_html: str, fallback: str) -> str:
    found = _H1.search(page_html)
    text = html.unescape(_TAGS.sub("", found.group(1))).strip() if found else ""
    return " ".join(text.split()) or fallback


@dataclass(frozen=True)
class Citations:
    """What printing needs to know of the linked book: which notes cite what (small enough to hand to another
    process, unlike the whole ``Book``)."""

    notes: frozenset[str]
    """Ids of the book's notes."""
    cited: dict[str, list[str]]
    """Note id → the bibliography keys it cites, in first-use order."""
    bib: frozenset[str]
    """Keys of the bibliography."""
    actors: dict = field(default_factory=dict)
    """Actor id → the actor without its text (for the relation graph drawn for paper)."""

    @classmethod
    def of(cls, book: Book) -> "Citations":
        actors = {key: dataclasses.replace(actor, body=dataclasses.replace(actor.body, text=""), field_locs={})
                  for key, actor in book.actors.items()}
        return cls(frozenset(book.notes), {k: list(v) for k, v in book.cited.items()}, frozenset(book.loaded.bib),
                   actors)


def _cited(book: Citations, pages: list[str], page_html: dict[str, str]) -> list[str]:
    """Keys these pages cite: what their notes cite, and the sources any page links to (a matrix column, an
    index row) whose own page is not among ``pages``; in first-use order."""
    included = set(pages)
    keys: dict[str, None] = {}
    for path in pages:
        if path == BIBLIOGRAPHY_PAGE:
            continue
        stem = posixpath.basename(path).removesuffix(".md")
        if stem in book.notes and not path.endswith("/index.md"):
            keys.update(dict.fromkeys(book.cited.get(stem, [])))
        for target, anchor in re.findall(r'href="([^"#]*)(?:#([^"]*))?"', page_html[path]):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), html.unescape(target))) \
                if target else ""
            key = source_key(target, html.unescape(anchor)) if target else None
            if key and key in book.bib and target not in included:
                keys.setdefault(key, None)
    return list(keys)


class _PageHtml(dict):
    """Page path → the page's HTML for print (without its own reference list, ``print_page_html``), converted on
    first use."""

    def __init__(self, pages: dict[str, str], converter: "Converter", for_paper=None):
        super().__init__()
        self.pages, self.converter, self.for_paper = pages, converter, for_paper

    def __missing__(self, path: str) -> str:
        converted = _REFERENCES_SECTION.sub("", self.converter.convert(self.pages[path]))
        if self.for_paper is not None:
            converted = self.for_paper(path, converted)
        converted = self[path] = print_page_html(converted)
        return converted


class Printer:
    """Builds the print HTML of chapters and of the whole book."""

    def __init__(self, book: Book | Citations, rendered: Rendered, settings: Settings, config: Path | None = None,
                 options: PrintOptions = PrintOptions(), docs: Path | None = None,
                 references: dict[str, Reference] | None = None):
        self.citations = book if isinstance(book, Citations) else Citations.of(book)
        self.rendered = rendered
        self.settings = settings
        self.options = options
        self.docs = docs
        if references is None:
            references = rendered.references if rendered.references is not None else format_references(
                book.loaded.bib)
        self.references = references
        self.env = _environment()
        self.chapters = chapter_pages(rendered)
        self.page_html = _PageHtml(rendered.pages, Converter(config, options.paper), self._for_paper)
        """Each page's HTML, converted when a document first needs it (in the process that lays it out)."""

    def _for_paper(self, path: str, page_html: str) -> str:
        """A page's HTML with the whole-book relation graph drawn for paper (``graph.print_full_graph``): tighter,
        so that its names print larger, on a portrait or a landscape page, whichever holds it larger."""
        found = _FULL_GRAPH.search(page_html)
        if found is None or not self.citations.actors:
            return page_html
        from . import graph
        from .link import page_path

        actors = self.citations.actors
        edges = graph.edges_of(actors, {key: ref.label for key, ref in self.references.items()})
        width, height = PAPER_MM[self.options.paper]
        frames = [(width - 36, height - 80), (height - 36, width - 68)]  # portrait, landscape: room for the drawing
        drawing, frame = graph.print_full_graph(actors, edges, path, page_path, frames, self.options.directory_urls)
        if not drawing:
            return page_html
        # at most its natural size, and short enough to leave room on the page for its caption and legend
        drawing = re.sub(r'(<svg [^>]*?style="max-width: [^;"]*)[^"]*"', rf'\1; max-height: {frames[frame][1]}mm"',
                         drawing, count=1)
        if frame == 1:
            drawing = drawing.replace('class="relation-graph ', 'class="relation-graph landscape ', 1)
        return page_html[:found.start()] + drawing + page_html[found.end():]

    def weight(self, chapter: str) -> int:
        """Length of the Markdown a chapter (or the book) prints: how long its layout will take, roughly."""
        chapters = CHAPTERS if chapter == BOOK_TITLE else (chapter,)
        return sum(len(self.rendered.pages[path]) for title in chapters for path in self.chapters.get(title, []))

    def document(self, chapter: str) -> PrintDocument:
        """The print HTML of one chapter, or of the whole book (``BOOK_TITLE``)."""
        chapters = CHAPTERS if chapter == BOOK_TITLE else (chapter,)
        paths = [path for title in chapters for path in self.chapters.get(title, [])]
        included = {path: self.rendered.chapters.get(path, "Overview") for path in paths}
        # no reference list where the PDF prints the Bibliography page: it lists every entry, and what cites one
        # links to it there
        keys = [] if BIBLIOGRAPHY_PAGE in included else \
            [key for key in _cited(self.citations, paths, self.page_html) if key in self.references]
        policy = LinkPolicy(included, dict(self.rendered.chapters), set(keys), self.options.site_url,
                            self.options.directory_urls, self.docs)
        parts = []
        labels = nav_labels(self.rendered.nav)
        for title in chapters:
            pages = [PrintPage(path, page_anchor(path),
                               labels[path] if path.endswith("/index.md") and path in labels
                               else _title_of(self.page_html[path], path),
                               rewrite_links(path, self.page_html[path], policy, marked=True), title,
                               path == "claims/matrix.md")
                     for path in self.chapters.get(title, [])]
            if pages:
                parts.append((title, pages))
        parts = [(title, [dataclasses.replace(p, html=keep_ids(p.html, policy.targets)) for p in pages])
                 for title, pages in parts]
        entries = sorted((self.references[k] for k in keys), key=lambda r: r.order)
        stem = file_stem(chapter)
        css = self.env.get_template("print.css.j2").render(paper=PAPERS[self.options.paper],
                                                           whole_book=chapter == BOOK_TITLE)
        document = self.env.get_template("document.html.j2").render(
            settings=self.settings, chapter=chapter, whole_book=chapter == BOOK_TITLE, parts=parts,
            references=entries, reference_anchor=reference_anchor, options=self.options, css=css)
        return PrintDocument(stem, chapter, document, tuple(paths), tuple(keys))


# --------------------------------------------------------------------------- layout


def url_fetcher():
    """A WeasyPrint URL fetcher that reads local files and data: URLs only (no network, no redirects)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=False)


@functools.lru_cache(maxsize=None)
def _ua_stylesheet():
    """WeasyPrint's user-agent stylesheet for HTML without the rules that match every element to no use here
    (~4 % of the time): markers outside list items, CSS footnotes and notes (the print CSS uses neither), and the
    margins and paddings of right-to-left text (``dir``; the ``direction`` it sets is kept). None if this
    WeasyPrint has no such stylesheet: then its own is used."""
    try:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.html import UA
    except ImportError:
        return None
    lines = []
    for line in UA.splitlines():
        if line.startswith(("::footnote-", "::note-")) or \
                ("[dir" in line and not re.match(r"\[dir=(ltr|rtl) i\] \{", line)):
            continue
        lines.append("li" + line if line.startswith("::marker ") else line)
    return CSS(string="\n".join(lines), counter_style=CounterStyle())


def xml_root(document_html: str) -> etree.Element | None:
    """The print HTML read as XML, the way an HTML parser reads it, or None when it cannot be read so: not
    well-formed (a named entity, a boolean attribute, an unclosed tag in a note's raw HTML) or holding ``svg`` or
    ``math`` without their namespace. expat reads a chapter ~10× faster than WeasyPrint's HTML parser (which
    takes ~5 % of a chapter's time); the print templates and the pages' HTML are written as well-formed XHTML."""
    try:
        root = etree.fromstring(document_html)
    except etree.ParseError:
        return None
    if root.tag != "html" or next(root.iter("svg"), None) is not None or next(root.iter("math"), None) is not None:
        return None
    for pre in root.iter("pre"):  # an HTML parser drops a newline right after <pre>
        if pre.text and pre.text.startswith("\n"):
            pre.text = pre.text[1:]
    return root


@functools.lru_cache(maxsize=None)
def _print_html_class():
    """``weasyprint.HTML`` with the lighter user-agent stylesheet, reading well-formed print HTML with expat
    (``xml_root``; WeasyPrint's own parser otherwise). WeasyPrint is imported only when printing."""
    import cssselect2
    import weasyprint

    class PrintHTML(weasyprint.HTML):
        def __init__(self, string: str, base_url: str, url_fetcher):
            root = xml_root(string)
            if root is None:
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                return
            # what WeasyPrint 70's HTML.__init__ sets once it has parsed (the print HTML has no <base>)
            self.base_url, self.url_fetcher, self.media_type = base_url, url_fetcher, "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):
            sheet = _ua_stylesheet()
            return [sheet] if sheet is not None and not forms else super()._ua_stylesheets(forms)

    return PrintHTML


def _html(document_html: str, base_url: str):
    """The ``weasyprint.HTML`` of a print document."""
    return _print_html_class()(string=document_html, base_url=base_url, url_fetcher=url_fetcher())


def write_pdf(document_html: str, target: Path, base: Path | None = None) -> int:
    """Lay out one print document and write it atomically; returns its number of pages."""
    import gc

    base_url = (base or Path.cwd()).resolve().as_uri() + "/"
    # WeasyPrint makes millions of short-lived objects and hardly any cycles: no cycle collection while it works
    # (a few MiB more at most; the memory goes back when the child process ends) saves ~4 % of the time
    collecting = gc.isenabled()
    gc.disable()
    try:
        rendered = _html(document_html, base_url).render()
        target.parent.mkdir(parents=True, exist_ok=True)
        with replacing(target) as tmp, _compression_level(6):
            rendered.write_pdf(tmp, finisher=label_pages)
        return len(rendered.pages)
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def _compression_level(level: int):
    """pydyf compresses every stream of the PDF at zlib level 9: level 6 takes a fifth of the time for ~3 % more
    bytes (~4 % of the whole time of a long chapter). pydyf has no option for it, so while this is open its
    ``zlib`` is one whose ``compressobj`` uses at most ``level``."""
    import zlib

    import pydyf

    class Zlib:
        def __getattr__(self, name):
            return getattr(zlib, name)

        @staticmethod
        def compressobj(*args, **kwargs):
            wanted = kwargs.pop("level", args[0] if args else zlib.Z_DEFAULT_COMPRESSION)
            return zlib.compressobj(min(wanted, level) if wanted >= 0 else wanted, *args[1:], **kwargs)

    if getattr(pydyf, "zlib", None) is not zlib:  # another pydyf, or already replaced
        yield
        return
    pydyf.zlib = Zlib()
    try:
        yield
    finally:
        pydyf.zlib = zlib


def label_pages(document, pdf) -> None:
    """Page labels a PDF viewer shows: "Cover", then the numbers the footers print (2, 3 …).

    A ``finisher`` of WeasyPrint's ``write_pdf``: the labels go into the catalog before the file is written
    (rewriting the file with pypdf took ~5 % of the time and doubled its size)."""
    import pydyf

    numbers = [0, pydyf.Dictionary({"P": pydyf.String("Cover")})]
    if len(document.pages) > 1:
        numbers += [1, pydyf.Dictionary({"S": "/D", "St": 2})]
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})


class PdfFailed(Exception):
    """WeasyPrint could not write a PDF."""


@dataclass(frozen=True)
class Written:
    path: Path
    chapter: str
    pages: int


def _layout_key(document_html: str) -> str:
    """What a PDF's layout depends on: its print HTML (stylesheet included), this module and WeasyPrint."""
    from importlib import metadata

    digest = hashlib.sha256(document_html.encode("utf-8"))
    digest.update(Path(__file__).read_bytes())
    for name in ("weasyprint", "pydyf", "tinycss2", "cssselect2"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()


def make_pdf(printer: "Printer", chapter: str, target: Path, base: Path, reuse: Path | None = None) -> int:
    """Write one chapter's (or the book's) PDF; returns its number of pages.

    ``reuse``: a folder keeping the last PDF of each chapter and what its layout depended on; when nothing
    did change, that PDF is copied instead of being laid out again."""
    document = printer.document(chapter)
    if reuse is None:
        return write_pdf(document.html, target, base)
    key = _layout_key(document.html)
    kept, record = reuse / target.name, reuse / f"{target.stem}.json"
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
        if known.get("key") == key and kept.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            with replacing(target) as tmp:
                shutil.copyfile(kept, tmp)
            return int(known["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no usable record: lay the PDF out
    pages = write_pdf(document.html, target, base)
    try:
        reuse.mkdir(parents=True, exist_ok=True)
        record.unlink(missing_ok=True)  # never a record beside a PDF it does not describe
        with replacing(kept) as tmp:
            shutil.copyfile(target, tmp)
        with replacing(record) as tmp:
            tmp.write_text(json.dumps({"key": key, "pages": pages}), encoding="utf-8")
    except OSError:
        pass  # not kept: the next build lays it out again
    return pages


def _child(printer: "Printer", chapter: str, target: Path, base: Path, reuse: Path | None, connection) -> None:
    import gc
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the handler of a LayoutProcess it was forked from
    gc.disable()  # a short-lived process: its memory goes back when it ends (see write_pdf)
    try:
        connection.send(("ok", make_pdf(printer, chapter, target, base, reuse)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def _lay_out(printer: "Printer", jobs_list: list[tuple[str, Path]], base: Path, jobs: int, done,
             reuse: Path | None = None) -> dict[Path, int]:
    """Write the PDF of each (chapter, target), each in a fresh child process when the platform can fork
    (memory goes back after each one), up to ``jobs`` at a time, the biggest first; the child also makes the
    print HTML, so that converting pages is spread over the cores too. ``done(target, pages)`` is called as
    each one ends."""
    import gc
    import multiprocessing
    from multiprocessing.connection import wait

    pages: dict[Path, int] = {}
    if "fork" not in multiprocessing.get_all_start_methods():
        for chapter, target in jobs_list:
            try:
                pages[target] = make_pdf(printer, chapter, target, base, reuse)
            except Exception as exc:  # noqa: BLE001
                raise PdfFailed(f"{target.name}: {type(exc).__name__}: {exc}") from exc
            done(target, pages[target])
        return pages
    import weasyprint  # noqa: F401 - imported once here, not in every child

    _ua_stylesheet()  # parsed once here too

    context = multiprocessing.get_context("fork")
    pending = sorted(jobs_list, key=lambda job: -printer.weight(job[0]))
    running: dict = {}
    errors: list[str] = []
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs) and not errors:
                chapter, target = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(printer, chapter, target, base, reuse, send), daemon=True)
                gc.freeze()  # a child's collections would otherwise copy every page of memory it inherits
                try:
                    process.start()
                finally:
                    gc.unfreeze()
                send.close()
                running[process.sentinel] = (process, receive, target)
            if not running:
                break
            for sentinel in wait(list(running)):
                process, receive, target = running.pop(sentinel)
                result = receive.recv() if receive.poll() else ("error", "the PDF process stopped")
                receive.close()
                process.join()
                if result[0] == "ok" and process.exitcode == 0:
                    pages[target] = result[1]
                    done(target, result[1])
                else:
                    message = result[1] if result[0] == "error" else f"exit code {process.exitcode}"
                    errors.append(f"{target.name}: {message}")
    finally:
        for process, receive, _target in running.values():
            process.terminate()
            process.join()
            receive.close()
    if errors:
        raise PdfFailed("; ".join(errors))
    return pages


class LayoutProcess:
    """A process, forked before the book is generated, that imports WeasyPrint meanwhile on another core (~0.4 s,
    most of it reading Pango's C declarations) and then lays the PDFs out as ``_lay_out`` does, forking a child
    per PDF from itself. ``start()`` gives None where processes cannot be forked. Use as a context manager: the
    process ends with the block whether or not it was used."""

    def __init__(self, context):
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_layout_process_main, args=(child_end, self._connection))
        self._process.start()
        child_end.close()

    @classmethod
    def start(cls) -> "LayoutProcess | None":
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(multiprocessing.get_context("fork"))

    def lay_out(self, printer_args: tuple, jobs_list: list[tuple[str, Path]], base: Path, jobs: int, done,
                reuse: Path | None) -> dict[Path, int]:
        """Build a ``Printer(*printer_args)`` in the process and lay ``jobs_list`` out there (see ``_lay_out``)."""
        self._connection.send((printer_args, jobs_list, base, jobs, reuse))
        while True:
            try:
                message = self._connection.recv()
            except EOFError:
                self._process.join()
                raise PdfFailed(f"the PDF process stopped (exit code {self._process.exitcode})") from None
            if message[0] == "done":
                done(message[1], message[2])
                continue
            if message[0] == "finished":
                return message[1]
            if message[0] == "no-weasyprint":
                raise ImportError(message[1])
            raise PdfFailed(message[1])

    STOP_WAIT = 10.0
    """Seconds ``close`` waits for the process to end before killing it."""

    def close(self) -> None:
        """End the process: at once if it was not used (it may still be importing) or is still laying out (its
        SIGTERM handler stops the PDF children first); once used, it ends by itself."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(self.STOP_WAIT)
        if self._process.is_alive():  # it did not stop at the signal: no more waiting
            self._process.kill()
            self._process.join()
        self._connection.close()

    def __enter__(self) -> "LayoutProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _layout_process_main(connection, parent_end) -> None:
    import signal

    parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it closes this process
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwinds _lay_out, which stops its children
    # held back while importing: the SystemExit would be raised inside some import that may swallow it, and
    # the process would then wait for a request forever; it is raised once the import is done
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        import weasyprint  # noqa: F401

        _ua_stylesheet()
        _print_html_class()
        missing = None
    except ImportError as exc:
        missing = str(exc)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    try:
        request = connection.recv()
    except EOFError:  # the parent ended
        return
    if missing is not None:
        connection.send(("no-weasyprint", missing))
        return
    printer_args, jobs_list, base, jobs, reuse = request
    try:
        pages = _lay_out(Printer(*printer_args), jobs_list, base, jobs,
                         lambda target, count: connection.send(("done", target, count)), reuse)
        connection.send(("finished", pages))
    except PdfFailed as exc:
        connection.send(("failed", str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        connection.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def build_pdfs(book: Book, rendered: Rendered, settings: Settings, out: Path, *, config: Path | None = None,
               root: Path | None = None, docs: Path | None = None, chapters: list[str] | None = None,
               paper: str = "a4", jobs: int | None = None, progress: bool | None = None,
               reuse: Path | None = None, layout: LayoutProcess | None = None) -> list[Written]:
    """Write the PDFs of ``chapters`` (chapter titles or ``BOOK_TITLE``; default: all and the book) to ``out``.

    ``jobs``: PDFs laid out at the same time (default: 2, or 1 on a single core); ``reuse``: see ``make_pdf``;
    ``layout``: a ``LayoutProcess`` started before the book was generated, to lay the PDFs out in."""
    data = _read_yaml(config) if config else {}
    options = PrintOptions(paper=paper, site_url=str(data.get("site_url") or ""),
                           directory_urls=bool(data.get("use_directory_urls", True)), date=build_date(),
                           revision=revision(root or Path.cwd()))
    references = rendered.references if rendered.references is not None else format_references(book.loaded.bib)
    printer_args = (Citations.of(book), rendered, settings, config, options, docs, references)
    chapter_pages_of = chapter_pages(rendered)
    wanted = [chapter for chapter in chapters or [*CHAPTERS, BOOK_TITLE]
              if chapter == BOOK_TITLE or chapter_pages_of.get(chapter)]
    jobs = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    targets = [(chapter, out / f"{file_stem(chapter)}.pdf")
               for chapter in wanted]
    bar = _progress(len(targets), progress)
    try:
        done = lambda target, count: bar.update(1)  # noqa: E731
        if layout is not None:
            pages = layout.lay_out(printer_args, targets, docs or out, jobs, done, reuse)
        else:
            pages = _lay_out(Printer(*printer_args), targets, docs or out, jobs, done, reuse)
    finally:
        bar.close()
    return [Written(target, chapter, pages[target]) for chapter, target in targets]


def _progress(total: int, show: bool | None):
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the PDFs are laid out in forked processes
    disable = (not sys.stderr.isatty()) if show is None else not show
    return tqdm(total=total, desc="PDFs", unit="pdf", disable=disable, file=sys.stderr, leave=False)
