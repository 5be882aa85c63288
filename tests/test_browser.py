"""The reader's site in a real browser (Playwright driving the system Chromium).

The real book is built once into a temporary folder and served on 127.0.0.1;
every test watches the console and the network: a console error, or a request
to any origin but the site's own, fails it. Screenshots go to
test-artifacts/screenshots/ (git-ignored).

Needs Playwright (the ``test`` extra) and Debian's Chromium at /usr/bin/chromium
(``./book test`` installs it); axe-core is installed by ``./book test`` into
tests/browser/.node/ (git-ignored). Where they are missing the tests are
skipped, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import functools
import contextlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from builder.cite import inner_quotes_single
from builder.pipeline import Paths, build

from conftest import CONFIG, PROJECT

CHROMIUM = Path(os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NODE_PREFIX = PROJECT / "tests" / "browser" / ".node"
AXE = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = PROJECT / "test-artifacts" / "screenshots"
IN_CI = bool(os.environ.get("CI"))


def _missing(reason: str):
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the test extra installs it
    if IN_CI:
        raise
    pytest.skip("Playwright is not installed (pip install -e '.[test]')", allow_module_level=True)


# --------------------------------------------------------------------------- fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser")
    paths = Paths.for_root(PROJECT, CONFIG, site=out / "site", build=out / "build")
    book = build(paths, strict=True)
    return paths, book


@pytest.fixture(scope="module")
def base_url(built):
    paths, _ = built
    handler = functools.partial(_QuietHandler, directory=str(paths.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (./book test installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watch:
    """Console errors, page errors and requests that leave the site's origin, for one browser context."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.errors: list[str] = []
        self.foreign: list[str] = []

    def attach(self, context) -> None:
        def route(route):
            url = route.request.url
            if url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                self.foreign.append(url)
                route.abort()

        context.route("**/*", route)
        context.on("page", self.attach_page)

    def attach_page(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{page.url}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def check(self) -> None:
        assert not self.foreign, "requests to other origins:\n" + "\n".join(sorted(set(self.foreign)))
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)


@pytest.fixture
def open_context(browser, base_url):
    """open_context(**options) → (context, watch); every context is checked and closed after the test."""
    opened = []

    def make(**options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        context.set_default_timeout(10_000)
        watch = Watch(base_url)
        watch.attach(context)
        opened.append((context, watch))
        return context, watch

    yield make
    for context, watch in opened:
        context.close()
        watch.check()


@pytest.fixture
def page(open_context):
    context, _ = open_context()
    return context.new_page()


def _shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _path(url: str, base_url: str) -> str:
    return urlsplit(url).path[len(urlsplit(base_url).path):]


# --------------------------------------------------------------------------- search


def _open_search(page) -> None:
    box = page.locator("input.md-search__input")
    box.click()
    # typed before the index is loaded, a query may be answered late or not at all: wait for it
    page.wait_for_function("""() => {
        const meta = document.querySelector('.md-search-result__meta');
        return meta && meta.textContent.trim() && !/initiali[sz]ing/i.test(meta.textContent);
    }""")


def _first_hit(page, query: str) -> str:
    """Type ``query`` into the search box, key by key as a reader does; the first result's address."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query, delay=10)  # Material searches on keyup, not on a filled value
    words = query.lower().split()
    previous = None
    for _ in range(100):  # until the results answer the whole query and stop changing
        # the first result, and the words its links mark (the page's own link marks none when only its
        # sections match)
        first, *links = page.evaluate("""() => {
            const meta = document.querySelector('.md-search-result__meta');
            const item = document.querySelector('.md-search-result__item');
            const hit = item && item.querySelector(':scope > a.md-search-result__link');
            return hit && /matching/.test(meta.textContent)
                ? [hit.href, ...[...item.querySelectorAll('a.md-search-result__link')].map(a => a.href)] : [null];
        }""")
        marked = first and ([word for link in links
                             for word in urlsplit(link).query.partition("h=")[2].replace("+", " ").lower().split()]
                            or ["?"])
        if first and first == previous and all(word in words for word in marked):
            return first
        previous = first
        page.wait_for_timeout(100)
    raise AssertionError(f"no search results for {query!r}")


SEARCHES = [  # (query, the page its first hit must be)
    ("Pyongyang", "actors/north-korea/"),
    ("ROK", "actors/south-korea/"),
    ("USFK", "actors/usfk/"),
    ("Moscow", "actors/russia/"),
    ("Seoul", "actors/south-korea/"),
    ("foreign currency", "claims/north-korean-troops-to-donetsk/"),
    ("strategic flexibility", "claims/usfk-strategic-flexibility-unresolved/"),
    # an actor's one-word name finds its page before the claims with the name in their titles
    ("Ukraine", "actors/ukraine/"),
    ("Taiwan", "actors/taiwan/"),
    ("China", "actors/china/"),
    # cited as "(ANBOUND n.d., para. 2)": found as the word ANBOUND, not as "(anbound"
    ("ANBOUND", "actors/anbound/"),
    ("SCMP", "actors/scmp/"),
    # a page whose title is the query, word for word, comes first: Material's wildcard ("north*") reached the rarer
    # "Northeast" and "Korean", and pages with "North Korea" in their titles and text outweighed the actor's page
    ("North Korea", "actors/north-korea/"),
    ("South Korea", "actors/south-korea/"),
    ("Korean Peninsula", "actors/korean-peninsula/"),
    ("Northeast Asia", "actors/northeast-asia/"),
    # a name in a longer query does not outweigh a title with every word of it
    ("South Korea arming Ukraine", "scenarios/south-korea-arms-ukraine/"),
    ("Russia military technology", "claims/russia-may-transfer-military-technology/"),
    # the report's entry, with every word of its title, before pages with "more" in their titles and no "siloed"
    ("Siloed No More", "sources/bibliography/"),
]


def test_search_finds_actors_by_any_alias_and_claims_by_their_words(page, base_url):
    page.goto(base_url)
    _open_search(page)
    wrong = []
    for query, expected in SEARCHES:
        hit = _path(_first_hit(page, query), base_url)
        if hit != expected:
            wrong.append(f"{query!r}: first hit {hit}, not {expected}")
    assert not wrong, wrong
    # follow the first hit of an alias and of a claim's words
    for query, expected in (SEARCHES[0], SEARCHES[-2]):
        page.goto(base_url)
        _open_search(page)
        _first_hit(page, query)
        page.locator(".md-search-result__item > a.md-search-result__link").first.click()
        page.wait_for_load_state()
        assert _path(page.url, base_url) == expected
        assert page.locator("h1").first.inner_text().strip().rstrip("¶").strip()
        assert page.locator("mark[data-md-highlight]").count() or page.locator("mark").count()


COMPARED_QUERIES = ["North Korea", "South Korea arming Ukraine", "Russia", "korea", "Siloed No More",
                    "Russia military technology"]


def test_the_book_search_finds_the_pages_material_finds_and_only_reorders_them(page, base_url):
    """site_overrides/assets/javascripts/workers/book-search.js wraps Material's worker: for each query both are
    asked directly, with the site's own index. The same pages and sections come back. The page titled with the
    query comes first, then the pages with a result that has every word of the query (Material's "Missing:" line
    empty); the others follow in Material's order."""
    page.goto(base_url)
    config = page.evaluate("JSON.parse(document.getElementById('__config').textContent)")
    ours = urlsplit(config["search"])
    assert ours.path.endswith("/assets/javascripts/workers/book-search.js"), config["search"]
    material = dict(pair.split("=", 1) for pair in ours.query.split("&"))["engine"]
    answers = page.evaluate("""async ([workers, queries]) => {
        const index = await (await fetch('search/search_index.json')).json();
        const ask = url => new Promise(resolve => {
            const worker = new Worker(url), answers = [];
            worker.onmessage = ({data}) => {
                if (data.type === 3) answers.push(data.data.items.map(items => items.map(
                    item => [item.location, Object.values(item.terms).length > 0 &&  // {}: a page added for its sections
                                            Object.values(item.terms).every(Boolean)])));
                if (data.type === 1 || data.type === 3) {
                    if (answers.length === queries.length) { worker.terminate(); resolve(answers); }
                    else worker.postMessage({type: 2, data: queries[answers.length]});
                }
            };
            worker.postMessage({type: 0, data: {...index, options: {suggest: false}}});
        });
        return Promise.all(workers.map(ask));
    }""", [[config["search"], unquote(material)], COMPARED_QUERIES])
    book, engine = answers
    for query, found, found_by_engine in zip(COMPARED_QUERIES, book, engine):
        assert found, query
        assert sorted(sorted(item for item, _ in group) for group in found) == \
            sorted(sorted(item for item, _ in group) for group in found_by_engine), query
        pages = [group[0][0].split("#")[0] for group in found]  # a group is a page's sections and the page
        complete = [any(every for _, every in group) for group in found]
        assert complete == sorted(complete, reverse=True), (query, pages)
        missing = [page for page, every in zip(pages, complete) if not every]
        pages_by_engine = [group[0][0].split("#")[0] for group in found_by_engine]
        assert missing == [page for page in pages_by_engine if page in missing], query
        titled = {"North Korea": "actors/north-korea/", "Russia": "actors/russia/"}.get(query)
        if titled:
            assert pages[0] == titled, (query, pages[:3])
    # Material puts first pages that miss a word: "Missing: siloed"
    siloed_by_engine = engine[COMPARED_QUERIES.index("Siloed No More")]
    assert not any(every for _, every in siloed_by_engine[0])
    north_by_engine = engine[COMPARED_QUERIES.index("North Korea")]
    assert north_by_engine[0][0][0].split("#")[0] != "actors/north-korea/"  # nor the titled page


def _hits(page) -> list[str]:
    return page.eval_on_selector_all(".md-search-result__item > a.md-search-result__link",
                                     "links => links.map(a => a.href)")


def test_a_stance_finds_the_evidence_of_that_stance_not_the_legend_of_the_marks(page, base_url):
    """The legend of ▲ ▼ ◆ on every matrix and scenario page came first for "qualifies"; the evidence tables
    of the claims say which evidence qualifies them."""
    page.goto(base_url)
    _open_search(page)
    for query in ("qualifies", "contradicts"):
        first = _path(_first_hit(page, query), base_url)
        hits = [_path(hit, base_url) for hit in _hits(page)]
        assert not [hit for hit in hits if hit.startswith("claims/matrix")], (query, hits)
        if query == "qualifies":
            assert re.fullmatch(r"claims/[a-z0-9-]+/(#evidence)?", first) and first != "claims/matrix/", first


# --------------------------------------------------------------------------- the claims matrix


def _visible_claims(page) -> list[str]:
    return page.eval_on_selector_all(
        ".claims-matrix tbody tr:not([hidden]) td:first-child a",
        "links => links.map(a => a.getAttribute('href').split('/').filter(Boolean).pop())")


def _sort_key(text: str) -> str:
    """How matrix.js sorts claims A to Z: leading quotes and the like ignored, case ignored."""
    return re.sub(r"^\W+", "", text).casefold()


def test_a_claim_opens_from_the_matrix(page, base_url, built):
    _, book = built
    page.goto(base_url + "claims/matrix/")
    link = page.locator(".claims-matrix tbody tr td:first-child a").nth(2)
    text = link.inner_text()
    link.click()
    page.wait_for_load_state()
    claim_id = _path(page.url, base_url).split("/")[1]
    assert claim_id in book.claims
    assert page.locator("h1").inner_text().strip().rstrip("¶").strip() == text.strip()


def test_the_matrix_filters_by_actor_source_and_stance_and_sorts(page, base_url, built):
    _, book = built
    page.goto(base_url + "claims/matrix/")
    every = list(book.claims)
    assert _visible_claims(page) == every
    status = page.locator(".matrix-filters__status")
    assert status.inner_text() == f"Showing all {len(every)} claims."

    form = page.locator("form.matrix-filters")
    form.get_by_label("Actor").select_option("usfk")
    expected = [c for c in every if "usfk" in book.claims[c].actors]
    assert expected and _visible_claims(page) == expected
    assert "actor=usfk" in page.url  # the view can be linked

    form.get_by_label("Actor").select_option("")
    source = "scmp-nd-south-korea-reassess-hardline-stance"
    form.get_by_label("Source").select_option(source)
    expected = [c for c in every if any(ev.source == source for ev in book.claims[c].evidence)]
    assert 0 < len(expected) < len(every) and _visible_claims(page) == expected

    form.get_by_label("Stance").select_option("contradicts")
    expected = [c for c in every if any(ev.source == source and ev.stance == "contradicts"
                                         for ev in book.claims[c].evidence)]
    assert _visible_claims(page) == expected
    assert status.inner_text().startswith(f"Showing {len(expected)} of {len(every)}")

    form.get_by_label("Source").select_option("")
    expected = [c for c in every if any(ev.stance == "contradicts" for ev in book.claims[c].evidence)]
    assert 0 < len(expected) < len(every) and _visible_claims(page) == expected

    form.get_by_role("button", name="Show all").click()
    page.wait_for_function("document.querySelectorAll('.claims-matrix tbody tr[hidden]').length === 0")
    form.get_by_label("Sort by").select_option("claim")
    shown = page.eval_on_selector_all(".claims-matrix tbody tr td:first-child a", "links => links.map(a => a.textContent)")
    assert len(shown) == len(every)
    assert shown == sorted(shown, key=_sort_key)
    assert page.locator(".claims-matrix thead th").first.get_attribute("aria-sort") == "ascending"

    form.get_by_label("Sort by").select_option("contradicts")
    counts = [book.balances[c].contradicts for c in _visible_claims(page)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    form.get_by_label("Sort by").select_option("single")  # the origins of the supporting evidence, fewest first
    origins = [book.balances[c].supporting_origins for c in _visible_claims(page)]
    assert origins == sorted(origins) and origins[0] < origins[-1]

    # the filtered view comes back from its address
    page.goto(base_url + "claims/matrix/?actor=usfk&sort=claim")
    assert _visible_claims(page) == sorted((c for c in every if "usfk" in book.claims[c].actors),
                                          key=lambda c: _sort_key(book.claims[c].statement))


_MATRIX_LAYOUT = """() => {
    const table = document.querySelector('.claims-matrix table');
    const wrap = table.closest('.md-typeset__scrollwrap');
    const head = table.tHead.rows[0].cells, row = table.tBodies[0].rows[0].cells;
    const where = () => ({claim: row[0].getBoundingClientRect().x, source: row[1].getBoundingClientRect().x,
                          balance: head[head.length - 1].getBoundingClientRect().right});
    const before = where(), box = wrap.getBoundingClientRect();
    wrap.scrollLeft = 120;
    return {left: box.left, right: box.right, scrolls: wrap.scrollWidth > wrap.clientWidth,
            balance: head[head.length - 1].textContent.trim(), before: before, after: where()};
}"""


def test_every_claims_matrix_shows_its_balance_at_1280px_and_keeps_the_claim_column_in_place(open_context,
                                                                                             base_url, built):
    _, book = built
    context, _ = open_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hidden = []
    for path in ["claims/matrix/", *(f"scenarios/{s}/" for s in book.scenarios)]:
        page.goto(base_url + path, wait_until="domcontentloaded")
        layout = page.evaluate(_MATRIX_LAYOUT)
        assert layout["balance"] == "Balance", path
        assert page.evaluate("getComputedStyle(document.querySelector('.claims-matrix'), '::before').content") in (
            "none", "normal", ""), path  # the table fits: no hint to scroll it
        if layout["before"]["balance"] > layout["right"] + 1:
            hidden.append(f"{path}: Balance ends at {layout['before']['balance']:.0f} px, the table at "
                          f"{layout['right']:.0f} px")
    assert not hidden, "\n".join(hidden)
    # on a phone the table scrolls sideways; the claims stay where they are
    context, _ = open_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "claims/matrix/")
    layout = page.evaluate(_MATRIX_LAYOUT)
    assert layout["scrolls"]
    hint = "getComputedStyle(document.querySelector('.claims-matrix'), '::before').content"
    assert "Scroll the table sideways" in page.evaluate(hint)  # the columns off the screen are not a secret
    assert layout["after"]["source"] < layout["before"]["source"] - 100  # the sources moved …
    assert layout["left"] - 1 <= layout["after"]["claim"] <= layout["before"]["claim"] + 1  # … the claims did not
    _shot(page, "phone-matrix-scrolled", full_page=False)


def test_the_matrix_reads_the_same_without_javascript(open_context, base_url, built):
    _, book = built
    context, _ = open_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "claims/matrix/")
    assert page.locator("form.matrix-filters").count() == 0
    assert _visible_claims(page) == list(book.claims)
    assert page.locator(".claims-matrix tbody tr").first.locator("td").nth(1).inner_text().strip()


