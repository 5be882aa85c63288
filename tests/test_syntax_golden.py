"""Golden fixtures for the citation and cross-reference syntax.

Each file in tests/fixtures/ holds cases in markdown-it-py's fixture format:
a title line, then the input and the expected output, each closed by a line
holding a single ".". Inputs are note bodies of a page added to the minimal
book; outputs are the generated Markdown body, or, for error cases, the
diagnostics `check` prints. Set UPDATE_GOLDEN=1 to rewrite the expectations.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from builder.cite import Citer
from builder.bibliography import format_references
from builder.diagnostics import Loc, sorted_diagnostics
from builder.link import link
from builder.load import load
from builder.records import Body, Page

from conftest import SITES

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_PATH = "content/fixture.md"


def read_cases(path: Path) -> list[tuple[str, str, str, int]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title, line_no = lines[index], index + 1
        assert lines[index + 1] == ".", f"{path.name}:{index + 2}: expected '.' after the title"
        blocks, index = [], index + 2
        for _ in range(2):
            block = []
            while lines[index] != ".":
                block.append(lines[index])
                index += 1
            blocks.append("\n".join(block))
            index += 1
        cases.append((title, blocks[0], blocks[1], line_no))
    return cases


def write_cases(path: Path, cases: list[tuple[str, str, str]]) -> None:
    out = []
    for title, source, expected in cases:
        out += [title, ".", source, ".", expected, ".", ""]
    path.write_text("\n".join(out), encoding="utf-8")


BASE = load(SITES / "minimal")


def render_body(source: str) -> tuple[str, list[str]]:
    page = Page("fixture", Loc(PAGE_PATH), "Fixture", 99, Body(source + "\n", Loc(PAGE_PATH, 4)))
    loaded = dataclasses.replace(BASE, pages={**BASE.pages, "fixture": page})
    book = link(loaded)
    problems = [d.format() for d in sorted_diagnostics(book.diagnostics)
                if d.loc.path == PAGE_PATH and d.severity == "error"]
    if problems:
        return "", problems
    citer = Citer(book, format_references(loaded.bib))
    return citer.render("fixture", "body", page.body.text, "fixture.md").rstrip("\n"), problems


def _params():
    for path in sorted(FIXTURES.glob("*.md")):
        for title, source, expected, line in read_cases(path):
            yield pytest.param(path, title, source, expected, id=f"{path.stem}:{line}:{title}")


@pytest.mark.parametrize("path,title,source,expected", list(_params()))
def test_fixture(path, title, source, expected):
    rendered, problems = render_body(source)
    actual = "\n".join(problems) if path.stem.endswith("errors") else rendered
    if os.environ.get("UPDATE_GOLDEN"):
        cases = [(t, s, actual if (t, s) == (title, source) else e) for t, s, e, _ in read_cases(path)]
        write_cases(path, cases)
        return
    assert actual == expected


@pytest.mark.parametrize("statement,inside", [
    ("Seoul will arm Ukraine.", "Seoul will arm Ukraine"),
    ("Troops will reach Europe?", "Troops will reach Europe?"),
    ("Seoul will buy arms from the U.S.", "Seoul will buy arms from the U.S."),
    ("Talks resume, as reported n.d.", "Talks resume, as reported n.d."),
    ("It ends here...", "It ends here..."),
])
def test_a_claim_inside_a_sentence_loses_only_a_closing_full_stop(statement, inside):
    from builder.cite import without_final_stop

    assert without_final_stop(statement) == inside
