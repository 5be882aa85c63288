"""Relation graphs (builder/graph.py) and search keywords (builder/aliases.py), without a browser."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import pytest

from builder import aliases, graph
from builder.link import page_path
from builder.pipeline import check
from builder.records import Actor, Relation
from builder.schema import DIRECTION_WORDS

from conftest import CONFIG, PROJECT

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def book():
    return check(PROJECT)


def _actor(actor_id: str, kind: str = "state", relations=(), aliases_=()) -> Actor:
    return Actor(id=actor_id, loc=None, name=actor_id.title(), kind=kind, aliases=tuple(aliases_), tags=(),
                 affiliation="", relations=tuple(Relation(actor=other, relation=kind_, source="src", locator="",
                                                          note="", loc=None) for other, kind_ in relations),
                 body=None, field_locs={})


def _svg(block: str) -> etree.Element:
    found = re.search(r"<svg .*?</svg>", block, re.S)
    assert found, block[:200]
    return etree.fromstring(found.group(0))


def _drawn_lines(text: etree.Element) -> list[str]:
    """The lines of a name as drawn: its ``<tspan>``s, or the text itself."""
    spans = list(text.iter(f"{SVG}tspan"))
    return [span.text for span in spans] if spans else [text.text]


def _text_box(text: etree.Element) -> tuple[float, float, float, float]:
    """Where a name is written, every line of it, as wide as ``graph`` takes it to be."""
    x, y = float(text.get("x")), float(text.get("y"))
    last = y + sum(float(span.get("dy", 0)) for span in text.iter(f"{SVG}tspan"))
    width = max(graph._text_width(line) for line in _drawn_lines(text))
    left = {"middle": x - width / 2, "start": x, "end": x - width}[text.get("text-anchor")]
    return left, y - graph.FONT * .75, left + width, last + graph.FONT * .25


def _shape_box(shape: etree.Element) -> tuple[float, float, float, float]:
    if shape.tag == f"{SVG}circle":
        x, y, r = (float(shape.get(key)) for key in ("cx", "cy", "r"))
        return x - r, y - r, x + r, y + r
    if shape.tag == f"{SVG}rect":
        x, y, w, h = (float(shape.get(key)) for key in ("x", "y", "width", "height"))
        return x, y, x + w, y + h
    points = [tuple(map(float, point.split(","))) for point in shape.get("points").split()]
    return min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points)


def _nodes(svg: etree.Element) -> list[tuple[str, tuple[float, float, float, float], etree.Element]]:
    """(name as drawn, box of its shape, its text) of every node of a drawing."""
    nodes = []
    for node in svg.iter():
        if "node" in node.get("class", "").split():
            shape = next(child for child in node if child.tag not in (f"{SVG}title", f"{SVG}text"))
            text = node.find(f"{SVG}text")
            nodes.append((" ".join(_drawn_lines(text)), _shape_box(shape), text))
    return nodes


def _name_boxes(svg: etree.Element) -> dict[str, tuple[float, float, float, float]]:
    return {name: _text_box(text) for name, _shape, text in _nodes(svg)}


def _assert_names_clear(svg: etree.Element) -> None:
    """No two names written over each other, and no name over another actor's node."""
    nodes = _nodes(svg)
    for i, (name, _shape, text) in enumerate(nodes):
        box = _text_box(text)
        for j, (other, shape, other_text) in enumerate(nodes):
            if j != i:
                assert not graph._overlaps(box, [shape]), (name, "over the node of", other)
            if j > i:
                assert not graph._overlaps(box, [_text_box(other_text)]), (name, other)


def test_site_href_follows_directory_urls():
    assert graph.site_href("actors/russia.md", "actors/north-korea.md") == "../russia/"
    assert graph.site_href("actors/russia.md", "actors/relations.md") == "../russia/"
    assert graph.site_href("actors/russia.md", "actors/index.md") == "russia/"
    assert graph.site_href("index.md", "actors/russia.md") == "../../"
    assert graph.site_href("actors/russia.md", "index.md") == "actors/russia/"
    assert graph.site_href("actors/russia.md", "actors/north-korea.md", directory_urls=False) == "russia.html"


