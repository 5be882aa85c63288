"""``python -m builder review --base REV``: what a change does to the book, for its reviewer.

The base revision's content/ and bibliography/ are taken out of git into a
temporary folder (``git archive``); both books are loaded and linked, and the
report (Markdown, on stdout) lists:

* claims added, changed and removed, with their evidence balance before → after;
* sources added (and grades changed), with their Admiralty grade;
* claims that now rest on a single source;
* paragraphs of body prose without a citation in the notes the change touches;
* notes nothing links to;
* the check's problems, the ones the change brings marked *new*.
"""

from __future__ import annotations

import argparse
import dataclasses
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
from .records import Body, Source
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


def extract_base(root: Path, base: str, target: Path) -> None:
    """Write the base revision's content/ and bibliography/ (those under ``root``) into ``target``."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").strip()
    except ReviewError:
        raise ReviewError(f"no commit '{base}' in this repository (fetch it first, e.g. "
                          "'git fetch origin main')") from None
    present = [f"{prefix}{name}" for name in BOOK_DIRS
               if _git(top, "ls-tree", "--name-only", commit, "--", f"{prefix}{name}").strip()]
    target.mkdir(parents=True, exist_ok=True)
    if not present:
        return
    data = _git(top, "archive", "--format=tar", commit, "--", *present, text=False)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    if prefix:
        for name in BOOK_DIRS:
            source = target / prefix / name
            if source.exists():
                source.rename(target / name)


def _signature(value):
    """A note's content without its places in the file (so moved lines are not changes)."""
    if isinstance(value, Body):
        return value.text
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple((f.name, _signature(getattr(value, f.name))) for f in dataclasses.fields(value)
                     if f.name not in ("loc", "field_locs"))
    if isinstance(value, (list, tuple)):
        return tuple(_signature(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _signature(v)) for k, v in value.items()))
    return value


def balance_text(balance: Balance | None) -> str:
    if balance is None:
        return "—"
    origins = "1 origin" if balance.origins == 1 else f"{balance.origins} origins"
    return f"▲{balance.supports} ▼{balance.contradicts} ◆{balance.qualifies}, {origins}"


def grade_text(source: Source) -> str:
    return (f"**{source.reliability}{source.credibility}** ({schema.RELIABILITY.get(source.reliability, '?')}; "
            f"{schema.CREDIBILITY.get(source.credibility, '?')})")


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").replace("<", "&lt;").split())


def uncited_paragraphs(body: Body) -> list[tuple[int, str]]:
    """(file line, first words) of each paragraph of body prose that cites nothing."""
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
        found.append((body.loc.line + token.map[0], excerpt))
    return found


def _problem_key(d: Diagnostic) -> tuple:
    return (d.loc.path, d.severity, d.code, d.message)


