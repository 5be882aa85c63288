"""Reading .bib files with locations, and formatting references with pybtex."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pybtex import richtext
from pybtex.database import BibliographyData, InvalidNameString
from pybtex.database.input import bibtex
from pybtex.exceptions import PybtexError
from pybtex.plugin import find_plugin
from pybtex.scanner import PrematureEOF, PybtexSyntaxError
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import number
from pybtex.style.names import lastfirst, name_part
from pybtex.style.sorting import author_year_title
from pybtex.style.template import (FieldIsMissing, field, first_of, href, join, names, node, optional,
                                   sentence, tag, words)

from .diagnostics import Diagnostic, Loc, did_you_mean, error, not_utf8, warning
from .parallel import fork_map
from .records import BibEntry
from .schema import KEY_PATTERN

SAFE_URL = re.compile(r"^https?://", re.I)


#: BibLaTeX's entry types (its manual, section 2.1, with the aliases of 2.1.2 and the types of 2.1.3 that
#: styles may support). BookStyle formats @online, @article, @report (@techreport), @book and @misc, and any
#: other of these like @misc.
ENTRY_TYPES = frozenset("""
    article book mvbook inbook bookinbook suppbook booklet collection mvcollection incollection suppcollection
    dataset manual misc online patent periodical suppperiodical proceedings mvproceedings inproceedings
    reference mvreference inreference report set software thesis unpublished xdata
    conference electronic mastersthesis phdthesis techreport www
    artwork audio bibnote commentary image jurisdiction legislation legal letter movie music performance review
    standard video""".split())
FORMATTED_TYPES = ("online", "article", "report", "book", "misc")
"""The types BookStyle has a template of its own for (and @techreport, the old name of @report)."""

#: BibLaTeX's fields (its manual, sections 2.2.2, 2.2.3 and the BibTeX aliases of 2.2.5), and 'archive',
#: which BookStyle shows, and the bookkeeping fields reference managers (JabRef) add. Other fields are not
#: shown: an unknown one is most likely a misspelt known one.
FIELDS = frozenset("""
    abstract addendum afterword annotation annotator author authortype bookauthor bookpagination booksubtitle
    booktitle booktitleaddon chapter commentator date doi edition editor editora editorb editorc editortype
    editoratype editorbtype editorctype eid entrysubtype eprint eprintclass eprinttype eventdate eventtitle
    eventtitleaddon file foreword holder howpublished indextitle institution introduction isan isbn ismn isrn
    issn issue issuesubtitle issuetitle issuetitleaddon iswc journalsubtitle journaltitle journaltitleaddon
    label language library location mainsubtitle maintitle maintitleaddon month nameaddon note number
    organization origdate origlanguage origlocation origpublisher origtitle pages pagetotal pagination part
    publisher pubstate reprinttitle series shortauthor shorteditor shorthand shorthandintro shortjournal
    shortseries shorttitle subtitle title titleaddon translator type url urldate venue version volume volumes
    year
    crossref entryset execute gender langid langidopts ids indexsorttitle keywords options presort related
    relatedoptions relatedtype relatedstring sortkey sortname sortshorthand sorttitle sortyear xdata xref
    address annote archiveprefix journal key pdf primaryclass school
    creationdate modificationdate owner timestamp groups comment priority ranking readstatus qualityassured
    printed relevance
    archive""".split())

DATE_FIELDS = ("date", "urldate", "year")
"""The date fields BookStyle shows (BibLaTeX reads date and urldate as ISO 8601 dates), and the year."""
ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T\d{2}(?::\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
                      r"[?~%]?(?:/(?:\.\.|\d{4}(?:-\d{2}(?:-\d{2})?)?[?~%]?)?)?$")
"""BibLaTeX's dates: ISO 8601 with a time, EDTF's '?', '~' and '%', and ranges ('2025-01-04/2025-01-06',
'2024/'); the labels take the year from the first four digits."""
DATE_HINT = "write YYYY, YYYY-MM or YYYY-MM-DD, only as precise as the source, and put anything else in 'note'"
DATE_HINTS = {"urldate": "write the day the page was read as YYYY-MM-DD",
              "year": "write the year as YYYY, and put anything else in 'note'"}


FIELD_START = re.compile(r"([A-Za-z][\w.:+-]*)[ \t]*=")
"""A field's name and its '=' (``date =``)."""


