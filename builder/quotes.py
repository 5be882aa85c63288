"""Finding evidence quotes in archived texts.

Quotes are compared after normalising whitespace, quotation marks and dashes,
so that a quote typed with straight quotes matches a text with curly ones.
``…`` or `` ... `` in a quote stands for omitted text; ``[sic]`` is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CHARS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_SPACE = re.compile(r"\s+")
_SIC = re.compile(r"\s*\[sic\]\s*", re.I)
_ELLIPSIS = re.compile(r"\s*(?:\u2026|(?<!\S)\.\.\.(?!\S))\s*")
LOCATOR = re.compile(r"^paras?\.\s*(\d+)(?:\s*[-\u2013]\s*(\d+))?$")
#: A paragraph locator written another way: ``para 4``, ``paragraph 4``, ``Paras 4-5``, ``¶ 4``.
LOOSE_LOCATOR = re.compile(r"^(?:paragraphs?|paras?|pars?|\u00b6{1,2})\s*\.?\s*(\d+)"
                           r"(?:\s*(?:[-\u2013\u2014]|to)\s*(\d+))?\s*\.?$", re.I)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_CHARS)).strip()


def paragraphs(text: str) -> tuple[str, ...]:
    """The non-blank lines of an archived text; ``para. N`` is item N-1."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=4096)
def parse_locator(locator: str) -> tuple[int, int] | None:
    """``para. 4`` → (4, 4); ``paras. 4–5`` → (4, 5); anything else → None."""
    match = LOCATOR.match(locator.strip())
    if not match:
        return None
    first = int(match[1])
    return first, int(match[2] or first)


def parse_loose_locator(locator: str) -> tuple[int, int] | None:
    """The paragraphs a locator names when it is written another way than ``para. N`` (``paragraph 4``)."""
    match = LOOSE_LOCATOR.match(locator.strip())
    if not match:
        return None
    first = int(match[1])
    return first, int(match[2] or first)


def format_locator(first: int, last: int) -> str:
    """``para. 4`` or ``paras. 4-5``, as locators are written."""
    return f"para. {first}" if first == last else f"paras. {first}-{last}"


@dataclass(frozen=True)
class Match:
    """Where a quote was found."""

    paragraph: int
    """1-based paragraph number."""
    ranges: tuple[tuple[int, int], ...]
    """(start, end) offsets of each quoted part in the paragraph's original text."""


def _parts(quote: str) -> list[str]:
    text = _SIC.sub(" ", quote)
    parts = [normalise(part) for part in _ELLIPSIS.split(text)]
    return [part for part in parts if part]


@lru_cache(maxsize=65536)
def _normalised_with_map(text: str) -> tuple[str, tuple[int, ...] | None]:
    """Normalised text and, for each of its characters, the offset in ``text``;
    None instead of the offsets when every character kept its own.

    Cached: an archived paragraph is searched once per quote that may be in it.
    """
    normalised = normalise(text)
    if len(normalised) == len(text):
        # no whitespace was collapsed or stripped (translation keeps lengths): offsets are unchanged
        return normalised, None
    out, index_map = [], []
    translated = text.translate(_CHARS)
    for match in re.finditer(r"\S+", translated):
        if out:
            out.append(" ")
            index_map.append(match.start() - 1)
        out.append(match.group())
        index_map.extend(range(match.start(), match.end()))
    return "".join(out), tuple(index_map)


def find_in_paragraph(quote: str, paragraph: str) -> tuple[tuple[int, int], ...] | None:
    """Offsets of the quote's parts in ``paragraph`` (in order), or None."""
    return _find_parts(_parts(quote), paragraph)


def _find_parts(parts: list[str], paragraph: str) -> tuple[tuple[int, int], ...] | None:
    """Offsets of the normalised ``parts`` of a quote in ``paragraph`` (in order), or None."""
    if not parts:
        return None
    haystack, index_map = _normalised_with_map(paragraph)
    ranges, cursor = [], 0
    for part in parts:
        found = haystack.find(part, cursor)
        if found < 0:
            return None
        end = found + len(part)
        ranges.append((found, end) if index_map is None else (index_map[found], index_map[end - 1] + 1))
        cursor = end
    return tuple(ranges)


@lru_cache(maxsize=65536)
def find(quote: str, paras: tuple[str, ...], first: int = 0) -> tuple[Match, ...]:
    """Every paragraph the quote occurs in; with ``first`` (a paragraph number), only that one if it matches."""
    parts = _parts(quote)
    if 1 <= first <= len(paras):
        ranges = _find_parts(parts, paras[first - 1])
        if ranges is not None:
            return (Match(first, ranges),)
    matches = []
    for number, paragraph in enumerate(paras, start=1):
        ranges = _find_parts(parts, paragraph)
        if ranges is not None:
            matches.append(Match(number, ranges))
    return tuple(matches)
