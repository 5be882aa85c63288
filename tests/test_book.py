"""End-to-end: the real book builds strictly, and its HTML holds together."""

from __future__ import annotations

import json
import posixpath
import re
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from builder.pipeline import Paths, build, generate

from conftest import CONFIG, PROJECT


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Paths, object]:
    out = tmp_path_factory.mktemp("book")
    paths = Paths.for_root(PROJECT, CONFIG, site=out / "site", build=out / "build")
    book = build(paths, strict=True)
    return paths, book


@pytest.fixture(scope="module")
def pages(built) -> dict[str, BeautifulSoup]:
    paths, _ = built
    return {p.relative_to(paths.site).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in paths.site.rglob("*.html")}


def _target(page: str, href: str) -> tuple[str, str] | None:
    """(html file, fragment) a relative link on ``page`` points to, or None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    base = "" if path.startswith("/") else posixpath.dirname(page)
    resolved = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    if path.endswith("/") or resolved == ".":
        resolved = posixpath.join(resolved, "index.html") if resolved != "." else "index.html"
    return resolved, parts.fragment


def test_every_internal_link_and_anchor_resolves(built, pages):
    paths, _ = built
    ids = {name: {tag["id"] for tag in soup.find_all(id=True)} for name, soup in pages.items()}
    broken = []
    for name, soup in pages.items():
        for tag in soup.find_all(["a", "link", "img", "script"]):
            href = tag.get("href") or tag.get("src")
            if not href:
                continue
            target = _target(name, href)
            if target is None:
                continue
            file, fragment = target
            if not (paths.site / file).exists():
                broken.append(f"{name}: {href} (no file {file})")
            elif fragment and file.endswith(".html") and fragment not in ids.get(file, set()):
                broken.append(f"{name}: {href} (no anchor #{fragment})")
    assert not broken, "\n".join(broken[:40])


def test_every_citation_links_to_an_existing_source_page(built, pages):
    _, book = built
    citations = [(name, a) for name, soup in pages.items() for a in soup.select("a.cite")]
    assert len(citations) > 100
    for name, anchor in citations:
        file, fragment = _target(name, anchor["href"])
        match = re.match(r"^sources/([a-z0-9_-]+)/index\.html$", file)
        assert match, f"{name}: citation {anchor['href']} does not go to a source page"
        key = match[1]
        assert key in book.sources or key == "bibliography", f"{name}: unknown source {key}"
        if key == "bibliography":
            assert fragment.startswith("ref-") and fragment[4:] in book.loaded.bib
        assert anchor.get("title"), f"{name}: citation without its reference on hover"


def test_the_matrix_has_one_row_per_claim(built, pages):
    _, book = built
    table = pages["claims/matrix/index.html"].select_one(".claims-matrix table")
    rows = table.select("tbody tr")
    assert len(rows) == len(book.claims) == len(list((PROJECT / "content" / "claims").glob("*.md")))
    linked = {a["href"].split("/")[-2] for row in rows for a in row.select("td:first-child a")}
    assert linked == set(book.claims)
    for row in rows:
        for cell in row.select("td")[1:-1]:
            text = cell.get_text(" ", strip=True)
            assert text == "—" or re.fullmatch(r"([▲▼◆] (supports|contradicts|qualifies) ?)+", text), text


def test_single_source_claims_say_so_on_their_page_and_matrix_row(built, pages):
    _, book = built
    matrix_rows = {row.select_one("td a")["href"].split("/")[-2]: row.get_text(" ", strip=True)
                   for row in pages["claims/matrix/index.html"].select(".claims-matrix table tbody tr")}
    for claim_id, balance in book.balances.items():
        page = pages[f"claims/{claim_id}/index.html"].get_text(" ", strip=True)
        assert ("Single source" in page) == balance.single_source, claim_id
        assert ("single source" in matrix_rows[claim_id]) == balance.single_source, claim_id


def test_a_claim_is_single_source_when_its_support_has_one_origin_whatever_qualifies_it(built, pages):
    """The treaty claim's supporting passages all relay the treaty ("one origin, not three", its page says), while
    other sources only qualify it: the lists counted every origin ("3 independent origins"), so the claim looked
    confirmed. Every list, the matrix and the claim page count the origins of the supporting evidence."""
    _, book = built
    treaty = " ".join(pages["claims/treaty-binds-mutual-assistance/index.html"].get_text().split())
    assert "one origin, not three" in treaty and "Single source" in treaty
    assert "Independent origins of the supporting evidence: 1 (single source); of all the evidence: 3" in treaty
    index_rows = {row.select_one("td a")["href"].split("/")[-2]: " ".join(row.get_text().split())
                  for row in pages["claims/index.html"].select("table tbody tr")}
    assert index_rows["treaty-binds-mutual-assistance"].endswith("support from 1 origin · single source")
    for claim_id, row in index_rows.items():
        page = " ".join(pages[f"claims/{claim_id}/index.html"].get_text().split())
        shown = re.search(r"Independent origins of the supporting evidence: (\d+)", page).group(1)
        assert row.endswith((f"support from {shown} independent origins", f"support from {shown} origin · single source")), \
            (claim_id, row, shown)
        assert ("single source" in row) == (shown == "1"), claim_id


def test_a_claim_that_no_evidence_supports_says_so(minimal_book, tmp_path):
    claim = minimal_book / "content" / "claims" / "north-korean-troops-to-donetsk.md"
    claim.write_text(claim.read_text(encoding="utf-8").replace("stance: supports", "stance: contradicts"),
                     encoding="utf-8")
    generate(Paths.for_root(minimal_book, CONFIG, build=tmp_path / "build"))
    docs = tmp_path / "build" / "docs" / "claims"
    page = (docs / "north-korean-troops-to-donetsk.md").read_text(encoding="utf-8")
    assert '!!! warning "No supporting evidence"' in page and "Single source" not in page
    row = next(line for line in (docs / "index.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| [North Korea will send troops"))
    assert row.endswith("| ▲ 0 · ▼ 1 · ◆ 1 · **no supporting evidence** |"), row


def test_a_long_title_in_the_navigation_is_cut_after_a_word(built):
    """The sidebar showed "…on the Korean Peninsula t…" and "…against China's intere…"."""
    import yaml

    paths, book = built

    def labels(items):
        for item in items:
            for label, value in item.items():
                if isinstance(value, list):
                    yield from labels(value)
                else:
                    yield label, value

    cut = 0
    for label, path in labels(yaml.safe_load((paths.build / "nav.yml").read_text(encoding="utf-8"))):
        if path.startswith("claims/") and path.removeprefix("claims/").removesuffix(".md") in book.claims:
            statement = " ".join(book.claims[path.removeprefix("claims/").removesuffix(".md")].statement.split())
            if label.endswith("…"):
                cut += 1
                kept = label.removesuffix("…")
                assert statement.startswith(kept) and statement[len(kept)] in " ,;:", (label, statement)
            else:
                assert label == statement
    assert cut > 5


def test_pages_exist_for_every_note_and_index(built, pages):
    _, book = built
    for folder, notes in (("actors", book.actors), ("scenarios", book.scenarios), ("claims", book.claims),
                          ("sources", book.sources)):
        assert f"{folder}/index.html" in pages
        for note_id in notes:
            assert f"{folder}/{note_id}/index.html" in pages
    for page in ("index.html", "claims/matrix/index.html", "sources/bibliography/index.html"):
        assert page in pages


def test_source_pages_show_every_quoted_passage_with_its_anchor(built, pages):
    _, book = built
    for claim in book.claims.values():
        for ev in claim.evidence:
            soup = pages[f"sources/{ev.source}/index.html"]
            anchor = soup.find(id=ev.passage_anchor)
            assert anchor is not None, (claim.id, ev.index)
            assert anchor.find_parent("blockquote", class_="passage") is not None


def test_three_dots_the_source_has_are_quoted_as_written(built):
    """'In South Korea ... the policy debate': the article has the three dots, so the quote is one passage, dots
    and all, not two parts with words left out between them."""
    _, book = built
    claim = book.claims["south-korea-china-policy-shifting"]
    ev = next(ev for ev in claim.evidence if "..." in ev.quote)
    match = book.matches[(claim.id, ev.index)]
    paragraph = book.loaded.archives[book.sources[ev.source].archive].paragraphs[match.paragraph - 1]
    assert [paragraph[start:end] for start, end in match.ranges] == [ev.quote]


def test_actor_pages_list_their_claims_with_balance(built, pages):
    _, book = built
    for actor_id in book.actors:
        involved = [c for c in book.claims.values() if actor_id in c.actors]
        soup = pages[f"actors/{actor_id}/index.html"]
        section = soup.find(id="claims")
        if not involved:
            assert section is None
            continue
        table = section.find_next("table")
        assert len(table.select("tbody tr")) == len(involved)


def test_two_generations_are_byte_identical(tmp_path):
    trees = []
    for name in ("one", "two"):
        paths = Paths.for_root(PROJECT, CONFIG, build=tmp_path / name, site=tmp_path / f"site-{name}")
        generate(paths, strict=True)
        trees.append({p.relative_to(paths.docs).as_posix(): p.read_bytes() for p in paths.docs.rglob("*")
                      if p.is_file()})
    assert trees[0] == trees[1]
    assert len(trees[0]) > 50


def test_no_sentence_ends_with_two_full_stops(pages):
    """A claim's statement ends with a full stop, and so does a label such as "TV Chosun n.d.": linked at the end
    of a sentence, they end it ("… away from Europe." and not "… away from Europe..")."""
    doubled = []
    for name, soup in pages.items():
        main = soup.select_one(".md-content")
        text = main.get_text("") if main else ""
        doubled += [f"{name}: …{text[max(0, m.start() - 50):m.end()]}"
                    for m in re.finditer(r"(?<!\.)\.\.(?!\.)", text)]
    assert not doubled, "\n".join(doubled[:20])


def test_a_claim_linked_inside_a_sentence_gives_up_its_full_stop(pages):
    """A claim's statement is a sentence with its full stop; linked in the middle of another sentence
    ("… ([[claim]]).", "[[claim]], which …") it reads without it: "(… system)." and not "(… system.).". At the
    end of a line it keeps it."""
    inside, stops_inside = 0, []
    for name, soup in pages.items():
        for link in soup.select(".md-content a.xref"):
            title = link.get("title", "")
            following = link.next_sibling
            after = following if isinstance(following, str) else (following.get_text() if following else "")
            if not title.startswith("Claim: ") or not after.split("\n", 1)[0].strip():
                continue
            inside += 1
            if link.get_text().endswith("."):
                stops_inside.append(f"{name}: {link.get_text()[-40:]}{after[:3]}")
    assert inside > 5
    assert not stops_inside, "\n".join(stops_inside[:10])


def test_each_relation_of_an_actor_is_one_row_read_from_that_actor(built, pages):
    """A relation recorded on both actors' notes is one row, and a directed relation says who leads (employs …)
    whom from the page's side: "leads" on Kim Jong Un's page, "led by" on North Korea's."""
    from builder.schema import DIRECTION_WORDS, INVERSE_WORDS

    _, book = built
    expected: dict[str, dict[tuple[str, str], set[str]]] = {actor_id: {} for actor_id in book.actors}
    for actor in book.actors.values():
        for r in actor.relations:
            if r.actor in book.actors and r.actor != actor.id:
                expected[actor.id].setdefault((r.actor, r.relation), set()).add("out")
                expected[r.actor].setdefault((actor.id, r.relation), set()).add("in")
    assert any(ways == {"in"} for rows in expected.values() for ways in rows.values())
    for actor_id, relations in expected.items():
        section = pages[f"actors/{actor_id}/index.html"].find(id="relations")
        if not relations:
            continue
        rows = []
        for row in section.find_next("table").select("tbody tr"):
            relation, other = row.select("td")[:2]
            rows.append((other.a["href"].split("/")[-2], relation.get_text(" ", strip=True)))
        assert len(rows) == len(relations), actor_id
        for (other, kind), ways in relations.items():
            texts = [text for with_id, text in rows if with_id == other and kind in text]
            assert len(texts) == 1, (actor_id, other, kind, texts)
            if kind in DIRECTION_WORDS:
                reads = ("stated in both directions" if len(ways) == 2 else
                         f"{(DIRECTION_WORDS if ways == {'out'} else INVERSE_WORDS)[kind]} ({kind})")
                assert reads in texts[0], (actor_id, other, texts[0])
    north_korea = pages["actors/north-korea/index.html"].find(id="relations").find_next("table")
    assert "led by (leadership) Kim Jong Un" in north_korea.get_text(" ", strip=True)


