"""Diagnostics: every problem a user can cause, with the place it comes from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a file of the book."""

    path: str
    """Path relative to the book's root, with forward slashes."""
    line: int = 0
    """1-based line; 0 when the problem concerns the whole file."""
    col: int = 0
    """1-based column; 0 when unknown."""

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text

    def shifted(self, lines: int) -> "Loc":
        """The same place, moved down by ``lines`` lines."""
        return Loc(self.path, self.line + lines, self.col)


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the book's input."""

    loc: Loc
    """Where the problem is."""
    severity: str
    """``error`` (the build fails) or ``warning`` (fails only with ``--strict``)."""
    code: str
    """Stable identifier such as ``ref.unknown``, documented in the README."""
    message: str
    """What is wrong."""
    hint: str = ""
    """What to do about it."""

    def format(self) -> str:
        text = f"{self.loc}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def sort_key(self) -> tuple:
        return (self.loc.path, self.loc.line, self.loc.col, self.code, self.message)


def error(loc: Loc, code: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(loc, "error", code, message, hint)


def warning(loc: Loc, code: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(loc, "warning", code, message, hint)


def not_utf8(rel: str, data: bytes, exc: UnicodeDecodeError) -> Diagnostic:
    """The error for a file whose bytes are not UTF-8, at the first bad byte (column counted in characters)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # the byte order mark of UTF-16, as some editors save
        return error(Loc(rel, 1, 1), "file.encoding", "the file is UTF-16 text, not UTF-8",
                     "save it as UTF-8 (in most editors: save with encoding, UTF-8)")
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    col = len(data[line_start:exc.start].decode("utf-8")) + 1  # the bytes before the first bad one are UTF-8
    return error(Loc(rel, line, col), "file.encoding", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                 "save the file as UTF-8")


def control_character(rel: str, text: str, position: int, character: int, code: str, where: str,
                      first_line: int = 1) -> Diagnostic:
    """The error for a character YAML refuses (PyYAML's ReaderError: ``position``, ``character``) in ``text``,
    which starts on line ``first_line`` of the file; ``where`` says what the text is ("front matter")."""
    line = first_line + text.count("\n", 0, position)
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    return error(Loc(rel, line, col), code, f"character U+{character:04X} is not allowed in {where}",
                 "delete it (often an invisible control character pasted with the text)")


def with_article(noun: str) -> str:
    """'an actor', 'a claim', 'an alliance': the noun after its indefinite article, for messages."""
    return f"{'an' if noun[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {noun}"


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A "did you mean 'x'?" hint, or an empty string when nothing is close (``cutoff``: difflib's ratio)."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {d.format(): d for d in diagnostics}
    return sorted(unique.values(), key=Diagnostic.sort_key)


class BuildFailed(Exception):
    """Raised once, at the end of a stage, when errors were found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics
