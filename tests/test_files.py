"""A file being replaced is never seen half-written, and nothing is left behind when writing fails."""

from __future__ import annotations

import pytest

from builder.files import replacing


def test_the_new_text_replaces_the_old_one_only_when_written(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old\n")
    with replacing(target) as tmp:
        tmp.write_text("new\n")
        assert target.read_text() == "old\n"
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "page.md"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with replacing(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["page.md"]