def test_every_relation_is_one_row_of_the_relations_table_with_all_its_citations(built, pages):
    """A relation stated on both actors' notes (a symmetric one from either side) is one row of "Every relation",
    which gives every citation of it from either note, each once; every relation some note states is there. A
    directed one reads from the row's actor, as on that actor's page: "leads (leadership)"."""
    from builder.bibliography import format_references
    from builder.schema import DIRECTION_WORDS, relation_key

    _, book = built
    labels = {key: reference.label for key, reference in format_references(book.loaded.bib).items()}
    expected: dict[tuple[str, str, str], list[str]] = {}
    stated_twice = 0
    for actor in book.actors.values():
        for r in actor.relations:
            if r.actor in book.actors:
                citations = expected.setdefault(relation_key(actor.id, r.actor, r.relation), [])
                stated_twice += bool(citations)
                citations.append(labels[r.source] + (f", {r.locator}" if r.locator else ""))
    assert stated_twice  # the book states some relations on both notes: what this test is about
    table = pages["actors/relations/index.html"].find(id="every-relation").find_next("table")
    shown: dict[tuple[str, str, str], list[str]] = {}
    described: dict[tuple[str, str, str], list[str]] = {}
    for row in table.select("tbody tr"):
        actor, relation, other, stated_by = row.select("td")
        relation, *notes = relation.get_text(strip=True).split(" — ")
        kind = re.sub(r".*\((\w+)\)$", r"\1", relation)
        if kind in DIRECTION_WORDS:  # read from the row's actor, whose note states it: "leads (leadership)"
            assert relation == f"{DIRECTION_WORDS[kind]} ({kind})"
        key = relation_key(actor.a["href"].split("/")[-2], other.a["href"].split("/")[-2], kind)
        assert key not in shown, f"two rows for {key}"
        shown[key] = stated_by.get_text().strip().split("; ")
        described[key] = notes
    assert shown.keys() == expected.keys()
    for key, citations in expected.items():
        assert sorted(shown[key]) == sorted(set(citations)), key
    # a relation's note ("expected, not current") is in its row, as on the actor's page
    noted = {relation_key(actor.id, r.actor, r.relation): r.note for actor in book.actors.values()
             for r in actor.relations if r.note and r.actor in book.actors}
    assert noted and all(described[key] == [note] for key, note in noted.items()), (noted, described)
    assert all(not notes for key, notes in described.items() if key not in noted)


