"""The book's settings in mkdocs.yml, as a schema (data), and one function that reads and checks them.

The builder reads ``extra.book`` (the book's own settings) and three of mkdocs'
keys, ``site_name``, ``use_directory_urls`` and ``site_dir``. The file is composed,
not loaded: every value keeps its place, the tags mkdocs.yml may hold elsewhere
(``!!python/name:…``) are never constructed, and only the keys read here are
walked. A value given as ``!ENV`` is read from the environment as mkdocs reads
it. A value of the wrong type, an unknown setting under ``extra.book`` or
invalid YAML becomes a diagnostic at its line; nothing is guessed (a quoted
"false" is text, not false).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import BuildFailed, Diagnostic, Loc, control_character, did_you_mean, error, not_utf8

YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset(YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))


@dataclass(frozen=True)
class Settings:
    """Book settings, from ``extra.book`` in mkdocs.yml."""

    title: str = "Briefing book"
    """The book's title (covers, home page)."""
    publish_archive: bool = False
    """Show each source's whole archived text on its page, quoted passages highlighted."""
    nav_notes_limit: int = 200
    """Chapters with more notes than this list only their index page in the navigation."""
    matrix_claims_per_page: int = 60
    """Claims per page of the claims-against-evidence table (larger books get several pages)."""
    directory_urls: bool = True
    """mkdocs' ``use_directory_urls``: how links inside raw HTML (the relation graphs) are written."""
    site_dir: str = ""
    """mkdocs' ``site_dir``, relative to the book's folder (like ``docs_dir``, which the builder sets to
    ROOT/build/docs, and unlike mkdocs, for which it is relative to mkdocs.yml: one mkdocs.yml may serve several
    books with ``--config``): where ``build`` writes the site unless ``--site-dir`` says otherwise ("": ROOT/site)."""


@dataclass(frozen=True)
class Setting:
    """One setting the builder reads from mkdocs.yml."""

    key: str
    """The key as written in YAML."""
    field: str
    """The ``Settings`` field it sets."""
    type: str
    """text, bool or count (a whole number, at least 1)."""
    example: Any
    """A value for hints."""
    unit: str = ""
    """What a count counts, for hints ("claims per page")."""


BOOK_SETTINGS = (
    Setting("title", "title", "text", "Security on the Korean Peninsula"),
    Setting("publish_archive", "publish_archive", "bool", False),
    Setting("nav_notes_limit", "nav_notes_limit", "count", 200, "notes"),
    Setting("matrix_claims_per_page", "matrix_claims_per_page", "count", 60, "claims per page"),
)
"""Under ``extra.book``: every key there must be one of these."""

SITE_SETTINGS = (
    Setting("site_name", "title", "text", "Security on the Korean Peninsula"),
    Setting("use_directory_urls", "directory_urls", "bool", True),
    Setting("site_dir", "site_dir", "text", "site"),
)
"""mkdocs' own keys the builder reads too (``extra.book.title`` wins over ``site_name``); mkdocs checks the rest."""

def shown_path(config: Path, root: Path | None) -> str:
    """The settings file as diagnostics name it: relative to the book's root when it is inside it."""
    if root is not None:
        try:
            return config.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(config)