class _Unclosed(PybtexSyntaxError):
    """An entry's fields ran into the next ``@type{``: the entry was not closed."""


class _Scanner(bibtex.LowLevelParser):
    """pybtex's scanner, which also notes where each field name is, and ends an entry at an '@' where a field
    name should be.

    pybtex reads such an '@' as the start of a field name, and so drops the entry that begins there along with
    the one left unclosed before it; here the unclosed entry ends before the '@' (with an error), and the next
    entry is read as usual."""

    open_field = None
    """(name, line, offset) of the field whose value is being read."""

    def parse_command(self):
        self.field_places = []
        self.open_field = None
        return super().parse_command()

    def parse_field(self):
        name = self.optional([self.NAME])
        if not name:
            return
        start = self.pos - len(name.value)
        if name.value.startswith("@"):
            self.pos = start  # the next entry starts here: pybtex's loop finds its '@' again
            raise _Unclosed("'}' expected", self)
        place = (name.value, self.lineno, start)
        self.field_places.append(place)
        self.current_field_name = name.value
        self.required([self.EQUALS])
        self.open_field = place
        self.parse_value()
        self.open_field = None


class _LocatingParser(bibtex.Parser):
    """pybtex's BibTeX parser, recording where each entry and field is and collecting errors."""

    def __init__(self, path: str, diagnostics: list[Diagnostic]):
        super().__init__()
        self.path = path
        self.diagnostics = diagnostics
        self.lines: dict[str, int] = {}
        self.starts: dict[str, int] = {}
        """The offset of each entry's '@'."""
        self.fields: dict[str, list[tuple[str, int, int]]] = {}
        """(name as written, line, offset) of each field of each entry."""
        self.keys: dict[str, str] = {}
        """Each key read, by its lower-case form (BibTeX does not tell keys apart by case)."""
        self.current_line = 0
        self.lost = 0
        """Syntax errors before an entry's key was read: the entry is lost, and its key unknown."""
        self.broken: set[str] = set()
        """Keys of entries pybtex could not take (an error says why)."""
        self.damaged: set[str] = set()
        """Keys of entries a syntax error cut short in the middle of a value."""

    def col(self, offset: int) -> int:
        return offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def handle_error(self, error_):
        line = getattr(error_, "lineno", None) or self.current_line
        message = str(error_.args[0] if error_.args else error_)
        col = 0
        if isinstance(error_, PybtexSyntaxError):
            if self.scanner.current_entry_key is None:
                self.lost += 1
            start = self.text.count("\n", 0, self.scanner.command_start) + 1
            if not isinstance(error_, PrematureEOF):
                col = self.col(error_.error_context_info[2])
            if isinstance(error_, _Unclosed):
                message = f"the entry that starts on line {start} is not closed before the next one"
                hint = "end that entry with '}' after its last field"
            elif isinstance(error_, PrematureEOF) and self.scanner.open_field is not None:
                line, col, message, hint = self._value_runs_to_the_end()
            elif isinstance(error_, PrematureEOF) and self.scanner.current_entry_key is not None:
                message = f"the entry that starts on line {start} is not closed at the end of the file"
                hint = "end it with '}' after its last field"
            elif (missing := self._missing_comma(error_.error_context_info[2])) is not None:
                line, col, message, hint = missing
            else:
                if start != line:
                    message += f" (in the entry that starts on line {start})"
                hint = f"check the braces and commas of {'that' if start != line else 'this'} entry"
        else:
            hint = "remove the repeated field"
        self.diagnostics.append(error(Loc(self.path, line, col), "bib.syntax", f"BibTeX syntax error: {message}",
                                      hint))

    def _missing_comma(self, offset: int) -> tuple[int, int, str, str] | None:
        """(line, col, message, hint) when the text pybtex stopped at starts a field (``date = …``): the field
        before it most likely lacks its comma, which belongs just after that field's value."""
        found = FIELD_START.match(self.text, offset)
        fields = self.scanner.field_places
        if found is None or not fields or self.scanner.current_entry_key is None:
            return None
        end = len(self.text[:offset].rstrip())  # just after the value before it
        line, last = self.text.count("\n", 0, end) + 1, fields[-1][0]
        if self.text.count("\n", end, offset):
            return (line, self.col(end), f"a comma is probably missing at the end of line {line}, after the value "
                    f"of '{last}': the next line starts the field '{found[1]}'",
                    f"add ',' at the end of line {line} (every field but the last ends with a comma)")
        return (line, self.col(end), f"a comma is probably missing after the value of '{last}', before the field "
                f"'{found[1]}'", f"add ',' after the value of '{last}' (every field but the last ends with a comma)")

    def _value_runs_to_the_end(self) -> tuple[int, int, str, str]:
        """(line, col, message, hint) for a value whose '{' or '"' is never closed, and so takes in the rest
        of the file; the entries after it are then read from the next line that starts with '@'."""
        scanner = self.scanner
        name, line, offset = scanner.open_field
        key = scanner.current_entry_key
        self.damaged.add(key)
        again = self.text.find("\n@", offset)
        if again != -1:  # pybtex's loop goes on from there
            scanner.pos = again + 1
            scanner.lineno = line + self.text.count("\n", offset, again + 1)
        return (line, self.col(offset), f"the value of '{name}' in '{key}' runs to the end of the file",
                "a '{' or '\"' in it is not closed: close it")

    def parse_string(self, text):
        self.unnamed_entry_counter = 1
        self.command_start = 0
        self.text = text
        self.scanner = scanner = _Scanner(text, keyless_entries=False, handle_error=self.handle_error,
                                          want_entry=self.data.want_entry, filename=self.path, macros=self.macros)
        counted_to, line = 0, 1
        for kind, body in scanner:
            line += text.count("\n", counted_to, scanner.command_start)  # counted once, not from the top
            counted_to = scanner.command_start
            self.current_line = line
            if kind.lower() in ("string", "preamble"):
                continue
            key = body[0]
            if key is None:  # pybtex reported the missing key and counted the entry as lost
                continue
            first = self.keys.get(key.lower())
            if first is not None:
                again = f"'{key}' differs only in case from '{first}'" if first != key else \
                    f"duplicate bibliography key '{key}'"
                self.diagnostics.append(error(
                    Loc(self.path, self.current_line), "bib.duplicate-key",
                    f"{again} (first defined on line {self.lines[first]})"
                    + (": BibTeX does not tell keys apart by case" if first != key else ""),
                    "give one of the entries another key"))
                continue
            self.keys[key.lower()] = key
            self.lines[key] = self.current_line
            self.starts[key] = scanner.command_start
            self.fields[key] = scanner.field_places
            if key in self.damaged:
                self.broken.add(key)  # its fields are cut short: the syntax error is reported, not what is missing
                continue
            try:
                self.process_entry(kind, key, body[1])
            except PybtexError as exc:  # pybtex raises these (a name with too many commas) rather than report
                self.broken.add(key)
                message = str(exc)
                message = message if len(message) <= 100 else message[:99] + "…"
                names = isinstance(exc, InvalidNameString)
                self.diagnostics.append(error(
                    Loc(self.path, self.current_line), "bib.name" if names else "bib.syntax",
                    f"entry '{key}' could not be read: {message}",
                    "write each name as 'Last, First' and put 'and' between names; check the braces of the entry"
                    if names else "check the braces and commas of that entry"))
        return self.data