def _section(soup, anchor: str) -> list:
    """The elements of a page's section, from its heading to the next heading of its level."""
    heading = soup.find(id=anchor)
    elements = []
    for sibling in heading.find_next_siblings():
        if sibling.name in ("h1", "h2"):
            break
        elements.append(sibling)
    return elements


def test_a_source_note_s_text_is_its_own_section_in_the_table_of_contents(built, pages):
    """What it is, how to read it, origins: "About this source", after the reference; not run on under "Gaps"."""
    _, book = built
    for source in book.sources.values():
        soup = pages[f"sources/{source.id}/index.html"]
        gaps = _section(soup, "gaps")
        assert [e.name for e in gaps] == (["ul"] if source.gaps else ["p"]), source.id
        about = soup.find(id="about")
        if not source.body.text.strip():
            assert about is None, source.id
            continue
        assert about.name == "h2" and about.get_text(strip=True).startswith("About this source"), source.id
        assert soup.select_one('.md-nav--secondary a[href="#about"]'), f"{source.id}: not in the table of contents"
        words = " ".join(_section(soup, "about")[0].get_text(" ", strip=True).split()[:4])
        assert words in " ".join(source.body.text.replace("*", "").split()), (source.id, words)
        headings = [h["id"] for h in soup.select(".md-content h2[id]")]
        assert headings.index("reference") + 1 == headings.index("about") < headings.index("gaps"), headings


