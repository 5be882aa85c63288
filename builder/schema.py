"""Front-matter schemas as data, and one small function that checks a note against one."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .diagnostics import Diagnostic, Loc, did_you_mean, error
from .frontmatter import QUOTE_INDICATOR_HINT, YEntry, YValue

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_PATTERN = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")

ACTOR_KINDS = ("state", "territory", "region", "government body", "military", "alliance or bloc",
               "international organisation", "political party", "think tank", "media outlet",
               "person", "other")
RELATION_TYPES = ("treaty", "alliance", "partnership", "rivalry", "authorship", "membership",
                  "leadership", "kinship", "employment", "reporting")
DIRECTION_WORDS = {
    "membership": "member of", "leadership": "leads", "employment": "works for",
    "reporting": "reports on", "authorship": "wrote for",
}
"""The directed relation types, and how each reads from the actor whose note states it to the other."""
INVERSE_WORDS = {
    "membership": "has member", "leadership": "led by", "employment": "employs",
    "reporting": "reported on by", "authorship": "published work by",
}
"""How a directed relation reads from the other actor back to the one whose note states it."""
STANCES = ("supports", "contradicts", "qualifies")
SOURCE_KINDS = ("news", "opinion", "analysis", "report")
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY = {"1": "confirmed by other sources", "2": "probably true", "3": "possibly true",
               "4": "doubtful", "5": "improbable", "6": "truth cannot be judged"}
ADMIRALTY_GRADE = re.compile(r"^([A-Fa-f])[ -]?([1-6])$")
"""Both parts of an Admiralty grade written together ('B2'), as they are quoted."""
LIKELIHOOD = ("almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
              "very likely", "almost certain")
CONFIDENCE = ("low", "moderate", "high")


def relation_key(stating: str, other: str, relation: str) -> tuple[str, str, str]:
    """What makes two statements of a relation the same relation: a directed one (leadership …) reads from the
    actor whose note states it to the other, a symmetric one (alliance …) is the same from either side."""
    if relation in DIRECTION_WORDS:
        return stating, other, relation
    first, second = sorted((stating, other))
    return first, second, relation


def merged_relations(actors: list) -> dict[tuple[str, str, str],
                                           tuple[str, str, dict[tuple[str, str], None], list[tuple[str, int]]]]:
    """Each relation stated between two different actors of ``actors`` (their notes, in the order to read them),
    once (``relation_key``): the actor whose note states it first, the other actor, the (source, locator) of
    each statement, each once, in the order read, and (actor id, position in its relations) of each statement
    with a note."""
    ids = {actor.id for actor in actors}
    merged: dict[tuple[str, str, str], tuple[str, str, dict[tuple[str, str], None], list[tuple[str, int]]]] = {}
    for actor in actors:
        for position, r in enumerate(actor.relations):
            if r.actor in ids and r.actor != actor.id:
                _stating, _other, citations, notes = merged.setdefault(relation_key(actor.id, r.actor, r.relation),
                                                                        (actor.id, r.actor, {}, []))
                citations[(r.source, r.locator)] = None
                if r.note:
                    notes.append((actor.id, position))
    return merged


@dataclass(frozen=True)
class Field:
    """One front-matter field."""

    name: str
    """The key as written in YAML."""
    type: str
    """text, choice, int, ref, refs, texts or records."""
    required: bool
    """Whether the note is invalid without it."""
    doc: str
    """One line for templates and error hints."""
    choices: tuple[str, ...] = ()
    """Allowed values of a ``choice`` field."""
    ref: str = ""
    """For ``ref``/``refs``: what the ids name (actor, scenario, claim, source, bib)."""
    items: tuple["Field", ...] = ()
    """For ``records``: the fields of each item."""
    example: Any = None
    """A value for the ``new`` command's template."""
    placeholder: bool = False
    """Whether ``example`` only stands in for the value ('Name', 'Why.'): left as it is, it is an error."""
    at_least_one: bool = False
    """For lists: the note is invalid when the list is empty (``actors: []``)."""
    unique_by: tuple[str, ...] = ()
    """For ``records``: the fields that together make an item; two items alike in all of them are one item twice."""
    duplicate_code: str = "field.duplicate"
    """For lists: the code of the error at an item listed twice."""


RELATION_FIELDS = (
    Field("actor", "ref", True, "id of the other actor", ref="actor", example="other-actor"),
    Field("relation", "choice", True, "kind of relation", choices=RELATION_TYPES, example="alliance"),
    Field("source", "ref", True, "bibliography key of the source that states it", ref="bib",
          example="some-bib-key"),
    Field("locator", "text", False, "where in the source, e.g. 'para. 4'", example="para. 1"),
    Field("note", "text", False, "one-line description, may cite", example=""),
)

