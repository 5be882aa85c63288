"""Nothing a contributor writes can run in a reader's browser.

A hostile note set (scripts, event handlers, iframes, SVG, javascript: URLs in raw
HTML, attribute lists, HTML in front-matter strings) is built with the real mkdocs;
every HTML page is scanned for a <script> or an on*= attribute that the theme does
not also put on the pages of a benign book.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder import cli
from builder.link import _relative_links, link
from builder.load import load
from builder.safety import neutralise_attr_lists, sanitise_html, unsafe_links

from conftest import CONFIG, SITES, write_files

XSS = "<img src=x onerror=alert(1)>"
HOSTILE_BODY = f"""China borders [[north-korea]] [@anbound-nd, para. 2]. <script>alert('body')</script>
An image {XSS} and <b onmouseover="alert(1)">bold</b> and <a href="javascript:alert(1)">a raw link</a>.

<iframe src="https://evil.example/"></iframe>

<svg onload="alert(1)"><circle r="4"/></svg>

<div onclick="alert(1)" class="note">A div with a handler.</div>

<details open ontoggle="alert(1)"><summary>More</summary>Hidden</details>

<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>

<scr<script>ipt>alert(1)</script>

<!-- <script>alert('comment')</script> -->

<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">

<style>body {{ background: url("javascript:alert(1)") }}</style>

## A heading {{ onclick="alert(1)" }}

A paragraph with an attribute list.
{{: onmouseover="alert(1)" }}

