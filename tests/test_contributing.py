"""The contributor's commands: new, check's output formats and exit codes, review."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builder import cli, schema
from builder.new import bib_skeleton, template
from builder.review import uncited_paragraphs

from conftest import SITES, write_files


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    return root


# ----------------------------------------------------------------------------- new

@pytest.mark.parametrize("kind, fields", [("actor", schema.ACTOR), ("scenario", schema.SCENARIO),
                                          ("claim", schema.CLAIM), ("source", schema.SOURCE)])
def test_new_writes_every_field_with_its_values(kind, fields, book, capsys):
    assert cli.main(["new", kind, "fresh-note", "--root", str(book)]) == 0
    folder = {"actor": "actors", "scenario": "scenarios", "claim": "claims", "source": "sources"}[kind]
    text = (book / "content" / folder / "fresh-note.md").read_text(encoding="utf-8")
    assert text == template(kind, "fresh-note")
    for spec in fields:
        assert f"{spec.name}:" in text
        for choice in spec.choices:
            assert choice in text
        for item in spec.items:
            assert f"{item.name}:" in text
    out, err = capsys.readouterr()
    assert "wrote content/" in err
    assert (out == bib_skeleton("fresh-note")) == (kind == "source")
    # the template is valid YAML the checker reads: only content problems, no syntax ones
    codes = {line.split("[")[1].split("]")[0] for line in _check(book) if "error[" in line}
    assert not {c for c in codes if c.startswith(("yaml.", "frontmatter.", "field.unknown", "field.type"))}


@pytest.mark.parametrize("kind, placeholders", [
    ("actor", ("name: Name", "What the sources say about fresh-note:", "Link related notes with")),
    ("scenario", ("title: Title", "The contingency in a few sentences")),
    ("claim", ("statement: Statement.", "quote: …", "Optional: context for the claim")),
    ("source", ("rationale: Why.", "What the source is and how to read it")),
])
def test_check_reports_each_placeholder_new_wrote_left_as_it_is(kind, placeholders, book):
    assert cli.main(["new", kind, "fresh-note", "--root", str(book)]) == 0
    rel = f"content/{kind}s/fresh-note.md"
    lines = (book / rel).read_text(encoding="utf-8").splitlines()
    wanted = [number for number, line in enumerate(lines, 1) if line.strip().startswith(placeholders)]
    assert len(wanted) == len(placeholders)
    reported = [int(line.split(":")[1]) for line in _check(book)
                if line.startswith(f"{rel}:") and "error[note.placeholder]" in line and "written by `new`" in line]
    assert reported == wanted


def _check(root: Path) -> list[str]:
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        cli.main(["check", "--root", str(root)])
    return stream.getvalue().splitlines()


def test_new_source_with_known_key_says_so(book, capsys):
    assert cli.main(["new", "source", "cnas-report", "--root", str(book)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "already in bibliography/book.bib" in err


@pytest.mark.parametrize("note_id, message", [
    ("russia", "error: the id 'russia' is already used by content/actors/russia.md"),
    ("russia.md", "error: the id 'russia' is already used by content/actors/russia.md"),
    ("scmp-nd", "error: the id 'scmp-nd' is already used by content/sources/scmp-nd.md"),
    ("../evil", "error: '../evil' is not a valid id"),
    ("a/b", "error: 'a/b' is not a valid id"),
    ("North Korea", "error: 'North Korea' is not a valid id"),
    ("chin\u0430", "only looks like 'a' — try 'china'"),
    ("russi\u0430", "only looks like 'a' — 'russia' is taken by another note (content/actors/russia.md): choose "
                     "another id\n"),
    ("Dprk_Army", "single '-' — try 'dprk-army'\n"),
    ("North_Korea", "single '-' — 'north-korea' is taken by another note (content/actors/north-korea.md): choose "
                    "another id\n"),
    ("index", "error: 'index' is a reserved name — choose another id"),
])
def test_new_refuses_taken_and_invalid_ids(note_id, message, book, capsys):
    before = sorted(p.as_posix() for p in book.rglob("*"))
    assert cli.main(["new", "claim", note_id, "--root", str(book)]) == 1
    assert message in capsys.readouterr().err
    assert sorted(p.as_posix() for p in book.rglob("*")) == before


def test_new_takes_a_file_name_for_its_id(book, capsys):
    assert cli.main(["new", "actor", "dprk.md", "--root", str(book)]) == 0
    assert (book / "content" / "actors" / "dprk.md").is_file()
    assert not (book / "content" / "actors" / "dprk.md.md").exists()


def test_new_refuses_a_folder_that_is_not_a_book(book, capsys):
    """Run from inside content/ (or anywhere else), 'new' would write content/content/actors/x.md."""
    before = sorted(p.as_posix() for p in book.rglob("*"))
    assert cli.main(["new", "actor", "dprk", "--root", str(book / "content")]) == 1
    assert capsys.readouterr().err == (f"error: {book / 'content'} holds neither content/ nor mkdocs.yml, so it is "
                                       "not a book's folder — run the command from the book's folder, or pass "
                                       "--root\n")
    assert sorted(p.as_posix() for p in book.rglob("*")) == before


def test_new_says_why_it_cannot_write_the_note(book, capsys):
    shutil.rmtree(book / "content" / "scenarios")
    (book / "content" / "scenarios").write_text("", encoding="utf-8")
    assert cli.main(["new", "scenario", "blockade", "--root", str(book)]) == cli.EXIT_SITE
    folder = book / "content" / "scenarios"
    assert capsys.readouterr().err == (f"error: cannot make the folder {folder}: {folder} is a file — move it, or "
                                       "choose other folders (--root); nothing was written\n")


# ----------------------------------------------------------------------------- check formats

BROKEN = {"content/actors/china.md": "---\nname: China\nkind: statee\n---\nNear [[north-korea]] [@nope].\n"}


def test_check_text_format_and_exit_codes(book, capsys):
    assert cli.main(["check", "--root", str(book)]) == cli.EXIT_OK
    assert cli.main(["check", "--root", str(book / "missing")]) == cli.EXIT_USAGE
    write_files(book, BROKEN)
    capsys.readouterr()
    assert cli.main(["check", "--root", str(book)]) == cli.EXIT_BOOK
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [
        "content/actors/china.md: warning[note.orphan]: no other note links to 'china' — reference it, e.g. "
        "[[china]], from a related note",
        "content/actors/china.md:3:7: error[field.enum]: 'statee' is not an allowed value of 'kind' — "
        "did you mean 'state'?",
        "content/actors/china.md:5:22: error[cite.unknown]: unknown citation key 'nope' — add an entry with this "
        "key to a .bib file in bibliography/",
    ]
    assert err[3].startswith("check failed: 2 error(s), 1 warning(s)")


def test_check_strict_fails_on_warnings(book):
    write_files(book, {"content/actors/china.md": "---\nname: China\nkind: state\n---\nNear [[russia]].\n"})
    assert cli.main(["check", "--root", str(book)]) == cli.EXIT_OK
    assert cli.main(["check", "--strict", "--root", str(book)]) == cli.EXIT_BOOK


def test_check_github_format(book, capsys):
    write_files(book, BROKEN)
    assert cli.main(["check", "--format", "github", "--root", str(book)]) == cli.EXIT_BOOK
    out = capsys.readouterr().out.splitlines()
    assert out[1] == ("::error file=content/actors/china.md,line=3,col=7,title=field.enum::'statee' is not an "
                      "allowed value of 'kind' — did you mean 'state'?")
    assert out[0].startswith("::warning file=content/actors/china.md,title=note.orphan::")


def test_check_json_format(book, capsys):
    write_files(book, BROKEN)
    assert cli.main(["check", "--format", "json", "--root", str(book)]) == cli.EXIT_BOOK
    data = json.loads(capsys.readouterr().out)
    assert data[1] == {"path": "content/actors/china.md", "line": 3, "col": 7, "severity": "error",
                       "code": "field.enum", "message": "'statee' is not an allowed value of 'kind'",
                       "hint": "did you mean 'state'?"}
    assert cli.main(["check", "--format", "json", "--root", str(SITES / "minimal")]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out) == []


def test_usage_errors_exit_2(book):
    with pytest.raises(SystemExit) as exc:
        cli.main(["new", "planet", "x", "--root", str(book)])
    assert exc.value.code == cli.EXIT_USAGE
    assert cli.main(["build", "--root", str(book), "--config", str(book / "nope.yml")]) == cli.EXIT_USAGE


# ----------------------------------------------------------------------------- review

def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def test_review_reports_what_a_change_does(book, capsys):
    _git(book, "init", "-q")
    _git(book, "add", "-A")
    _git(book, "commit", "-qm", "base")
    write_files(book, {
        "content/claims/report-claim.md": (
            "---\nstatement: North Korean troops are on Russian soil.\nactors: [north-korea]\nevidence:\n"
            "  - source: scmp-nd\n    stance: supports\n    quote: Reports of North Korean troops on Russian soil "
            "have caused anxieties in some quarters to soar.\n    locator: para. 7\n---\n"
            "This paragraph states a fact and cites nothing at all here.\n\nThis one cites [@scmp-nd, para. 7].\n"),
        "content/sources/cnas-report.md": (
            "---\nkind: report\nreliability: B\ncredibility: 2\nrationale: A think-tank report.\n"
            "archive: bibliography/archive/cnas-report.txt\n---\nA report [@cnas-report].\n"),
        "bibliography/archive/cnas-report.txt": "Title\nA paragraph.\n",
    })
    anbound = book / "content" / "claims" / "north-korean-troops-to-donetsk.md"
    text = anbound.read_text(encoding="utf-8")
    anbound.write_text(text.replace("stance: qualifies", "stance: contradicts"), encoding="utf-8")
    assert cli.main(["review", "--base", "HEAD", "--root", str(book)]) == 0
    report = capsys.readouterr().out
    assert "| added | `report-claim` | North Korean troops are on Russian soil. | — | ▲1 ▼0 ◆0, support from 1 origin |" in report
    assert "| changed | `north-korean-troops-to-donetsk` |" in report and "▲1 ▼0 ◆1" in report and "▲1 ▼1 ◆0" in report
    assert ("| added | `cnas-report` | report | **B2** (usually reliable; probably true) | A think-tank report. |"
            in report)
    assert "- `report-claim` — North Korean troops are on Russian soil. (▲1 ▼0 ◆0, support from 1 origin)" in report
    assert "content/claims/report-claim.md:10 — “This paragraph states a fact and cites nothing at all here.”" in report
    assert "This one cites" not in report
    assert "- `report-claim` (content/claims/report-claim.md) — **new**" in report
    new_problems = report.split("New with this change:", 1)[1].split("```", 2)[1]
    assert "content/claims/report-claim.md: warning[note.orphan]" in new_problems
    assert cli.main(["review", "--base", "no-such-rev", "--root", str(book)]) == cli.EXIT_USAGE


def test_review_names_the_remote_branch_when_the_local_one_is_missing(book, tmp_path, capsys):
    """In a fresh clone there is no local 'main', only 'origin/main': the error says which --base to give."""
    _git(book, "init", "-q", "-b", "main")
    _git(book, "add", "-A")
    _git(book, "commit", "-qm", "base")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(book), str(clone)], check=True, capture_output=True)
    _git(clone, "checkout", "-qb", "my-change")
    _git(clone, "branch", "-qD", "main")
    assert cli.main(["review", "--base", "main", "--root", str(clone)]) == cli.EXIT_USAGE
    assert "use --base origin/main" in capsys.readouterr().err
    assert cli.main(["review", "--base", "origin/main", "--root", str(clone)]) == 0


REVIEW_GOLDEN = Path(__file__).resolve().parent / "fixtures" / "review" / "scripted-change.md"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_review_of_a_scripted_change_is_exactly_the_golden_report(book, capsys):
    """A pull request that renames a claim and changes its evidence, removes and rewrites evidence in another,
    regrades a source, adds a claim and fixes the base's problem: the exact Markdown the reviewer reads."""
    claims = book / "content" / "claims"
    _edit(claims / "north-korea-could-attack-during-taiwan-war.md", "locator: para. 1\n", "locator: para. 3\n")
    _git(book, "init", "-q")
    _git(book, "add", "-A")
    _git(book, "commit", "-qm", "base, with a wrong locator")
    _git(book, "tag", "base")
    # the pull request
    _git(book, "mv", "content/claims/north-korea-could-attack-during-taiwan-war.md",
         "content/claims/north-korea-could-attack-if-taiwan-war.md")
    renamed = claims / "north-korea-could-attack-if-taiwan-war.md"
    _edit(renamed, "locator: para. 3\n", "locator: para. 1\n")
    _edit(renamed, "stance: qualifies", "stance: contradicts")
    _edit(book / "content" / "scenarios" / "second-front.md", "north-korea-could-attack-during-taiwan-war",
          "north-korea-could-attack-if-taiwan-war")
    troops = claims / "north-korean-troops-to-donetsk.md"
    _edit(troops, "quote: Reports of North Korean troops on Russian soil have caused anxieties in some quarters to "
                  "soar.", "quote: Reports of North Korean troops on Russian soil")
    text = troops.read_text(encoding="utf-8")
    troops.write_text(text[:text.index("  - source: anbound-nd")] + text[text.index("  - source: scmp-nd"):],
                      encoding="utf-8")
    _edit(book / "content" / "sources" / "scmp-nd.md", "credibility: 4", "credibility: 3")
    write_files(book, {"content/claims/peninsula-drawn-into-conflict.md": (
        "---\nstatement: The whole Korean peninsula could be drawn into a broader conflict.\n"
        "actors: [north-korea, south-korea]\nevidence:\n  - source: scmp-nd\n    stance: supports\n"
        "    quote: The worry is that the entire Korean peninsula could be drawn into a broader conflict.\n"
        "    locator: para. 11\n---\nSeen from [[south-korea]], this is the worry [@scmp-nd, para. 11].\n\n"
        "This paragraph states something and cites nothing at all.\n")})
    _edit(book / "content" / "index.md", "Start with [[second-front]]",
          "Start with [[second-front]] or [[peninsula-drawn-into-conflict]]")
    assert cli.main(["review", "--base", "base", "--root", str(book)]) == 0
    report = re.sub(r"\(`[0-9a-f]{7}`\)", "(`BASE`)", capsys.readouterr().out, count=1)
    if os.environ.get("UPDATE_GOLDEN"):
        REVIEW_GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        REVIEW_GOLDEN.write_text(report, encoding="utf-8")
    assert report == REVIEW_GOLDEN.read_text(encoding="utf-8")