# --------------------------------------------------------------------------- a claim's evidence


_EVIDENCE_LAYOUT = r"""() => {
    const box = e => { const r = e.getBoundingClientRect(); return {x: r.x, width: r.width}; };
    const table = document.querySelector('.evidence-table table');
    const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
    return {column: box(document.querySelector('.md-content__inner')), table: box(table),
            scroll: [wrap.scrollWidth, wrap.clientWidth],
            rows: Array.from(table.tBodies[0].rows, row => {
                const note = row.querySelector('.evidence-note'), cells = Array.from(row.cells);
                return {links: Array.from(row.querySelectorAll('a[href]'), a => [a.getAttribute('href'),
                                          a.textContent.trim(), box(a)]),
                        cells: cells.map(cell => [cell.textContent.replace(/\s+/g, ' ').trim(), box(cell)]),
                        note: note && note.textContent.trim(), noteBox: note && box(note)};
            })};
}"""


def _hardest_evidence(book) -> list:
    """The claims whose evidence tables are hardest to lay out: the longest quote, note, locator and source key,
    the shortest quote and the most evidence (every claim page is laid out alike; loading all takes too long)."""
    claims = list(book.claims.values())
    evidence = [(claim, ev) for claim in claims for ev in claim.evidence]
    picked = [max(evidence, key=lambda pair: measure(pair[1]))[0] for measure in (
        lambda ev: len(ev.quote), lambda ev: -len(ev.quote), lambda ev: len(ev.note or ""),
        lambda ev: len(ev.locator), lambda ev: len(ev.source))]
    picked.append(max(claims, key=lambda claim: len(claim.evidence)))
    return list({claim.id: claim for claim in picked}.values())