def test_referenced_by_names_the_section_each_reference_is_in(pages):
    """Each section named under "Referenced by" is a heading of that name on the referring page (there was an
    "Introduction" that no page has); a reference right under a page's title names no section."""
    wrong, named = [], 0
    for name, soup in pages.items():
        heading = soup.find(id="referenced-by")
        if heading is None:
            continue
        for item in heading.find_next("ul").find_all("li", recursive=False):
            page_link, *section_links = item.find_all("a")
            for link in section_links:
                file, fragment = _target(name, link["href"])
                target = pages[file].find(id=fragment) if fragment else None
                title = target.get_text(strip=True).rstrip("¶").strip() if target else None
                if title != link.get_text(strip=True):
                    wrong.append(f"{name}: '{link.get_text(strip=True)}' on {file}#{fragment} is {title!r}")
                named += 1
    assert named > 50
    assert not wrong, "\n".join(wrong[:20])


def test_every_page_counting_evidence_by_symbol_explains_the_symbols_first(pages):
    """"▲ 3 · ▼ 0 · ◆ 1 · 2 independent origins" (claims index, actor and scenario pages, matrices) comes after a
    legend that says what ▲, ▼ and ◆ count."""
    counted = re.compile(r"[▲▼◆] \d")
    unexplained, seen = [], 0
    for name, soup in pages.items():
        main = soup.select_one(".md-content")
        first = main.find(string=counted) if main else None
        if first is None:
            continue
        seen += 1
        legend = first.find_previous(class_=["balance-legend", "matrix-legend"])
        text = legend.get_text(" ", strip=True) if legend else ""
        if not all(word in text for word in ("▲ support", "▼ contradict", "◆ qualif", "independent origins")):
            unexplained.append(f"{name}: {first.strip()[:40]!r} with no legend before it")
    assert seen > 40
    assert not unexplained, "\n".join(unexplained)