def test_a_review_too_long_for_a_comment_leaves_out_whole_sections_and_says_which(book, capsys):
    """A large change gives a report longer than a GitHub comment takes (65,536 characters): with --max-chars the
    report keeps the sections that fit, whole, and ends by naming those left out."""
    _git(book, "init", "-q")
    _git(book, "add", "-A")
    _git(book, "commit", "-qm", "base")
    write_files(book, {f"content/claims/claim-{number:03}.md": (
        f"---\nstatement: Claim number {number} of a large change, said at some length to fill the table.\n"
        "actors: [north-korea]\nevidence:\n  - source: scmp-nd\n    stance: supports\n"
        "    quote: Reports of North Korean troops on Russian soil\n    locator: para. 7\n---\n"
        f"An uncited paragraph about claim {number}, long enough to be listed by the review.\n")
        for number in range(120)})
    assert cli.main(["review", "--base", "HEAD", "--root", str(book)]) == 0
    whole = capsys.readouterr().out
    assert len(whole) > 20_000
    assert cli.main(["review", "--base", "HEAD", "--root", str(book), "--max-chars", "20000"]) == 0
    cut = capsys.readouterr().out
    assert len(cut) <= 20_000
    kept, note = cut.rstrip("\n").rsplit("\n\n", 1)
    assert whole.startswith(kept)  # the sections kept are whole, in their order
    left_out = [section.split("\n", 1)[0] for section in whole[len(kept):].split("\n### ")[1:]]
    assert left_out and note == ("*The report is cut to fit 20,000 characters: left out here: " + "; ".join(left_out)
                                 + ". Run `python -m builder review` for all of it.*")
    assert cli.main(["review", "--base", "HEAD", "--root", str(book), "--max-chars", str(len(whole))]) == 0
    assert capsys.readouterr().out == whole  # a report that fits is left whole
    assert cli.main(["review", "--base", "HEAD", "--root", str(book), "--max-chars", "100"]) == cli.EXIT_USAGE
    assert "--max-chars 100 is too small: give at least 2,000" in capsys.readouterr().err


