"""The book's settings in mkdocs.yml: what a valid file gives, and what the builder refuses (with its place).

Mistakes in the settings, as ``check`` prints them, are golden cases under tests/broken/settings-*.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.diagnostics import BuildFailed
from builder.settings import Settings, checked_settings, load_settings

from conftest import CONFIG

TAGS = """markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""


def settings_of(tmp_path: Path, text: str):
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    settings, problems = load_settings(config, tmp_path)
    return settings, [d.format() for d in problems]


def test_the_books_own_settings_file():
    assert checked_settings(CONFIG) == Settings(title="Security on the Korean Peninsula", publish_archive=False,
                                                nav_notes_limit=200, matrix_claims_per_page=60, directory_urls=True,
                                                site_dir="site")


def test_every_setting_is_read_and_tags_elsewhere_are_left_alone(tmp_path):
    settings, problems = settings_of(tmp_path, "site_name: Site\nuse_directory_urls: false\n" + TAGS + """
extra:
  generator: !ENV [NO_SUCH_VARIABLE, false]
  book:
    title: 1984
    publish_archive: yes
    nav_notes_limit: 0x10
    matrix_claims_per_page: 25
""")
    assert problems == []
    assert settings == Settings(title="1984", publish_archive=True, nav_notes_limit=16, matrix_claims_per_page=25,
                                directory_urls=False)


def test_values_from_the_environment_are_read_as_mkdocs_reads_them(tmp_path, monkeypatch):
    """!ENV NAME or !ENV [NAME, OTHER, default]: the first variable set, read as YAML reads text, or the default."""
    text = ("site_name: !ENV [NO_SUCH_VARIABLE, Site]\nuse_directory_urls: !ENV DIRS\n"
            "extra:\n  book:\n    publish_archive: !ENV [PUBLISH, true]\n    nav_notes_limit: !ENV LIMIT\n")
    monkeypatch.setenv("DIRS", "false")
    monkeypatch.setenv("PUBLISH", "false")
    monkeypatch.setenv("LIMIT", "30")
    assert settings_of(tmp_path, text) == (Settings(title="Site", directory_urls=False, publish_archive=False,
                                                    nav_notes_limit=30), [])
    monkeypatch.delenv("PUBLISH")
    monkeypatch.delenv("LIMIT")
    assert settings_of(tmp_path, text) == (Settings(title="Site", directory_urls=False, publish_archive=True), [])
    monkeypatch.setenv("PUBLISH", "maybe")
    settings, problems = settings_of(tmp_path, text)
    assert [d.format() for d in problems] == [
        "mkdocs.yml:5:22: error[config.type]: 'extra.book.publish_archive' must be true or false, not the text "
        "\"maybe\" — write true or false without quotes"]


def test_what_is_not_set_keeps_its_default(tmp_path):
    assert settings_of(tmp_path, "site_name: Site\n") == (Settings(title="Site"), [])
    assert settings_of(tmp_path, "site_name: Site\nextra:\n  book:\n    title:\n    publish_archive:\n") == \
        (Settings(title="Site"), [])
    assert settings_of(tmp_path, "site_name: !ENV [NO_SUCH_VARIABLE, Site]\nuse_directory_urls: !ENV NO_SUCH_VARIABLE\n"
                       ) == (Settings(title="Site"), [])


NO_SITE_NAME = ("error[config.missing]: 'site_name' is not set: the site engine needs it — add a line such as "
                "'site_name: Security on the Korean Peninsula' (the title of the site)")


@pytest.mark.parametrize("text, where", [
    ("", "mkdocs.yml"), ("theme:\n  name: material\n", "mkdocs.yml:1"), ("site_name:\n", "mkdocs.yml:1:1"),
    ("theme:\n  name: material\nsite_name: ''\n", "mkdocs.yml:3:1"),
])
def test_a_settings_file_without_the_sites_name_is_an_error_before_anything_is_built(tmp_path, text, where):
    """mkdocs refuses to build without it: the check says so, where it would go, instead of the build failing
    after the pages were generated."""
    assert [d.format() for d in settings_of(tmp_path, text)[1]] == [f"{where}: {NO_SITE_NAME}"]


