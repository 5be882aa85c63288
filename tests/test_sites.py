"""Whole-site cases: one folder per case under tests/sites/.

Each folder holds content/, bibliography/, a case.yml and expected/:

* ``case.yml``: ``args`` (extra arguments of ``check``, e.g. ``[--strict]``)
  and ``exit`` (the expected exit code of ``check``);
* ``expected/diagnostics.txt``: exactly what ``check`` prints, one line per problem;
* ``expected/docs/``: for cases that build, the generated Markdown, file by file;
* ``expected/nav.yml``: for cases that build, the navigation handed to the site engine.

Set UPDATE_GOLDEN=1 to rewrite the expectations.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from builder.pipeline import Paths, generate

from conftest import CONFIG, SITES, run_builder

CASES = sorted(path.name for path in SITES.iterdir() if (path / "case.yml").is_file())
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def _case(name: str) -> tuple[Path, dict]:
    folder = SITES / name
    return folder, yaml.safe_load((folder / "case.yml").read_text(encoding="utf-8")) or {}


@pytest.mark.parametrize("name", CASES)
def test_check_output(name):
    folder, case = _case(name)
    result = run_builder("check", "--root", str(folder), *case.get("args", []))
    lines = [line for line in result.stderr.splitlines() if not line.startswith("check ")]
    expected_file = folder / "expected" / "diagnostics.txt"
    actual = "\n".join(lines) + ("\n" if lines else "")
    if UPDATE:
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert result.returncode == case.get("exit", 0), result.stderr


@pytest.mark.parametrize("name", [c for c in CASES if (SITES / c / "expected" / "docs").is_dir() or
                                  (UPDATE and _case(c)[1].get("exit", 0) == 0)])
def test_generated_markdown(name, tmp_path):
    folder, _ = _case(name)
    paths = Paths.for_root(folder, CONFIG, build=tmp_path / "build", site=tmp_path / "site")
    generate(paths)
    expected = folder / "expected" / "docs"
    if UPDATE:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(paths.docs, expected)
        shutil.copyfile(paths.build / "nav.yml", expected.parent / "nav.yml")
    assert (paths.build / "nav.yml").read_text(encoding="utf-8") == (
        expected.parent / "nav.yml").read_text(encoding="utf-8")
    actual_files = sorted(p.relative_to(paths.docs).as_posix() for p in paths.docs.rglob("*") if p.is_file())
    expected_files = sorted(p.relative_to(expected).as_posix() for p in expected.rglob("*") if p.is_file())
    assert actual_files == expected_files
    for rel in actual_files:
        assert (paths.docs / rel).read_text(encoding="utf-8") == (expected / rel).read_text(encoding="utf-8"), rel