def test_a_claim_page_states_its_claim_once_as_its_title(built, pages):
    """The title is the statement, with the anchor #statement; no "Statement" section repeats it word for word."""
    _, book = built
    for claim in book.claims.values():
        content = pages[f"claims/{claim.id}/index.html"].select_one(".md-content")
        title = content.find("h1")
        assert title["id"] == "statement", claim.id
        assert title.get_text(strip=True).rstrip("¶").strip() == claim.statement, claim.id
        title.decompose()
        assert claim.statement not in " ".join(content.get_text(" ").split()), claim.id


def test_evidence_quotes_print_inner_quotation_marks_single(built, pages):
    """A quote is printed between “…”: its own double marks become single ones, so no cell shows '““'."""
    _, book = built
    inner = [(claim.id, ev.index) for claim in book.claims.values() for ev in claim.evidence if "“" in ev.quote]
    assert inner, "the book has quotes with quotation marks of their own"
    for claim_id, index in inner:
        row = pages[f"claims/{claim_id}/index.html"].select(".evidence-table tbody tr")[index - 1]
        text = row.select("td")[4].get_text()
        assert "““" not in text and "””" not in text and "‘" in text, (claim_id, index, text)


def test_a_relation_stated_on_both_notes_is_listed_and_drawn_once_with_each_citation_once(minimal_book, tmp_path):
    """North Korea's note states a treaty with Russia (ANBOUND, para. 2); Russia's states it back, from the same
    place and from another source. The table of every relation has one row for it with both citations, and its
    line on the drawings names each once. A directed relation stated both ways is two relations: two rows."""
    russia = minimal_book / "content" / "actors" / "russia.md"
    russia.write_text(russia.read_text(encoding="utf-8").replace("aliases: [Moscow]\n", """aliases: [Moscow]
relations:
  - actor: north-korea
    relation: treaty
    source: anbound-nd
    locator: para. 2
  - actor: north-korea
    relation: treaty
    source: thornebrooke-nd
    locator: para. 14
  - actor: north-korea
    relation: membership
    source: scmp-nd
    locator: para. 7
"""), encoding="utf-8")
    north_korea = minimal_book / "content" / "actors" / "north-korea.md"
    north_korea.write_text(north_korea.read_text(encoding="utf-8").replace("    locator: para. 2\n", """\
    locator: para. 2
  - actor: russia
    relation: membership
    source: scmp-nd
    locator: para. 7
"""), encoding="utf-8")
    generate(Paths.for_root(minimal_book, CONFIG, build=tmp_path / "build"))
    docs = tmp_path / "build" / "docs" / "actors"
    page = (docs / "relations.md").read_text(encoding="utf-8")
    rows = [re.sub(r'\]\((?:[^)"]|"[^"]*")*\)', "]", line)  # links as their text alone
            for line in page.split("## Every relation", 1)[1].splitlines() if line.startswith("| [")]
    assert rows == ["| [North Korea] | treaty | [Russia] | [ANBOUND n.d.], para. 2; [Thornebrooke n.d.], para. 14 |",
                    "| [North Korea] | member of (membership) | [Russia] | [South China Morning Post n.d.], para. 7 |",
                    "| [Russia] | member of (membership) | [North Korea] | [South China Morning Post n.d.], para. 7 |"]
    treaty = "North Korea — treaty — Russia (stated by ANBOUND n.d., para. 2; Thornebrooke n.d., para. 14)"
    for drawn_on in ("relations.md", "north-korea.md", "russia.md"):
        titles = re.findall(r'<g class="edge rel-treaty"><title>([^<]*)</title>',
                            (docs / drawn_on).read_text(encoding="utf-8"))
        assert titles == [treaty], drawn_on