def _fits(box: dict, area: dict) -> bool:
    return box["x"] >= area["x"] - 1 and box["x"] + box["width"] <= area["x"] + area["width"] + 1


@pytest.mark.parametrize("width", [1280, 390])
def test_claim_evidence_fits_its_column_with_each_passage_link_and_note_in_view(open_context, base_url, built,
                                                                                width):
    _, book = built
    context, _ = open_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    wrong = []
    for claim in _hardest_evidence(book):
        page.goto(f"{base_url}claims/{claim.id}/", wait_until="domcontentloaded")  # the styles are in by then
        layout = page.evaluate(_EVIDENCE_LAYOUT)
        column, half = layout["column"], layout["table"]["width"] * .5
        if layout["scroll"][0] > layout["scroll"][1]:
            wrong.append(f"{claim.id}: the evidence table scrolls ({layout['scroll'][0]} > {layout['scroll'][1]} px)")
        assert len(layout["rows"]) == len(claim.evidence), claim.id
        for row, ev in zip(layout["rows"], claim.evidence):
            where = f"{claim.id} #{ev.index}"
            passage = [box for href, text, box in row["links"]
                       if href.endswith(f"#{ev.passage_anchor}") and text == ev.locator]
            if not passage or not _fits(passage[0], column):
                wrong.append(f"{where}: no link to the passage ({ev.locator}) in view")
            shown = " ".join(inner_quotes_single(ev.quote).split())  # its own double marks print single
            quote = [box for text, box in row["cells"] if f"“{shown}”" in text]
            if not quote or not _fits(quote[0], column) or quote[0]["width"] < half:
                wrong.append(f"{where}: the quote is missing, out of view or squeezed ({quote})")
            if ev.note and not (row["note"] and _fits(row["noteBox"], column) and row["noteBox"]["width"] >= half):
                wrong.append(f"{where}: the note is missing, out of view or squeezed ({row['noteBox']})")
    _shot(page, f"claim-evidence-{width}")
    assert not wrong, "\n".join(wrong[:20])