def test_symmetric_relations_merge_and_directed_ones_keep_their_direction():
    """b's note states a's rivalry back from the same place: one edge, and its tooltip names the source once."""
    actors = {
        "a": _actor("a", relations=[("b", "rivalry"), ("c", "membership")]),
        "b": _actor("b", relations=[("a", "rivalry")]),
        "c": _actor("c", kind="alliance or bloc", relations=[("a", "membership")]),
    }
    edges = graph.edges_of(actors, {"src": "Source n.d."})
    assert [(e.a, e.b, e.relation, e.directed, e.citations) for e in edges] == [
        ("a", "b", "rivalry", False, [("Source n.d.", "")]), ("a", "c", "membership", True, [("Source n.d.", "")]),
        ("c", "a", "membership", True, [("Source n.d.", "")])]
    titles = [title.text for title in _svg(graph.full_graph(actors, edges, "actors/relations.md", page_path))
              .iter(f"{SVG}title") if " — rivalry — " in title.text]
    assert titles == ["A — rivalry — B (stated by Source n.d.)"]


def test_the_directed_relation_types_are_the_ones_drawn_with_an_arrow():
    assert {relation for relation, style in graph.RELATION_STYLES.items() if style[3]} == set(DIRECTION_WORDS)


def test_no_line_of_the_book_s_drawings_names_a_citation_twice(book):
    """On screen (the whole book, each actor) and on paper: the book states relations on both actors' notes."""
    edges = graph.edges_of(book.actors)
    drawings = [graph.full_graph(book.actors, edges, "actors/relations.md", page_path),
                graph.print_full_graph(book.actors, edges, "actors/relations.md", page_path, [(174.0, 217.0)])[0]]
    drawings += [graph.local_graph(book.actors, edges, actor_id, f"actors/{actor_id}.md", page_path)
                 for actor_id in book.actors]
    lines = 0
    for block in filter(None, drawings):
        for group in _svg(block).iter(f"{SVG}g"):
            if "edge" in group.get("class", "").split():
                lines += 1
                cited = re.fullmatch(r".*? \(stated by (.*)\)", group.find(f"{SVG}title").text).group(1).split("; ")
                assert len(cited) == len(set(cited)), cited
    assert lines > len(edges)


def test_the_book_graph_is_deterministic_links_every_related_actor_and_has_a_legend(book):
    edges = graph.edges_of(book.actors)
    first = graph.full_graph(book.actors, edges, "actors/relations.md", page_path)
    assert first == graph.full_graph(book.actors, graph.edges_of(book.actors), "actors/relations.md", page_path)
    svg = _svg(first)
    related = {e.a for e in edges} | {e.b for e in edges}
    hrefs = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert hrefs == {f"../{actor_id}/" for actor_id in related}
    assert len(list(svg.iter(f"{SVG}title"))) == len(related) + len(edges)  # every node and edge explains itself
    legend = first[first.index('<ul class="graph-legend"'):]
    for relation in {e.relation for e in edges}:
        assert f"> {relation}" in legend
    # no request leaves the page: no external reference of any kind
    assert not re.search(r"""(?:href|src)="(?:https?:)?//""", first)


def test_the_book_graph_for_paper_prints_its_names_larger_and_says_where_the_sources_are(book):
    edges = graph.edges_of(book.actors)
    frames = [(174.0, 217.0), (261.0, 142.0)]  # room on an A4 page, portrait and landscape (mm)

    def name_size_pt(block: str, frame: tuple[float, float]) -> float:
        width, height = map(float, _svg(block).get("viewBox").split()[2:])
        return graph.FONT * min(frame[0] / width, frame[1] / height) / 0.35278

    screen = graph.full_graph(book.actors, edges, "actors/relations.md", page_path)
    paper, frame = graph.print_full_graph(book.actors, edges, "actors/relations.md", page_path, frames)
    assert (paper, frame) == graph.print_full_graph(book.actors, edges, "actors/relations.md", page_path, frames)
    assert max(name_size_pt(screen, f) for f in frames) < 4.7  # what the screen's drawing printed at
    assert name_size_pt(paper, frames[frame]) >= 5.5
    svg = _svg(paper)
    assert {a.get("href") for a in svg.iter(f"{SVG}a")} == {a.get("href") for a in _svg(screen).iter(f"{SVG}a")}
    assert "Hover" in screen and "Hover" not in paper and "The table below gives who states each relation." in paper
    _assert_names_clear(svg)


