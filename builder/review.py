"""``python -m builder review --base REV``: what a change does to the book, for its reviewer.

The base revision's content/ and bibliography/ are taken out of git into a
temporary folder (``git archive``); both books are loaded and linked, and the
report (Markdown, on stdout) lists:

* notes added, changed, renamed (a removed and an added note of one kind, mostly alike) and removed;
* claims added, changed, renamed and removed, with their evidence balance before → after, and for the
  claims kept each evidence item removed, added or changed (stance, quote, locator, via, note);
* sources added, removed, regraded or otherwise changed (note fields, archived text), with their grade;
* claims that now rest on a single source;
* paragraphs of body prose without a citation that the change writes;
* notes nothing links to;
* the check's problems: those the change brings, those the base had already (folded), and how many it fixes.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from . import schema
from .diagnostics import Diagnostic, sorted_diagnostics
from .link import Balance, Book, link
from .load import load
from .records import Body, Claim, Evidence, Source
from .syntax import parser

BOOK_DIRS = ("content", "bibliography")
MIN_WORDS = 5
"""A paragraph with fewer words outside citations and cross-references is not a sentence of fact."""


class ReviewError(Exception):
    """The base revision could not be read."""


def _git(root: Path, *args: str, text: bool = True):
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=text)
    if result.returncode != 0:
        message = result.stderr if text else result.stderr.decode("utf-8", "replace")
        raise ReviewError(f"git {' '.join(args[:2])} failed: {message.strip()}")
    return result.stdout


def _resolve(root: Path, rev: str) -> str | None:
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def extract_base(root: Path, base: str, target: Path) -> str:
    """Write the base revision's content/ and bibliography/ (those under ``root``) into ``target``; return
    the base commit."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    commit = _resolve(root, base)
    if commit is None:
        remotes = [line.strip() for line in _git(root, "remote").splitlines() if line.strip()]
        remote_refs = [f"{remote}/{base}" for remote in remotes if _resolve(root, f"{remote}/{base}")]
        if remote_refs:
            raise ReviewError(f"no commit '{base}' in this repository, but there is the remote branch "
                              f"'{remote_refs[0]}': use --base {remote_refs[0]}")
        raise ReviewError(f"no commit '{base}' in this repository (fetch it first, e.g. "
                          "'git fetch origin main')")
    present = [f"{prefix}{name}" for name in BOOK_DIRS
               if _git(top, "ls-tree", "--name-only", commit, "--", f"{prefix}{name}").strip()]
    target.mkdir(parents=True, exist_ok=True)
    if not present:
        return commit
    data = _git(top, "archive", "--format=tar", commit, "--", *present, text=False)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    if prefix:
        for name in BOOK_DIRS:
            source = target / prefix / name
            if source.exists():
                source.rename(target / name)
    return commit


IGNORED_FIELDS = ("loc", "field_locs", "id", "claim", "index")
"""Fields that say where a note or an item is, not what it says (so moved lines and renames are not changes)."""
RENAME_SIMILARITY = 0.5
"""A removed and an added note of the same kind this alike (0–1, as git's default) are one note renamed."""
QUOTE_WORDS = 25
"""Quotes in the evidence changes are cut after this many words."""
COLLAPSE_OVER = 10
"""A list longer than this is folded (``<details>``) in the pull request's comment."""
CUT_NOTE_ROOM = 1_000
"""Characters kept free for the note that says which sections were left out."""
MIN_MAX_CHARS = 2_000
"""The least ``--max-chars`` that leaves room for the summary and that note."""


def _signature(value):
    """A note's content without its places in the file and its id (so moved lines are not changes)."""
    if isinstance(value, Body):
        return value.text
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple((f.name, _signature(getattr(value, f.name))) for f in dataclasses.fields(value)
                     if f.name not in IGNORED_FIELDS)
    if isinstance(value, (list, tuple)):
        return tuple(_signature(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _signature(v)) for k, v in value.items()))
    return value