def test_a_merge_key_is_read_as_mkdocs_reads_it(tmp_path):
    settings, problems = settings_of(tmp_path, """site_name: Site
x-defaults: &defaults
  publish_archive: true
  nav_notes_limit: 5
extra:
  book:
    <<: *defaults
    nav_notes_limit: 7
""")
    assert problems == []
    assert (settings.publish_archive, settings.nav_notes_limit) == (True, 7)


@pytest.mark.parametrize("text, message", [
    ("site_name: [a, b]\n",
     "mkdocs.yml:1:12: error[config.type]: 'site_name' must be text, not a list — write one line, e.g. "
     "'site_name: Security on the Korean Peninsula'"),
    ("- site_name: Site\n",
     "mkdocs.yml:1:1: error[config.type]: the settings file must be a mapping of 'name: value' lines, not a list — "
     "write 'name: value' lines, such as 'site_name: …', without '- '"),
    ("site_name: Site\nextra:\n  - book:\n      title: T\n",
     "mkdocs.yml:3:3: error[config.type]: 'extra' must be a mapping of 'name: value' lines, not a list — "
     "write 'name: value' lines, indented under 'extra:', without '- '"),
    ("extra:\n  book:\n    nav_notes_limit: 12.5\nsite_name: Site\n",
     "mkdocs.yml:3:22: error[config.type]: 'extra.book.nav_notes_limit' must be a whole number, not 12.5 — "
     "a whole number of notes, e.g. 200"),
    ("extra:\n  book:\n    publish_archive: !!python/name:os.sep\nsite_name: Site\n",
     "mkdocs.yml:3:22: error[config.tag]: 'extra.book.publish_archive' has the YAML tag '!!python/name:os.sep', "
     "which the builder does not read — write the value itself, e.g. 'publish_archive: false'"),
    ("site_name: Site\nsite_description: A bell\x07\n",
     "mkdocs.yml:2:25: error[config.yaml]: character U+0007 is not allowed in YAML — delete it (often an "
     "invisible control character pasted with the text)"),
    ("site_name: Site\ntheme:\n\tname: material\n",
     "mkdocs.yml:3:1: error[config.yaml]: invalid YAML: found character '\\t' that cannot start any token — "
     "indent with spaces, not tabs"),
    ('site_name: "Site\ntheme: material\n',
     "mkdocs.yml:3:1: error[config.yaml]: invalid YAML: found unexpected end of the file (while scanning a quoted "
     "scalar that starts on line 1, column 12) — check the indentation and quoting on this line: keys of one "
     "mapping start in the same column"),
])
def test_a_mistake_is_reported_at_its_place(tmp_path, text, message):
    settings, problems = settings_of(tmp_path, text)
    assert problems == [message]


def test_a_file_that_is_not_utf8(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_bytes("site_name: Séoul ".encode("utf-8") + b"Caf\xe9\n")  # the column counts characters
    assert [d.format() for d in load_settings(config, tmp_path)[1]] == [
        "mkdocs.yml:1:21: error[config.encoding]: the file is not UTF-8 text (byte 0xe9) — save the file as UTF-8"]


def test_checked_settings_refuses_a_wrong_file(tmp_path):
    config = tmp_path / "elsewhere.yml"
    config.write_text("extra:\n  book:\n    publish_archive: 'false'\nsite_name: Site\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        checked_settings(config, tmp_path / "book")
    assert [d.format() for d in failed.value.diagnostics] == [
        f"{config}:3:22: error[config.type]: 'extra.book.publish_archive' must be true or false, not the text "
        "\"false\" — write true or false without quotes"]