[A safe link](https://example.org){{ onclick="alert(1)" href="https://evil.example" }}

<p><a href="https://example.org" onmouseover="alert(1)" title="kept">kept link</a></p>

| a | b |
|---|---|
| <img src=x onerror=alert(1)> | <span onclick="alert(1)">cell</span> |

Footnote[^1].

[^1]: A footnote {XSS}.

    <script>alert('indented code')</script>

```
<script>alert('fenced')</script>
```

`<script>alert('inline code')</script>`

<SCRIPT SRC=https://evil.example/x.js></SCRIPT>
<IMG SRC="x" ONERROR="alert(1)">
<img src=x
onerror=alert(1)>

> quoted <b onmouseover=
> "alert(1)">bold</b>
"""

HOSTILE = {
    "content/actors/china.md": f"---\nname: \"{XSS} China <script>alert('name')</script>\"\nkind: state\n"
                               f"aliases: [\"<script>alert('alias')</script>\", \"<svg onload=alert(1)>\"]\n"
                               f"tags: [\"<b onclick=alert(1)>tag</b>\"]\n---\n{HOSTILE_BODY}",
    "content/claims/hostile-claim.md": (
        "---\nstatement: \"<script>alert('statement')</script> North Korea <b onmouseover=alert(1)>acts</b> "
        "{ onclick=alert(1) }\"\nactors: [china, north-korea]\ntags: [\"<i onclick=alert(1)>t</i>\"]\nevidence:\n"
        "  - source: scmp-nd\n    stance: supports\n    quote: Reports of North Korean troops on Russian soil have "
        "caused anxieties in some quarters to soar.\n    locator: para. 7\n"
        f"    note: \"{XSS} a note\"\n---\nThe claim, in [[china]] <img src=x onerror=alert('claim')>.\n"),
    "content/scenarios/hostile-scenario.md": (
        f"---\ntitle: \"{XSS} a scenario <script>alert('title')</script>\"\nactors: [china]\n"
        f"triggers: [\"a trigger <iframe src=https://evil.example></iframe> [@scmp-nd]\"]\n"
        f"indicators: [\"{XSS} an indicator [@scmp-nd]\"]\nclaims: [hostile-claim]\n---\nSee [[hostile-claim]].\n"),
    "content/sources/scmp-nd.md": (
        "---\nkind: opinion\nreliability: C\ncredibility: 4\nrationale: \"<script>alert('rationale')</script> "
        f"An unsigned opinion piece {XSS}\"\narchive: bibliography/archive/scmp-nd.txt\n"
        f"gaps: [\"<svg onload=alert(1)>\", author not given]\n---\nAn opinion piece [@scmp-nd] {XSS}.\n"),
    "content/index.md": (f"---\ntitle: \"Home <script>alert('home')</script> {XSS}\"\n---\n"
                         "# A minimal book\n\nStart with [[second-front]], [[china]], [[hostile-scenario]] or "
                         "[[north-korea|Pyongyang]].\n"),
}


def _copy_minimal(root: Path) -> Path:
    shutil.copytree(SITES / "minimal", root, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    return root


def _build(root: Path) -> Path:
    code = cli.main(["build", "--root", str(root), "--config", str(CONFIG)])
    assert code == cli.EXIT_OK
    return root / "site"


TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*/?>""")
ATTRIBUTE_NAME = re.compile(r"""(?:^|\s)([^\s=>/"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")


def _normalise(text: str) -> str:
    return re.sub(r'(?:\.\./)*\.\.|"\."|new URL\("[./]*"', "REL", text)


def _scan(site: Path) -> tuple[set[str], list[str], list[str]]:
    """(normalised scripts, on*= attributes, javascript: URLs) found in every HTML page of ``site``."""
    scripts: set[str] = set()
    handlers: list[str] = []
    urls: list[str] = []
    for page in sorted(site.rglob("*.html")):
        raw = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(raw, "html.parser")
        tags = soup.find_all("script")
        assert len(re.findall(r"<script\b", raw, re.I)) == len(tags), page
        for tag in tags:
            scripts.add(_normalise(f"{tag.get('src', '')}|{tag.string or ''}"))
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                if name.lower().startswith("on"):
                    handlers.append(f"{page.relative_to(site)}: <{tag.name} {name}=…>")
                if name.lower() in ("href", "src", "action", "formaction", "data") and isinstance(value, str) \
                        and re.match(r"\s*(javascript|vbscript|data):", value, re.I):
                    urls.append(f"{page.relative_to(site)}: <{tag.name} {name}={value}>")
        for match in TAG.finditer(raw):  # a second opinion, independent of BeautifulSoup
            names = [n.lower() for n in ATTRIBUTE_NAME.findall(match.group(0)[1:])[1:]]
            if any(n.startswith("on") for n in names):
                handlers.append(f"{page.relative_to(site)}: {match.group(0)[:80]}")
        for name in ("iframe", "object", "embed", "frame", "base"):
            if soup.find(name):
                handlers.append(f"{page.relative_to(site)}: <{name}>")
    return scripts, handlers, urls


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    benign = _build(_copy_minimal(tmp_path_factory.mktemp("benign") / "book"))
    root = _copy_minimal(tmp_path_factory.mktemp("hostile") / "book")
    write_files(root, HOSTILE)
    book = link(load(root))
    assert not [d for d in book.diagnostics if d.severity == "error"], [d.format() for d in book.diagnostics]
    return benign, _build(root)


def test_hostile_book_runs_no_script(sites):
    benign, hostile = sites
    benign_scripts, benign_handlers, _ = _scan(benign)
    assert benign_handlers == []
    scripts, handlers, urls = _scan(hostile)
    assert scripts <= benign_scripts, scripts - benign_scripts
    assert handlers == []
    assert urls == []


def test_hostile_text_is_shown_not_lost(sites):
    """Escaped text stays readable: the reader sees what the contributor wrote."""
    _, hostile = sites
    page = (hostile / "actors" / "china" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt; China" in page
    assert "A div with a handler." in page
    assert 'title="kept"' in page and "kept link" in page
    assert "&lt;script&gt;alert('indented code')&lt;/script&gt;" in page


def test_unsafe_link_targets_are_errors_at_their_place():
    text = ("[a](javascript:alert(1)) ![b](DATA:text/html,x)\n<vbscript:x> [c][r] [ok](https://e.org)\n\n"
            "[r]: \tjavascript:alert(2)\n`[code](javascript:x)`\n")
    found = unsafe_links(text, "content/actors/x.md", 5)
    assert [(d.code, d.loc.line, d.loc.col) for d in found] == [
        ("link.unsafe", 5, 5), ("link.unsafe", 5, 31), ("link.unsafe", 6, 2), ("link.unsafe", 8, 7)]
    assert all(d.severity == "error" for d in found)


def test_relative_link_targets_are_errors_at_their_place():
    text = ("[x.md](x.md) [top](#a) [web](https://e.org) [mail](mailto:a@e.org) [host](//e.org/x) [r][d]\n"
            "![m](<maps/a b.png>)\n\n[d]: ../north-korea.md\n")
    found = _relative_links(text, "content/actors/x.md", 5, {"north-korea", "x"})
    assert [(d.code, d.loc.line, d.loc.col, d.hint) for d in found] == [
        ("link.relative", 5, 8, "link to the note with [[x]]"),
        ("link.relative", 6, 7, "give the image's http(s) address: the site has no files beside the notes' pages"),
        ("link.relative", 8, 6, "link to the note with [[north-korea]]")]
    assert found[1].message == "image target 'maps/a b.png' is a relative path, not a web address"


def test_unsafe_link_in_front_matter_is_an_error(tmp_path):
    root = _copy_minimal(tmp_path / "book")
    write_files(root, {"content/claims/x.md": (
        "---\nstatement: \"[click](javascript:alert(1))\"\nactors: [russia]\nevidence:\n"
        "  - source: scmp-nd\n    stance: supports\n    quote: Reports of North Korean troops on Russian soil have "
        "caused anxieties in some quarters to soar.\n    locator: para. 7\n---\n")})
    found = [d for d in link(load(root)).diagnostics if d.code == "link.unsafe"]
    assert [(d.loc.path, d.loc.line, d.loc.col) for d in found] == [("content/claims/x.md", 2, 12)]


def test_sanitiser_keeps_safe_formatting():
    text = "Some <b>bold</b>, <abbr title=\"x\">x</abbr> and <mark>marked</mark> text.\n\n<div>\nblock\n</div>\n"
    assert sanitise_html(text) == text
    assert neutralise_attr_lists("[a](b){ .cite } ## H { #anchor }") == "[a](b){ .cite } ## H { #anchor }"
    assert neutralise_attr_lists("x { onclick=y }") == "x \\{ onclick=y }"