def _leaves(value, field: str = "") -> list:
    """A note's content as a flat list of what it says: (field, value) for each value, a text line by line;
    empty values left out, so that two notes are not alike for what neither says."""
    if isinstance(value, Body):
        value = value.text
    if isinstance(value, str):
        return [(field, line) for line in value.split("\n") if line.strip()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [leaf for f in dataclasses.fields(value) if f.name not in IGNORED_FIELDS
                for leaf in _leaves(getattr(value, f.name), f.name)]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item, field)]
    if isinstance(value, dict):
        return [leaf for key, item in sorted(value.items()) for leaf in _leaves(item, f"{field}.{key}")]
    return [] if value is None else [(field, value)]


def renames(base: Book, head: Book, added: list[str], removed: list[str]) -> dict[str, str]:
    """{new id: old id} for each removed note that an added note of the same kind is at least
    RENAME_SIMILARITY alike (best pairs first), compared field by field and line by line as git compares files
    line by line: a move of many notes at once stays quick."""
    old_leaves = {old: _leaves(base.notes[old]) for old in removed}
    found: dict[str, str] = {}
    unchanged: dict[tuple, list[str]] = {}  # a note moved as it was (git mv): found at once
    for old in removed:
        unchanged.setdefault((type(base.notes[old]), *old_leaves[old]), []).append(old)
    for new in added:
        same = unchanged.get((type(head.notes[new]), *_leaves(head.notes[new])))
        if same:
            found[new] = same.pop(0)
    moved = set(found.values())
    left = [old for old in removed if old not in moved]
    pairs = []
    for new in (new for new in added if new not in found):
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(_leaves(head.notes[new]))  # what it learns of the new note is kept
        for old in left:
            if type(head.notes[new]) is not type(base.notes[old]):
                continue
            matcher.set_seq1(old_leaves[old])
            if (matcher.real_quick_ratio() >= RENAME_SIMILARITY and matcher.quick_ratio() >= RENAME_SIMILARITY
                    and (ratio := matcher.ratio()) >= RENAME_SIMILARITY):
                pairs.append((-ratio, old, new))
    for _, old, new in sorted(pairs):
        if new not in found and old not in moved:
            found[new] = old
            moved.add(old)
    return found


def balance_text(balance: Balance | None) -> str:
    if balance is None:
        return "—"
    origins = "1 origin" if balance.supporting_origins == 1 else f"{balance.supporting_origins} origins"
    return f"▲{balance.supports} ▼{balance.contradicts} ◆{balance.qualifies}, support from {origins}"


def grade_text(source: Source) -> str:
    return (f"**{source.reliability}{source.credibility}** ({schema.RELIABILITY.get(source.reliability, '?')}; "
            f"{schema.CREDIBILITY.get(source.credibility, '?')})")


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").replace("<", "&lt;").split())


def _short(text: str, words: int = QUOTE_WORDS) -> str:
    parts = text.split()
    return _cell(" ".join(parts[:words]) + (" …" if len(parts) > words else ""))


def _uncited(body: Body) -> list[tuple[int, str, str]]:
    """(file line, first words, whole text) of each paragraph of body prose that cites nothing."""
    found = []
    tokens = parser().parse(body.text)
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or token.map is None:
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if any(child.type == "citation" for child in children):
            continue
        prose = " ".join(child.content for child in children if child.type == "text")
        if len(re.findall(r"[^\W\d_]{2,}", prose)) < MIN_WORDS:
            continue
        words = inline.content.split()
        excerpt = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
        found.append((body.loc.line + token.map[0], excerpt, " ".join(words)))
    return found


def uncited_paragraphs(body: Body) -> list[tuple[int, str]]:
    """(file line, first words) of each paragraph of body prose that cites nothing."""
    return [(line, excerpt) for line, excerpt, _ in _uncited(body)]


def _evidence_item(item: Evidence) -> str:
    return f"`{item.source}`, {item.locator} — “{_short(item.quote)}”"