def test_names_that_fit_one_line_are_written_as_before_and_longer_ones_on_two():
    assert graph._name_lines("Center for Strategic  Studies") == ("Center for Strategic Studies",)
    assert graph._name_lines("x" * 32) == ("x" * 32,)
    assert graph._name_lines("Center for a New American Security") == ("Center for a New", "American Security")
    assert graph._name_lines('The "evil alignment" (Russia, North Korea, China and Iran)') == (
        'The "evil alignment" (Russia,', "North Korea, China and Iran)")
    # one word too long for a line, or a name too long for two: shortened, on its last line
    assert graph._name_lines("x" * 40) == ("x" * 31 + "…",)
    long = "The Permanent Secretariat of the Committee for the Peaceful Reunification of the Fatherland"
    first, second = graph._name_lines(long)
    assert len(first) <= 32 and len(second) == 32 and second.endswith("…")
    assert long.startswith(f"{first} {second[:-1]}")


def test_a_long_name_is_written_whole_on_two_lines_in_every_drawing():
    """On the book's drawing, on paper and on the local drawings: under, over and beside a node."""
    names = {"hub": "Center for a New American Security", "top": "North Korean Central Military Commission",
             "right": "Secretariat of Foreign and Global Affairs", "left": "Korea Economic Institute of America"}
    actors = {"hub": _actor("hub", "think tank", [("top", "alliance"), ("right", "rivalry"), ("left", "rivalry")]),
              **{v: _actor(v, "military", [("hub", "partnership")]) for v in ("top", "right", "left")}}
    actors = {v: Actor(**{**vars(actor), "name": names[v]}) for v, actor in actors.items()}
    edges = graph.edges_of(actors)
    drawings = [graph.full_graph(actors, edges, "actors/relations.md", page_path),
                graph.print_full_graph(actors, edges, "actors/relations.md", page_path, [(174.0, 217.0)])[0]]
    drawings += [graph.local_graph(actors, edges, v, f"actors/{v}.md", page_path) for v in actors]
    placed = set()
    for block in drawings:
        svg = _svg(block)
        assert "…" not in block
        centres = {name: ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) for name, box, _text in _nodes(svg)}
        width, height = map(float, svg.get("viewBox").split()[2:])
        for text in svg.iter(f"{SVG}text"):
            if text.get("font-size") != "11":
                continue
            spans = list(text.iter(f"{SVG}tspan"))
            lines = [span.text for span in spans]
            name = " ".join(lines)
            assert len(spans) == 2 and name in names.values(), lines
            assert list(graph._name_lines(name)) == lines and all(len(line) <= 32 for line in lines)
            assert [span.get("x") for span in spans] == [text.get("x")] * 2
            assert [span.get("dy") for span in spans] == [None, graph._num(graph.LINE)]
            (cx, cy), y, anchor = centres[name], float(text.get("y")), text.get("text-anchor")
            if anchor == "middle":  # both lines under the node, or both over it
                placed.add("under" if y > cy else "over")
                assert y > cy or y + graph.LINE < cy
            else:  # beside it, the two lines centred on it
                placed.add(anchor)
                assert abs(y + graph.LINE / 2 - graph.FONT / 3 - cy) < .1
            left, top, right, bottom = _name_boxes(svg)[name]
            assert 0 <= left and right <= width and 0 <= top and bottom <= height, (name, anchor)
        _assert_names_clear(svg)
    assert placed == {"under", "over", "start", "end"}