# --------------------------------------------------------------------------- tooltips, dark mode, phone, keyboard


def test_hovering_or_focusing_a_citation_shows_its_reference(page, base_url, built):
    _, book = built
    page.goto(base_url + "actors/north-korea/")
    cite = page.locator("a.cite").first
    reference = cite.get_attribute("title")
    assert reference and "n.d." in reference
    cite.hover()
    tip = page.locator(".md-tooltip2--active[role=tooltip]")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.inner_text().strip()[:60] == reference.strip()[:60]

    page.mouse.move(1, 1)
    xref = page.locator("a.xref").first
    xref.focus()
    tip = page.locator(".md-tooltip2--active[role=tooltip]")
    tip.wait_for(state="visible", timeout=5_000)
    assert "person" in tip.inner_text() or "Claim:" in tip.inner_text() or "—" in tip.inner_text()


def test_dark_mode_toggles_and_stays(page, base_url):
    page.goto(base_url + "claims/matrix/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    page.locator("label.md-header__button[title='Switch to dark mode']").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    _shot(page, "matrix-dark", full_page=False)
    page.goto(base_url + "actors/relations/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"  # remembered across pages
    _shot(page, "relations-dark", full_page=False)


PHONE_PAGES = ["", "actors/north-korea/", "claims/north-korean-troops-to-donetsk/", "claims/matrix/",
               "actors/relations/", "timeline/", "sources/anbound-nd-implications-nato-south-korea/"]


def test_phone_layout_has_no_horizontal_page_overflow(open_context, base_url):
    context, _ = open_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    page = context.new_page()
    overflowing = []
    for path in PHONE_PAGES:
        page.goto(base_url + path)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            overflowing.append(f"{path or 'home'}: {width[0]} > {width[1]}")
        if path in ("", "claims/matrix/", "actors/relations/"):
            _shot(page, "phone-" + (path.strip("/").replace("/", "-") or "home"), full_page=False)
    assert not overflowing, overflowing
    # wide tables scroll inside their own box
    page.goto(base_url + "claims/matrix/")
    scroller = page.locator(".claims-matrix .md-typeset__scrollwrap, .claims-matrix .md-typeset__table").first
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth || e.parentElement.scrollWidth > e.clientWidth")


def test_a_page_title_takes_only_the_lines_of_its_words(open_context, base_url, built):
    """The hidden "¶" permalink after a title that just filled its line took a line of its own, a blank band under
    the title (the relations page in a narrow window, the home page)."""
    paths, book = built
    tall = []
    pages = ["", "actors/relations/", "actors/", "claims/"]
    for viewport, paths in (({"width": 390, "height": 844}, pages), ({"width": 1280, "height": 900}, pages),
                            ({"width": 1000, "height": 900}, [*pages, *(f"claims/{c}/" for c in book.claims)])):
        context, _ = open_context(viewport=viewport)
        page = context.new_page()
        for path in paths:
            page.goto(base_url + path, wait_until="domcontentloaded")
            title = page.evaluate("""() => {
                const h = document.querySelector('.md-content h1');
                const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT), rects = [];
                for (let node; (node = walker.nextNode());) {
                    if (node.parentElement.closest('.headerlink') || !node.textContent.trim()) continue;
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    rects.push(...[...range.getClientRects()].filter(r => r.width > 1));
                }
                return {box: h.getBoundingClientRect().height,
                        text: Math.max(...rects.map(r => r.bottom)) - Math.min(...rects.map(r => r.top))};
            }""")
            if title["box"] > title["text"] + 12:  # a line's leading, not a line
                tall.append(f"{viewport['width']} px, {path or 'home'}: title box {title['box']:.0f} px, its words "
                            f"{title['text']:.0f} px")
    assert not tall, tall


def test_on_a_phone_the_drawing_of_every_relation_is_full_size_and_scrolls_sideways(open_context, base_url):
    """Scaled to a phone's width the drawing's names were about 5 px high: it is drawn at its own size, in a box
    that scrolls sideways (the page itself does not), and a line above it says so."""
    context, _ = open_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "actors/relations/")
    drawing = page.evaluate("""() => {
        const svg = document.querySelector('.relation-graph-all svg'), box = svg.parentElement;
        const name = svg.querySelector('a.node text'), figure = svg.closest('figure');
        return {width: svg.getBoundingClientRect().width, natural: svg.viewBox.baseVal.width,
                scrolls: box.scrollWidth > box.clientWidth, page: document.documentElement.scrollWidth,
                screen: window.innerWidth, name: name.getBoundingClientRect().height,
                hint: getComputedStyle(figure, '::before').content};
    }""")
    assert abs(drawing["width"] - drawing["natural"]) < 1 and drawing["scrolls"], drawing
    assert drawing["page"] <= drawing["screen"] and drawing["name"] >= 10, drawing
    assert "Scroll sideways" in drawing["hint"], drawing
    _shot(page, "phone-relations-full-size", full_page=False)
    context, _ = open_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "actors/relations/")
    assert page.evaluate("getComputedStyle(document.querySelector('figure.relation-graph-all'), '::before')"
                         ".content") in ("none", "normal", "")


