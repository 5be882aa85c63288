"""Chapter PDFs: `python -m builder pdf` on the minimal book, read back with pypdf and rendered with pdftoppm."""

from __future__ import annotations

import html
import multiprocessing
import os
import posixpath
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder import cli, pdf
from builder.pipeline import Paths, generate
from builder.render import CHAPTERS
from builder.settings import checked_settings

import pypdf

from conftest import CONFIG, PROJECT, SITES  # noqa: E402

NAMES = ("overview", "actors", "scenarios", "claims-and-evidence", "sources", "book")
ARTIFACTS = PROJECT / "test-artifacts" / "pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """Build the minimal book's site with every PDF once (A4), and the Actors chapter on US Letter."""
    root = tmp_path_factory.mktemp("pdf") / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    out = root / "site" / "pdf"
    assert cli.main(["build", "--root", str(root), "--config", str(CONFIG)]) == cli.EXIT_OK
    letter = root / "letter"
    assert cli.main(["pdf", "actors", "--paper", "letter", "--root", str(root), "--config", str(CONFIG),
                     "--out", str(letter)]) == cli.EXIT_OK
    paths = Paths.for_root(root, CONFIG)
    book, rendered = generate(paths)
    printer = pdf.Printer(book, rendered, checked_settings(CONFIG), CONFIG, docs=paths.docs)
    return {"out": out, "letter": letter, "site": root / "site", "book": book, "rendered": rendered, "printer": printer,
            "readers": {name: pypdf.PdfReader(out / f"{name}.pdf") for name in NAMES}}


def _text(reader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += _outline_titles(item)
        else:
            titles.append(" ".join(item.title.split()))
    return titles


def test_every_pdf_is_written(built):
    assert sorted(p.name for p in built["out"].iterdir()) == sorted(f"{n}.pdf" for n in NAMES)
    assert [p.name for p in built["letter"].iterdir()] == ["actors.pdf"]


def test_cover_and_contents(built):
    for name, reader in built["readers"].items():
        cover, contents = _text(reader)[:2]
        assert "Security on the Korean Peninsula" in cover
        assert ("Whole book" if name == "book" else pdf.chapter_of_name(name)) in cover
        assert "Built" in cover and "Source revision" in cover
        assert re.search(r"\b[0-9a-f]{7,}\b|revision not known", cover), cover  # the copy is not in git
        assert "page 1 of" not in cover, "the cover has no footer"
        assert contents.startswith("Contents")
        assert ("Whole book" if name == "book" else pdf.chapter_of_name(name)) in contents  # the running header
        assert re.search(r"(\. ){3,}\d+ ", contents), "the contents give page numbers"


def test_page_x_of_y_footers(built):
    for name, reader in built["readers"].items():
        pages = _text(reader)
        total = len(pages)
        assert total >= 3
        for number, text in enumerate(pages[1:], start=2):
            assert f"page {number} of {total}" in text, (name, number)


def test_page_labels_match_the_printed_page_numbers(built):
    for name, reader in built["readers"].items():
        labels = reader.page_labels
        assert labels[0] == "Cover", name
        assert labels[1:] == [str(number) for number in range(2, len(reader.pages) + 1)], name


def test_headings_are_in_the_text_and_the_outline(built):
    readers = built["readers"]
    actors = " ".join(_text(readers["actors"]))
    for heading in ("North Korea", "Relations", "Claims involving this actor", "Referenced by", "References"):
        assert heading in actors
    outline = _outline_titles(readers["actors"].outline)
    assert {"Contents", "North Korea", "Russia", "South Korea", "Relations", "References"} <= set(outline)
    book_outline = readers["book"].outline
    top = [" ".join(item.title.split()) for item in book_outline if not isinstance(item, list)]
    assert top[:1] == ["Contents"] and set(CHAPTERS) <= set(top) and top[-1] == CHAPTERS[-1]
    assert "References" not in top  # the book prints the Bibliography page instead (see below)
    claims = _outline_titles(readers["claims-and-evidence"].outline)
    assert "North Korea will send troops to Russian-held Donetsk." in claims
    assert "Evidence" in claims and "Claims against evidence" in claims


def test_citations_and_reference_list(built):
    printer, book = built["printer"], built["book"]
    for chapter in CHAPTERS:
        document = printer.document(chapter)
        wanted: dict[str, None] = {}
        for path in document.pages:
            note_id = posixpath.basename(path).removesuffix(".md")
            if note_id in book.notes and not path.endswith("/index.md"):
                wanted.update(dict.fromkeys(book.cited.get(note_id, [])))
        if "sources/bibliography.md" in document.pages:  # the Bibliography page lists every entry
            assert document.references == () and 'class="references"' not in document.html, chapter
            continue
        assert set(document.references) >= set(wanted), chapter
        for key in document.references:  # nothing listed that the chapter does not cite or link to
            assert key in wanted or f'href="#{pdf.reference_anchor(key)}"' in document.html, (chapter, key)
    actors = _text(built["readers"]["actors"])
    body = " ".join(actors[2:-1])
    assert "ANBOUND n.d., para. 2" in body and "Thornebrooke (n.d.)" in body
    references = actors[-1]
    assert references.startswith("References") and "Actors page" in references  # header: the chapter
    assert "Thornebrooke, Andrew. n.d." in references and "ANBOUND. n.d." in references
    claims = " ".join(_text(built["readers"]["claims-and-evidence"]))
    assert "Thornebrooke n.d." in claims


def test_a_pdf_with_the_bibliography_page_prints_each_entry_once(built):
    for name in ("sources", "book"):
        pages = _text(built["readers"][name])
        assert not any(page.startswith("References") for page in pages), name
        bibliography = " ".join(page for page in pages if "Every entry of the book's bibliography" in page)
        for entry in ("Thornebrooke, Andrew. n.d.", "ANBOUND. n.d."):
            assert entry in bibliography, (name, entry)
        outline = _outline_titles(built["readers"][name].outline)
        assert "Bibliography" in outline and "References" not in outline, name


def test_links_inside_the_pdf_are_internal(built):
    reader = built["readers"]["actors"]
    internal, external = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if action is not None and action.get("/URI"):
                external.append(str(action["/URI"]))
            else:
                internal += 1
    assert internal >= 10
    assert not [uri for uri in external if ".md" in uri], external
    text = " ".join(_text(reader))
    assert "[Scenarios]" in text, "links to another chapter are text with the chapter's name"
    # the relation graph's caption speaks of paper, not of a pointer
    assert "Hover" not in text and "The table below gives who states each relation." in text


def test_claims_matrix_is_landscape_and_paper_sizes(built):
    reader = built["readers"]["claims-and-evidence"]
    pages = _text(reader)
    matrix = next(i for i, text in enumerate(pages) if "Claims against evidence Claims are rows" in text)
    box = reader.pages[matrix].mediabox
    assert float(box.width) > float(box.height)
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)  # A4
    letter = pypdf.PdfReader(built["letter"] / "actors.pdf").pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_no_stance_mark_is_split_across_lines(built):
    """A briefer counts the marks in a cell: "▲ supports" (and "▲ 1" in a balance) never breaks after its symbol."""
    marks = 0
    for name in ("claims-and-evidence", "sources", "book"):
        for number, page in enumerate(built["readers"][name].pages, 1):
            for line in (page.extract_text() or "").splitlines():
                assert not re.search(r"[▲▼◆]\s*$", line), (name, number, line)
                assert not re.match(r"\s*·", line), (name, number, line)  # "▲ 1 · ▼ 0": no line starts at a dot
                marks += len(re.findall(r"[▲▼◆]\s(?:supports|contradicts|qualifies|\d)", line))
    assert marks >= 20