def test_the_book_graphs_names_are_whole_and_clear_of_each_other_and_of_the_nodes(book):
    """The book has names longer than a line (written on two), on screen and on paper; the others are one line."""
    edges = graph.edges_of(book.actors)
    screen = graph.full_graph(book.actors, edges, "actors/relations.md", page_path)
    paper = graph.print_full_graph(book.actors, edges, "actors/relations.md", page_path,
                                   [(174.0, 217.0), (261.0, 142.0)])[0]
    related = {e.a for e in edges} | {e.b for e in edges}
    for block in (screen, paper):
        svg = _svg(block)
        nodes = _nodes(svg)
        assert {name for name, _shape, _text in nodes} == {" ".join(book.actors[v].name.split()) for v in related}
        assert any(len(name) > 32 for name, _shape, _text in nodes)
        for name, _shape, text in nodes:
            assert len(_drawn_lines(text)) == (1 if len(name) <= 32 else 2), name
            assert len(name) > 32 or (text.text == name and not len(text)), name  # as before: no tspan
        _assert_names_clear(svg)


def test_relation_types_differ_by_line_pattern_not_only_colour():
    patterns = {(dash, width, directed) for _colour, dash, width, directed in graph.RELATION_STYLES.values()}
    assert len(patterns) == len(graph.RELATION_STYLES)


def test_a_local_graph_shows_the_actor_and_its_direct_relations_only(book):
    edges = graph.edges_of(book.actors)
    block = graph.local_graph(book.actors, edges, "north-korea", "actors/north-korea.md", page_path)
    svg = _svg(block)
    neighbours = {e.b if e.a == "north-korea" else e.a for e in edges if "north-korea" in (e.a, e.b)}
    assert {a.get("href") for a in svg.iter(f"{SVG}a")} == {f"../{n}/" for n in neighbours}
    assert "North Korea" in "".join(svg.itertext())
    isolated = next(a for a in book.actors if not any(a in (e.a, e.b) for e in edges))
    assert graph.local_graph(book.actors, edges, isolated, f"actors/{isolated}.md", page_path) == ""


def test_the_relations_page_and_actor_pages_carry_the_drawings(book, tmp_path):
    from builder.render import Settings, render

    rendered = render(book, Settings())
    assert "actors/relations.md" in rendered.pages
    assert {"Relations between actors": "actors/relations.md"} in rendered.nav[1]["Actors"]
    page = rendered.pages["actors/relations.md"]
    assert '<figure class="relation-graph relation-graph-all"' in page and "| Actor | Relation |" in page
    assert '<figure class="relation-graph relation-graph-local"' in rendered.pages["actors/north-korea.md"]


def test_one_word_names_and_aliases_are_search_keywords(book):
    assert aliases.search_keywords(book.actors["north-korea"]) == ["Pyongyang"]
    assert aliases.search_keywords(book.actors["ukraine"]) == ["Ukraine", "Kyiv", "Ukrainian"]
    # "U.S." is two words for the site's search, like "North Korea": neither is a keyword
    assert "U.S." not in aliases.search_keywords(book.actors["united-states"])
    assert aliases.search_keywords(book.actors["south-korea"]) == ["Seoul", "ROK"]
    assert aliases.search_keywords(book.actors["usfk"]) == ["USFK"]
    # many-word aliases would outweigh every page for each of their words
    assert "comprehensive strategic partnership" not in aliases.search_keywords(
        book.actors["russia-north-korea-alliance"])


def test_actor_pages_list_their_keywords_in_front_matter(book):
    from builder.render import Settings, render

    page = render(book, Settings()).pages["actors/north-korea.md"]
    front = page.split("---")[1]
    assert 'tags:\n  - "Pyongyang"' in front


def test_aliases_are_split_into_words_where_the_sites_search_splits_them():
    """A keyword is one word only if the site's search, which splits at the separator in mkdocs.yml, sees one."""
    import yaml

    plugins = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["plugins"]
    search = next(plugin["search"] for plugin in plugins if isinstance(plugin, dict) and "search" in plugin)
    assert search["separator"] == aliases.SEARCH_SEPARATOR
    assert aliases.words("(ANBOUND n.d., para. 2)") == ["anbound", "n", "d", "para", "2"]