def test_renames_pair_moved_notes_and_edited_ones_but_not_strangers(book, tmp_path):
    """Notes moved as they were, and moved and edited, are each paired with the note they were; a note removed
    and another one added that says something else are not."""
    from builder.link import link
    from builder.load import load
    from builder.review import renames

    base = link(load(book))
    head_root = tmp_path / "head"
    shutil.copytree(book, head_root)
    actors, claims = head_root / "content" / "actors", head_root / "content" / "claims"
    (actors / "russia.md").rename(actors / "russian-federation.md")
    (actors / "south-korea.md").rename(actors / "republic-of-korea.md")
    edited = claims / "north-korea-could-attack-if-taiwan-war.md"
    (claims / "north-korea-could-attack-during-taiwan-war.md").rename(edited)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added while it was moved.\n", encoding="utf-8")
    (claims / "north-korean-troops-to-donetsk.md").unlink()
    write_files(head_root, {"content/claims/a-different-claim.md": (
        "---\nstatement: Something else entirely is claimed here.\nactors: [north-korea]\nevidence:\n"
        "  - source: scmp-nd\n    stance: supports\n    quote: The worry is that the entire Korean peninsula could "
        "be drawn into a broader conflict.\n    locator: para. 11\n---\nA body of its own.\n")})
    head = link(load(head_root))
    added, removed = sorted(set(head.notes) - set(base.notes)), sorted(set(base.notes) - set(head.notes))
    assert renames(base, head, added, removed) == {
        "russian-federation": "russia", "republic-of-korea": "south-korea",
        "north-korea-could-attack-if-taiwan-war": "north-korea-could-attack-during-taiwan-war"}