def test_the_notes_after_a_landscape_matrix_start_on_a_portrait_page(built, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "LANDSCAPE_FROM", 2)  # the minimal book's matrix has 3 sources
    paths = Paths.for_root(built["site"].parent, CONFIG)
    printer = pdf.Printer(built["book"], built["rendered"], checked_settings(CONFIG), CONFIG, docs=paths.docs)
    pdf.write_pdf(printer.document("Claims & evidence").html, tmp_path / "claims.pdf")
    reader = pypdf.PdfReader(tmp_path / "claims.pdf")
    pages = _text(reader)
    matrix = next(i for i, text in enumerate(pages) if "Claims against evidence Claims are rows" in text)
    landscape = [float(page.mediabox.width) > float(page.mediabox.height) for page in reader.pages]
    assert landscape[matrix] and not any(landscape[matrix + 1:])
    statements = [claim.statement[:40] for claim in built["book"].claims.values()]
    first_claim = next((i for i, text in enumerate(pages) if text.startswith(tuple(statements))), None)
    assert first_claim == matrix + 1, "the first claim starts on a portrait page of its own, not under the matrix"


def test_pngs_of_the_first_pages(built):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):  # pdftoppm numbers pages 1 or 01 by the page count: no stale ones
        old.unlink()
    for name in NAMES:
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "4", str(built["out"] / f"{name}.pdf"),
                        str(ARTIFACTS / name)], check=True, timeout=120)
        pngs = sorted(ARTIFACTS.glob(f"{name}-*.png"))
        assert len(pngs) == min(4, len(built["readers"][name].pages)), name
        assert all(p.stat().st_size > 2000 for p in pngs), name  # not blank


# --------------------------------------------------------------------------- units


def _lay_out_markdown(markdown: str | list[str], target: Path) -> list[list[str]]:
    """The lines of each page of ``markdown`` (one note, or a list of them) printed with the chapter PDFs'
    stylesheet (A4), as pages of the chapter "Claims & evidence"."""
    css = pdf._environment().get_template("print.css.j2").render(paper="A4", whole_book=False)
    converter = pdf.Converter(CONFIG)
    notes = "".join(f'<section class="page" data-chapter="Claims &amp; evidence">'
                    f'{pdf.print_page_html(converter.convert(note))}</section>'
                    for note in ([markdown] if isinstance(markdown, str) else markdown))
    pdf.write_pdf(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" /><style>{css}</style></head>'
                  f'<body>{notes}</body></html>', target)
    return [(page.extract_text() or "").splitlines() for page in pypdf.PdfReader(target).pages]


def test_table_columns_are_as_wide_as_their_longest_word(tmp_path):
    quote = "“citing an anonymous South Korean government official, a report said the troops would go soon”"
    note = "The starting point is one anonymous official (TV Chosun, June 21, year not given), relayed twice."
    evidence = ("| # | Source | Grade | Stance | Quote | Locator | Note |\n|---|---|---|---|---|---|---|\n"
                + "".join(f"| {n} | ANBOUND n.d. | F3 | {mark} | {quote} | para. {n} | {note} |\n"
                          for n, mark in enumerate(["▲ supports", "▼ contradicts", "◆ qualifies"] * 3, 1)))
    sources = ("| # | Source note | What it is | Grade |\n|---|---|---|---|\n"
               + "".join(f"| 00{n} | {quote} | {note} | C3 |\n" for n in range(5)))
    lines = [line for page in _lay_out_markdown(evidence + "\n\n" + sources, tmp_path / "t.pdf") for line in page]
    assert len([line for line in lines if re.match(r"\d ANBOUND\b", line)]) == 9, lines  # not "ANBOU" / "ND"
    assert len([line for line in lines if re.search(r"[▲▼◆]\s(supports|contradicts|qualifies)\b", line)]) == 9
    assert [line.split()[0] for line in lines if re.match(r"00\d", line)] == [f"00{n}" for n in range(5)]


