"""References formatted by pybtex with the book's own style, and the source pages' archive setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import Person
from pybtex.plugin import find_plugin

from builder.bibliography import BookStyle, format_references, load_bib_file, read_bib_file
from builder.link import link
from builder.load import load
from builder.render import Settings, render

from conftest import SITES

BIB = """
@online{signed-nd,
  author = {Thornebrooke, Andrew},
  title = {North Korea Could Attack South Korea if China Invades Taiwan: Report},
  organization = {The Epoch Times},
}
@online{outlet-2025,
  organization = {Korea Herald},
  title = {South Korea, US should go beyond rhetoric},
  date = {2025-04},
  url = {https://example.org/article},
  urldate = {2025-05-01},
}
@article{journal-2024,
  author = {Doe, Jane and Roe, Richard},
  title = {A Journal Article},
  journaltitle = {Journal of Examples},
  date = {2024},
  doi = {10.1000/xyz123},
}
@report{cnas-nd,
  institution = {Center for a New American Security},
  title = {A Report},
  note = {Published March 15; year not given},
}
@online{same-a,
  organization = {Korea Herald},
  title = {First undated piece},
}
@online{same-b,
  organization = {Korea Herald},
  title = {Second undated piece},
}
@online{herald-2024,
  organization = {Korea Herald},
  title = {A piece of 2024},
  date = {2024},
}
@online{herald-2024-march,
  organization = {Korea Herald},
  title = {A piece of March 2024},
  date = {2024-03-05},
}
"""


def references(tmp_path: Path):
    path = tmp_path / "book.bib"
    path.write_text(BIB, encoding="utf-8")
    problems = []
    entries = load_bib_file(path, "bibliography/book.bib", problems)
    assert problems == []
    return format_references(entries)


def test_author_date_labels_and_missing_dates(tmp_path):
    refs = references(tmp_path)
    assert refs["signed-nd"].label == "Thornebrooke n.d."
    assert refs["outlet-2025"].label == "Korea Herald 2025"
    assert refs["journal-2024"].label == "Doe and Roe 2024"
    assert refs["cnas-nd"].label == "Center for a New American Security n.d."
    assert (refs["same-a"].label, refs["same-b"].label) == ("Korea Herald n.d.-a", "Korea Herald n.d.-b")
    assert (refs["herald-2024"].label, refs["herald-2024-march"].label) == ("Korea Herald 2024a",
                                                                            "Korea Herald 2024b")


def test_thirty_entries_of_one_author_and_year_get_thirty_different_labels(tmp_path):
    path = tmp_path / "many.bib"
    path.write_text("".join(f"@online{{piece-{number:02},\n  author = {{Doe, Jane}},\n  title = {{Piece {number}}},\n"
                            f"  date = {{2024}},\n}}\n" for number in range(30)), encoding="utf-8")
    problems = []
    refs = format_references(load_bib_file(path, "bibliography/many.bib", problems))
    assert problems == []
    labels = [refs[f"piece-{number:02}"].label for number in range(30)]
    assert labels[0] == "Doe 2024a" and labels[25] == "Doe 2024z"
    assert labels[26:] == ["Doe 2024aa", "Doe 2024ab", "Doe 2024ac", "Doe 2024ad"]
    assert refs["piece-27"].text == "Doe, Jane. 2024ab. “Piece 27”."
    listed = [ref.label for ref in sorted(refs.values(), key=lambda ref: ref.order)]  # as reference lists sort
    assert listed == labels


def test_a_reference_shows_the_letter_its_citations_show(tmp_path):
    """Entries of one author and year: the reference gives the year as the label does, so that a reader finds
    "n.d.-a" in the list; a date more precise than the year follows it."""
    refs = references(tmp_path)
    assert refs["same-a"].text == "Korea Herald. n.d.-a. “First undated piece”."
    assert refs["same-b"].text == "Korea Herald. n.d.-b. “Second undated piece”."
    assert refs["herald-2024"].text == "Korea Herald. 2024a. “A piece of 2024”."
    assert refs["herald-2024-march"].text == "Korea Herald. 2024b (2024-03-05). “A piece of March 2024”."
    assert refs["herald-2024-march"].html.startswith("Korea Herald. 2024b (2024-03-05).")
    for ref in refs.values():
        author = ref.text.split(". ")[0]
        assert ref.text.startswith(f"{author}. {ref.year}"), ref.text


def test_adding_and_removing_an_entry_of_the_same_author_and_year_changes_the_others_reference(tmp_path):
    """With the cache ``build`` and ``serve`` keep between runs, each reference is as formatted from scratch."""
    path = tmp_path / "book.bib"
    path.write_text(BIB, encoding="utf-8")
    alone = load_bib_file(path, "bibliography/book.bib", [])
    path.write_text(BIB + "@online{signed-nd-second,\n  author = {Thornebrooke, Andrew},\n"
                    "  title = {Another piece},\n}\n", encoding="utf-8")
    paired = load_bib_file(path, "bibliography/book.bib", [])
    cache = {}
    for entries, date in ((alone, "n.d."), (paired, "n.d.-a."), (alone, "n.d.")):
        refs = format_references(entries, cache)
        assert refs["signed-nd"].text.startswith(f"Thornebrooke, Andrew. {date} “North Korea"), date
        assert refs == format_references(entries)


def test_full_references_with_urls_access_dates_and_dois(tmp_path):
    refs = references(tmp_path)
    assert refs["signed-nd"].text == ("Thornebrooke, Andrew. n.d. “North Korea Could Attack South Korea if China "
                                      "Invades Taiwan: Report”. The Epoch Times.")
    assert refs["outlet-2025"].text == ("Korea Herald. 2025-04. “South Korea, US should go beyond rhetoric”. "
                                        "https://example.org/article, accessed 2025-05-01.")
    assert '<a href="https://example.org/article">' in refs["outlet-2025"].html
    assert refs["journal-2024"].text == ("Doe, Jane and Roe, Richard. 2024. “A Journal Article”. Journal of "
                                         "Examples. doi:10.1000/xyz123.")
    assert '<a href="https://doi.org/10.1000/xyz123">' in refs["journal-2024"].html
    assert refs["cnas-nd"].text == ("Center for a New American Security. n.d. A Report. Published March 15; "
                                    "year not given.")


PARTIAL_TAILS = """
@online{url-only,
  organization = {Example Outlet},
  title = {Only a URL},
  url = {https://example.org/only},
}
@online{empty-note,
  author = {Doe, Jane},
  title = {An Empty Note},
  organization = {Example Outlet},
  note = {},
  doi = {10.1000/abc},
}
@online{archived,
  organization = {Example Outlet},
  title = {Archived},
  ARCHIVE = {archive/x.txt},
  UrlDate = {2025-01-01},
}
"""


def test_blocks_after_the_container_appear_for_the_fields_given(tmp_path):
    path = tmp_path / "book.bib"
    path.write_text(PARTIAL_TAILS, encoding="utf-8")
    problems = []
    refs = format_references(load_bib_file(path, "bibliography/book.bib", problems))
    assert problems == []
    assert refs["url-only"].text == "Example Outlet. n.d.-b. “Only a URL”. https://example.org/only."
    assert refs["empty-note"].text == "Doe, Jane. n.d. “An Empty Note”. Example Outlet. doi:10.1000/abc."
    assert refs["archived"].text == "Example Outlet. n.d.-a. “Archived”. Archived copy: archive/x.txt"


@pytest.mark.parametrize("name", ["Doe, Jane", r"de la Vall{\'e}e Poussin, Charles Louis Xavier Joseph",
                                  "Ford, Jr., Henry", "{World Health Organization}", "Smith--Jones, A. B.",
                                  "O'Neil, Ann", r'M{\"u}ller, J{\"o}rg', "van~Dyke, Dick"])
def test_names_are_formatted_as_by_pybtexs_lastfirst_style(name):
    person = Person(name)
    ours = BookStyle().format_name(person).format()
    pybtex = find_plugin("pybtex.style.names", "lastfirst")().format(person).format()
    for backend in ("html", "text"):
        assert ours.render_as(backend) == pybtex.render_as(backend)


@pytest.mark.parametrize("text", ["Plain title", "En--dash", "Quoted ''here''", "Low ,,quote", "Two  spaces",
                                  " Leading space", "Line\nbreak", "Tab\there", "Accent {\\'e}", "100% & more",
                                  "<b>not markup</b>", "Ünïcödé “quotes”"])
def test_a_field_reads_as_pybtexs_latex_decoder_reads_it(text):
    from pybtex.richtext import Text

    from builder.bibliography import _rich

    for backend in ("html", "text"):
        assert _rich(text).render_as(backend) == Text.from_latex(text).render_as(backend)


def test_a_source_page_shows_quoted_passages_or_the_whole_archive():
    book = link(load(SITES / "minimal"))
    archive = book.loaded.archives["bibliography/archive/anbound-nd.txt"]
    default = render(book, Settings()).pages["sources/anbound-nd.md"]
    whole = render(book, Settings(publish_archive=True)).pages["sources/anbound-nd.md"]
    shown = [n for n in range(1, len(archive.paragraphs) + 1) if f'id="para-{n}"' in default]
    assert shown == list(book.passages["anbound-nd"]) and len(shown) < len(archive.paragraphs)
    assert all(f'id="para-{n}"' in whole for n in range(1, len(archive.paragraphs) + 1))
    for page in (default, whole):
        assert '<span class="quote-anchor" id="q-north-korean-troops-to-donetsk-1"></span><mark>While there is' in page


RECOVERABLE = """@online{kei,
  organization = {KEI},
  title = {One},
}
@online{KEI,
  organization = {KEI},
  title = {Two},
}
@online{commas,
  author = {Doe, Jr, Jane, Extra},
  title = {Three},
}
@online{unclosed,
  organization = {Example},
  title = {Four},

@online{after-unclosed,
  organization = {Example},
  title = {Five},
}
"""


def test_a_bib_mistake_loses_only_its_own_entry(tmp_path):
    """A key repeated in another case, a name pybtex rejects and an entry left unclosed are each one error;
    the entries around them are read."""
    path = tmp_path / "book.bib"
    path.write_text(RECOVERABLE, encoding="utf-8")
    problems = []
    read = read_bib_file(path, "bibliography/book.bib", problems)
    assert [p.format() for p in problems] == [
        "bibliography/book.bib:5: error[bib.duplicate-key]: 'KEI' differs only in case from 'kei' (first defined "
        "on line 1): BibTeX does not tell keys apart by case — give one of the entries another key",
        "bibliography/book.bib:9: error[bib.name]: entry 'commas' could not be read: Too many commas in "
        "'Doe, Jr, Jane, Extra' — write each name as 'Last, First' and put 'and' between names; check the "
        "braces of the entry",
        "bibliography/book.bib:17:1: error[bib.syntax]: BibTeX syntax error: the entry that starts on line 13 is "
        "not closed before the next one — end that entry with '}' after its last field",
    ]
    assert sorted(read.entries) == ["after-unclosed", "kei", "unclosed"]
    assert read.broken == {"commas"} and read.complete


@pytest.mark.parametrize("date, problem", [
    ("2025", ""), ("2025-04", ""), ("2024-02-29", ""),
    ("01-04-2025", "date '01-04-2025' of 'x' is not an ISO date: its citations would say 'n.d.'"),
    ("2O25", "date '2O25' of 'x' is not an ISO date: its citations would say 'n.d.'"),
    ("2025/04", "date '2025/04' of 'x' is not an ISO date"),
    ("2025-13", "date '2025-13' of 'x' has no month 13"),
    ("2025-02-29", "date '2025-02-29' of 'x' has no day 29 in month 02"),
])
def test_a_date_is_iso_and_only_as_precise_as_given(tmp_path, date, problem):
    path = tmp_path / "book.bib"
    path.write_text(f"@online{{x,\n  title = {{T}},\n  date = {{{date}}},\n}}\n", encoding="utf-8")
    problems = []
    read_bib_file(path, "bibliography/book.bib", problems)
    assert [p.message for p in problems] == ([problem] if problem else [])
    assert all(str(p.loc) == "bibliography/book.bib:3:3" and p.code == "bib.date" for p in problems)


SECOND_THORNEBROOKE = """
@online{thornebrooke-nd-later,
  author = {Thornebrooke, Andrew},
  title = {A later piece by the same correspondent},
  organization = {The Epoch Times},
}
"""


def test_the_pages_show_the_letter_of_the_citation_in_the_reference_it_links_to(minimal_book):
    """A second undated Thornebrooke entry makes the first one's citations "Thornebrooke n.d.-a": its hover
    text, its source page and the Bibliography page say n.d.-a too, and the Bibliography lists it before the
    n.d.-b entry (whose title comes first in the alphabet)."""
    with (minimal_book / "bibliography" / "book.bib").open("a", encoding="utf-8") as bib:
        bib.write(SECOND_THORNEBROOKE)
    pages = render(link(load(minimal_book)), Settings()).pages
    first = "Thornebrooke, Andrew. n.d.-a. “North Korea Could Attack South Korea if China Invades Taiwan: Report”."
    second = "Thornebrooke, Andrew. n.d.-b. “A later piece by the same correspondent”."
    scenario = pages["scenarios/second-front.md"]
    assert '[Thornebrooke n.d.-a, para. 14](../sources/thornebrooke-nd.md#para-14 "' + first in scenario
    assert first in pages["sources/thornebrooke-nd.md"]
    bibliography = pages["sources/bibliography.md"]
    assert 0 < bibliography.index(first) < bibliography.index(second)
    assert "Thornebrooke, Andrew. n.d. " not in "".join(pages.values())