def evidence_changes(before: Claim, after: Claim) -> list[str]:
    """What happened to a claim's evidence items: removed, added, or changed (stance, quote, locator …)."""
    old, new = list(before.evidence), list(after.evidence)
    for item in list(old):  # unchanged items, wherever they moved
        match = next((n for n in new if _signature(n) == _signature(item)), None)
        if match is not None:
            old.remove(item)
            new.remove(match)
    lines = []
    for same in (lambda a, b: (a.source, a.quote) == (b.source, b.quote),
                 lambda a, b: (a.source, a.locator) == (b.source, b.locator)):
        for item in list(old):
            match = next((n for n in new if same(item, n)), None)
            if match is None:
                continue
            old.remove(item)
            new.remove(match)
            what = []
            if item.stance != match.stance:
                what.append(f"stance {item.stance} → **{match.stance}**")
            stance = "" if item.stance != match.stance else f"{match.stance}, "
            if item.quote != match.quote:
                what.append(f"quote was “{_short(item.quote)}”")
            if item.locator != match.locator:
                what.append(f"locator was {item.locator}")
            if item.via != match.via:
                what.append(f"via {', '.join(item.via) or '—'} → {', '.join(match.via) or '—'}")
            if item.note != match.note:
                what.append("note reworded")
            lines.append(f"changed ({'; '.join(what)}): {stance}{_evidence_item(match)}")
    lines += [f"**removed**: {item.stance}, {_evidence_item(item)}" for item in old]
    lines += [f"added: {item.stance}, {_evidence_item(item)}" for item in new]
    return lines


def _problem_key(d: Diagnostic) -> tuple:
    return (d.loc.path, d.severity, d.code, d.message)


def _folded(lines: list[str], summary: str) -> list[str]:
    """``lines`` as they are, or folded under ``summary`` when there are more than COLLAPSE_OVER."""
    if len(lines) <= COLLAPSE_OVER:
        return lines
    return [f"<details><summary>{summary}</summary>", "", *lines, "", "</details>"]


def _source_changes(base: Book, head: Book, key: str) -> list[str]:
    """What changed in a source kept by the change: its grade, note fields, archived text."""
    old, new = base.sources[key], head.sources[key]
    what = []
    if (old.reliability, old.credibility) != (new.reliability, new.credibility):
        what.append(f"regraded from {old.reliability}{old.credibility}")
    fields = [f.name for f in dataclasses.fields(new) if f.name not in IGNORED_FIELDS + ("reliability", "credibility")
              and _signature(getattr(old, f.name)) != _signature(getattr(new, f.name))]
    if fields:
        what.append("changed " + ", ".join("body" if name == "body" else f"`{name}`" for name in fields))
    old_text, new_text = base.loaded.archives.get(old.archive), head.loaded.archives.get(new.archive)
    if old_text is not None and new_text is not None and old_text.paragraphs != new_text.paragraphs:
        what.append("archived text changed")
    return what