def _printed_words(target: Path) -> list[tuple[float, float, float, str]]:
    """(left, top, right, text) of each word printed in a PDF, in points, as poppler's pdftotext reads them."""
    out = subprocess.run(["pdftotext", "-bbox", str(target), "-"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return [(float(left), float(top), float(right), html.unescape(text)) for left, top, right, text in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out)]


def test_table_cells_wrap_inside_the_page_and_a_citation_goes_to_the_next_line_whole(tmp_path):
    """The Certainty cell of hop 5 in "How reports travelled" printed '(ANBOUND' past the table's right edge, after
    "the" alone on a line: WeasyPrint broke the line a word before the "(" that starts a citation."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def cite(text: str) -> str:
        return f'([{text}](sources/anbound-nd.md#para-4 "ANBOUND. n.d. “Implications”."){{ .cite }})'

    def outlet(name: str, words: str = "") -> str:
        return f"[{name}](actors/x.md) {words}{cite(f'{name} n.d.')}"

    anbound = cite("ANBOUND n.d., para. 4")
    table = ("| Hop | Date as given | Outlet | What it said | Certainty |\n|---|---|---|---|---|\n"
             f"| 1 | June 21 | {outlet('TV Chosun')} | North Korea \"plans to deploy active-duty soldiers to assist in "
             "the ‘rebuilding’ of cities destroyed by fighting in Russian-controlled Donetsk\", \"as early as next "
             f"month\", \"as a means to earn foreign currency\" {anbound} | One source, \"an anonymous South Korean "
             f"government official\" {anbound} |\n"
             f"| 2 | June 24 | {outlet('Reuters')} | Quoted North Korean military officials condemning the United "
             "States over Ukraine's use of American-made weapons, \"referencing the earlier report by TV Chosun\" "
             f"{anbound} | ANBOUND names no new source for the troops; it says Reuters referenced TV Chosun |\n"
             f"| 3 | June 25 | {outlet('U.S. Department of Defense', 'press conference ')} | A journalist referred "
             "to \"the North Korean Central Military Commission’s statement announcing North Korea would join forces "
             f"with the Russian military\" {cite('North Korean Central Military Commission n.d.')}, with \"North "
             f"Korean army engineering units\" to be \"dispatched to Donetsk\" {anbound} | Pat Ryder \"responded "
             f"cautiously\", expressing skepticism {anbound} |\n"
             f"| 4 | June 26 | {outlet('Daily Express')} | \"World on the brink as North Korea sends ‘cannon "
             f"fodder’ troops to Ukraine\" {anbound} | \"asserted with certainty\" {anbound}, the strongest form "
             "the story takes |\n"
             f"| 5 | June 26 (\"On the same day\") | {outlet('Kyiv Post')} | \"Pyongyang Says It Will Send Troops "
             f"to Ukraine Within a Month\" {anbound} | Quoted the Daily Express \"without verifying the source of "
             f"the information\" {anbound} |\n"
             f"| — | date not given | {outlet('Defense Express')} | — | \"remained cautious about the reports\" "
             f"{anbound} |\n")
    target = tmp_path / "table.pdf"
    _lay_out_markdown(table, target)
    words = _printed_words(target)
    right_edge = (210.0 - 18.0) / 25.4 * 72  # A4, less the page's right margin (print.css.j2)
    assert [text for _, _, right, text in words if right > right_edge + 0.5] == []
    certainty = min(left for left, _, _, text in words if text == "Certainty")
    lines: dict[float, list[str]] = {}
    for left, top, _, text in words:
        if left >= certainty - 1:
            lines.setdefault(round(top), []).append(text)
    cell = [" ".join(lines[top]) for top in sorted(lines)]
    start = cell.index(next(line for line in cell if line.startswith("Quoted")))
    hop5 = cell[start:start + next(n for n, line in enumerate(cell[start:], 1) if line.endswith("para. 4)"))]
    assert " ".join(hop5) == 'Quoted the Daily Express "without verifying the source of the information" ' \
        "(ANBOUND n.d., para. 4)", cell
    assert [line for line in hop5 if len(line.split()) < 2] == [], hop5  # no word alone on a line
    assert any(line.startswith("(ANBOUND") for line in hop5), hop5  # the citation starts its line


def _policy(**kwargs) -> pdf.LinkPolicy:
    chapters = {"actors/a.md": "Actors", "actors/b.md": "Actors", "scenarios/s.md": "Scenarios",
                "sources/k.md": "Sources", "sources/bibliography.md": "Sources", "index.md": "Overview"}
    included = {p: c for p, c in chapters.items() if c == "Actors"}
    return pdf.LinkPolicy(included, chapters, {"k", "other"}, **kwargs)


def test_link_rewriting():
    page = "actors/a.md"
    html = ('<h2 id="x">X</h2><a href="b.md#relations">B</a> <a href="#x">here</a> '
            '<a href="../sources/k.md#para-2">K n.d.</a> <a href="../sources/bibliography.md#ref-other">O</a> '
            '<a href="../scenarios/s.md" title="t">S</a> <a href="https://example.org/">web</a>')
    out = pdf.rewrite_links(page, html, _policy())
    assert 'id="actors.a~x"' in out
    assert 'href="#actors.b~relations"' in out and 'href="#actors.a~x"' in out
    assert 'href="#bib~k"' in out and 'href="#bib~other"' in out
    assert '<a href="#bib~other">O</a> S [Scenarios] <a' in out  # text, no link
    assert 'title=' not in out  # tooltips do nothing on paper
    assert 'href="https://example.org/"' in out
    online = pdf.rewrite_links(page, html, _policy(site_url="https://book.example/"))
    assert 'href="https://book.example/scenarios/s/"' in online


def test_a_backlink_and_its_section_name_their_chapter_once():
    html = '<li><a href="../scenarios/s.md">S: a title</a> — <a href="../scenarios/s.md#x">Introduction</a></li>'
    assert "S: a title — Introduction [Scenarios]</li>" in pdf.rewrite_links("actors/a.md", html, _policy())


def test_a_table_row_names_each_other_chapter_once():
    html = ('<table><tr><td><a href="../scenarios/s.md">S</a></td><td><a href="../scenarios/s.md#e">▲ supports</a>'
            '</td><td><a href="b.md">B</a></td></tr><tr><td><a href="../scenarios/s.md">T</a></td></tr></table>'
            '<p><a href="../scenarios/s.md">U</a></p>')
    out = pdf.rewrite_links("actors/a.md", html, _policy())
    assert "<td>S [Scenarios]</td><td>▲ supports</td>" in out  # the row has named the chapter already
    assert '<td>T [Scenarios]</td>' in out and "<p>U [Scenarios]</p>" in out  # each row, and outside tables
    assert '<a href="#actors.b">B</a>' in out


def test_inline_svg_passes_through():
    markdown = ('# T\n\n<div class="graph" markdown="0">\n<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg">'
                '<defs><marker id="arrow"/></defs><a href="b.md"><circle cx="5" cy="5" r="4" '
                'marker-end="url(#arrow)"/></a><use href="#arrow"/></svg>\n</div>\n')
    html = pdf.Converter(CONFIG).convert(markdown)
    out = pdf.rewrite_links("actors/a.md", html, _policy())
    assert 'viewBox="0 0 10 10"' in out and 'id="arrow"' in out and 'href="#arrow"' in out
    assert 'href="#actors.b"' in out and "<circle" in out


def test_svg_labels_get_a_white_box_instead_of_an_outline_painted_over_their_letters():
    """WeasyPrint ignores paint-order: a label's white outline would be painted over its letters, and without it
    the lines strike through the label. Each such label is drawn over a white box as wide as its word."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40"><path d="M0,20 L200,20" stroke="#000"/>'
           '<text x="100" y="23" text-anchor="middle" font-size="9" fill="#b3261e" stroke="#fff" stroke-width="3" '
           'paint-order="stroke">rivalry</text><text x="10" y="10">plain</text></svg>')
    out = pdf.rewrite_links("actors/a.md", svg, _policy())
    box, label = re.search(r'(<rect [^>]*/>)(<text [^>]*>rivalry</text>)', out).groups()
    assert 'fill="#fff"' in box and "stroke" not in label and "paint-order" not in label
    x, width = (float(re.search(rf'{name}="([\d.]+)"', box).group(1)) for name in ("x", "width"))
    assert abs(x + width / 2 - 100) < 0.1 and width > 3.17 * 9  # centred, wider than "rivalry" in DejaVu Sans
    assert out.count("<rect") == 1 and '<text x="10" y="10">plain</text>' in out  # a label without an outline