def _focus_ring(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, cls: e.className && e.className.baseVal !== undefined ? e.className.baseVal : e.className,
                text: (e.textContent || '').trim().slice(0, 60), inContent: !!e.closest('.md-content'),
                outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                shadow: s.boxShadow !== 'none', visible: e.getBoundingClientRect().width > 0};
    }""")


def test_keyboard_reaches_the_skip_link_and_content_links_with_visible_focus(page, base_url):
    page.goto(base_url + "actors/north-korea/")
    page.keyboard.press("Tab")
    ring = _focus_ring(page)
    assert "md-skip" in ring["cls"] and ring["visible"], ring
    assert ring["outline"] or ring["shadow"], ring
    page.keyboard.press("Enter")  # skip to the content
    for _ in range(60):
        page.keyboard.press("Tab")
        ring = _focus_ring(page)
        if ring["inContent"] and ring["tag"] == "A":
            break
    assert ring["inContent"] and ring["tag"] == "A", ring
    assert ring["outline"] or ring["shadow"], ring
    _shot(page, "keyboard-focus", full_page=False)


# --------------------------------------------------------------------------- graph, timeline, print


def test_the_relation_graph_links_every_node_and_prints(page, base_url, built):
    _, book = built
    page.goto(base_url + "actors/relations/")
    svg = page.locator("figure.relation-graph svg").first
    assert svg.is_visible() and svg.bounding_box()["width"] > 600
    nodes = svg.locator("a.node")
    assert nodes.count() >= 30
    hrefs = {re.sub(r"^\.\./", "", a) for a in nodes.evaluate_all("as => as.map(a => a.getAttribute('href'))")}
    assert hrefs <= {f"{actor_id}/" for actor_id in book.actors}
    relations = {e.relation for a in book.actors.values() for e in a.relations}
    legend = page.locator(".graph-legend").first.inner_text()
    assert all(relation in legend for relation in relations)
    svg.locator('a.node[href="../russia/"]').click()
    page.wait_for_load_state()
    assert _path(page.url, base_url) == "actors/russia/"
    local = page.locator("#relations ~ figure.relation-graph svg").first
    assert local.is_visible() and local.locator("a.node").count() >= 3
    page.emulate_media(media="print")
    assert local.is_visible()


def test_the_timeline_shows_offline_and_in_print(page, base_url):
    page.goto(base_url + "timeline/")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        table = page.locator(".md-content table").first
        assert table.is_visible()
        assert "March 27, 2023" in table.inner_text()
    page.emulate_media(media="print")
    page.goto(base_url + "actors/relations/")
    assert page.locator("figure.relation-graph svg").first.is_visible()


# --------------------------------------------------------------------------- crawl


class _Collect(HTMLParser):
    """ids, links and image sources of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        if tag in ("a", "link") and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag in ("img", "script") and attributes.get("src"):
            (self.images if tag == "img" else self.links).append(attributes["src"])


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except HTTPError as error:
        return error.code, "", b""