def report(base: Book, head: Book, base_name: str, commit: str = "") -> str:
    shown = f"`{base_name}`"
    if commit and not commit.startswith(base_name):
        shown += f" (`{commit[:7]}`)"
    elif commit:
        shown = f"`{commit[:7]}`"
    out: list[str] = [f"## Book review: this change against {shown}", ""]
    b_notes, h_notes = base.notes, head.notes
    added = sorted(set(h_notes) - set(b_notes))
    removed = sorted(set(b_notes) - set(h_notes))
    renamed = renames(base, head, added, removed)  # new id: old id
    added = [i for i in added if i not in renamed]
    removed = [i for i in removed if i not in renamed.values()]
    old_id = {i: renamed.get(i, i) for i in h_notes}
    changed = sorted(i for i in set(h_notes) & set(b_notes)
                     if type(h_notes[i]) is not type(b_notes[i]) or _signature(h_notes[i]) != _signature(b_notes[i]))
    touched = set(changed) | {new for new, old in renamed.items() if _signature(h_notes[new]) != _signature(b_notes[old])}
    errors = [d for d in head.diagnostics if d.severity == "error"]
    warnings = [d for d in head.diagnostics if d.severity != "error"]
    out.append(f"{len(added)} note(s) added, {len(changed)} changed, {len(renamed)} renamed, {len(removed)} removed · "
               f"check: {len(errors)} error(s), {len(warnings)} warning(s)")
    out.append("")
    for label, ids in (("Added", added), ("Changed", changed), ("Removed", removed)):
        if ids:
            out.append(f"- {label}: " + ", ".join(f"`{i}`" for i in ids))
    if renamed:
        out.append("- Renamed: " + ", ".join(
            f"`{old}` → `{new}`" + (" (and changed)" if new in touched else "")
            for new, old in sorted(renamed.items(), key=lambda pair: pair[1])))
    out.append("")

    # claims
    claim_rows, evidence_lines = [], []
    for claim_id in sorted(set(head.claims) | (set(base.claims) - set(renamed.values()))):
        was = old_id.get(claim_id, claim_id)
        before, after = base.balances.get(was), head.balances.get(claim_id)
        if claim_id in added or claim_id in removed:
            status = "added" if claim_id in added else "removed"
        elif claim_id in renamed:
            status = f"renamed from `{was}`"
        elif claim_id in changed or before != after:
            status = "changed"
        else:
            continue
        claim = head.claims.get(claim_id) or base.claims[claim_id]
        claim_rows.append(f"| {status} | `{claim_id}` | {_cell(claim.statement)} | {balance_text(before)} | "
                          f"{balance_text(after)} |")
        if claim_id in head.claims and was in base.claims:
            changes = evidence_changes(base.claims[was], head.claims[claim_id])
            if changes:
                evidence_lines.append(f"- `{claim_id}`")
                evidence_lines += [f"  - {line}" for line in changes]
    out += ["### Claims", ""]
    if claim_rows:
        out += ["| | claim | statement | before | after |", "|---|---|---|---|---|", *claim_rows]
    else:
        out.append("No claim is added, changed or removed.")
    out.append("")
    if evidence_lines:
        out += ["Evidence changed in the claims kept:", "", *evidence_lines, ""]

    # sources
    source_rows = []
    for key in sorted(head.sources):
        source = head.sources[key]
        if key not in base.sources:
            source_rows.append(f"| added | `{key}` | {source.kind} | {grade_text(source)} | {_cell(source.rationale)} |")
        elif what := _source_changes(base, head, key):
            source_rows.append(f"| {'; '.join(what)} | `{key}` | {source.kind} | {grade_text(source)} | "
                               f"{_cell(source.rationale)} |")
    for key in sorted(set(base.sources) - set(head.sources)):
        source_rows.append(f"| removed | `{key}` | {base.sources[key].kind} | {grade_text(base.sources[key])} | |")
    out += ["### Sources", ""]
    if source_rows:
        out += ["| | source | kind | grade | rationale |", "|---|---|---|---|---|", *source_rows]
    else:
        out.append("No source is added, changed or removed.")
    out.append("")

    # single source
    single = [claim_id for claim_id, balance in sorted(head.balances.items()) if balance.single_source and
              not (old_id.get(claim_id, claim_id) in base.balances
                   and base.balances[old_id.get(claim_id, claim_id)].single_source)]
    out += ["### Claims now resting on a single source", ""]
    out += [f"- `{c}` — {_cell(head.claims[c].statement)} ({balance_text(head.balances[c])})" for c in single] \
        or ["None."]
    out.append("")

    # uncited prose: only paragraphs the change writes (those the base had uncited already are not news)
    uncited = []
    for note_id in sorted(set(added) | touched):
        note = h_notes[note_id]
        before = b_notes.get(old_id.get(note_id, note_id))
        known = {text for _, _, text in _uncited(before.body)} if before is not None else set()
        for line, excerpt, text in _uncited(note.body):
            if text not in known:
                uncited.append(f"- {note.body.loc.path}:{line} — “{_cell(excerpt)}”")
    out += ["### Prose without a citation that this change writes", ""]
    out += _folded(uncited, f"{len(uncited)} paragraphs") or ["None: every paragraph it writes cites a source."]
    out.append("")

    # orphans
    orphans = [n for n in sorted(h_notes) if n != "index" and not head.backlinks.get(n)]
    out += ["### Notes nothing links to", ""]
    out += _folded([f"- `{n}` ({h_notes[n].loc.path}){' — **new**' if n in added else ''}" for n in orphans],
                   f"{len(orphans)} notes") or ["None."]
    out.append("")

    # problems: the ones the change brings, then the ones the base had already, then the ones it fixes
    renamed_paths = {b_notes[old].loc.path: h_notes[new].loc.path for new, old in renamed.items()}
    known = {(renamed_paths.get(d.loc.path, d.loc.path), *_problem_key(d)[1:]) for d in base.diagnostics}
    problems = sorted_diagnostics(head.diagnostics)
    fresh = [d for d in problems if _problem_key(d) not in known]
    kept = [d for d in problems if _problem_key(d) in known]
    now = {_problem_key(d) for d in head.diagnostics}
    fixed = sorted({k for k in known if k not in now})
    out += ["### Problems found by `check`", ""]
    if problems:
        out.append(f"{len(problems)} problem(s): {len(fresh)} new with this change, {len(kept)} the base had already.")
    else:
        out.append("None: the book passes the check.")
    if fixed:
        out.append(f"This change fixes {len(fixed)} problem(s) of the base.")
    out.append("")
    if fresh:
        out += ["New with this change:", "", "```text", *(d.format() for d in fresh), "```", ""]
    if kept:
        block = ["```text", *(d.format() for d in kept), "```"]
        out += [f"<details><summary>{len(kept)} problem(s) the base had already</summary>", "", *block, "",
                "</details>", ""]
    return "\n".join(out)