def test_site_urls_in_raw_html_resolve_to_pages():
    out = pdf.rewrite_links("actors/a.md", '<a href="../b/">B</a> <a href="../../scenarios/s/#x">S</a> '
                            '<a href="../../">home</a>', _policy())
    assert 'href="#actors.b"' in out
    assert "S [Scenarios]" in out and "home" in out


def test_wide_matrix_is_split_into_blocks():
    keys = [f"s{i}" for i in range(20)]
    head = "| Claim | " + " | ".join(keys) + " | Balance |\n|---|" + "---|" * 21 + "\n"
    row = "| c | " + " | ".join("—" for _ in keys) + " | ▲ 1 |\n"
    html = pdf.Converter(CONFIG).convert(head + row + "| {: .claims-matrix } |" + " |" * 21 + "\n")
    assert html.count("<table") == 3 and "Sources 1–7 of 20 (part 1 of 3)" in html
    assert "{:" not in html and 'class="wide-table landscape"' in html
    assert html.count("Balance") == 1 and html.count("<th>Claim</th>") == 3


def test_url_fetcher_refuses_the_network():
    fetcher = pdf.url_fetcher()
    with pytest.raises(Exception):
        fetcher.fetch("http://127.0.0.1:9/image.png")
    with pytest.raises(Exception):
        fetcher.fetch("https://example.org/font.woff2")