def report(base: Book, head: Book, base_name: str) -> str:
    out: list[str] = [f"## Book review: this change against `{base_name}`", ""]
    b_notes, h_notes = base.notes, head.notes
    added = sorted(set(h_notes) - set(b_notes))
    removed = sorted(set(b_notes) - set(h_notes))
    changed = sorted(i for i in set(h_notes) & set(b_notes)
                     if type(h_notes[i]) is not type(b_notes[i]) or _signature(h_notes[i]) != _signature(b_notes[i]))
    errors = [d for d in head.diagnostics if d.severity == "error"]
    warnings = [d for d in head.diagnostics if d.severity != "error"]
    out.append(f"{len(added)} note(s) added, {len(changed)} changed, {len(removed)} removed · "
               f"check: {len(errors)} error(s), {len(warnings)} warning(s)")
    out.append("")
    for label, ids in (("Added", added), ("Changed", changed), ("Removed", removed)):
        if ids:
            out.append(f"- {label}: " + ", ".join(f"`{i}`" for i in ids))
    out.append("")

    # claims
    claim_rows = []
    for claim_id in sorted(set(head.claims) | set(base.claims)):
        before, after = base.balances.get(claim_id), head.balances.get(claim_id)
        if claim_id in added or claim_id in removed:
            status = "added" if claim_id in added else "removed"
        elif claim_id in changed or before != after:
            status = "changed"
        else:
            continue
        claim = head.claims.get(claim_id) or base.claims[claim_id]
        claim_rows.append(f"| {status} | `{claim_id}` | {_cell(claim.statement)} | {balance_text(before)} | "
                          f"{balance_text(after)} |")
    out += ["### Claims", ""]
    if claim_rows:
        out += ["| | claim | statement | before | after |", "|---|---|---|---|---|", *claim_rows]
    else:
        out.append("No claim is added, changed or removed.")
    out.append("")

    # sources
    source_rows = []
    for key in sorted(head.sources):
        source = head.sources[key]
        old = base.sources.get(key)
        if old is None:
            source_rows.append(f"| added | `{key}` | {source.kind} | {grade_text(source)} | {_cell(source.rationale)} |")
        elif (old.reliability, old.credibility) != (source.reliability, source.credibility):
            source_rows.append(f"| regraded from {old.reliability}{old.credibility} | `{key}` | {source.kind} | "
                               f"{grade_text(source)} | {_cell(source.rationale)} |")
    for key in sorted(set(base.sources) - set(head.sources)):
        source_rows.append(f"| removed | `{key}` | {base.sources[key].kind} | {grade_text(base.sources[key])} | |")
    out += ["### Sources", ""]
    if source_rows:
        out += ["| | source | kind | grade | rationale |", "|---|---|---|---|---|", *source_rows]
    else:
        out.append("No source is added, regraded or removed.")
    out.append("")

    # single source
    single = [claim_id for claim_id, balance in sorted(head.balances.items()) if balance.single_source and
              not (claim_id in base.balances and base.balances[claim_id].single_source)]
    out += ["### Claims now resting on a single source", ""]
    out += [f"- `{c}` — {_cell(head.claims[c].statement)} ({balance_text(head.balances[c])})" for c in single] \
        or ["None."]
    out.append("")

    # uncited prose
    uncited = []
    for note_id in sorted(set(added) | set(changed)):
        note = h_notes[note_id]
        for line, excerpt in uncited_paragraphs(note.body):
            uncited.append(f"- {note.body.loc.path}:{line} — “{_cell(excerpt)}”")
    out += ["### Prose without a citation in the notes this change touches", ""]
    out += uncited or ["None: every paragraph of body prose cites a source."]
    out.append("")

    # orphans
    orphans = [n for n in sorted(h_notes) if n != "index" and not head.backlinks.get(n)]
    out += ["### Notes nothing links to", ""]
    out += [f"- `{n}` ({h_notes[n].loc.path}){' — **new**' if n in added else ''}" for n in orphans] or ["None."]
    out.append("")

    # problems
    known = {_problem_key(d) for d in base.diagnostics}
    problems = sorted_diagnostics(head.diagnostics)
    out += ["### Problems found by `check`", ""]
    if problems:
        fresh = sum(_problem_key(d) not in known for d in problems)
        out.append(f"{len(problems)} problem(s), {fresh} of them new with this change:")
        out.append("")
        out.append("```text")
        out += [("new  " if _problem_key(d) not in known else "     ") + d.format() for d in problems]
        out.append("```")
    else:
        out.append("None: the book passes the check.")
    out.append("")
    return "\n".join(out)


def review(root: Path, base: str) -> str:
    """The review report of the working tree at ``root`` against revision ``base``."""
    with tempfile.TemporaryDirectory(prefix="book-review-") as tmp:
        extract_base(root, base, Path(tmp))
        base_book = link(load(Path(tmp)))
    return report(base_book, link(load(root)), base)


def cmd_review(args) -> int:
    try:
        text = review(Path(args.root), args.base)
    except (ReviewError, OSError) as exc:
        print(f"error: cannot read the base revision '{args.base}': {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    review_parser = sub.add_parser("review", help="report, in Markdown, what a change does to the book")
    review_parser.add_argument("--base", required=True, help="the revision to compare with (e.g. origin/main)")
    review_parser.add_argument("--root", default=".", help="the book's folder (holds content/ and bibliography/)")
    review_parser.set_defaults(func=cmd_review)
    return review_parser