EVIDENCE_FIELDS = (
    Field("source", "ref", True, "bibliography key of a source that has a source note", ref="source",
          example="some-bib-key"),
    Field("stance", "choice", True, "how the passage bears on the claim", choices=STANCES,
          example="supports"),
    Field("quote", "text", True, "verbatim passage from the archived text", example="…", placeholder=True),
    Field("locator", "text", True, "paragraph of the archived text: 'para. N'", example="para. 1"),
    Field("note", "text", False, "one-line paraphrase", example=""),
    Field("via", "refs", False, "what the passage passes on: keys from the source's relays, or the source's "
          "own key for its own words (default: everything the source relays)", ref="bib", example=[]),
)

ACTOR = (
    Field("name", "text", True, "display name", example="Name", placeholder=True),
    Field("kind", "choice", True, "what sort of actor", choices=ACTOR_KINDS, example="state"),
    Field("aliases", "texts", False, "every other name the sources use", example=[]),
    Field("tags", "texts", False, "free tags", example=[]),
    Field("affiliation", "ref", False, "id of the actor this one belongs to", ref="actor", example=""),
    Field("relations", "records", False, "typed relations stated by a source", items=RELATION_FIELDS,
          example=[]),
)

SCENARIO = (
    Field("title", "text", True, "the contingency in one line", example="Title", placeholder=True),
    Field("actors", "refs", True, "ids of the actors involved", ref="actor", example=[], at_least_one=True),
    Field("triggers", "texts", True, "what would set it off, cited", example=[]),
    Field("indicators", "texts", True, "what to watch for, cited", example=[]),
    Field("claims", "refs", True, "ids of the claims that bear on it", ref="claim", example=[]),
    Field("likelihood", "choice", False, "ICD 203 word, only where a source gives one",
          choices=LIKELIHOOD, example=""),
    Field("likelihood_source", "ref", False, "bibliography key of the source giving the likelihood",
          ref="bib", example=""),
    Field("confidence", "choice", False, "confidence in the judgment", choices=CONFIDENCE, example=""),
    Field("tags", "texts", False, "free tags", example=[]),
)

CLAIM = (
    Field("statement", "text", True, "the claim in one sentence", example="Statement.", placeholder=True),
    Field("actors", "refs", True, "ids of the actors the claim involves", ref="actor", example=[],
          at_least_one=True),
    Field("tags", "texts", False, "free tags", example=[]),
    Field("evidence", "records", True, "passages that support, contradict or qualify the claim",
          items=EVIDENCE_FIELDS, example=[], unique_by=("source", "locator", "quote"),
          duplicate_code="evidence.duplicate"),
)

SOURCE = (
    Field("kind", "choice", True, "what sort of text", choices=SOURCE_KINDS, example="news"),
    Field("reliability", "choice", True, "Admiralty reliability of the source",
          choices=tuple(RELIABILITY), example="F"),
    Field("credibility", "choice", True, "Admiralty credibility of the information",
          choices=tuple(CREDIBILITY), example="6"),
    Field("rationale", "text", True, "one line on why this grade", example="Why.", placeholder=True),
    Field("archive", "text", True, "path of the archived text under bibliography/archive/",
          example="bibliography/archive/KEY.txt"),
    Field("gaps", "texts", False, "what the source does not give", example=[]),
    Field("relays", "refs", False, "bibliography keys of the reports it passes on", ref="bib",
          example=[]),
    Field("tags", "texts", False, "free tags", example=[]),
)

BODIES = {
    "actor": "What the sources say about {id}: every sentence of fact cited, e.g. [@some-bib-key, para. 1].\n"
             "Link related notes with [[other-id]].",
    "scenario": "The contingency in a few sentences, every sentence of fact cited [@some-bib-key, para. 1].",
    "claim": "Optional: context for the claim, cited [@some-bib-key, para. 1].",
    "source": "What the source is and how to read it [@{id}].",
}
"""The body the ``new`` command's template writes for each kind of note, for the user to replace."""

PAGE = (
    Field("title", "text", True, "page title", example="Title"),
    Field("order", "int", False, "position in the Overview chapter", example=10),
)

TYPE_NAMES = {"ref": "an id", "refs": "a list of ids", "text": "text", "texts": "a list of text",
              "int": "a whole number", "choice": "one of the allowed values",
              "records": "a list of mappings"}


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass
class Checked:
    """Values of one mapping after checking, with their places."""

    values: dict[str, Any]
    locs: dict[str, Loc]