@dataclass(frozen=True)
class BibFile:
    """What one .bib file gives the book."""

    entries: dict[str, BibEntry]
    """The entries the book can use, by key."""
    broken: frozenset[str] = frozenset()
    """Keys of entries in the file that the book cannot use (an error says why): citations of them are not
    reported again. A key that is not a valid one is here with its lower-case and suggested forms."""
    complete: bool = True
    """False when part of the file could not be read (a syntax error before an entry's key, bytes that are
    not UTF-8): an entry cited but not found may be in that part."""


def load_bib_file(path: Path, rel: str, diagnostics: list[Diagnostic]) -> dict[str, BibEntry]:
    """The usable entries of a .bib file, by key (``read_bib_file`` tells more)."""
    return read_bib_file(path, rel, diagnostics).entries


def read_bib_file(path: Path, rel: str, diagnostics: list[Diagnostic]) -> BibFile:
    """A .bib file's entries, checked, with the keys of those that cannot be used, and whether it was read
    fully; every problem goes to ``diagnostics``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(error(Loc(rel), "file.unreadable", f"cannot read the file: {exc.strerror}",
                                 "check that it exists and is readable"))
        return BibFile({}, complete=False)
    complete = True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # reported like a note's; the rest is still read, so that one stray byte does not lose every entry
        diagnostics.append(not_utf8(rel, data, exc))
        text = data.decode("utf-8", errors="replace")
        complete = False
    parser = _LocatingParser(rel, diagnostics)
    try:
        bib_data: BibliographyData = parser.parse_string(text.lstrip("\ufeff"))
    except PybtexError as exc:  # pragma: no cover - the parser reports through handle_error
        diagnostics.append(error(Loc(rel, parser.current_line), "bib.syntax", f"BibTeX error: {exc}",
                                 "check this entry"))
        return BibFile({}, complete=False)
    if parser.lost:
        complete = False
    entries, broken = {}, set(parser.broken)
    for key, entry in bib_data.entries.items():
        loc = Loc(rel, parser.lines.get(key, 0))
        _check_fields(parser, key, entry, diagnostics)
        if not KEY_PATTERN.match(key):
            diagnostics.append(error(loc, "bib.key", f"bibliography key '{key}' is not lower-case letters, "
                                     "digits, '-' and '_'", f"rename it, e.g. '{_suggest_key(key)}'"))
            broken.update((key, key.lower(), _suggest_key(key)))
            continue
        if not entry.fields.get("title"):
            diagnostics.append(error(loc, "bib.missing-title", f"bibliography entry '{key}' has no title",
                                     "add 'title = {…}' as the source gives it"))
            broken.add(key)
            continue
        url = entry.fields.get("url", "")
        if url and not SAFE_URL.match(url):
            diagnostics.append(error(loc, "bib.url", f"url of '{key}' is not an http(s) address: '{url}'",
                                     "give the https:// address of the page"))
        if entry.type.lower() == "article" and not (entry.fields.get("journaltitle") or entry.fields.get("journal")):
            diagnostics.append(error(loc, "bib.article-journal", f"@article '{key}' has no journaltitle",
                                     "add journaltitle, or make it @online with organization"))
        entries[key] = BibEntry(key, loc, entry)
    return BibFile(entries, frozenset(broken - set(entries)), complete)


def _check_fields(parser: _LocatingParser, key: str, entry, diagnostics: list[Diagnostic]) -> None:
    """The entry's type, its fields' names, and its dates."""
    rel = parser.path
    kind = entry.type.lower()
    if kind not in ENTRY_TYPES:
        start = parser.starts[key]
        diagnostics.append(error(Loc(rel, parser.lines[key], parser.col(start)), "bib.type",
                                 f"unknown entry type '@{entry.original_type}' of '{key}'",
                                 (did_you_mean(kind, ENTRY_TYPES).replace("'", "'@", 1) or
                                  "use " + ", ".join(f"@{name}" for name in FORMATTED_TYPES[:-1])
                                  + f" or @{FORMATTED_TYPES[-1]}")))
    for name, line, offset in parser.fields.get(key, ()):
        what = _field_kind(name)
        if what == "-":
            continue
        if not what:
            diagnostics.append(warning(Loc(rel, line, parser.col(offset)), "bib.field",
                                       f"unknown field '{name}' in '{key}': the references do not show it",
                                       did_you_mean(name.lower(), FIELDS, cutoff=0.8)  # a misspelling only
                                       or "put what it says in 'note'"))
            continue
        value = entry.fields.get(name, "")
        problem = _date_problem(value, year_only=what == "year")
        if problem:
            label = year_of(entry)
            if what != "urldate" and label in ("n.d.", value):  # what the in-text citations would show
                problem += f": its citations would say '{label}'"
            diagnostics.append(error(Loc(rel, line, parser.col(offset)), "bib.date",
                                     f"{what} '{value}' of '{key}' {problem}",
                                     DATE_HINTS.get(what, DATE_HINT)))


@lru_cache(maxsize=None)
def _field_kind(name: str) -> str:
    """For a field name as written: '' for an unknown field, its lower-case name for a date field (or year),
    '-' for any other."""
    lower = name.lower()
    return "" if lower not in FIELDS else lower if lower in DATE_FIELDS else "-"


def _date_problem(value: str, year_only: bool = False) -> str:
    """Why a date field's value is not an ISO date (BibLaTeX reads dates so, and the in-text labels take the
    year from the first four digits), or ''."""
    if year_only:
        return "" if re.fullmatch(r"\d{4}", value) else "is not four digits"
    match = ISO_DATE.match(value)
    if match is None:
        return "is not an ISO date"
    month, day = match[2], match[3]
    if month and not 1 <= int(month) <= 12:
        return f"has no month {month}"
    if day:
        try:
            datetime.date(int(match[1]), int(month), int(day))
        except ValueError:
            return f"has no day {day} in month {month}"
    return ""


def _suggest_key(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-") or "key"


# ----------------------------------------------------------------------------- labels

@lru_cache(maxsize=None)
def _backend(name: str):
    """A pybtex output backend; ``render_as`` would look its plugin up on every call."""
    return find_plugin("pybtex.backends", name)()


LATEX_MARKUP = re.compile(r"[\\{}$%~^_`#&]|--|''|,,|\s\s|[^\S ]|^\s")
"""What pybtex's LaTeX decoder would change: markup, ligatures (-- '' ,,) and whitespace it folds."""


