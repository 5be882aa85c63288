"""Finding evidence quotes in archived texts.

Quotes are compared after normalising whitespace, quotation marks and dashes,
so that a quote typed with straight quotes matches a text with curly ones.
``…`` in a quote stands for omitted text; three dots ``...`` are text like any other,
to be found in the source as written (an archived text may have them); ``[sic]`` is
ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

_CHARS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_SPACE = re.compile(r"\s+")
_SIC = re.compile(r"\s*\[sic\]\s*", re.I)
_ELLIPSIS = re.compile(r"\s*\u2026\s*")
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
    return _paragraphs(LOCATOR, locator)


def parse_loose_locator(locator: str) -> tuple[int, int] | None:
    """The paragraphs a locator names when it is written another way than ``para. N`` (``paragraph 4``)."""
    return _paragraphs(LOOSE_LOCATOR, locator)


def _paragraphs(pattern: re.Pattern, locator: str) -> tuple[int, int] | None:
    """(first, last) paragraph of a locator ``pattern`` reads (the first number, and the second if any)."""
    match = pattern.match(locator.strip())
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


#: The fewest words a quote may have: a shorter one ('the', 'North Korea') is in almost any text and shows nothing
#: of what the source says.
MIN_WORDS = 3


def word_count(quote: str) -> int:
    """How many words a quote has, leaving out its omission marks, ``[sic]`` and stray punctuation."""
    return sum(1 for part in _parts(quote) for word in part.split() if any(char.isalnum() for char in word))


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


#: How many words of a quote must match a paragraph before the checker names it as the closest one.
NEAR_WORDS = 3


def explain_miss(quote: str, paras: tuple[str, ...]) -> str:
    """Where a quote that is not in ``paras`` comes closest and where it first differs, in words;
    '' when no paragraph has enough of it to say.

    Runs only for a quote that was not found: each paragraph is searched for the longest start of the
    quote (letter case aside), then the two are compared from there; a quote whose first words are wrong
    is placed by its longest run of words in common with a paragraph.
    """
    parts = _parts(quote)
    texts = [normalise(paragraph) for paragraph in paras]
    missing = next((part for part in parts if not any(part in text for text in texts)), None)
    if missing is None:
        return ("each part of the quote is in the text, but not all in one paragraph in this order"
                if len(parts) > 1 else "")
    return _differs_after_start(missing, texts) or _longest_run(missing, texts)


def _fold(text: str) -> str:
    """Lower case, when that keeps every character in its place."""
    lower = text.lower()
    return lower if len(lower) == len(text) else text


def _longest_start(part: str, text: str) -> int:
    """Length of the longest start of ``part`` that occurs in ``text``."""
    low, high = 0, len(part)
    while low < high:
        middle = (low + high + 1) // 2
        if part[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


def _shown(words: list[str], last: bool = True) -> str:
    """The last (or first) word in quotes, with the next ones while it is too short to find ('a' → 'not a')."""
    count = 1
    while count < len(words) and len(" ".join(words[-count:] if last else words[:count])) < 4:
        count += 1
    text = " ".join(words[-count:] if last else words[:count])
    return f'"{text}"' if "'" in text else f"'{text}'"


def _differs_after_start(part: str, texts: list[str]) -> str:
    folded = _fold(part)
    best_length, best_number, best_position = 0, 0, 0
    for number, text in enumerate(texts, start=1):
        haystack = _fold(text)
        needle, haystack = (folded, haystack) if len(folded) == len(part) and len(haystack) == len(text) \
            else (part, text)
        length = _longest_start(needle, haystack)
        if length > best_length:
            best_length, best_number, best_position = length, number, haystack.find(needle[:length])
    if len(part[: part.rfind(" ", 0, best_length + 1) + 1].split()) < NEAR_WORDS:
        return ""
    text, position = texts[best_number - 1], best_position
    differs = next((i for i in range(best_length) if part[i] != text[position + i]), best_length)
    word_start = part.rfind(" ", 0, differs) + 1
    if position + differs >= len(text):  # the quote goes on past the end of the paragraph
        before = part[:differs].split() if part[differs] == " " else part[:word_start].split()
        return f"the quote matches para. {best_number} up to {_shown(before)}, where the paragraph ends"
    before = part[:word_start].split()
    quoted_word = [part[word_start:].split(" ", 1)[0]]
    text_word = [text[position + word_start :].split(" ", 1)[0]]
    if not before:
        return (f"the quote differs from para. {best_number} at its first word: the text has {_shown(text_word)}, "
                f"not {_shown(quoted_word)}")
    return (f"the quote matches para. {best_number} up to {_shown(before)} but the text goes on "
            f"{_shown(text_word)}, not {_shown(quoted_word)}")


def _longest_run(part: str, texts: list[str]) -> str:
    words = part.split()
    folded = _fold(part).split()
    if len(folded) != len(words):
        folded = words
    best = None
    for number, text in enumerate(texts, start=1):
        text_words = (_fold(text) if folded is not words else text).split()
        found = SequenceMatcher(None, text_words, folded, autojunk=False).find_longest_match(
            0, len(text_words), 0, len(folded))
        if best is None or found.size > best[0].size:
            best = (found, number, text.split())
    if best is None:
        return ""
    found, number, text_words = best
    if found.size < NEAR_WORDS or found.size * 3 < len(words) or found.b == 0:
        return ""
    run_words = words[found.b : found.b + found.size]
    run = f"the quote matches para. {number} from {_shown(run_words, last=False)} to {_shown(run_words)}"
    if found.a == 0:
        return f"{run}, but the paragraph starts there"
    return (f"{run}, but there the text before it is {_shown([text_words[found.a - 1]])}, not "
            f"{_shown([words[found.b - 1]])}")