def test_revision_and_date(monkeypatch, tmp_path):
    assert re.fullmatch(r"[0-9a-f]{7,}( with uncommitted changes)?|revision not known", pdf.revision(PROJECT))
    assert pdf.revision(tmp_path) == "revision not known"
    git = ["git", "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org"]
    note = tmp_path / "content" / "actors" / "x.md"
    note.parent.mkdir(parents=True)
    note.write_text("one\n")
    subprocess.run(git + ["init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "notes"], cwd=tmp_path, check=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert pdf.revision(tmp_path) == head
    (tmp_path / "notes.txt").write_text("not a note\n")  # outside content/ and bibliography/
    assert pdf.revision(tmp_path) == head
    note.write_text("two\n")
    assert pdf.revision(tmp_path) == f"{head} with uncommitted changes"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert pdf.build_date() == "2023-11-14"


def test_chapter_names():
    assert pdf.chapter_of_name("claims-and-evidence") == "Claims & evidence"
    assert pdf.chapter_of_name("Claims") == "Claims & evidence"
    assert pdf.chapter_of_name("book.pdf") == pdf.BOOK_TITLE
    assert pdf.chapter_of_name("nope") is None
    assert cli.main(["pdf", "nope", "--root", str(SITES / "minimal"), "--config", str(CONFIG)]) == cli.EXIT_USAGE


def test_no_pdf_build_has_no_pdf_links(minimal_book, tmp_path):
    site = tmp_path / "site"
    assert cli.main(["build", "--no-pdf", "--root", str(minimal_book), "--config", str(CONFIG),
                     "--site-dir", str(site)]) == cli.EXIT_OK
    assert not (site / "pdf").exists()
    assert "Download PDF" not in (site / "actors" / "north-korea" / "index.html").read_text(encoding="utf-8")


def test_site_pages_name_and_link_their_chapter_pdf_and_the_whole_book(built):
    site = built["site"]
    for page, target, chapter in (("index.html", "pdf/overview.pdf", "Overview"),
                                  ("actors/north-korea/index.html", "../../pdf/actors.pdf", "Actors"),
                                  ("claims/matrix/index.html", "../../pdf/claims-and-evidence.pdf", "Claims & evidence"),
                                  ("sources/bibliography/index.html", "../../pdf/sources.pdf", "Sources"),
                                  ("scenarios/second-front/index.html", "../../pdf/scenarios.pdf", "Scenarios")):
        text = (site / page).read_text(encoding="utf-8")
        book = posixpath.join(posixpath.dirname(target), "book.pdf")
        assert f'href="{target}" download>Download PDF: {html.escape(chapter)}</a>' in text, page
        assert f'href="{book}" download>Download PDF: Whole book</a>' in text, page
        assert (site / page).parent.joinpath(target).resolve().is_file()
        assert (site / page).parent.joinpath(book).resolve().is_file()
        assert 'assets/stylesheets/print.css" media="print"' in text
    assert (site / "assets" / "stylesheets" / "print.css").is_file()


def test_a_pdf_whose_content_did_not_change_is_copied_not_laid_out_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # the cover's date stays the same between the builds
    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    command = ["pdf", "--root", str(root), "--config", str(CONFIG)]
    out, kept = root / "site" / "pdf", root / "build" / "cache" / "pdf"
    assert cli.main(command) == cli.EXIT_OK
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    records = {p.name: p.read_text() for p in kept.glob("*.json")}
    assert sorted(records) == sorted(f"{name}.json" for name in NAMES)

    def laid_out_again(*args, **kwargs):
        raise AssertionError("a PDF was laid out again")

    monkeypatch.setattr(pdf, "write_pdf", laid_out_again)  # the PDF processes are forked: they inherit it
    assert cli.main(command) == cli.EXIT_OK
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert cli.main(command + ["--no-cache"]) == cli.EXIT_SITE  # --no-cache lays every PDF out
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")

    note = root / "content" / "actors" / "andrew-thornebrooke.md"
    note.write_text(note.read_text().replace("National security correspondent", "Security correspondent"))
    assert cli.main(command) == cli.EXIT_OK
    redone = {name for name, text in records.items() if (kept / name).read_text() != text}
    assert redone == {"actors.json", "book.json"}
    assert "Security correspondent" in " ".join(_text(pypdf.PdfReader(out / "actors.pdf")))
    assert (out / "scenarios.pdf").read_bytes() == first["scenarios.pdf"]


def test_build_lays_the_pdfs_out_beside_the_site_engine_and_a_pdf_failure_keeps_the_old_site(tmp_path,
                                                                                             monkeypatch):
    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    command = ["build", "--root", str(root), "--config", str(CONFIG), "--no-cache"]
    assert cli.main(command) == cli.EXIT_OK
    site = root / "site"
    assert sorted(p.name for p in (site / "pdf").iterdir()) == sorted(f"{name}.pdf" for name in NAMES)
    assert 'href="../pdf/actors.pdf"' in (site / "actors" / "index.html").read_text() or \
        "pdf/actors.pdf" in (site / "actors" / "index.html").read_text()
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}

    def broken_layout(*args, **kwargs):
        raise RuntimeError("the layout engine broke")

    monkeypatch.setattr(pdf, "write_pdf", broken_layout)  # inherited by the forked PDF processes
    assert cli.main(command) == cli.EXIT_SITE
    assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site")]  # no half-built folder left


def _laid_out_by_html_parser(document_html, target, monkeypatch) -> bytes:
    with monkeypatch.context() as patched:
        patched.setattr(pdf, "xml_root", lambda _html: None)
        pdf.write_pdf(document_html, target)
    return target.read_bytes()


def test_print_html_is_read_as_xml_and_lays_out_as_the_html_parser_would(built, monkeypatch, tmp_path):
    printer = built["printer"]
    for chapter in [*CHAPTERS, pdf.BOOK_TITLE]:
        assert pdf.xml_root(printer.document(chapter).html) is not None, chapter  # the fast path is taken
    for chapter in ("Overview", "Actors"):  # Actors holds the relation graphs and their legends (inline SVG)
        document = printer.document(chapter).html
        pdf.write_pdf(document, tmp_path / "xml.pdf")
        assert (tmp_path / "xml.pdf").read_bytes() == _laid_out_by_html_parser(document, tmp_path / "html.pdf",
                                                                                 monkeypatch), chapter


@pytest.mark.parametrize("body, text", [
    ("<p>one&nbsp;two</p>", "one\xa0two"),                                    # a named entity XML does not know
    ("<details open><summary>one</summary><p>two</p></details>", "two"),     # a boolean attribute
    ('<p>one</p><svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>', "one"),  # SVG without its namespace
    ("<p>one<p>two", "two"),                                                 # unclosed paragraphs
])
def test_print_html_that_is_not_xml_is_read_by_the_html_parser(body, text, tmp_path):
    document = f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" /></head><body>{body}</body></html>'
    assert pdf.xml_root(document) is None
    assert pdf.write_pdf(document, tmp_path / "out.pdf") == 1
    assert text in pypdf.PdfReader(tmp_path / "out.pdf").pages[0].extract_text()


def _print(built, out, layout=None, chapters=("Overview", "Scenarios")):
    return pdf.build_pdfs(built["book"], built["rendered"], checked_settings(CONFIG), out, config=CONFIG,
                          docs=built["site"].parent / "build" / "docs", chapters=list(chapters), progress=False,
                          layout=layout)


def test_the_layout_process_started_before_generating_writes_the_same_pdfs(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    with pdf.LayoutProcess.start() as layout:
        written = _print(built, tmp_path / "early", layout)
    assert not multiprocessing.active_children()  # it ended with the block
    _print(built, tmp_path / "here")
    assert [w.path.name for w in written] == ["overview.pdf", "scenarios.pdf"]
    for w in written:
        assert w.path.read_bytes() == (tmp_path / "here" / w.path.name).read_bytes()


def test_the_layout_process_reports_a_failed_pdf_and_a_missing_weasyprint(built, tmp_path, monkeypatch):
    def broken_layout(*args, **kwargs):
        raise RuntimeError("the layout engine broke")

    monkeypatch.setattr(pdf, "write_pdf", broken_layout)  # forked after this: the process inherits it
    with pdf.LayoutProcess.start() as layout, pytest.raises(pdf.PdfFailed, match="the layout engine broke"):
        _print(built, tmp_path / "broken", layout)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails in the process
    with pdf.LayoutProcess.start() as layout, pytest.raises(ImportError, match="weasyprint"):
        _print(built, tmp_path / "missing", layout)
    assert not multiprocessing.active_children()


def test_closing_a_busy_layout_process_stops_the_pdfs_it_lays_out(built, tmp_path, monkeypatch):
    started = tmp_path / "started"

    def slow_layout(*args, **kwargs):
        with started.open("a") as pids:
            pids.write(f"{os.getpid()}\n")
        time.sleep(120)

    monkeypatch.setattr(pdf, "write_pdf", slow_layout)
    layout = pdf.LayoutProcess.start()
    failed = []
    printing = threading.Thread(target=lambda: failed.append(pytest.raises(Exception, _print, built, tmp_path, layout)))
    printing.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(started.read_text().split() if started.exists() else []) < 2:
        time.sleep(0.05)
    pids = [int(pid) for pid in started.read_text().split()]
    assert len(pids) == 2  # two PDFs being laid out at once
    layout.close()
    printing.join(timeout=30)
    assert not printing.is_alive() and failed
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


def _deaf_to_sigterm(connection, parent_end) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)


def test_closing_a_layout_process_that_ignores_the_signal_kills_it(monkeypatch):
    monkeypatch.setattr(pdf, "_layout_process_main", _deaf_to_sigterm)  # forked after this: the process runs it
    monkeypatch.setattr(pdf.LayoutProcess, "STOP_WAIT", 0.5)
    layout = pdf.LayoutProcess.start()
    started = time.monotonic()
    layout.close()
    assert time.monotonic() - started < 30
    assert not multiprocessing.active_children()


def test_a_terminated_layout_process_ends_even_while_importing(monkeypatch):
    """SIGTERM while WeasyPrint is being imported: the process ends once the import is done."""
    real_import = __import__

    def slow_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            try:
                time.sleep(1)  # the signal arrives now
            except BaseException:  # noqa: BLE001 - as an import that swallows SystemExit would
                pass
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr("builtins.__import__", slow_weasyprint)
    monkeypatch.setattr(pdf.LayoutProcess, "STOP_WAIT", 1)
    layout = pdf.LayoutProcess.start()
    try:
        time.sleep(0.3)
        layout._process.terminate()
        layout._process.join(10)
        exitcode = layout._process.exitcode
    finally:
        layout.close()
    assert exitcode == 1  # sys.exit(1) of its handler, once the import is done


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_book_with_errors_prints_nothing_and_ends_the_layout_process(tmp_path, capsys):
    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    note = next((root / "content" / "claims").glob("*.md"))
    note.write_text(note.read_text().replace("\n---\n", "\n---\nSee [[actor:nobody-here]].\n", 1))
    assert cli.main(["pdf", "--root", str(root), "--config", str(CONFIG)]) == cli.EXIT_BOOK
    assert "nobody-here" in capsys.readouterr().err
    assert not multiprocessing.active_children()  # stopped, not left importing WeasyPrint
    assert not (root / "site" / "pdf").exists()


@pytest.mark.parametrize("command, hint", [("pdf", "apt-get install"), ("build", "or build with --no-pdf")])
def test_without_weasyprint_the_commands_say_what_to_install(command, hint, tmp_path, monkeypatch, capsys):
    root = tmp_path / "book"
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails, as without Pango
    assert cli.main([command, "--root", str(root), "--config", str(CONFIG), "--no-cache"]) == cli.EXIT_SITE
    err = capsys.readouterr().err
    assert "cannot load WeasyPrint" in err and hint in err, err
    assert not (root / "site").exists()  # nothing half-built
    assert not multiprocessing.active_children()


LONG_TITLE = ("Official US–South Korea alliance discussions about a Taiwan conflict were at a very nascent stage, if they "
              "existed at all, despite many statements in support of peace in the Taiwan Strait.")


def test_running_heads_name_the_note_at_the_top_of_the_page_on_one_line(tmp_path):
    """The top-right running head is the title of the note at the top of the page (or of the one it continues),
    on one line; a note's title, first heading and first content are never left alone at the foot of a page."""
    short = "Official US–South Korea alliance discussions about a Taiwan conflict were…"
    for paragraphs in range(8, 20):  # the short notes start at different heights of a page
        filler = "\n\n".join(f"Paragraph {n}: " + "the report read " * 40 for n in range(paragraphs))
        notes = [f"# {name}\n\n## About {name}\n\n- **Kind:** state\n\nNamed once: " + "a widespread expectation " * 30
                 for name in ("Australia", "Japan")]
        pages = _lay_out_markdown([f"# {LONG_TITLE}\n\n{filler}", *notes], tmp_path / "heads.pdf")
        assert all(page[-1] == f"page {n} of {len(pages)}" for n, page in enumerate(pages, 1))
        heads = [page[-2] for page in pages]  # the line above "page X of Y": one line, or it would be split
        current = short
        for number, page in enumerate(pages):
            titles = [line for line in page if line in ("Australia", "Japan")]
            top = short if number == 0 else titles[0] if titles and page[0] == titles[0] else current
            assert heads[number] == f"Claims & evidence {top}", (paragraphs, number, page[:2])
            for title in titles:
                assert page.index(title) < len(page) - 6, (paragraphs, number, page[-6:])
                assert any(line.startswith("Named once") for line in page[page.index(title):]), (paragraphs, number)
            current = titles[-1] if titles else current


def test_a_highlighted_passage_breaks_its_lines_where_they_are_full(tmp_path):
    """The highlighting splits a quote where two evidence passages meet, leaving a space at the end of the first
    ``mark``: WeasyPrint then broke the line after the passage's first word (para. 20 of Thornebrooke n.d.)."""
    passage = ('<blockquote class="passage" id="para-20"><p><a class="para-number" href="#para-20">para. 20</a> '
               '“<span class="quote-anchor" id="q-1"></span><mark>Washington should support Seoul’s ambitions to work '
               'more closely with major democracies, </mark><span class="quote-anchor" id="q-2"></span><mark>including '
               'as an informal aligned country or </mark><span class="quote-anchor" id="q-3"></span><mark>part of '
               '‘plus’ formats for the G-7, NATO, and the Quad</mark>,” the report reads.</p></blockquote>')
    lines = _lay_out_markdown(f"# Thornebrooke\n\n{passage}\n", tmp_path / "passage.pdf")[0]
    first = next(line for line in lines if line.startswith("para. 20"))
    assert first.startswith("para. 20 “Washington should support Seoul’s ambitions to work more closely"), lines


def test_a_quoted_passage_that_starts_mid_paragraph_leaves_no_word_alone_on_a_line(tmp_path):
    """Para. 11 of the Korea Herald's article printed "formal," alone on a line: the anchor where a quote starts
    (an empty span before its highlight) made WeasyPrint break the line before it one word too early."""
    archive = PROJECT / "bibliography" / "archive" / "korea-herald-2025-go-beyond-rhetoric-taiwan.txt"
    text = [line for line in archive.read_text(encoding="utf-8").splitlines() if "hindered formal," in line][0]
    start = text.index("Washington's 'strategic ambiguity'")
    end = text.index("hesitation from Seoul.") + len("hesitation from Seoul.")
    passage = ('<blockquote class="passage" id="para-11"><p><a class="para-number" href="#para-11">para. 11</a> '
               f'{html.escape(text[:start], quote=False)}<span class="quote-anchor" id="q-1"></span>'
               f'<mark>{html.escape(text[start:end], quote=False)}</mark>{html.escape(text[end:], quote=False)}'
               '</p></blockquote>')
    lines = [line for page in _lay_out_markdown(f"# Korea Herald\n\n{passage}\n", tmp_path / "passage.pdf")
             for line in page]
    first = next(n for n, line in enumerate(lines) if line.startswith("para. 11"))
    last = next(n for n, line in enumerate(lines) if line.rstrip().endswith("expectations.'"))
    printed = lines[first:last + 1]
    assert " ".join(" ".join(printed).split()) == "para. 11 " + " ".join(text.split())  # the whole paragraph
    assert [line for line in printed[:-1] if len(line.split()) < 2] == [], printed


def test_a_reference_list_gives_the_letter_its_citations_show_in_their_order(minimal_book, tmp_path):
    """Two undated Thornebrooke entries cited in the Actors chapter: its citations say n.d.-a and n.d.-b, and so
    does its reference list, the n.d.-a entry first (though its title comes second in the alphabet)."""
    with (minimal_book / "bibliography" / "book.bib").open("a", encoding="utf-8") as bib:
        bib.write("@online{thornebrooke-nd-later,\n  author = {Thornebrooke, Andrew},\n"
                  "  title = {A later piece by the same correspondent},\n  organization = {The Epoch Times},\n}\n")
    with (minimal_book / "content" / "actors" / "south-korea.md").open("a", encoding="utf-8") as note:
        note.write("\nThe correspondent wrote on it again [@thornebrooke-nd-later].\n")
    out = tmp_path / "pdf"
    assert cli.main(["pdf", "actors", "--root", str(minimal_book), "--config", str(CONFIG),
                     "--out", str(out)]) == cli.EXIT_OK
    pages = _text(pypdf.PdfReader(out / "actors.pdf"))
    body, references = " ".join(pages[2:-1]), pages[-1]
    assert "Thornebrooke n.d.-a, para. 14" in body and "Thornebrooke n.d.-b" in body
    assert references.startswith("References")
    first = references.index("Thornebrooke, Andrew. n.d.-a. “North Korea Could Attack South Korea")
    assert first < references.index("Thornebrooke, Andrew. n.d.-b. “A later piece by the same correspondent”.")


def test_a_short_list_and_the_ends_of_a_long_one_are_not_split_at_a_page_foot(tmp_path):
    """An actor's "About" list (Donetsk, The West, Choe Sun-hui in the real book) and a claim's "Balance" were left
    with their heading and first item at the foot of a page and the rest on the next; a long list's last item was
    alone at the top of a page. A list's first two items, and its last two, stay on one page."""
    about = ("## About\n\n- **Kind:** territory\n- **Also called:** Donetsk region\n- **Part of:** Ukraine\n\n"
             "## Referenced by\n\n" + "".join(f"- Referenced by note {n}\n" for n in range(12)))
    about_items = ("Kind: territory", "Also called: Donetsk region", "Part of: Ukraine")
    for lines in range(26, 40):  # the lists start at every height of the page foot
        filler = "\n\n".join(f"Line {n} of the note." for n in range(lines))
        pages = _lay_out_markdown(f"# Donetsk\n\n{filler}\n\n{about}", tmp_path / "lists.pdf")
        assert len(pages) == 2, lines
        for page in pages:
            page = [line.removeprefix("• ") for line in page]  # pypdf reads most bullets as lines of their own
            on_page = [line for line in page if line in about_items]
            assert on_page in ([], list(about_items)), (lines, page[-6:])
            references = [line for line in page if line.startswith("Referenced by note")]
            assert len(references) in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12), (lines, references)