def _rich(latex: str):
    """Rich text of a field; plain strings skip pybtex's (slow) LaTeX decoder."""
    return richtext.Text.from_latex(latex) if LATEX_MARKUP.search(latex) else richtext.Text(latex)


def _plain(latex: str) -> str:
    """Plain text of a field; a string without LaTeX markup is its own plain text."""
    return _rich(latex).render(_backend("text")) if LATEX_MARKUP.search(latex) else latex


def author_label(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    lasts = [_plain(" ".join(person.prelast_names + person.last_names)) for person in persons]
    if len(lasts) == 1:
        return lasts[0]
    if len(lasts) == 2:
        return f"{lasts[0]} and {lasts[1]}"
    if lasts:
        return f"{lasts[0]} et al."
    for name in ("organization", "institution", "publisher", "journaltitle", "journal"):
        if entry.fields.get(name):
            return _plain(entry.fields[name])
    return _plain(entry.fields.get("title", "Anonymous"))


def year_of(entry) -> str:
    date = entry.fields.get("date", "")
    match = re.match(r"^(\d{4})", date)
    if match:
        return match[1]
    return entry.fields.get("year", "") or "n.d."


def labels(entries: dict[str, BibEntry]) -> dict[str, tuple[str, str]]:
    """(author, year) for each key; same author and year get a, b, c … in key order."""
    base = {key: (author_label(item.entry), year_of(item.entry)) for key, item in sorted(entries.items())}
    groups: dict[tuple[str, str], list[str]] = {}
    for key, pair in base.items():
        groups.setdefault(pair, []).append(key)
    result = {}
    for (author, year), keys in groups.items():
        for index, key in enumerate(keys):
            suffix = "" if len(keys) == 1 else ("-" if year == "n.d." else "") + _letters(index)
            result[key] = (author, year + suffix)
    return result


def _letters(index: int) -> str:
    """a … z, then aa, ab … (as spreadsheet columns are named), so that no two labels are the same."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return letters


# ----------------------------------------------------------------------------- style

@node
def _field(children, context, name):
    """An entry field as rich text (pybtex's ``field``, without decoding plain strings as LaTeX)."""
    value = context["entry"].fields.get(name)
    if value is None:
        raise FieldIsMissing(name, context["entry"])
    return _rich(value)


@node
def _issued(children, context):
    """The date as given, or n.d.; for an entry whose in-text label tells it from others of its author and year
    with a letter, the label's year ('2024a', 'n.d.-b') so that the reader finds the citation's label here,
    then the date in brackets where it says more than the year ('2024a (2024-05-03)')."""
    entry = context["entry"]
    given = entry.fields.get("date") or entry.fields.get("year") or ""
    year, label_year = year_of(entry), context.get("label_year")
    if label_year is None or label_year == year:
        return richtext.Text(given or "n.d.")
    return richtext.Text(label_year if given in ("", year) else f"{label_year} ({given})")


@node
def _creator(children, context):
    """Authors, or the organisation responsible when no author is given."""
    entry = context["entry"]
    if entry.persons.get("author"):
        return names("author", sep=", ", sep2=" and ", last_sep=", and ").format_data(context)
    for name in ("organization", "institution", "publisher"):
        if entry.fields.get(name):
            return _field(name).format_data(context)
    raise FieldIsMissing("author", entry)


@node
def _reference(children, data):
    """The blocks of a reference, one after another on a line."""
    return join(sep=" ")[children].format_data(data)


class _LastFirstNames(lastfirst.NameStyle):
    """pybtex's ``lastfirst`` name template, with name parts read like fields (see ``_rich``),
    and without the parts a person lacks (they would come out empty).

    pybtex's ``Person.rich_*_names`` decode every part as LaTeX, which was most of the time spent on authors."""

    def format(self, person, abbr=False):
        parts = [
            (name_part(tie=True), person.prelast_names),
            (name_part, person.last_names),
            (name_part(before=", "), person.lineage_names),
            (name_part(before=", ", abbr=abbr), person.first_names + person.middle_names),
        ]
        return join[[part[[_rich(name) for name in names]] for part, names in parts if names]]


class BookStyle(BaseStyle):
    """Author–date references: Creator. Date. "Title." Container. Note. URL (accessed …). DOI."""

    # Classes rather than plugin names: looking a name up reads the installed packages' entry points
    default_name_style = _LastFirstNames
    default_label_style = number.LabelStyle
    default_sorting_style = author_year_title.SortingStyle

    def _tail(self, e):
        """The optional blocks after the container, leaving out those whose field ``e`` lacks.

        Without its field a block would come out empty; finding that out (pybtex raises and catches
        FieldIsMissing through the template) took a fifth of the formatting time."""
        url, doi = field("url", raw=True), field("doi", raw=True)
        accessed = [optional["accessed ", field("urldate", raw=True)]] if "urldate" in e.fields else []
        blocks = {
            "note": optional[sentence[_field("note")]],
            "archive": optional[words["Archived copy:", _field("archive")]],
            "url": optional[sentence[[href(url)[url]] + accessed]],
            "doi": optional[sentence[join["doi:", href(join["https://doi.org/", doi])[doi]]]],
        }
        return [block for name, block in blocks.items() if name in e.fields]

    def _head(self, quoted_title=True):
        title = join["\u201c", _field("title"), "\u201d"] if quoted_title else tag("em")[_field("title")]
        return [
            sentence[first_of[optional[_creator], "Anonymous"]],
            sentence[_issued],
            sentence[title] if quoted_title else sentence[title],
        ]

    def get_online_template(self, e):
        container = optional[sentence[tag("em")[first_of[optional[_field("organization")],
                                                         optional[_field("publisher")]]]]]
        if not e.persons.get("author"):
            container = optional[""]  # the organisation is already the creator
        return _reference[self._head() + [container] + self._tail(e)]

    def get_article_template(self, e):
        container = sentence[tag("em")[first_of[optional[_field("journaltitle")], optional[_field("journal")]]],
                             optional[_field("volume")], optional[_field("pages")]]
        return _reference[self._head() + [container] + self._tail(e)]

    def get_report_template(self, e):
        container = optional[sentence[optional[_field("type")],
                                      first_of[optional[_field("institution")], optional[_field("organization")]]]]
        if not e.persons.get("author") and not e.fields.get("type"):
            container = optional[""]
        return _reference[self._head(quoted_title=False) + [container] + self._tail(e)]

    get_techreport_template = get_report_template

    def get_book_template(self, e):
        return _reference[self._head(quoted_title=False) + [optional[sentence[_field("publisher")]]] + self._tail(e)]

    def get_misc_template(self, e):
        container = optional[sentence[first_of[optional[_field("howpublished")], optional[_field("organization")],
                                               optional[_field("publisher")]]]]
        if not e.persons.get("author"):
            container = optional[""]
        return _reference[self._head() + [container] + self._tail(e)]


@dataclass(frozen=True)
class Reference:
    """A formatted bibliography entry."""

    key: str
    author: str
    """Author part of the in-text label."""
    year: str
    """Year part of the in-text label (``n.d.`` when not given)."""
    title: str
    """The entry's title as plain text."""
    html: str
    """The full reference as HTML (escaped by pybtex)."""
    text: str
    """The full reference as plain text (for tooltips)."""

    @property
    def label(self) -> str:
        return f"{self.author} {self.year}"

    @property
    def order(self) -> tuple:
        """Where the reference goes in a reference list: by author, then year, then letter (a … z, aa …)."""
        year = self.year.rstrip("abcdefghijklmnopqrstuvwxyz")
        letters = self.year[len(year):]
        return self.author.lower(), year.rstrip("-"), len(letters), letters, self.key


def _entry_fingerprint(entry) -> tuple:
    persons = tuple((role, tuple(str(p) for p in people)) for role, people in sorted(entry.persons.items()))
    return entry.type.lower(), tuple(sorted(entry.fields.items())), persons


TAIL_FIELDS = ("note", "archive", "url", "urldate", "doi")
"""The fields whose blocks BookStyle leaves out of an entry's template when the entry lacks them."""


def _template_shape(entry) -> tuple:
    """What a BookStyle template depends on: the entry type, whether it has an author or a type field,
    and which of the TAIL_FIELDS it has."""
    return (entry.type.lower(), bool(entry.persons.get("author")), bool(entry.fields.get("type")),
            tuple(name in entry.fields for name in TAIL_FIELDS))


def _format_entry(style: "BookStyle", entry, label_year: str, templates: dict | None = None) -> tuple[str, str, str]:
    """(plain title, HTML, plain text); ``label_year``: the year of the entry's in-text label, with its letter if
    it has one (``labels``); ``templates`` (a dict) keeps the templates built, one per shape."""
    shape = _template_shape(entry)
    template = templates.get(shape) if templates is not None else None
    if template is None:
        template = getattr(style, f"get_{shape[0]}_template", style.get_misc_template)(entry)
        if templates is not None:
            templates[shape] = template
    rich = template.format_data({"entry": entry, "style": style, "bib_data": None, "label_year": label_year})
    return _plain(entry.fields["title"]), rich.render(_backend("html")), rich.render(_backend("text"))


def format_entries(entries: dict[str, BibEntry], keys: list[str]) -> list[tuple[str, str, str]]:
    """(plain title, HTML, plain text) of each key's reference, in this process."""
    style, templates, label_map = BookStyle(), {}, labels(entries)
    return [_format_entry(style, entries[key].entry, label_map[key][1], templates) for key in keys]


def format_entries_by_key(entries: dict[str, BibEntry]) -> dict[str, tuple[str, str, str]]:
    keys = sorted(entries)
    return dict(zip(keys, format_entries(entries, keys)))


def format_references(entries: dict[str, BibEntry], cache: dict | None = None,
                      formatted: dict[str, tuple[str, str, str]] | None = None) -> dict[str, Reference]:
    """Every entry formatted; ``cache`` (kept between calls) skips entries formatted before.

    ``formatted``: ``format_entries``'s results by key, computed elsewhere (another process) for these entries."""
    cache = {} if cache is None else cache
    keys = sorted(entries)
    last = cache.get("last")
    if (last is not None and last[0] == keys
            and all(entry is before for entry, before in zip((entries[key] for key in keys), last[2]))):
        return last[1]  # nothing in the bibliography was re-read
    label_map = labels(entries)
    # the text shows the label's year, which another entry of the same author and year gives a letter
    cache_keys = {key: (_entry_fingerprint(entries[key].entry), label_map[key][1]) for key in keys}
    missing = [key for key in keys if cache_keys[key] not in cache]
    if formatted is not None and all(key in formatted for key in missing):
        done = [formatted[key] for key in missing]
    else:
        style, templates = BookStyle(), {}
        done = fork_map(lambda key: _format_entry(style, entries[key].entry, label_map[key][1], templates), missing)
    for key, result in zip(missing, done):
        cache[cache_keys[key]] = result
    result = {key: Reference(key, *label_map[key], *cache[cache_keys[key]]) for key in keys}
    cache["last"] = (keys, result, tuple(entries[key] for key in keys))
    return result
