"""Shared helpers for the test suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SITES = PROJECT / "tests" / "sites"
CONFIG = PROJECT / "mkdocs.yml"


def run_builder(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """Run ``python -m builder`` as a user would; returns the finished process."""
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture
def minimal_book(tmp_path: Path) -> Path:
    """A writable copy of the minimal whole-site case."""
    target = tmp_path / "book"
    shutil.copytree(SITES / "minimal", target, ignore=shutil.ignore_patterns("expected", "build", "case.yml"))
    return target


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


def markdown_tree(folder: Path) -> dict[str, bytes]:
    """Every generated Markdown page under ``folder``, by path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def assert_same_as_from_scratch(root: Path, docs: Path, scratch_build: Path, config: Path = CONFIG) -> None:
    """The pages in ``docs`` are exactly those a build from scratch of ``root`` writes (into ``scratch_build``)."""
    from builder.pipeline import Paths, generate

    scratch = Paths.for_root(root, config, build=scratch_build)
    generate(scratch)
    assert markdown_tree(docs) == markdown_tree(scratch.docs)