def test_a_legend_stays_with_the_table_it_explains(tmp_path):
    """The legend under "Claims against evidence" was left at a page foot, its matrix on the next page."""
    legend = ('## Claims against evidence\n\n<div class="matrix-legend" markdown="1">\nLegend: ▲ supports · ▼ contradicts'
              ' · ◆ qualifies · — no evidence from this source.\n</div>\n\n| Claim | ANBOUND n.d. (F3) | Balance |\n'
              '|---|---|---|\n' + "".join(f"| Claim {n} in several words | ▲ supports | ▲ 1 · ▼ 0 · ◆ 0 |\n"
                                          for n in range(6)))
    for lines in range(26, 44):
        filler = "\n\n".join(f"Line {n} of the note." for n in range(lines))
        pages = _lay_out_markdown(f"# A scenario\n\n{filler}\n\n{legend}", tmp_path / "legend.pdf")
        page = next(page for page in pages if any(line.startswith("Legend:") for line in page))
        assert any(line.startswith("Claim ANBOUND") for line in page), (lines, page[-4:])


def test_a_contents_leader_starts_clear_of_the_entry_it_follows(tmp_path):
    """The leader's dots fall on a grid from the page number, so the first could touch the full stop that ends a
    claim's statement: "…in the Taiwan Strait.. . . . 9" in the real book's contents. A gap of an em keeps them
    apart."""
    weasyprint = pytest.importorskip("weasyprint")
    css = pdf._environment().get_template("print.css.j2").render(paper="A4", whole_book=False)
    entries = [f"Claim {n}: a statement {'i' * n} that ends in a full stop." for n in range(40)]  # every length
    toc = "".join(f'<li><a href="#n{n}">{html.escape(entry)}</a></li>' for n, entry in enumerate(entries))
    notes = "".join(f'<section class="page" id="n{n}"><h1>{html.escape(e)}</h1></section>'
                    for n, e in enumerate(entries))
    document = weasyprint.HTML(string=f'<html><head><style>{css}</style></head><body><nav class="toc"><ol>{toc}'
                                      f'</ol></nav>{notes}</body></html>').render()

    def walk(box):
        yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    gaps = []
    for line in walk(document.pages[0]._page_box):
        if type(line).__name__ != "LineBox" or not any(getattr(b, "is_leader", False) for b in walk(line)):
            continue
        before = None
        for box in walk(line):
            if getattr(box, "is_leader", False):
                break
            if type(box).__name__ == "TextBox" and box.text.strip():
                before = box
        leader = next(b for b in walk(line) if getattr(b, "is_leader", False))
        if before is not None and leader.children:
            em = before.style["font_size"]
            gaps.append((min(dot.position_x for dot in leader.children) - (before.position_x + before.width)) / em)
    assert len(gaps) == len(entries)
    assert min(gaps) >= 0.9, sorted(gaps)[:5]