def test_uncited_paragraphs_use_the_markdown_parser():
    from builder.diagnostics import Loc
    from builder.records import Body
    body = Body("# A heading with many words in it\n\n```\ncode with many words in it too\n```\n\n"
                "- a list item that states a fact\n\nCited paragraph with words [@k].\n\nSee [[a]] and [[b]].\n",
                Loc("content/x.md", 5))
    assert uncited_paragraphs(body) == [(11, "a list item that states a fact")]


# ----------------------------------------------------------------------------- the format's own examples

NOTES_FORMAT = Path(__file__).resolve().parent.parent / "docs" / "notes-format.md"
README = NOTES_FORMAT.parent.parent / "README.md"

#: Where each example of docs/notes-format.md is written, by the heading it stands under.
EXAMPLE_PATHS = {"## Actor": "content/actors/kim-jong-un.md", "## Scenario": "content/scenarios/example-scenario.md",
                 "## Claim": "content/claims/example-claim.md", "## Source": "content/sources/some-bib-key.md",
                 "## Prose pages": "content/example-page.md"}

#: The placeholders the examples name: bibliography entries, archived texts and one more actor.
EXAMPLE_BOOK = {
    "bibliography/examples.bib": (
        "@online{some-bib-key,\n  title = {An article},\n  organization = {An outlet},\n}\n"
        "@online{some-key,\n  title = {Another article},\n  organization = {Another outlet},\n}\n"
        "@report{other-bib-key,\n  title = {A report},\n  institution = {A think tank},\n  type = {Report},\n}\n"
        "@online{key,\n  title = {K},\n  organization = {O},\n}\n@online{a,\n  title = {A},\n  organization = {O},\n}\n"
        "@online{b,\n  title = {B},\n  organization = {O},\n}\n"),
    "bibliography/archive/some-bib-key.txt": "".join(f"Paragraph {n}.\n" for n in range(1, 12))
    + "It begins with a verbatim passage from the archived text, and goes on.\n",
    "content/actors/china.md": "---\nname: China\nkind: state\n---\nA state.\n",
}