def test_crawl_every_page_links_anchors_and_images(open_context, base_url, built):
    """From the home page, every page the site links to loads; every link and #anchor resolves; images load."""
    paths, _ = built
    root = urlsplit(base_url).path
    pages: dict[str, set[str]] = {}
    with_images: list[str] = []
    links: list[tuple[str, str, str]] = []
    broken: list[str] = []
    checked: set[str] = set()
    queue = [""]
    while queue:
        path = queue.pop()
        if path in pages:
            continue
        status, kind, body = _get(base_url + path)
        pages[path] = set()
        if status != 200:
            broken.append(f"{path or 'home'}: HTTP {status}")
            continue
        if "html" not in kind:
            continue
        parser = _Collect()
        parser.feed(body.decode("utf-8"))
        pages[path] = parser.ids
        for src in parser.images:
            url = urljoin(base_url + path, src)
            if url.startswith(base_url) and url not in checked:
                checked.add(url)
                status, kind, _ = _get(url)
                if status != 200 or not kind.startswith("image/"):
                    broken.append(f"{path or 'home'}: image {src} ({status} {kind})")
            with_images.append(path)
        for href in parser.links:
            url = urljoin(base_url + path, href)
            if not url.startswith(base_url):
                continue  # another origin: a link out, never loaded by the page (checked in the browser)
            parts = urlsplit(url)
            target = unquote(parts.path)[len(root):]
            if target.endswith("index.html"):
                target = target[: -len("index.html")]
            if not target or target.endswith("/"):
                links.append((path, target, parts.fragment))
                if target not in pages:
                    queue.append(target)
            elif url not in checked:
                checked.add(url)
                if _get(url)[0] != 200:
                    broken.append(f"{path or 'home'}: {href} (HTTP error)")
    for origin, target, fragment in links:
        if fragment and fragment not in pages.get(target, set()):
            broken.append(f"{origin or 'home'}: #{fragment} missing on {target or 'home'}")
    assert not broken, "\n".join(broken[:40])
    on_disk = {p.relative_to(paths.site).parent.as_posix() for p in paths.site.rglob("index.html")}
    reached = {path.rstrip("/") or "." for path in pages}
    assert not sorted(on_disk - reached - {"search"}), "pages nothing links to"
    assert len(pages) > 100
    # in the browser, images on their pages are decoded and shown
    context, _ = open_context()
    page = context.new_page()
    for path in sorted(set(with_images))[:10]:
        page.goto(base_url + path)
        assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), path


# --------------------------------------------------------------------------- accessibility


AXE_PAGES = {
    "home": "",
    "actor": "actors/north-korea/",
    "scenario": "scenarios/second-front-during-taiwan-conflict/",
    "claim": "claims/north-korean-troops-to-donetsk/",
    "source": "sources/anbound-nd-implications-nato-south-korea/",
    "matrix": "claims/matrix/",
    "relations": "actors/relations/",
    "bibliography": "sources/bibliography/",
    "timeline": "timeline/",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(NODE_PREFIX), "--no-save", "--no-audit", "--no-fund",
                        "axe-core@4"], capture_output=True, timeout=300, check=False)
    if not AXE.is_file():
        _missing(f"axe-core is not installed ({AXE}); ./book test installs it with npm")
    return AXE.read_text(encoding="utf-8")


