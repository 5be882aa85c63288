"""The real book is faithful to its sources and complete where the book issue asks."""

from __future__ import annotations

import re

import pytest

from builder.pipeline import Paths, check, generate

from conftest import CONFIG, PROJECT

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DAY_MONTH = re.compile(rf"\b({MONTHS}) (\d{{1,2}})\b")
YEAR = re.compile(r"(?<![\w-])(1[89]\d\d|20\d\d)(?![\w-])")


@pytest.fixture(scope="module")
def book():
    result = check(PROJECT)
    assert not [d for d in result.diagnostics], [d.format() for d in result.diagnostics]
    return result


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("gen")
    paths = Paths.for_root(PROJECT, CONFIG, build=out / "build", site=out / "site")
    generate(paths, strict=True)
    return {p.relative_to(paths.docs).as_posix(): p.read_text(encoding="utf-8") for p in paths.docs.rglob("*.md")}


@pytest.fixture(scope="module")
def archives(book) -> str:
    return "\n".join("\n".join(a.paragraphs) for a in book.loaded.archives.values())


def test_the_five_articles_are_archived_verbatim(book):
    seeds = PROJECT.parent / "shared" / "seeds"
    archived = sorted((PROJECT / "bibliography" / "archive").glob("*.txt"))
    assert len(book.sources) == 5 == len(archived)
    if seeds.is_dir():
        assert sorted(p.read_bytes() for p in archived) == sorted(p.read_bytes() for p in seeds.glob("*.txt"))


def test_book_has_the_size_the_issue_asks_for(book):
    assert len(book.scenarios) >= 6
    assert len(book.claims) >= 12
    assert len(book.actors) >= 30
    for page in ("index", "key-judgments", "timeline", "reports-travelled"):
        assert page in book.pages


def test_every_scenario_links_two_actors_and_a_claim(book):
    for scenario in book.scenarios.values():
        assert len(set(scenario.actors)) >= 2, scenario.id
        assert scenario.claims, scenario.id
        assert scenario.triggers or scenario.indicators, scenario.id


def test_every_source_note_has_a_grade_shown_on_its_page(book, generated):
    for source in book.sources.values():
        assert source.reliability in "ABCDEF" and source.credibility in "123456"
        assert source.rationale.strip()
        assert f"**{source.grade} — " in generated[f"sources/{source.id}.md"]


def test_claims_weigh_evidence_from_more_than_one_stance(book):
    mixed = [c for c in book.claims.values() if len({ev.stance for ev in c.evidence}) > 1]
    assert len(mixed) >= 5
    assert any(ev.stance == "contradicts" for c in book.claims.values() for ev in c.evidence)


def test_no_year_is_added_to_a_date_the_sources_give_without_one(archives, generated):
    yearless = {m.group(0) for m in DAY_MONTH.finditer(archives)
                if not re.match(r",? (1[89]|20)\d\d\b", archives[m.end():m.end() + 6])}
    assert "June 21" in yearless and "March 15" in yearless
    added = []
    for page, text in generated.items():
        for match in DAY_MONTH.finditer(text):
            following = text[match.end():match.end() + 7]
            if match.group(0) in yearless and re.match(r",? (1[89]|20)\d\d\b", following):
                added.append(f"{page}: {match.group(0)}{following}")
    assert not added, added


def test_every_date_and_year_in_the_book_comes_from_the_sources(archives, generated):
    source_years = set(YEAR.findall(archives))
    source_dates = {m.group(0) for m in DAY_MONTH.finditer(archives)}
    strays = []
    for page, text in generated.items():
        prose = re.sub(r"\]\([^)]*\)", "]", text)  # link targets hold keys, not dates
        prose = re.sub(r"<[^>]*>", " ", prose)  # nor do HTML attributes (the SVG namespace has a 2000)
        for year in YEAR.findall(prose):
            if year not in source_years:
                strays.append(f"{page}: year {year}")
        for match in DAY_MONTH.finditer(prose):
            if match.group(0) not in source_dates:
                strays.append(f"{page}: date {match.group(0)}")
    assert not strays, strays


def test_every_quote_is_verbatim(book):
    assert len(book.matches) == sum(len(c.evidence) for c in book.claims.values())
