"""``python -m builder new actor|scenario|claim|source ID``: start a note from a template.

The template is built from the field specs in :mod:`builder.schema`: every
field, whether it is required, its allowed values and a one-line comment.
The id follows the load stage's rules and must not be used anywhere in the book.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from . import schema
from .diagnostics import Diagnostic
from .load import NOTE_FOLDERS, _check_id

KINDS = {kind: folder for folder, kind in NOTE_FOLDERS.items()}
FIELDS = {"actor": schema.ACTOR, "scenario": schema.SCENARIO, "claim": schema.CLAIM, "source": schema.SOURCE}
CHOICE_NOTES = {"reliability": schema.RELIABILITY, "credibility": schema.CREDIBILITY}


def _scalar(value) -> str:
    if value in ("", None):
        return ""
    if isinstance(value, str) and value.isdigit():
        return value  # a choice such as credibility: 6 (read back as text)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip()
    return text[: -len("\n...")].strip() if text.endswith("\n...") else text


def _comment(spec: schema.Field) -> str:
    text = f"{'required' if spec.required else 'optional'}: {spec.doc}"
    if spec.choices:
        meanings = CHOICE_NOTES.get(spec.name)
        allowed = ", ".join(f"{c} ({meanings[c]})" if meanings else c for c in spec.choices)
        text += f"; one of: {allowed}"
    if spec.type == "refs":
        text += " (a list, at least one)" if spec.at_least_one else " (a list)"
    if spec.type == "texts":
        text += " (a list of text)"
    return text


def _lines(fields: tuple[schema.Field, ...], note_id: str, indent: str = "", first_prefix: str = "") -> list[str]:
    lines = []
    width = max(len(f.name) for f in fields) + 2
    for number, spec in enumerate(fields):
        prefix = first_prefix if number == 0 and first_prefix else indent
        example = spec.example.replace("KEY", note_id) if isinstance(spec.example, str) else spec.example
        if spec.type == "records":
            head = f"{prefix}{spec.name}:" if spec.required else f"{prefix}{spec.name}: []"
            lines.append(f"{head.ljust(len(prefix) + width + 24)} # {_comment(spec)}; each item:")
            if spec.required:
                lines += _lines(spec.items, note_id, indent + "    ", indent + "  - ")
            else:
                lines += ["#" + line[1:] if line.startswith(" ") else "# " + line
                          for line in _lines(spec.items, note_id, indent + "    ", indent + "  - ")]
            continue
        value = _scalar(list(example) if isinstance(example, (list, tuple)) else example)
        head = f"{prefix}{spec.name}: {value}" if value else f"{prefix}{spec.name}:"
        lines.append(f"{head.ljust(len(prefix) + width + 24)} # {_comment(spec)}")
    return lines


def template(kind: str, note_id: str) -> str:
    """The text of a new note of ``kind`` with id ``note_id``."""
    lines = ["---", f"# A new {kind}: fill in every field, delete these comments if you like, then run",
             "# 'python -m builder check'. The format: docs/notes-format.md; how to: CONTRIBUTING.md."]
    lines += _lines(FIELDS[kind], note_id)
    lines += ["---", schema.BODIES[kind].format(id=note_id), ""]
    return "\n".join(lines)


def bib_skeleton(key: str) -> str:
    """The BibLaTeX entry a new source needs (an @online news item; see docs/notes-format.md)."""
    return (f"@online{{{key},\n"
            "  author       = {Last, First},        % or leave out and rely on organization\n"
            "  title        = {Title as the source gives it},\n"
            "  organization = {The outlet},\n"
            "  date         = {YYYY-MM-DD},          % only as precise as the source; leave out if not given\n"
            "  url          = {https://…},\n"
            "  urldate      = {YYYY-MM-DD},\n"
            "  note         = {Anything the reference should say},\n"
            "}\n")


def existing_ids(root: Path) -> dict[str, str]:
    """Every note id in the book (file stems under content/), with its path."""
    found: dict[str, str] = {}
    content = root / "content"
    if content.is_dir():
        for path in sorted(content.rglob("*.md")):
            found.setdefault(path.stem, path.relative_to(root).as_posix())
    return found


def bib_keys(root: Path) -> dict[str, str]:
    from .bibliography import load_bib_file

    keys: dict[str, str] = {}
    for path in sorted((root / "bibliography").glob("*.bib")):
        rel = path.relative_to(root).as_posix()
        for key in load_bib_file(path, rel, []):
            keys.setdefault(key, rel)
    return keys


def create(root: Path, kind: str, note_id: str, out=None, err=None) -> int:
    """Write the note; return the exit code (0 written, 1 refused)."""
    out, err = out or sys.stdout, err or sys.stderr
    if note_id.endswith(".md") and len(note_id) > 3:  # the file's name given for its id
        note_id = note_id[:-3]
    folder = KINDS[kind]
    rel = f"content/{folder}/{note_id}.md"
    problems: list[Diagnostic] = []
    if not _check_id(note_id, rel, kind, problems):
        problem = problems[0]
        message = problem.message.replace(f"file name '{note_id}'", f"'{note_id}'")
        hint = (problem.hint.replace("rename the file to", "try").replace(".md'", "'")
                .replace("rename the file", "choose another id"))
        suggested = hint.rpartition("try '")[2].rstrip("'") if "try '" in hint else ""
        taken = existing_ids(root).get(suggested) if suggested else None
        if taken:
            hint = f"'{suggested}' is taken by another note ({taken}): choose another id"
        print(f"error: {message} — {hint}", file=err)
        return 1
    if not (root / "content").is_dir() and not (root / "mkdocs.yml").is_file():
        print(f"error: {root} holds neither content/ nor mkdocs.yml, so it is not a book's folder — run the "
              "command from the book's folder, or pass --root", file=err)
        return 1
    taken = existing_ids(root).get(note_id)
    if taken:
        print(f"error: the id '{note_id}' is already used by {taken} — ids are unique across the whole book: "
              "choose another", file=err)
        return 1
    target = root / rel
    created = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            created = True
            handle.write(template(kind, note_id))
    except OSError as exc:
        from .cli import EXIT_SITE, cannot_write

        if created:  # never a half-written note (a full disk)
            target.unlink(missing_ok=True)
        print(f"error: {cannot_write(exc, '--root')}; nothing was written", file=err)
        return EXIT_SITE
    print(f"wrote {rel}", file=err)
    if kind == "source":
        where = bib_keys(root).get(note_id)
        if where:
            print(f"the bibliography entry '{note_id}' is already in {where}", file=err)
        else:
            print(f"add this entry to a .bib file in bibliography/ and save the article's text as "
                  f"bibliography/archive/{note_id}.txt:", file=err)
            print(bib_skeleton(note_id), file=out, end="")
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    new = sub.add_parser("new", help="start a note from a template built from the schema",
                         description="Write content/<kind>s/ID.md with every field of that kind, its allowed "
                         "values and a comment on each.")
    new.add_argument("kind", choices=tuple(KINDS), help="what sort of note")
    new.add_argument("id", help="the note's id (its file name); for a source, its bibliography key")
    new.add_argument("--root", default=".", help="the book's folder (holds content/ and bibliography/)")
    new.set_defaults(func=lambda args: create(Path(args.root), args.kind, args.id))
    return new
