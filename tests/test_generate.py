"""The synthetic book generator writes a deterministic, self-consistent book."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from builder.bench.generate import generate

NOTES = 60
ID_RE = re.compile(r"^[a-z0-9-]+$")
XREF_RE = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")
CITE_RE = re.compile(r"(?<![\w\\])-?@([a-z0-9_][a-z0-9_-]*[a-z0-9_]|[a-z0-9_])")
BIB_RE = re.compile(r"^@(\w+)\{([^,\s]+),", re.MULTILINE)
KINDS = ("actors", "scenarios", "claims", "sources")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    head, body = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(head)
    assert isinstance(data, dict), path
    return data, body


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("book")
    counts = generate(root, NOTES, seed=7)
    assert sum(counts[k] for k in (*KINDS, "prose")) == NOTES
    return root


@pytest.fixture(scope="module")
def notes(book: Path) -> dict[str, tuple[str, dict, str, Path]]:
    """id -> (kind, front matter, body, path), checking ids on the way."""
    content = book / "content"
    found: dict[str, tuple[str, dict, str, Path]] = {}
    paths = [(kind, p) for kind in KINDS for p in sorted((content / kind).glob("*.md"))]
    paths += [("prose", p) for p in sorted(content.glob("*.md"))]
    for kind, path in paths:
        note_id = path.stem
        assert ID_RE.match(note_id), path
        assert note_id not in found, f"duplicate id {note_id}"
        data, body = _split(path)
        found[note_id] = (kind, data, body, path)
    return found


@pytest.fixture(scope="module")
def bib_keys(book: Path) -> list[str]:
    return [key for _, key in BIB_RE.findall((book / "bibliography" / "book.bib").read_text())]


def test_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", NOTES, seed=3)
    generate(tmp_path / "b", NOTES, seed=3)
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert list(first) == list(second)
    assert first == second
    generate(tmp_path / "c", NOTES, seed=4)
    assert _tree(tmp_path / "c") != first


def test_counts_and_ids(notes) -> None:
    assert len(notes) == NOTES
    kinds = [kind for kind, *_ in notes.values()]
    for kind in (*KINDS, "prose"):
        assert kind in kinds
    assert "index" in notes


def test_bibliography(bib_keys) -> None:
    assert len(bib_keys) >= 2 * NOTES
    assert len(set(bib_keys)) == len(bib_keys)
    for key in bib_keys:
        assert re.match(r"^[a-z0-9_-]+$", key), key


def test_evidence_quotes_in_named_paragraph(book: Path, notes) -> None:
    claims = [data for kind, data, _, _ in notes.values() if kind == "claims"]
    assert claims
    for data in claims:
        assert 2 <= len(data["evidence"]) <= 6
        for item in data["evidence"]:
            source = item["source"]
            assert notes[source][0] == "sources"
            archive = book / notes[source][1]["archive"]
            assert archive == book / "bibliography" / "archive" / f"{source}.txt"
            paragraphs = _paragraphs(archive.read_text(encoding="utf-8"))
            match = re.fullmatch(r"para\. (\d+)", item["locator"])
            assert match, item["locator"]
            number = int(match.group(1))
            assert 1 <= number <= len(paragraphs)
            assert 8 <= len(paragraphs) <= 20
            paragraph = paragraphs[number - 1]
            position = 0
            for part in item["quote"].split(" … "):
                found = paragraph.find(part, position)
                assert found >= 0, (source, number, item["quote"])
                position = found + len(part)


def test_references_resolve_and_nothing_is_orphaned(notes, bib_keys) -> None:
    keys = set(bib_keys)
    cited: set[str] = set()
    referenced: set[str] = set()
    for note_id, (kind, data, body, path) in notes.items():
        texts = [body] + _strings(data)
        for text in texts:
            for target in XREF_RE.findall(text):
                assert target in notes, f"{path}: unknown [[{target}]]"
                if target != note_id:
                    referenced.add(target)
            for key in CITE_RE.findall(text):
                assert key in keys, f"{path}: unknown citation @{key}"
                cited.add(key)
        if kind == "claims":
            for a in data["actors"]:
                assert notes[a][0] == "actors"
                referenced.add(a)
            for item in data["evidence"]:
                assert item["source"] in keys
                cited.add(item["source"])
                referenced.add(item["source"])
        elif kind == "scenarios":
            assert data["title"] and len(data["actors"]) >= 2 and data["claims"]
            assert isinstance(data["triggers"], list) and isinstance(data["indicators"], list)
            assert all(CITE_RE.search(text) for text in data["triggers"] + data["indicators"]), path
            for a in data["actors"]:
                assert notes[a][0] == "actors"
            for c in data["claims"]:
                assert notes[c][0] == "claims"
            referenced.update(data["actors"] + data["claims"])
            if "likelihood" in data:
                assert data["likelihood_source"] in keys
        elif kind == "sources":
            assert note_id in keys
            assert data["reliability"] in "ABCDEF"
            assert 1 <= int(data["credibility"]) <= 6
            for key in data["relays"]:
                assert key in keys
                cited.add(key)
        elif kind == "actors":
            if data.get("affiliation"):
                assert notes[data["affiliation"]][0] == "actors"
            for rel in data.get("relations") or []:
                assert notes[rel["actor"]][0] == "actors"
                assert rel["source"] in keys
    assert sorted(keys - cited) == [], "uncited bibliography entries"
    orphans = sorted(n for n in notes if n not in referenced)
    assert orphans == [], "notes nobody references"