def test_a_page_of_the_contents_neither_starts_with_one_or_two_entries_nor_ends_with_a_chapter_title(tmp_path):
    """The whole book's contents ended with the Sources chapter's last two entries alone on a page. Wherever a page
    of the contents ends, the next begins with a chapter's title or with at least three entries, and a chapter's
    title is followed on its page by its first entry."""
    css = pdf._environment().get_template("print.css.j2").render(paper="A4", whole_book=True)
    target = tmp_path / "contents.pdf"
    split = 0
    for first_count in range(41, 48):  # the first page of the contents ends at each place near the lists' ends
        chapters = [("Actors", first_count), ("Sources", 6)]
        toc = "".join(f'<li class="toc-chapter"><a href="#c{c}">{title}</a><ol>'
                      + "".join(f'<li><a href="#c{c}n{n}">{title} entry {n}</a></li>' for n in range(count))
                      + "</ol></li>" for c, (title, count) in enumerate(chapters))
        notes = "".join(f'<section class="chapter-title" id="c{c}"><h1>Chapter {c}</h1></section>'
                        + "".join(f'<section class="page" id="c{c}n{n}"><h1>Note {n}</h1></section>'
                                  for n in range(count)) for c, (title, count) in enumerate(chapters))
        pdf.write_pdf(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" /><style>{css}</style></head>'
                      f'<body><nav class="toc"><ol>{toc}</ol></nav>{notes}</body></html>', target)
        pages = [[line for line in (page.extract_text() or "").splitlines() if re.match(r"(Actors|Sources)\b", line)]
                 for page in pypdf.PdfReader(target).pages]
        contents = [page for page in pages if page]
        if len(contents) == 1:
            continue
        split += 1
        entries = [line for line in contents[1] if " entry " in line]
        assert not entries or not re.match(r"\w+ entry", contents[1][0]) or len(entries) >= 3, (first_count, contents[1])
        assert " entry " in contents[0][-1], (first_count, contents[0][-3:])
    assert split >= 5  # the contents took two pages in most cases