def load_settings(config: Path, root: Path | None = None) -> tuple[Settings, list[Diagnostic]]:
    """The settings in ``config`` (defaults for those it does not set) and the problems found in them."""
    path = shown_path(config, root)
    diagnostics: list[Diagnostic] = []
    try:
        data = config.read_bytes()
    except OSError as exc:
        return Settings(), [error(Loc(path), "config.unreadable", f"cannot read the settings file: {exc.strerror}",
                                  "check that it exists and is readable")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # the notes' error, under the settings' code
        return Settings(), [replace(not_utf8(path, data, exc), code="config.encoding")]
    root_node, loader = _compose(text, path, diagnostics)
    if root_node is None:
        return Settings(), diagnostics or [_no_site_name(Loc(path))]  # an empty file
    values: dict[str, Any] = {}
    top = _mapping(root_node, "mkdocs.yml", path, loader, diagnostics)
    if isinstance(root_node, MappingNode) and _unset(top.get("site_name")):
        diagnostics.append(_no_site_name(Loc(path, 1) if "site_name" not in top else _loc(top["site_name"][0], path)))
    for spec in SITE_SETTINGS:
        if spec.key in top:
            node = _environment(top[spec.key][1], loader)
            if node is not None and not _tagged(node):  # other tags: mkdocs' business
                _check(spec, spec.key, node, path, loader, values, diagnostics)
    if "extra" in top:
        extra = _mapping(top["extra"][1], "extra", path, loader, diagnostics)
        if "book" in extra:
            _check_book(extra["book"][1], path, loader, values, diagnostics)
    return Settings(**values), diagnostics


def _unset(entry) -> bool:
    """Whether a top-level key (``top.get(key)``) is missing or empty (an !ENV value is mkdocs' business)."""
    if entry is None:
        return True
    node = entry[1]
    return isinstance(node, ScalarNode) and not _tagged(node) and (node.tag == YAML_TAG + "null" or
                                                                    not node.value.strip())


def _no_site_name(loc: Loc) -> Diagnostic:
    example = next(spec.example for spec in SITE_SETTINGS if spec.key == "site_name")
    return error(loc, "config.missing", "'site_name' is not set: the site engine needs it",
                 f"add a line such as 'site_name: {example}' (the title of the site)")


def checked_settings(config: Path, root: Path | None = None) -> Settings:
    """The settings in ``config``; raises BuildFailed when they have problems."""
    settings, problems = load_settings(config, root)
    if problems:
        raise BuildFailed(problems)
    return settings


def _check_book(node: Node, path: str, loader, values: dict, diagnostics: list[Diagnostic]) -> None:
    book = _mapping(node, "extra.book", path, loader, diagnostics)
    known = {spec.key: spec for spec in BOOK_SETTINGS}
    for key, (key_node, _) in book.items():
        if key not in known:
            hint = did_you_mean(key, known) or f"the settings are: {', '.join(known)}"
            diagnostics.append(error(_loc(key_node, path), "config.unknown", f"unknown setting '{key}' in extra.book",
                                     hint))
    for spec in BOOK_SETTINGS:
        if spec.key in book:
            value_node = _environment(book[spec.key][1], loader)
            name = f"extra.book.{spec.key}"
            if value_node is None:  # an !ENV variable that is not set, with no default: the default
                continue
            if _tagged(value_node):
                tag = value_node.tag.replace(YAML_TAG, "!!")
                diagnostics.append(error(_loc(value_node, path), "config.tag",
                                         f"'{name}' has the YAML tag '{tag}', which the builder does not read",
                                         f"write the value itself, e.g. '{spec.key}: {_yaml(spec.example)}'"))
                continue
            _check(spec, name, value_node, path, loader, values, diagnostics)


def _check(spec: Setting, name: str, node: Node, path: str, loader, values: dict,
           diagnostics: list[Diagnostic]) -> None:
    """Put the value of ``node`` into ``values`` if it fits ``spec``; a diagnostic if not. Empty: the default."""
    if isinstance(node, ScalarNode) and node.tag == YAML_TAG + "null":
        return
    loc = _loc(node, path)
    if spec.type == "text":
        if isinstance(node, ScalarNode):  # as written: 'title: 1984' is a title, not a number
            if node.value.strip():
                values[spec.field] = node.value.strip()
        else:
            diagnostics.append(error(loc, "config.type", f"'{name}' must be text, not {_shown(node)}",
                                     f"write one line, e.g. '{spec.key}: {spec.example}'"))
        return
    if spec.type == "bool":
        if node.tag == YAML_TAG + "bool":
            values[spec.field] = loader.construct_object(node)
        else:
            diagnostics.append(error(loc, "config.type", f"'{name}' must be true or false, not {_shown(node)}",
                                     "write true or false without quotes"))
        return
    hint = f"a whole number of {spec.unit}, e.g. {spec.example}"
    if node.tag != YAML_TAG + "int":
        diagnostics.append(error(loc, "config.type", f"'{name}' must be a whole number, not {_shown(node)}", hint))
    elif (value := loader.construct_object(node)) < 1:
        diagnostics.append(error(loc, "config.value", f"'{name}' must be at least 1, not {value}", hint))
    else:
        values[spec.field] = value


def _mapping(node: Node, name: str, path: str, loader,
             diagnostics: list[Diagnostic]) -> dict[str, tuple[Node, Node]]:
    """The entries of a YAML mapping by key (``<<`` merges done), or {} with a diagnostic when it is not one."""
    if not isinstance(node, MappingNode):
        if not (isinstance(node, ScalarNode) and node.tag == YAML_TAG + "null"):
            what = "the settings file" if name == "mkdocs.yml" else f"'{name}'"
            last = name.rsplit(".", 1)[-1]
            where = "such as 'site_name: …'" if name == "mkdocs.yml" else f"indented under '{last}:'"
            hint = f"write 'name: value' lines, {where}" + (", without '- '" if isinstance(node, SequenceNode) else "")
            diagnostics.append(error(_loc(node, path), "config.type",
                                     f"{what} must be a mapping of 'name: value' lines, not {_shown(node)}", hint))
        return {}
    if name == "extra.book":  # elsewhere mkdocs.yml's business (YAML keeps the last)
        seen: dict[str, Node] = {}
        for key_node, _ in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else ""
            if key in seen and key_node.tag != YAML_TAG + "merge":
                diagnostics.append(error(_loc(key_node, path), "config.duplicate-key",
                                         f"duplicate setting '{key}' in extra.book (first set on line "
                                         f"{seen[key].start_mark.line + 1})", "keep one of the two"))
            seen.setdefault(key, key_node)
    try:
        loader.flatten_mapping(node)  # '<<: *defaults' lines, as mkdocs reads them: the mapping's own keys win
    except yaml.MarkedYAMLError as exc:
        diagnostics.append(error(_loc(node, path) if exc.problem_mark is None else Loc(
            path, exc.problem_mark.line + 1, exc.problem_mark.column + 1), "config.yaml",
            f"invalid YAML: {exc.problem}", "a '<<' merge takes a mapping or a list of mappings"))
        return {}
    return {str(key_node.value) if isinstance(key_node, ScalarNode) else "": (key_node, value_node)
            for key_node, value_node in node.value}


def _compose(text: str, path: str, diagnostics: list[Diagnostic]):
    """(root node, loader) of the YAML text, or (None, None) — with a diagnostic when it is not valid YAML.

    libyaml composes when it can (the file is read on every check and build); an error is worded by PyYAML's
    own parser, whose messages do not depend on whether libyaml is installed."""
    if yaml.__with_libyaml__:
        loader = yaml.CSafeLoader(text)
        try:
            return loader.get_single_node(), loader
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML refuses the whole text
        diagnostics.append(control_character(path, text, exc.position, exc.character, "config.yaml", "YAML"))
        return None, None
    try:
        return loader.get_single_node(), loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "end of stream" in problem or "<stream end>" in problem:
            problem = problem.replace("'<stream end>'", "the end of the file").replace(
                "end of stream", "end of the file")
            if exc.context and exc.context_mark:
                problem += (f" ({exc.context.strip()} that starts on line {exc.context_mark.line + 1}, "
                            f"column {exc.context_mark.column + 1})")
        hint = "check the indentation and quoting on this line: keys of one mapping start in the same column"
        if "\t" in problem or "\\t" in problem:
            hint = "indent with spaces, not tabs"
        diagnostics.append(error(Loc(path, mark.line + 1 if mark else 1, mark.column + 1 if mark else 0),
                                 "config.yaml", f"invalid YAML: {problem}", hint))
    except yaml.YAMLError as exc:
        diagnostics.append(error(Loc(path, 1), "config.yaml", f"invalid YAML: {exc}", "check the file's syntax"))
    finally:
        loader.dispose()
    return None, None


def _environment(node: Node, loader) -> Node | None:
    """The value an ``!ENV`` tag gives, as mkdocs reads it (pyyaml_env_tag): ``!ENV NAME`` or
    ``!ENV [NAME, OTHER, default]``, the first variable that is set, read as YAML would read the text, else
    the default; None when nothing is set and there is no default. Any other node as it is."""
    if node.tag != "!ENV":
        return node
    names = [node] if isinstance(node, ScalarNode) else list(node.value) if isinstance(node, SequenceNode) else []
    default = names.pop() if len(names) > 1 else None
    for name in names:
        if isinstance(name, ScalarNode) and name.value in os.environ:
            text = os.environ[name.value]
            return ScalarNode(loader.resolve(ScalarNode, text, (True, False)), text, node.start_mark,
                              node.end_mark)
    return default


def _tagged(node: Node) -> bool:
    """Whether the node has a tag of its own (``!ENV``, ``!!python/name:``): its value is not plain data."""
    return node.tag not in PLAIN_TAGS


def _loc(node: Node, path: str) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _shown(node: Node) -> str:
    """What a wrong value is, for messages: 'the text "false"', '60.5', 'a list'."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if not isinstance(node, ScalarNode):
        return "a list"
    value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
    if node.tag == YAML_TAG + "str":
        return f'the text "{value}"'
    return value


def _yaml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