def _examples() -> dict[str, str]:
    """The first ```yaml block under each heading of EXAMPLE_PATHS, by the path it is written to."""
    found: dict[str, str] = {}
    for section in NOTES_FORMAT.read_text(encoding="utf-8").split("\n## ")[1:]:
        heading = "## " + section.splitlines()[0]
        path = next((p for h, p in EXAMPLE_PATHS.items() if heading.startswith(h)), None)
        if path and "```yaml\n" in section:
            found[path] = section.split("```yaml\n", 1)[1].split("```", 1)[0].replace("<bib-key>", "some-bib-key")
    return found


def _diagnostics(root: Path, capsys) -> list[dict]:
    capsys.readouterr()
    cli.main(["check", "--format", "json", "--root", str(root)])
    return json.loads(capsys.readouterr().out)


def test_every_note_example_of_the_format_checks_clean(book, capsys):
    examples = _examples()
    assert set(examples) == set(EXAMPLE_PATHS.values())
    write_files(book, {**EXAMPLE_BOOK, **examples})
    problems = [f"{d['path']}:{d['line']}: {d['code']}: {d['message']}" for d in _diagnostics(book, capsys)
                if d["severity"] == "error"]
    assert problems == []


def test_the_format_s_syntax_examples_check_as_it_says(book, capsys):
    text = NOTES_FORMAT.read_text(encoding="utf-8")
    syntax = text.split("## Syntax inside bodies", 1)[1].split("\n## ", 1)[0]
    spans = re.findall(r"`([^`]+)`", syntax)
    valid = [s for s in spans if s.startswith(("[@", "[see @", "[-@", "@", "\\@", "[[")) or s == "@key"]
    assert {"[@key, para. 4]", "[see @a, para. 3; @b]", "[-@key]", "[[north-korea|Pyongyang]]"} <= set(valid)
    write_files(book, {**EXAMPLE_BOOK, "content/example-page.md": "---\ntitle: Syntax\n---\n"
                       + "\n\n".join(f"Text {span} text." for span in valid) + "\n"})
    assert [d for d in _diagnostics(book, capsys) if d["severity"] == "error"] == []
    # what the section says check reports ('some-bib-key' has an archived text, 'key' none)
    write_files(book, {"content/sources/some-bib-key.md": "---\nkind: news\nreliability: C\ncredibility: 3\n"
                       "rationale: Why.\narchive: bibliography/archive/some-bib-key.txt\n---\nAn article.\n"})
    wrong = {"[@some-bib-key, p. 4]": "cite.locator", "[@some-bib-key, para 4]": "cite.locator",
             "[@some-bib-key, para. 40]": "cite.locator", "[@key, p. 4] [@key, chapter 2]": None,
             "[@a, para. 3, @b]": "cite.separator", "([@key])": "cite.parentheses", "[[no-such-note]]": "ref.unknown"}
    for body, code in wrong.items():
        write_files(book, {"content/example-page.md": f"---\ntitle: Syntax\n---\nText {body} text.\n"})
        codes = {d["code"] for d in _diagnostics(book, capsys)
                 if d["path"] == "content/example-page.md" and d["code"] != "note.orphan"}
        assert codes == ({code} if code else set()), body


