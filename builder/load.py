"""Load stage: read every note, bibliography and archive file into typed records.

Nothing is resolved here (references between notes are checked by ``link``);
every problem becomes a diagnostic and loading goes on.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from . import schema
from .bibliography import BibFile, read_bib_file
from .diagnostics import (Diagnostic, Loc, control_character, did_you_mean, error, not_utf8, warning,
                          with_article)
from .frontmatter import parse_yaml, split
from .parallel import Steps, steps_in_background
from .quotes import paragraphs
from .records import Actor, Archive, BibEntry, Body, Claim, Evidence, Page, Relation, Scenario, Source

MAX_NOTE_BYTES = 1024 * 1024
MAX_ARCHIVE_BYTES = 8 * 1024 * 1024
RESERVED_IDS = {"index", "matrix", "bibliography", "relations", "tags", "search", "assets", "pdf"}
ARCHIVE_DIR = "bibliography/archive"

NOTE_FOLDERS = {"actors": "actor", "scenarios": "scenario", "claims": "claim", "sources": "source"}
RESERVED_PAGE_IDS = {*NOTE_FOLDERS, "pdf"}
"""The site's own folders, where a page (content/ID.md, published at ID/) would be lost: the chapters, the PDFs."""


NO_BIBLIOGRAPHY = ("bibliography",)
"""``Loaded.bib_unread`` when there is no bibliography/ folder."""


@dataclass(frozen=True)
class Loaded:
    """Everything read from disk, before any reference is resolved."""

    actors: dict[str, Actor]
    scenarios: dict[str, Scenario]
    claims: dict[str, Claim]
    sources: dict[str, Source]
    pages: dict[str, Page]
    bib: dict[str, BibEntry]
    archives: dict[str, Archive]
    """Archived texts by path relative to the root."""
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...] = field(default=())
    """Every input file read, relative to the root (for incremental builds)."""
    broken_ids: frozenset[str] = field(default=frozenset())
    """Ids of notes that exist but could not be read (references to them are not reported again)."""
    bib_broken: frozenset[str] = field(default=frozenset())
    """Keys of bibliography entries that exist but could not be used (citations of them are not reported again)."""
    bib_unread: tuple[str, ...] = field(default=())
    """The .bib files that could not be read fully, where an entry not found may be; ``NO_BIBLIOGRAPHY`` when
    there is no bibliography/ folder (each reported once)."""
    folders_unread: tuple[str, ...] = field(default=())
    """The folders of notes that could not be read, where a note not found may be."""