def fitted(text: str, max_chars: int | None) -> str:
    """The report, or its first sections that fit in ``max_chars`` with a note naming those left out (a pull
    request comment on GitHub holds at most 65,536 characters). Whole sections only, so no table or code block is
    cut in two."""
    if max_chars is None or len(text) <= max_chars:
        return text
    head, *sections = text.split("\n### ")
    kept, left_out = [head], []
    for section in sections:
        if left_out or len("\n### ".join([*kept, section])) + CUT_NOTE_ROOM > max_chars:
            left_out.append(section.split("\n", 1)[0])
        else:
            kept.append(section)
    note = (f"*The report is cut to fit {max_chars:,} characters: left out here: "
            + "; ".join(left_out) + ". Run `python -m builder review` for all of it.*")
    return "\n### ".join(kept).rstrip("\n") + "\n\n" + note + "\n"


def review(root: Path, base: str) -> str:
    """The review report of the working tree at ``root`` against revision ``base``."""
    with tempfile.TemporaryDirectory(prefix="book-review-") as tmp:
        commit = extract_base(root, base, Path(tmp))
        base_book = link(load(Path(tmp)))
    return report(base_book, link(load(root)), base, commit)


def cmd_review(args) -> int:
    if args.max_chars is not None and args.max_chars < MIN_MAX_CHARS:
        print(f"error: --max-chars {args.max_chars} is too small: give at least {MIN_MAX_CHARS:,}", file=sys.stderr)
        return 2
    try:
        text = review(Path(args.root), args.base)
    except (ReviewError, OSError) as exc:
        print(f"error: cannot read the base revision '{args.base}': {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(fitted(text, args.max_chars))
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    review_parser = sub.add_parser("review", help="report, in Markdown, what a change does to the book",
                                   description="Report, in Markdown, what the working tree changes against a "
                                   "revision: notes, evidence, grades and problems.")
    review_parser.add_argument("--base", required=True, help="the revision to compare with (e.g. origin/main)")
    review_parser.add_argument("--root", default=".", help="the book's folder (holds content/ and bibliography/)")
    review_parser.add_argument("--max-chars", type=int, metavar="N",
                               help="leave out whole sections from the end so that the report fits in N characters "
                                    "(a GitHub comment holds 65,536)")
    review_parser.set_defaults(func=cmd_review)
    return review_parser