def _outline_pages(reader, outline=None) -> dict[str, int]:
    """The printed page number (the cover is page 1) of each heading in the outline, by its title (first kept)."""
    pages: dict[str, int] = {}
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            pages = {**_outline_pages(reader, item), **pages}
        else:
            pages.setdefault(" ".join(item.title.split()), reader.get_destination_page_number(item) + 1)
    return pages


def test_in_the_whole_book_a_cross_reference_gives_the_page_it_leads_to(built):
    """A briefer reading "…signed a treaty with North Korea" in the printed book can turn to it: "North Korea
    [p. 5]". The chapter PDFs go without (each page that refers ahead would be laid out twice)."""
    book = built["readers"]["book"]
    starts = _outline_pages(book)
    text = " ".join(_text(book))
    found = re.findall(r"(North Korea|Russia|the South|Implications Of NATO-South Korea Defense Cooperation – Analysis) "
                       r"\[p\. (\d+)\]", text)
    assert {name for name, _ in found} == {"North Korea", "Russia", "the South",
                                           "Implications Of NATO-South Korea Defense Cooperation – Analysis"}, text
    for name, page in found:
        assert int(page) == starts["South Korea" if name == "the South" else name], (name, page)
    # and each entry of the bibliography the page of its source's note
    sources = {starts[title] for title in ("Implications Of NATO-South Korea Defense Cooperation – Analysis",
                                           "North Korea Could Attack South Korea if China Invades Taiwan: Report")}
    assert {int(n) for n in re.findall(r"Source page \[p\. (\d+)\]", text)} >= sources
    assert "[p." not in " ".join(_text(built["readers"]["actors"]))


def test_a_possessive_after_a_cross_reference_goes_before_its_page_number():
    """The whole book printed "Kim Jong Un [p. 73]'s assessment": the page number goes after the link, so the "'s"
    goes into it. Other links, and a word that only starts with "s", are left as they are."""
    page = ('<p>ANBOUND reports <a class="xref" href="#kim" title="Kim">Kim Jong Un</a>\'s assessment, '
            '<a class="xref" href="#cn">China</a>’s aims, <a href="https://example.org">a site</a>\'s text and '
            '<a class="xref" href="#s">the South</a>\'so.</p>')
    printed = pdf.print_page_html(page)
    assert '>Kim Jong Un\'s</a> assessment' in printed and ">China’s</a> aims" in printed
    assert ">a site</a>'s text" in printed and ">the South</a>'so." in printed