def read_text(path: Path, rel: str, limit: int, diagnostics: list[Diagnostic]) -> str | None:
    """A file's text with BOM removed and line endings normalised, or None (with a diagnostic)."""
    try:
        size = path.stat().st_size
        if size <= limit:
            data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(unreadable(path, rel, exc))
        return None
    if size > limit:
        diagnostics.append(error(Loc(rel), "file.too-large", f"file is {size // 1024} KiB, more than the "
                                 f"{limit // 1024} KiB allowed", "split it into several notes"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diagnostics.append(not_utf8(rel, data, exc))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unreadable(path: Path, rel: str, exc: OSError, what: str = "file") -> Diagnostic:
    """The error for a file (or, ``what="folder"``, a folder) that cannot be read: no permission, a link to
    nothing or to itself."""
    if path.is_symlink():
        hint = f"it is a link to '{os.readlink(path)}': point the link at a {what} that exists" + (
            ", or put the file itself here" if what == "file" else "")
    else:
        hint = ("check that it exists and that you may read it" if what == "file" else
                "check that you may read it") + " (its permissions)"
    return error(Loc(rel), "file.unreadable", f"cannot read the {what}: {exc.strerror or exc}", hint)


#: Cyrillic and Greek letters that look like ASCII ones (a file name with one looks valid but is not).
_LOOK_ALIKES = dict(zip("авсеһіјкмнорѕтухԁɡοαεικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧАВСЕНІЈКМОРЅТХ",
                        "abcehijkmhopstyxdgoaeikvptuxabezhikmnoptyxabcehijkmopstx"))


def suggested_id(stem: str) -> str:
    """A valid id close to a file name that is not one ('North Korea' → 'north-korea')."""
    ascii_form = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    return "-".join(part for part in "".join(c if c.isalnum() else " " for c in ascii_form).split())


def _check_id(stem: str, rel: str, kind: str, diagnostics: list[Diagnostic]) -> bool:
    pattern = schema.KEY_PATTERN if kind == "source" else schema.ID_PATTERN
    if pattern.match(stem):
        if stem in RESERVED_IDS and kind != "page":
            diagnostics.append(error(Loc(rel), "id.reserved", f"'{stem}' is a reserved name",
                                     "rename the file"))
            return False
        if stem in RESERVED_PAGE_IDS and kind == "page":
            diagnostics.append(error(Loc(rel), "id.reserved", f"'{stem}' is a reserved name for a page: the site "
                                     f"has its own {stem}/ folder, where the page would be lost",
                                     "rename the file"))
            return False
        return True
    suggestion = suggested_id(stem)
    what = "a bibliography key (lower-case letters, digits, '-', '_')" if kind == "source" else \
        "lower-case ASCII letters, digits and single '-'"
    foreign = [c for c in stem if not c.isascii() and unicodedata.category(c).startswith("L")]
    look_alike = "".join(_LOOK_ALIKES.get(c, c) for c in stem)
    if foreign and all(c in _LOOK_ALIKES for c in foreign) and pattern.match(look_alike):
        suggestion = look_alike
        letter = foreign[0]
        what += (f"; '{letter}' (U+{ord(letter):04X} {unicodedata.name(letter, 'letter')}) only looks like "
                 f"'{_LOOK_ALIKES[letter]}'")
    diagnostics.append(error(Loc(rel), "id.invalid", f"file name '{stem}' is not a valid id: use {what}",
                             f"rename the file to '{suggestion or 'note'}.md'"))
    return False


NOT_PRINTABLE = re.compile("[^\x09\x0A\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
"""The characters YAML refuses in the front matter (control characters, lone surrogates), refused in the body too."""


def _control_characters(split_note, rel: str) -> list[Diagnostic]:
    """An error at the first character of the body that is not printable text (a NUL, an escape …), which would
    otherwise reach the pages unseen; how many others the body has is said in it."""
    found = NOT_PRINTABLE.search(split_note.body)
    if found is None:
        return []
    problem = control_character(rel, split_note.body, found.start(), ord(found.group()), "body.character",
                                "the text", split_note.body_first_line)
    more = len(NOT_PRINTABLE.findall(split_note.body, found.end()))
    return [problem if not more else
            replace(problem, message=f"{problem.message} ({more} more such character(s) in this note)")]


def _body(split_note, rel: str) -> Body:
    return Body(split_note.body, Loc(rel, split_note.body_first_line))


def _note(path: Path, rel: str, kind: str, fields, diagnostics: list[Diagnostic]):
    text = read_text(path, rel, MAX_NOTE_BYTES, diagnostics)
    if text is None:
        return None
    if not text.strip():
        diagnostics.append(error(Loc(rel, 1), "note.empty", "the note is empty",
                                 "start it with front matter between two '---' lines"
                                 + (" (run 'python -m builder new' for a template)" if kind != "page" else "")))
        return None
    parts = split(text)
    if parts.yaml_text is None:
        lines = text.split("\n")
        first = next(index for index, line in enumerate(lines) if line.strip())
        if lines[first].strip() == "---":
            what = "the blank lines before it" if lines[first].startswith("---") else "the spaces before it"
            diagnostics.append(error(Loc(rel, first + 1), "frontmatter.missing",
                                     "the front matter's opening '---' is not at the very start of the file",
                                     f"delete {what}: the file must start with '---'"))
        else:
            diagnostics.append(error(Loc(rel, 1), "frontmatter.missing", "the note has no front matter",
                                     "start the file with a line '---', the fields, and another '---'"))
        return None
    if not parts.closed:
        near = _near_fence(parts.yaml_text.split("\n"), parts.yaml_first_line)
        if near:
            line, written = near
            diagnostics.append(error(Loc(rel, line), "frontmatter.unclosed",
                                     f"the front matter is not closed: line {line} ('{written}') looks meant to "
                                     "close it", f"write exactly '---' on line {line}"))
        else:
            diagnostics.append(error(Loc(rel, 1), "frontmatter.unclosed", "the front matter is not closed",
                                     "end the fields with a line '---' before the body"))
        return None
    node, problems = parse_yaml(parts.yaml_text, rel, parts.yaml_first_line)
    diagnostics.extend(problems)
    diagnostics.extend(_control_characters(parts, rel))
    if node is None:
        return None
    misfiled = _misfiled(kind, node)
    if misfiled:
        diagnostics.append(error(Loc(rel, 1), "note.misfiled", misfiled[0], misfiled[1]))
        return None
    checked = schema.check_mapping(node, fields, "the front matter", diagnostics)
    diagnostics.extend(schema.body_placeholders(kind, path.stem, parts.body, rel, parts.body_first_line))
    return rel, parts, checked


def _near_fence(lines: list[str], first_line: int) -> tuple[int, str] | None:
    """The first line that looks meant as the closing '---' ('--', '----', ' ---', '--- x'), with its number."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if (len(stripped) >= 2 and set(stripped) == {"-"}) or (stripped.startswith("---") and line.startswith(" ")) \
                or stripped.startswith("--- "):
            return first_line + index, line.rstrip()
    return None


KIND_FOLDERS = {"actor": "content/actors/", "scenario": "content/scenarios/", "claim": "content/claims/",
                "source": "content/sources/", "page": "content/"}


def _misfiled(kind: str, node) -> tuple[str, str] | None:
    """(message, hint) when a note lacks the required fields of its folder's kind but has all of another's:
    it was put in the wrong folder, and its field errors would only mislead."""
    if not isinstance(node.value, dict):
        return None
    keys = set(node.value)

    def required(fields) -> set[str]:
        return {f.name for f in fields if f.required}

    if required(LOADERS[kind][0]) <= keys:
        return None
    for other, (fields, _) in LOADERS.items():
        wanted = required(fields)
        # every field is one the other kind has: a scenario short of a field is still a scenario
        if other != kind and wanted and wanted <= keys and keys <= {f.name for f in fields}:
            named = ", ".join(f"'{name}'" for name in sorted(wanted))
            return (f"this note is in {KIND_FOLDERS[kind]} but reads as {with_article(other)} (it has {named})",
                    f"move it to {KIND_FOLDERS[other]}")
    return None


def _load_actor(stem, rel, parts, checked) -> Actor:
    values, locs = checked.values, checked.locs
    relations = tuple(
        Relation(item["actor"], item["relation"], item["source"], item["locator"], item["note"],
                 locs.get(f"relations.{index}", Loc(rel)))
        for index, item in enumerate(values["relations"]))
    return Actor(stem, Loc(rel), values["name"], values["kind"], values["aliases"], values["tags"],
                 values["affiliation"], relations, _body(parts, rel), locs)


def _load_scenario(stem, rel, parts, checked) -> Scenario:
    v = checked.values
    return Scenario(stem, Loc(rel), v["title"], v["actors"], v["triggers"], v["indicators"], v["claims"],
                    v["likelihood"], v["likelihood_source"], v["confidence"], v["tags"], _body(parts, rel),
                    checked.locs)


def _load_claim(stem, rel, parts, checked) -> Claim:
    v, locs, file_loc = checked.values, checked.locs, Loc(rel)
    evidence = tuple(
        Evidence(stem, index + 1, item["source"], item["stance"], item["quote"], item["locator"], item["note"],
                 item["via"], locs.get(f"evidence.{index}", file_loc),
                 {name: locs.get(f"evidence.{index}.{name}", file_loc) for name in item})
        for index, item in enumerate(v["evidence"]))
    return Claim(stem, file_loc, v["statement"], v["actors"], v["tags"], evidence, _body(parts, rel), locs)


def _load_source(stem, rel, parts, checked) -> Source:
    v = checked.values
    return Source(stem, Loc(rel), v["kind"], v["reliability"], v["credibility"], v["rationale"], v["archive"],
                  v["gaps"], v["relays"], v["tags"], _body(parts, rel), checked.locs)


def _load_page(stem, rel, parts, checked) -> Page:
    v = checked.values
    return Page(stem, Loc(rel), v["title"], v["order"], _body(parts, rel), checked.locs)


LOADERS = {
    "actor": (schema.ACTOR, _load_actor),
    "scenario": (schema.SCENARIO, _load_scenario),
    "claim": (schema.CLAIM, _load_claim),
    "source": (schema.SOURCE, _load_source),
    "page": (schema.PAGE, _load_page),
}


def archive_path_problem(value: str) -> str:
    """Why an ``archive:`` value is not acceptable, or ''."""
    if not value:
        return "is empty"
    pure = PurePosixPath(value)
    if pure.is_absolute() or "\\" in value or ":" in value:
        return "must be a relative path"
    if ".." in pure.parts:
        return "must not contain '..'"
    if pure.parent.as_posix() != ARCHIVE_DIR:
        return f"must be a file directly in {ARCHIVE_DIR}/"
    return ""


def _load_archives(root: Path, sources: dict[str, Source], diagnostics: list[Diagnostic],
                   cache: dict | None = None, no_bibliography: bool = False) -> dict[str, Archive]:
    """The archived texts the source notes name, by path; an empty one is an error at the first ``archive:``
    naming it, and is left out (so that quotes and locators in it are not reported one by one).
    ``no_bibliography``: there is no bibliography/ folder (reported once): missing texts are not reported."""
    archives: dict[str, Archive] = {}
    empty: set[str] = set()
    for source in sources.values():
        value = source.archive
        loc = source.field_locs.get("archive", source.loc)
        if not value.strip():
            continue  # a missing or empty 'archive:' is reported once, by the schema
        problem = archive_path_problem(value)
        if problem:
            diagnostics.append(error(loc, "archive.path", f"archive path '{value}' {problem}",
                                     f"put the text in {ARCHIVE_DIR}/{source.id}.txt and write that path"))
            continue
        if value in archives or value in empty:
            continue
        path = root / value
        if path.is_dir():
            diagnostics.append(error(loc, "archive.missing", f"archived text '{value}' is a folder, not a text file",
                                     f"save the source's text as the file {value} (move the folder away first)"))
            continue
        if not path.is_file():
            if no_bibliography:
                continue
            present = [entry.name for entry in _sorted_entries(root / ARCHIVE_DIR)
                       if entry.is_file()] if (root / ARCHIVE_DIR).is_dir() else []
            close = did_you_mean(PurePosixPath(value).name, present)  # names alone: the folder is the same
            hint = close.replace("'", f"'{ARCHIVE_DIR}/", 1) if close else ""
            diagnostics.append(error(loc, "archive.missing", f"archived text '{value}' does not exist",
                                     f"{hint} (or save the source's text as {value})" if hint
                                     else f"save the source's text as {value}"))
            continue
        archive, problems = _cached(cache, path, value, lambda found, p=path, v=value: _read_archive(p, v, found))
        diagnostics.extend(problems)
        if archive is not None and not archive.paragraphs:
            diagnostics.append(error(loc, "archive.empty", f"archived text '{value}' has no text",
                                     "save the source's text in it, verbatim, one paragraph a line"))
            empty.add(value)
        elif archive is not None:
            archives[value] = archive
    return archives


_INVALID_ID = object()


def _take(result: tuple, diagnostics: list[Diagnostic]):
    """A value computed elsewhere with its diagnostics, as ``_cached``'s ``compute`` gives them."""
    value, found = result
    diagnostics.extend(found)
    return value


def _stat_key(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _file_key(path: Path) -> tuple | None:
    try:
        return _stat_key(path)
    except OSError:
        return None


def _cache_hit(cache: dict | None, rel: str, key: tuple | None) -> tuple | None:
    """What ``_cached`` keeps for a file whose stat key is still ``key``: (key, value, diagnostics); or None."""
    hit = cache.get(rel) if cache is not None else None
    return hit if hit is not None and key is not None and hit[0] == key else None


def _cached(cache: dict | None, path: Path, rel: str, compute, key: tuple | None = None) -> tuple:
    """``compute(diagnostics)`` for a file, or its earlier result while the file is unchanged.

    ``key``: the file's stat key taken before its text was read, when that was earlier than this call."""
    if cache is None:
        found: list[Diagnostic] = []
        return compute(found), found
    key = key or _file_key(path)
    hit = _cache_hit(cache, rel, key)
    if hit is not None:
        return hit[1], list(hit[2])
    found = []
    value = compute(found)
    cache[rel] = (key, value, tuple(found))
    return value, found


def _read_note(path: Path, kind: str, stem: str, rel: str, diagnostics: list[Diagnostic]):
    """The note's record; None when it cannot be read; ``_INVALID_ID`` for a bad file name."""
    if not _check_id(stem, rel, kind, diagnostics):
        return _INVALID_ID
    fields, build = LOADERS[kind]
    result = _note(path, rel, kind, fields, diagnostics)
    return None if result is None else build(stem, *result)


def _read_archive(path: Path, rel: str, diagnostics: list[Diagnostic]) -> Archive | None:
    text = read_text(path, rel, MAX_ARCHIVE_BYTES, diagnostics)
    return None if text is None else Archive(rel, paragraphs(text))


def _parse_bib_files(files: list[tuple[Path, str]]) -> list[tuple[BibFile, list[Diagnostic]]]:
    results = []
    for path, rel in files:
        found: list[Diagnostic] = []
        results.append((read_bib_file(path, rel, found), found))
    return results


def _merge_bib(files: list[dict[str, BibEntry]], diagnostics: list[Diagnostic]) -> dict[str, BibEntry]:
    """The entries of all .bib files by key; a key defined again in a later file is an error there."""
    bib: dict[str, BibEntry] = {}
    for entries in files:
        for key, entry in entries.items():
            if key in bib:
                diagnostics.append(error(entry.loc, "bib.duplicate-key",
                                         f"duplicate bibliography key '{key}' (also {bib[key].loc})",
                                         "give one of the entries another key"))
                continue
            bib[key] = entry
    return bib


def _bib_steps(files: list[tuple[Path, str]], after_bib: Callable | None):
    """The parse of ``files``; then ``after_bib`` of the entries they give the book."""
    parsed = _parse_bib_files(files)
    yield parsed
    if after_bib is not None:
        yield after_bib(_merge_bib([bib_file.entries for bib_file, _ in parsed], []))


BIB_BYTES_WORTH_A_PROCESS = 128 * 1024
"""Below this (about 500 entries), forking a process to parse the .bib files costs more than it saves."""


def _start_parsing_bib(root: Path, cache: dict | None, after_bib: Callable | None
                       ) -> tuple[list[tuple[Path, str]], dict, Steps | None, bool]:
    """The .bib files; the stat keys of those not cached, taken now; their parse, started on another core
    (pybtex's parser is the slowest part of loading, ~0.3 s for 4,000 entries: it runs while the notes are read);
    and whether ``after_bib`` follows on that core (it does when every file is parsed there)."""
    bib_dir = root / "bibliography"
    files = [(path, path.relative_to(root).as_posix()) for path in sorted(bib_dir.glob("*.bib"))] \
        if bib_dir.is_dir() else []
    stale = {}
    for path, rel in files:
        key = _file_key(path)
        if _cache_hit(cache, rel, key) is None:
            stale[rel] = key
    if not stale:
        return files, stale, None, False
    todo = [(path, rel) for path, rel in files if rel in stale]
    if sum(key[1] for key in stale.values() if key is not None) < BIB_BYTES_WORTH_A_PROCESS:
        return files, stale, Steps(_bib_steps, (todo, None)), False  # parsed here, when asked for
    follow = after_bib if len(todo) == len(files) else None
    parsing = steps_in_background(_bib_steps, todo, follow)
    return files, stale, parsing, follow is not None and parsing.pid is not None


def _is_markdown(name: str) -> bool:
    """Whether a file of this name has the suffix '.md' (a file called '.md' has none)."""
    return name.endswith(".md") and name != ".md"


def _sorted_entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _listed(folder: Path, rel: str, diagnostics: list[Diagnostic], unread: list[str]) -> list[os.DirEntry]:
    """The entries of a folder of notes, sorted; none, with an error, when it cannot be read (its path is added
    to ``unread``)."""
    try:
        return _sorted_entries(folder)
    except OSError as exc:
        unread.append(rel)
        diagnostics.append(unreadable(folder, rel, exc, "folder"))
        return []


def _is(entry: os.DirEntry, what: str) -> bool:
    """``entry.is_dir()`` or ``entry.is_file()``; False for a link to nothing or to itself."""
    try:
        return entry.is_dir() if what == "dir" else entry.is_file()
    except OSError:
        return False


def _is_note(entry: os.DirEntry) -> bool:
    """Whether the entry is meant as a note: a '.md' file, or a link named so (read_text reports a broken one)."""
    return _is_markdown(entry.name) and (_is(entry, "file") or (entry.is_symlink() and not _is(entry, "dir")))


def _note_files(content: Path, diagnostics: list[Diagnostic], unread: list[str]) -> list[tuple[Path, str, str]]:
    """(path, path relative to the book's root, kind) of every note in ``content``; other files get a warning;
    folders that cannot be read an error (and their paths are added to ``unread``)."""
    found = []
    for entry in _listed(content, "content", diagnostics, unread):
        rel = f"content/{entry.name}"
        if entry.name in NOTE_FOLDERS and (_is(entry, "dir") or entry.is_symlink()):
            for note in _listed(content / entry.name, rel, diagnostics, unread):
                note_rel = f"{rel}/{note.name}"
                if _is_note(note):
                    found.append((content / entry.name / note.name, note_rel, NOTE_FOLDERS[entry.name]))
                elif not note.name.startswith("."):
                    otherwise = f"notes in {rel}/ are '.md' files" + (", not folders" if _is(note, "dir") else "")
                    diagnostics.append(warning(Loc(note_rel), "file.ignored", "not a note: ignored",
                                               _not_a_note_hint(note.name, otherwise)))
        elif _is_note(entry):
            found.append((content / entry.name, rel, "page"))
        elif not entry.name.startswith("."):
            folders = f"note folders are {', '.join(NOTE_FOLDERS)}"
            if _is(entry, "dir") and _is_markdown(entry.name):
                hint = f"pages are '.md' files, not folders; {folders}"
            elif _is(entry, "dir"):
                close = did_you_mean(entry.name, NOTE_FOLDERS)
                hint = f"{close} ({folders})" if close else folders
            else:
                hint = _not_a_note_hint(entry.name, f"pages are '.md' files; {folders}")
            diagnostics.append(warning(Loc(rel), "file.ignored", "not a note or a note folder: ignored", hint))
    return found


MARKDOWN_LOOK_ALIKES = (".markdown", ".mdown", ".mkd", ".mkdn", ".MD", ".Md", ".txt")


def _not_a_note_hint(name: str, otherwise: str) -> str:
    """'rename it to x.md' for a note saved with another Markdown-like suffix."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and f".{suffix}" in MARKDOWN_LOOK_ALIKES:
        return f"notes are '.md' files: rename it to '{stem}.md'"
    return otherwise


RENAME_TO = re.compile(r"rename (?:the file|it) to '([^'/]+)\.md'$")
"""The end of a hint that suggests a note's file name."""


def _taken_names(diagnostics: list[Diagnostic], notes: dict[str, str]) -> None:
    """Hints that suggest renaming a file to the name of another note (``notes``: each id's file) say that
    the name is taken instead."""
    for index, problem in enumerate(diagnostics):
        found = RENAME_TO.search(problem.hint) if problem.code in ("id.invalid", "file.ignored") else None
        if found and notes.get(found[1], problem.loc.path) != problem.loc.path:
            hint = (f"{problem.hint[:found.start()]}'{found[1]}.md' is taken by another note ({notes[found[1]]}): "
                    "merge the two notes, or give this one another name")
            diagnostics[index] = replace(problem, hint=hint)


def load(root: Path, cache: dict | None = None) -> Loaded:
    """Read the whole book under ``root`` (which holds content/ and bibliography/).

    With a ``cache`` (a dict kept between calls), files whose size and time
    stamp did not change are not read again.
    """
    return load_starting(root, cache)[0]


def load_starting(root: Path, cache: dict | None = None,
                  after_bib: Callable[[dict[str, BibEntry]], Any] | None = None) -> tuple[Loaded, Steps | None]:
    """``load``, and ``after_bib(loaded.bib)`` started on the core that parses the .bib files as soon as it has
    parsed them (the build formats the references there while the notes are read and linked). The second
    value gives that call's result (``result()``, or ``cancel()``); it is None when the .bib files were not
    parsed on another core: then nothing was started."""
    bib_files, stale_bib, parsing, follows = _start_parsing_bib(root, cache, after_bib)
    diagnostics: list[Diagnostic] = []
    content = root / "content"
    collected: dict[str, dict] = {"actor": {}, "scenario": {}, "claim": {}, "source": {}, "page": {}}
    seen: dict[str, str] = {}
    renamed: set[str] = set()
    files: list[str] = []
    if not content.is_dir():
        diagnostics.append(error(Loc("content"), "book.no-content", "there is no content/ folder",
                                 "run the command from the book's root, or pass --root"))
    no_bibliography = not (root / "bibliography").is_dir()
    if no_bibliography:
        diagnostics.append(error(Loc("bibliography"), "book.no-bibliography", "there is no bibliography/ folder",
                                 "create it beside content/, with the .bib files and archive/ of the book"
                                 if content.is_dir() else "run the command from the book's root, or pass --root"))
    folders_unread: list[str] = []
    candidates = _note_files(content, diagnostics, folders_unread) if content.is_dir() else []
    for path, rel, kind in candidates:
        files.append(rel)
        stem = path.stem
        record, problems = _cached(cache, path, rel, lambda found, p=path, k=kind, r=rel, s=stem:
                                   _read_note(p, k, s, r, found))
        diagnostics.extend(problems)
        if record is _INVALID_ID:
            renamed.add(suggested_id(stem))  # references to the id it was meant to have wait for the rename
            continue
        if record is None:
            # keep the id reserved so references to a broken note do not pile up errors
            seen.setdefault(stem, rel)
            continue
        if stem in seen:
            diagnostics.append(error(Loc(rel), "id.duplicate", f"duplicate id '{stem}' (also {seen[stem]})",
                                     "ids are file stems and must be unique across the book: rename one"))
            continue
        seen[stem] = rel
        collected[kind][stem] = record

    _taken_names(diagnostics, seen)
    parsed = dict(zip(stale_bib, parsing.next())) if parsing is not None else {}
    per_file: list[BibFile] = []
    for path, rel in bib_files:
        files.append(rel)
        if rel in parsed:
            bib_file, problems = _cached(cache, path, rel, lambda found, r=rel: _take(parsed[r], found),
                                         stale_bib[rel])
        else:
            bib_file, problems = _cached(cache, path, rel, lambda found, p=path, r=rel: read_bib_file(p, r, found))
        diagnostics.extend(problems)
        per_file.append(bib_file)
    bib = _merge_bib([bib_file.entries for bib_file in per_file], diagnostics)
    unread = tuple(rel for (_, rel), bib_file in zip(bib_files, per_file) if not bib_file.complete)
    if no_bibliography:
        unread = NO_BIBLIOGRAPHY
    archives = _load_archives(root, collected["source"], diagnostics, cache, no_bibliography)
    files.extend(sorted(archives))
    loaded = Loaded(collected["actor"], collected["scenario"], collected["claim"], collected["source"],
                    collected["page"], bib, archives, tuple(diagnostics), tuple(files),
                    frozenset(stem for stem in seen.keys() | renamed
                              if not any(stem in group for group in collected.values())),
                    frozenset().union(*(bib_file.broken for bib_file in per_file)) - bib.keys(), unread,
                    tuple(folders_unread))
    if parsing is not None and not follows:
        parsing.cancel()  # its one value was taken: the child is done
    return loaded, parsing if follows else None