def _axe(page, source: str) -> list[str]:
    page.add_script_tag(content=source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v =>
            `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return result


DARK_PAGES = ("home", "actor", "source", "matrix", "relations")
"""Pages checked again in dark mode: every colour the book adds (stances, marks, graph) is on one of them."""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(open_context, base_url, axe_source, scheme):
    context, _ = open_context(color_scheme=scheme)
    page = context.new_page()
    found = []
    for name, path in AXE_PAGES.items():
        if scheme == "dark" and name not in DARK_PAGES:
            continue
        page.goto(base_url + path)
        if scheme == "dark":
            assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        found += [f"{name}: {v}" for v in _axe(page, axe_source)]
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- serve


@contextlib.contextmanager
def serving_in_a_browser(browser, book):
    """`serve` running on ``book``, and a browser context watched for errors: (the site's address, the context)."""
    from test_serve import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--root", str(book), "--config",
                               str(CONFIG), "--dev-addr", f"127.0.0.1:{port}"], cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    watch = Watch(url)
    watch.attach(context)
    try:
        yield url, context
    finally:
        context.close()
        server.terminate()
        server.communicate(timeout=30)
    watch.check()


def test_served_pages_show_the_books_errors_at_their_top_until_fixed(browser, minimal_book):
    """An analyst saves a note with a mistake while `serve` runs: the open page reloads and says at its top that
    the book has an error, naming the file, line and problem, over the last good build; fixing it removes that."""
    from test_serve import fetch

    with serving_in_a_browser(browser, minimal_book) as (url, context):
        assert "Russia signed a treaty" in fetch(url + "actors/russia/", "Russia signed a treaty", 60)
        page = context.new_page()
        with page.expect_response(lambda response: response.url.endswith("/_serve/problems.json")):
            page.goto(url + "actors/russia/")  # mkdocs' live reload keeps a request open: the network never idles
        page.wait_for_timeout(200)
        assert page.locator(".book-problems").count() == 0
        note = minimal_book / "content" / "actors" / "russia.md"
        good = note.read_text(encoding="utf-8")
        note.write_text(good.replace("[@", "[@no-such-key; @", 1), encoding="utf-8")
        banner = page.locator(".book-problems")
        banner.wait_for()
        assert banner.locator(".admonition-title").inner_text() == (
            "The book has 1 error: this page shows the last good build. Fix the notes and it updates.")
        assert banner.locator("pre").inner_text().startswith(
            "content/actors/russia.md:6:45: error[cite.unknown]: unknown citation key 'no-such-key'")
        assert banner.bounding_box()["y"] < 300  # at the top of the content
        assert banner.locator("pre").evaluate("pre => pre.scrollWidth <= pre.clientWidth")  # long lines wrap
        assert "Russia signed a treaty" in page.locator(".md-content").inner_text()
        _shot(page, "serve-errors", full_page=False)
        many = " ".join(f"[@missing-{number}]" for number in range(25))
        note.write_text(good.replace("Code is left alone", many), encoding="utf-8")
        page.locator(".book-problems pre", has_text="more:").wait_for()  # the page reloaded with them
        lines = page.locator(".book-problems pre").inner_text().splitlines()
        assert len(lines) == 21 and lines[-1] == "… and 5 more: the terminal running serve lists them all"
        note.write_text(good, encoding="utf-8")
        banner.wait_for(state="detached")


def test_serve_started_on_a_book_with_errors_says_it_was_never_built_and_shows_it_once_fixed(browser,
                                                                                           minimal_book):
    """`serve` started on a book with errors and no earlier build: the one page says so, with the problems; the
    fix brings the book's own home page into the open tab."""
    from test_serve import fetch

    note = minimal_book / "content" / "actors" / "russia.md"
    good = note.read_text(encoding="utf-8")
    note.write_text(good.replace("[@", "[@no-such-key; @", 1), encoding="utf-8")
    with serving_in_a_browser(browser, minimal_book) as (url, context):
        assert "The book has errors" in fetch(url, "The book has errors", 60)
        page = context.new_page()
        page.goto(url)
        banner = page.locator(".book-problems")
        banner.wait_for()
        assert banner.locator(".admonition-title").inner_text() == (
            "The book has 1 error and has not been built yet. Fix the notes and the site appears.")
        assert banner.locator("pre").inner_text().startswith(
            "content/actors/russia.md:6:45: error[cite.unknown]: unknown citation key 'no-such-key'")
        assert page.locator(".md-content h1").inner_text().startswith("The book has errors")
        note.write_text(good, encoding="utf-8")
        banner.wait_for(state="detached")
        page.locator(".md-content h1", has_text="A minimal book").wait_for()


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("name, path", [
    ("home", ""), ("actor", "actors/north-korea/"), ("claim", "claims/north-korean-troops-to-donetsk/"),
    ("matrix", "claims/matrix/"), ("relations", "actors/relations/"),
])
def test_screenshots(page, base_url, name, path):
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    _shot(page, name)
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000