def check_mapping(node: YValue, fields: tuple[Field, ...], what: str,
                  diagnostics: list[Diagnostic], prefix: str = "") -> Checked:
    """Check a YAML mapping against ``fields``; return the values found (defaults filled in)."""
    result = Checked({}, {})
    if not isinstance(node.value, dict):
        diagnostics.append(error(node.loc, "field.type", f"{what} must be a mapping of 'name: value' lines, "
                                 f"not {describe(node.value)}", "see docs/notes-format.md"))
        node = YValue({}, node.loc)
    entries: dict[str, YEntry] = node.value
    known = {f.name: f for f in fields}
    for key, entry in entries.items():
        if key not in known:
            hint = did_you_mean(key, known) or f"allowed fields: {', '.join(known)}"
            if key == "id" and not prefix:  # a note's own id
                stem = PurePosixPath(node.loc.path).stem
                hint = f"a note's id is its file name ('{stem}'): remove this field" + \
                    ("" if entry.value.value == stem else ", and to change the id, rename the file")
            diagnostics.append(error(entry.key_loc, "field.unknown", f"unknown field '{key}' in {what}", hint))
    for spec in fields:
        path = f"{prefix}{spec.name}"
        entry = entries.get(spec.name)
        if entry is None or (entry.value.value is None and not spec.required):
            if spec.required:
                diagnostics.append(error(node.loc, "field.missing", f"missing required field '{spec.name}' in {what}",
                                         f"add '{spec.name}:' ({spec.doc})"))
            result.values[spec.name] = _default(spec)
            result.locs[path] = entry.key_loc if entry else node.loc
            continue
        result.locs[path] = entry.value.loc
        if entry.value.text_loc is not None:
            result.locs[f"{path}.text"] = entry.value.text_loc
        result.values[spec.name] = _check_value(spec, entry.value, what, path, result.locs, diagnostics)
    return result


def _default(spec: Field) -> Any:
    if spec.type in ("refs", "texts", "records"):
        return ()
    if spec.type == "int":
        return 0
    return ""


def _bare_scalar_reading(value: Any) -> str:
    """How YAML read an unquoted value that was meant as text ('name: yes', 'name: 1945'), or '' for other values."""
    if isinstance(value, bool):
        return "a bare yes, no, on, off, true or false as true/false"
    if isinstance(value, int | float):
        return "a bare number as a number"
    if isinstance(value, datetime.date):
        return "a bare date as a date"
    return ""


def _check_value(spec: Field, node: YValue, what: str, path: str, locs: dict[str, Loc],
                 diagnostics: list[Diagnostic]) -> Any:
    value = node.value
    if spec.type in ("text", "ref", "choice"):
        if spec.type == "choice" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # credibility: 3 is the choice '3'; 3.5 is reported as a value not allowed
        if not isinstance(value, str):
            bare = _bare_scalar_reading(value)
            if spec.type == "choice":
                hint = f"allowed: {', '.join(spec.choices)}"
            elif spec.name == "locator" and isinstance(value, int) and not isinstance(value, bool):
                hint = f"write the paragraph as 'locator: para. {value}'"
            elif bare:
                hint = f"write it in quotes, as text ({spec.doc}): YAML reads {bare}"
            else:
                hint = f"write it as text ({spec.doc})"
                if spec.type == "text" and node.flow:
                    hint += f"; {QUOTE_INDICATOR_HINT}"
            diagnostics.append(error(node.loc, "field.type", f"'{spec.name}' must be {TYPE_NAMES[spec.type]}, "
                                     f"not {describe(value)}", hint))
            return _default(spec)
        if spec.type == "choice" and value not in spec.choices:
            same_letters = [choice for choice in spec.choices if choice.lower() == value.strip().lower()]
            hint = (f"did you mean '{same_letters[0]}'?" if same_letters else did_you_mean(value, spec.choices)
                    or f"allowed: {', '.join(spec.choices)}")
            grade = ADMIRALTY_GRADE.match(value.strip())
            if spec.name in ("reliability", "credibility") and grade:
                hint = (f"the two parts of the Admiralty grade are separate fields: write "
                        f"'reliability: {grade[1].upper()}' and 'credibility: {grade[2]}'")
            diagnostics.append(error(node.loc, "field.enum", f"'{value}' is not an allowed value of "
                                     f"'{spec.name}'", hint))
            return _default(spec)
        if spec.required and not value.strip():
            diagnostics.append(error(node.loc, "field.empty", f"'{spec.name}' is empty", spec.doc))
        if is_placeholder(spec, value):
            diagnostics.append(placeholder_left(node.loc, value.strip(), f"the {spec.name} ({spec.doc})"))
        return value.strip() if spec.type != "text" else value
    if spec.type == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            diagnostics.append(error(node.loc, "field.type", f"'{spec.name}' must be a whole number, "
                                     f"not {describe(value)}", spec.doc))
            return 0
        return value
    if not isinstance(value, list):
        scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
        hint = f"write a list: '{spec.name}: [{value}]'" if scalar else f"write a list ({spec.doc})"
        diagnostics.append(error(node.loc, "field.type", f"'{spec.name}' must be {TYPE_NAMES[spec.type]}, "
                                 f"not {describe(value)}", hint))
        return ()
    items = []
    first_at: dict = {}
    for index, item in enumerate(value):
        item_path = f"{path}.{index}"
        locs[item_path] = item.loc
        if item.text_loc is not None:
            locs[f"{item_path}.text"] = item.text_loc
        if spec.type == "records":
            checked = check_mapping(item, spec.items, f"'{spec.name}' item {index + 1}", diagnostics,
                                    prefix=f"{item_path}.")
            locs.update(checked.locs)
            items.append(checked.values)
            if spec.unique_by:
                _check_same_item(spec, index, checked.values, item.loc, first_at, diagnostics)
            continue
        item_value = item.value
        if isinstance(item_value, int | float) and not isinstance(item_value, bool):
            item_value = str(item_value)
        if not isinstance(item_value, str) or not item_value.strip():
            hint = f"{spec.doc}; {QUOTE_INDICATOR_HINT}" if spec.type == "texts" and item.flow else spec.doc
            diagnostics.append(error(item.loc, "field.type", f"item {index + 1} of '{spec.name}' must be "
                                     f"non-empty text, not {describe(item.value)}", hint))
            continue
        if spec.type == "refs":
            _check_repeated(spec, item_value.strip(), item.loc, first_at, diagnostics)
        items.append(item_value.strip() if spec.type == "refs" else item_value)
    if spec.required and (spec.type == "records" or spec.at_least_one) and not value:
        hint = f"write '{spec.name}: [id, …]' ({spec.doc})" if spec.type == "refs" else spec.doc
        diagnostics.append(error(node.loc, "field.empty", f"'{spec.name}' needs at least one item", hint))
    return tuple(items)