def test_every_problem_code_the_docs_name_is_one_the_checker_reports():
    builder = "".join(p.read_text(encoding="utf-8") for p in (README.parent / "builder").glob("*.py"))
    pattern = re.compile(r"(?:error|warning)\[([a-z]+\.[a-z-]+)\]|`([a-z]+\.[a-z-]+)`")
    named = {a or b for doc in (NOTES_FORMAT, README) for a, b in pattern.findall(doc.read_text(encoding="utf-8"))}
    codes = {name for name in named if not name.endswith((".py", ".md", ".yml", ".txt", ".bib", ".html"))}
    assert {"yaml.comment", "link.unsafe", "evidence.via"} <= codes
    assert sorted(code for code in codes if f'"{code}"' not in builder) == []


def test_the_readme_s_command_lines_list_every_option_of_each_command():
    lines = {line.split()[3]: line.removeprefix("python -m builder ")
             for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("python -m builder ")}
    commands = cli.parser()._subparsers._group_actions[0].choices
    assert set(lines) == set(commands)

    def written(command: str) -> set[str]:
        line = lines[command].replace("[the options of check]", lines["check"])
        return set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))

    for command, sub in commands.items():
        options = {option: action.help != argparse.SUPPRESS for action in sub._actions
                   for option in action.option_strings if option not in ("-h", "--help", "--verbose")}
        shown = {option for option, listed in options.items() if listed}
        assert shown <= written(command) <= set(options), command