def test_a_reference_in_a_claim_statement_is_listed_under_no_section(minimal_book, tmp_path):
    claim = minimal_book / "content" / "claims" / "north-korean-troops-to-donetsk.md"
    claim.write_text(claim.read_text(encoding="utf-8").replace(
        "statement: North Korea will send troops to Russian-held Donetsk.",
        "statement: North Korea will send troops to [[russia|Russian]]-held Donetsk."), encoding="utf-8")
    generate(Paths.for_root(minimal_book, CONFIG, build=tmp_path / "build"))
    russia = (tmp_path / "build" / "docs" / "actors" / "russia.md").read_text(encoding="utf-8")
    line = next(line for line in russia.splitlines() if line.startswith("- [North Korea will send troops"))
    assert "[Statement]" not in line and line.endswith(")"), line


# --------------------------------------------------------------------------- the search index


@pytest.fixture(scope="module")
def search_index(built) -> dict:
    paths, _ = built
    return json.loads((paths.site / "search" / "search_index.json").read_text(encoding="utf-8"))


def _paragraphs(text: str) -> list[str]:
    """The paragraphs and list items of an index entry's text (Material keeps <p>, <li> and the like)."""
    return [" ".join(part.split()) for part in re.split(r"<[^>]+>", text) if part.strip()]


def test_search_results_are_not_flooded_by_one_paragraph_repeated_on_many_pages(search_index, pages):
    """A reference in full, or the legend of the evidence marks, indexed on every page that cites or shows it
    made a search for an outlet or a stance list dozens of pages for that one paragraph."""
    where: dict[str, set[str]] = {}
    for entry in search_index["docs"]:
        for paragraph in _paragraphs(entry["text"]):
            if len(paragraph) >= 80:
                where.setdefault(paragraph, set()).add(entry["location"].partition("#")[0])
    most = len(pages) // 4
    flooding = sorted((len(found), paragraph[:80]) for paragraph, found in where.items() if len(found) > most)
    assert not flooding, f"indexed on more than {most} pages:\n" + "\n".join(f"{n}: {p}" for n, p in flooding)


def _section(soup: BeautifulSoup, anchor: str) -> list:
    """The elements of the section under the heading ``anchor``, up to the next heading of its level or above."""
    heading = soup.select_one(".md-content").find(id=anchor)
    if heading is None or not re.fullmatch(r"h[1-6]", heading.name):
        return []
    level, found = int(heading.name[1]), []
    for sibling in heading.find_next_siblings():
        if re.fullmatch(r"h[1-6]", sibling.name) and int(sibling.name[1]) <= level:
            break
        found.append(sibling)
    return found


def test_search_indexes_no_generated_section_that_only_lists_other_pages(search_index, pages):
    """"Referenced by", an actor's claims and scenarios, a claim's actors, a source's relays: each only repeats
    the titles of other pages, which their own pages carry; indexed, they put every actor page in the results of
    a claim's words."""
    letters = re.compile(r"[^\W\d_]")
    listing = []
    for entry in search_index["docs"]:
        page, _, anchor = entry["location"].partition("#")
        if not anchor or page.partition("/")[0] not in ("actors", "claims", "scenarios", "sources"):
            continue
        section = _section(pages[f"{page}index.html"], anchor)
        text = "".join(element.get_text(" ") for element in section)
        linked = "".join(a.get_text(" ") for element in section for a in element.find_all("a"))
        if letters.search(text) and len(letters.findall(linked)) >= 0.9 * len(letters.findall(text)):
            listing.append(entry["location"])
    assert not listing, "sections that only list links, indexed:\n" + "\n".join(listing)


def test_the_search_index_is_smaller_than_the_text_of_the_pages(search_index, built, pages):
    """Each word of the book indexed about once: the index, which every reader's browser downloads before its
    first search, is no bigger than the text the pages show."""
    paths, _ = built
    shown = sum(len(" ".join(article.get_text(" ").split())) for soup in pages.values()
                for article in soup.select("article.md-content__inner"))
    size = (paths.site / "search" / "search_index.json").stat().st_size
    assert shown > 100_000
    assert size <= 0.6 * shown, f"search index {size // 1000} KB for {shown // 1000} KB of page text"
    assert len(search_index["docs"]) <= 4 * len(pages), "more than four search entries a page"