def _check_repeated(spec: Field, item_id: str, loc: Loc, first_at: dict[str, Loc],
                    diagnostics: list[Diagnostic]) -> None:
    """An error when the list of ids ``spec`` already holds ``item_id`` (``first_at``: each id's first place)."""
    first = first_at.setdefault(item_id, loc)
    if first != loc:
        where = f"line {first.line}" + (f", column {first.col}" if first.line == loc.line else "")
        diagnostics.append(error(loc, spec.duplicate_code, f"'{item_id}' is listed twice in '{spec.name}' (first at "
                                 f"{where})", "remove one"))


def _check_same_item(spec: Field, index: int, values: dict[str, Any], loc: Loc, first_at: dict,
                     diagnostics: list[Diagnostic]) -> None:
    """An error when item ``index`` of the list of mappings ``spec`` has the same ``unique_by`` fields (whitespace
    aside) as an earlier one (``first_at``: each earlier item's number and place, by those fields)."""
    same = tuple(" ".join(str(values[name]).split()) for name in spec.unique_by)
    if not all(same):
        return  # a missing or empty field is reported as such
    first = first_at.setdefault(same, (index, loc))
    if first[0] != index:
        *names, last = spec.unique_by
        diagnostics.append(error(loc, spec.duplicate_code, f"'{spec.name}' item {index + 1} repeats item "
                                 f"{first[0] + 1} (line {first[1].line}): the same {', '.join(names)} and {last}",
                                 "remove one, or merge them into one item"))


def is_placeholder(spec: Field, value: Any) -> bool:
    """Whether ``value`` is the stand-in the ``new`` command's template writes for ``spec``."""
    return spec.placeholder and isinstance(value, str) and value.strip() == spec.example


def placeholder_left(loc: Loc, text: str, wanted: str) -> Diagnostic:
    return error(loc, "note.placeholder", f"'{text}' is the placeholder written by `new`", f"replace it with {wanted}")


def body_placeholders(kind: str, note_id: str, body: str, rel: str, first_line: int) -> list[Diagnostic]:
    """An error at each line of ``body`` that starts with the words of a line of the template's body for ``kind``
    (those before its first citation or cross-reference, which the user may have changed)."""
    template = BODIES.get(kind, "").format(id=note_id)
    starts = [words for words in (line.split("[", 1)[0].strip() for line in template.splitlines()) if words]
    found = []
    for number, line in enumerate(body.split("\n")):
        words = next((words for words in starts if line.strip().startswith(words)), "")
        if words:
            loc = Loc(rel, first_line + number, len(line) - len(line.lstrip()) + 1)
            found.append(placeholder_left(loc, words, "the note's own text, or delete it"))
    return found
