"""Split a note into YAML front matter and body, and read the YAML with locations.

The YAML is composed (not constructed) so that every key and value keeps its
line; aliases are refused (they let a few lines expand into gigabytes) and
duplicate keys are reported instead of silently overwritten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Loc, control_character, error

MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_DEPTH = 20
STR_TAG = "tag:yaml.org,2002:str"
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                       ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))


@dataclass(frozen=True)
class YValue:
    """A YAML value with the place it was written."""

    value: Any
    """str, int, float, bool, None, date, list[YValue] or dict[str, YEntry]."""
    loc: Loc
    """Where the value starts."""
    flow: bool = False
    """For a list or mapping: written in brackets or braces (``[a, b]``), as text starting with one would be."""
    text_loc: Loc | None = None
    """For text written on one line as it reads (no escapes, no folded lines): where its first character is."""


@dataclass(frozen=True)
class YEntry:
    """A mapping entry: the key's place and the value."""

    key_loc: Loc
    value: YValue


@dataclass(frozen=True)
class SplitNote:
    """A note file cut into its two parts."""

    yaml_text: str | None
    """The front matter, or None when the file has none."""
    yaml_first_line: int
    """Line number in the file of the first front-matter line."""
    body: str
    """Everything after the closing ``---``."""
    body_first_line: int
    """Line number in the file of the first body line."""
    closed: bool = True
    """False when the front matter has no closing ``---`` line."""


def split(text: str) -> SplitNote:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return SplitNote(None, 0, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return SplitNote(
                "\n".join(lines[1:index]) + "\n",
                2,
                "\n".join(lines[index + 1 :]),
                index + 2,
            )
    return SplitNote("\n".join(lines[1:]) + "\n", 2, "", len(lines) + 1, closed=False)


class _AliasRefused(yaml.YAMLError):
    def __init__(self, mark):
        super().__init__("YAML aliases are not allowed")
        self.problem_mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(AliasEvent):
            raise _AliasRefused(self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _compose_fast(text: str):
    """(loader, node) from libyaml when the text cannot hold an alias; None to use the checking loader.

    The pure-Python loader refuses aliases as it reads and words errors best, so
    it reads any text with a '*' and any text libyaml rejects.
    """
    if "*" in text or not yaml.__with_libyaml__:
        return None
    loader = yaml.CSafeLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str, first_line: int) -> tuple[YValue | None, list[Diagnostic]]:
    """Parse front matter into located values; problems come back as diagnostics."""
    diagnostics: list[Diagnostic] = []
    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return None, [error(Loc(path, first_line), "yaml.too-large",
                            f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB",
                            "keep long text in the note's body")]
    fast = _compose_fast(text)
    if fast is not None:
        loader, node = fast
        if node is None:
            return YValue({}, Loc(path, first_line)), diagnostics
        diagnostics.extend(_comments_cutting_values(node, text, path, first_line))
        return _convert(node, loader, path, first_line, text.split("\n"), diagnostics, 0), diagnostics
    try:
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML refuses the whole text
        return None, [control_character(path, text, exc.position, exc.character, "yaml.character", "front matter",
                                        first_line)]
    try:
        node = loader.get_single_node()
    except _AliasRefused as exc:
        mark = exc.problem_mark
        starts = _value_starting_with_indicator(text.split("\n"), mark.line, path, first_line, at=mark.column)
        if starts is not None:
            return None, [starts]
        return None, [error(Loc(path, first_line + mark.line, mark.column + 1), "yaml.alias",
                            "YAML aliases (*name) are not allowed in front matter",
                            "write the value out in full")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, path, first_line)]
    except yaml.YAMLError as exc:
        return None, [error(Loc(path, first_line), "yaml.syntax", f"invalid YAML: {exc}",
                            "check the front matter between the two '---' lines")]
    finally:
        loader.dispose()
    if node is None:
        return YValue({}, Loc(path, first_line)), diagnostics
    diagnostics.extend(_comments_cutting_values(node, text, path, first_line))
    return _convert(node, loader, path, first_line, text.split("\n"), diagnostics, 0), diagnostics


#: What YAML makes of a value that starts with one of these characters.
INDICATOR_READINGS = {"[": "the start of a list", "{": "the start of a mapping",
                      "*": "an alias (a reference to a value marked '&name')"}
QUOTE_INDICATOR_HINT = "a value that starts with '[', '{' or '*' must be put in quotes"


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str, first_line: int) -> Diagnostic:
    """The diagnostic for a YAML syntax error, worded for what most likely went wrong."""
    lines = text.split("\n")
    context, problem_text = (exc.context or "").strip(), (exc.problem or "").strip()
    start = exc.context_mark
    if context == "while scanning a quoted scalar" and start is not None and "end of stream" in problem_text:
        line, col = first_line + start.line, start.column + 1
        return error(Loc(path, line, col), "yaml.syntax", f"invalid YAML: the quoted text that starts on line {line}, "
                     f"column {col} is never closed", f"add the closing {_quoted(_char_at(lines, start))}")
    mark = exc.problem_mark
    if mark is not None:
        runaway = _runaway_quote(text, lines, mark, path, first_line)
        if runaway is not None:
            return runaway
    if isinstance(exc, yaml.parser.ParserError) and problem_text.startswith("expected <block end>") and mark:
        found = (_value_starting_with_indicator(lines, mark.line, path, first_line)
                 or _value_starting_with_quote(lines, mark, path, first_line))
        if found is not None:
            return found
    if mark is not None and problem_text.startswith(("expected <block end>", "mapping values are not allowed")):
        found = _misindented_key(lines, mark, path, first_line) or _misindented_item(lines, mark, path, first_line)
        if found is None and isinstance(exc, yaml.scanner.ScannerError):
            found = _value_with_colon(lines, mark, path, first_line)
        if found is not None:
            return found
    if context == "while scanning an alias" and start is not None:
        found = _value_starting_with_indicator(lines, start.line, path, first_line, at=start.column)
        if found is not None:
            return found
    mark = mark or start
    line = first_line + mark.line if mark else first_line
    col = mark.column + 1 if mark else 0
    problem = problem_text or context or "invalid YAML"
    if "<stream end>" in problem:
        problem = problem.replace("'<stream end>'", "the closing '---'").replace("<stream end>", "the closing '---'")
        if context and start:
            problem += f" ({context} that starts on line {first_line + start.line}, column {start.column + 1})"
    hint = "check the indentation and quoting on this line"
    if "\t" in problem or "\\t" in problem or "tab" in problem:
        hint = "indent with spaces, not tabs"
    elif "cannot start any token" in problem:
        hint = "put text that starts with '@', '`', '%' or '|' in quotes"
    return error(Loc(path, line, col), "yaml.syntax", f"invalid YAML: {problem}", hint)


def _quoted(char: str) -> str:
    """A quote character shown in a message: '"' or "'"."""
    return f'"{char}"' if char == "'" else f"'{char}'"


def _char_at(lines: list[str], mark) -> str:
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column] if mark.column < len(line) else '"'


def _runaway_quote(text: str, lines: list[str], mark, path: str, first_line: int) -> Diagnostic | None:
    """A quoted value left open that took in the next lines, up to a quote further down, where the error is.

    ``quote: "text`` with its closing '"' dropped goes on over ``locator: para. 4`` until the next '"' (in a
    later note, say) and the error comes just after that. Only a quoted value that runs over a line that
    looks like a 'key: value' line and ends on the error's line is taken for one.
    """
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index > mark.index:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass
    quoted = next((t for t in reversed(tokens) if isinstance(t, yaml.ScalarToken) and t.style in ("'", '"')), None)
    if quoted is None:
        return None
    start, end = quoted.start_mark, quoted.end_mark
    if not (start.line < end.line == mark.line and end.index <= mark.index):
        return None
    if not any(_looks_like_key(lines[number]) for number in range(start.line + 1, end.line + 1)):
        return None
    line, col, quote = first_line + start.line, start.column + 1, _quoted(quoted.style)
    return error(Loc(path, line, col), "yaml.syntax", f"invalid YAML: the quoted text that starts on line {line}, "
                 f"column {col} is not closed on that line: it runs on to the {quote} on line "
                 f"{first_line + end.line}, column {end.column}", f"add the closing {quote} on line {line}")


def _looks_like_key(line: str) -> bool:
    """Whether a line reads as a 'key: value' line (or a list item starting with one)."""
    text = line.strip()
    if text.startswith("- "):
        text = text[2:].lstrip()
    key, sep, rest = text.partition(":")
    return bool(sep and key) and all(c.isalnum() or c in "_-" for c in key) and rest[:1] in ("", " ")


def _line_value(line: str) -> tuple[int, str]:
    """Where the value on a front-matter line starts (after the indent, '- ' and 'key: '), and the value."""
    col = _key_column(line)
    key, sep, _ = line[col:].partition(": ")
    if sep and key and key[0] not in INDICATOR_READINGS and key[0] not in "\"'":
        col += len(key) + 2
        col += len(line[col:]) - len(line[col:].lstrip(" "))
    return col, line[col:].rstrip()


def _value_starting_with_indicator(lines: list[str], index: int, path: str, first_line: int,
                                   at: int | None = None) -> Diagnostic | None:
    """The error for a value that starts with '[', '{' or '*' and is not the list, mapping or alias YAML
    takes it for (``note: [sic] The report …``); None when the value on line ``index`` does not start so.

    ``at``: the column where YAML saw the '*' of an alias; the value must start there and go on after the
    alias's name (``*Not* an official …``), or it is an alias meant as one.
    """
    if index >= len(lines):
        return None
    col, value = _line_value(lines[index])
    if value[:1] not in INDICATOR_READINGS:
        return None
    if at is not None:
        words = value.split(None, 1)
        alone = len(words) < 2 or words[1].startswith("#")  # '*name', perhaps with a comment: a real alias
        if col != at or (alone and "*" not in words[0][1:]):
            return None
    shown = value if len(value) <= 40 else value[:40].rstrip() + "…"
    return error(Loc(path, first_line + index, col + 1), "yaml.syntax", f"invalid YAML: the value '{shown}' "
                 f"starts with '{value[0]}', which YAML reads as {INDICATOR_READINGS[value[0]]}",
                 QUOTE_INDICATOR_HINT)


def _key_column(line: str) -> int:
    """Where the key of a 'key: value' line starts (after the indent and any '- ')."""
    col = len(line) - len(line.lstrip(" "))
    while line.startswith("-", col) and line[col + 1 : col + 2] in (" ", ""):
        col += 1
        col += len(line[col:]) - len(line[col:].lstrip(" "))
    return col


def _key_of(line: str) -> str:
    return line[_key_column(line):].partition(":")[0]


def _misindented_key(lines: list[str], mark, path: str, first_line: int) -> Diagnostic | None:
    """The error for a 'key:' line indented less or more than the keys beside it, which YAML cannot place
    (less: 'expected <block end>'; more: it reads the line as going on with the value above, where ': ' is not
    allowed); None when the line is not such a key line."""
    index = mark.line
    if index >= len(lines) or not _looks_like_key(lines[index]) or lines[index].lstrip().startswith("-"):
        return None  # a list item lines up with the other items, not with keys
    line = lines[index]
    indent, key_col = len(line) - len(line.lstrip(" ")), _key_column(line)
    key, number = _key_of(line), first_line + index
    if mark.column > key_col + len(key):
        return None  # the ': ' YAML stopped at is in the value, not after the key
    if mark.column == key_col + len(key):  # indented more: read as going on with the value of the key above
        above = next((i for i in range(index - 1, -1, -1)
                      if _looks_like_key(lines[i]) and len(lines[i]) - len(lines[i].lstrip(" ")) < indent), None)
        if above is None or _key_column(lines[above]) >= key_col:
            return None
        sibling = above
        message = (f"invalid YAML: the indentation of line {number} does not match the lines around it: indented "
                   f"more than line {first_line + above}, it is read as part of the value of "
                   f"'{_key_of(lines[above])}'")
    else:  # YAML cannot place it: it was meant to line up with the keys above nearest to its column
        columns: dict[int, int] = {}
        for i in range(index - 1, -1, -1):
            if _looks_like_key(lines[i]):
                columns.setdefault(_key_column(lines[i]), i)
            if lines[i][:1] not in ("", " ", "#"):
                break  # a key of the front matter's first level: nothing above holds this line
        columns.pop(key_col, None)
        if not columns:
            return None
        sibling = columns[min(columns, key=lambda column: (abs(column - key_col), -column))]
        message = f"invalid YAML: the indentation of line {number} does not match the lines around it"
    where = _key_column(lines[sibling])
    how = f"indent it by {_spaces(where)}, not {key_col}" if where else \
        f"start it at the beginning of the line, not after {_spaces(key_col)}"
    return error(Loc(path, number, key_col + 1), "yaml.syntax", message,
                 f"align '{key}:' with its sibling keys, such as '{_key_of(lines[sibling])}:' on line "
                 f"{first_line + sibling}: {how}")


def _is_item(line: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped == "-" or stripped.startswith("- ")


def _misindented_item(lines: list[str], mark, path: str, first_line: int) -> Diagnostic | None:
    """The error for a list item ('- …') indented less or more than the items above it, which YAML cannot place;
    None when the line is not such an item or no item above can be its sibling."""
    index = mark.line
    if index >= len(lines) or not _is_item(lines[index]):
        return None
    indent = len(lines[index]) - len(lines[index].lstrip(" "))
    columns: dict[int, int] = {}
    for i in range(index - 1, -1, -1):
        if _is_item(lines[i]):
            columns.setdefault(len(lines[i]) - len(lines[i].lstrip(" ")), i)
        if lines[i][:1] not in ("", " ", "#", "-"):
            break  # a key of the front matter's first level: its list is the last one to look in
    columns.pop(indent, None)
    if not columns:
        return None
    where = min(columns, key=lambda column: (abs(column - indent), -column))
    number, sibling = first_line + index, columns[where]
    how = f"indent it by {_spaces(where)}, not {indent}" if where else \
        f"start it at the beginning of the line, not after {_spaces(indent)}"
    return error(Loc(path, number, indent + 1), "yaml.syntax",
                 f"invalid YAML: the indentation of line {number} does not match the items of the list above it",
                 f"align its '-' with the item on line {first_line + sibling}: {how}")


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _value_with_colon(lines: list[str], mark, path: str, first_line: int) -> Diagnostic | None:
    """The error for a value with ': ' in it (``statement: Note: Official …``), which YAML reads as a key and
    its value."""
    if mark.line >= len(lines):
        return None
    line = lines[mark.line]
    col, value = _line_value(line)
    if mark.column < col or col == _key_column(line):
        return None
    key = line[_key_column(line):col].rstrip().rstrip(":")
    how, quoted = _quoted_value(value if len(value) <= 40 else value[:40].rstrip() + "…")
    return error(Loc(path, first_line + mark.line, mark.column + 1), "yaml.syntax",
                 f"invalid YAML: the value of '{key}' contains ': ', which YAML reads as the start of another key",
                 f"{how}: {key}: {quoted}")


def _quoted_value(value: str) -> tuple[str, str]:
    """How to put ``value`` in quotes, and the value so quoted."""
    if '"' not in value:
        return "put the whole value in double quotes", f'"{value}"'
    return ("put the whole value in single quotes" + (", writing each ' in it as ''" if "'" in value else ""),
            "'" + value.replace("'", "''") + "'")


def _value_starting_with_quote(lines: list[str], mark, path: str, first_line: int) -> Diagnostic | None:
    """The error for a value that starts with a quoted part and goes on after it (``note: 'locator' misspelt``):
    YAML ends the value at the closing quote and cannot read the rest of the line."""
    if mark.line >= len(lines):
        return None
    col, value = _line_value(lines[mark.line])
    if value[:1] not in ("'", '"') or mark.column <= col:
        return None
    how, example = _quoted_value(value)
    hint = f"{how}: {example}" if len(value) <= 60 else how
    return error(Loc(path, first_line + mark.line, col + 1), "yaml.syntax", "invalid YAML: the quote that starts "
                 "this value closes before the value ends, so YAML cannot read the rest of the line", hint)


def _comments_cutting_values(root: Node, text: str, path: str, first_line: int) -> list[Diagnostic]:
    """Unquoted values that a '#' glued to a word cuts short ("Latest news with #ClintWork").

    YAML drops everything from a ' #' to the end of the line as a comment, so the value silently loses
    the rest of its text. A comment meant as one ("kind: news  # what sort of text") has a space after
    the '#', and is left alone; so is one after a single word ("kind: state #todo"), which a choice or an id
    would be, and which a cut could not have shortened much.
    """
    if " #" not in text and "\t#" not in text:
        return []
    lines = text.split("\n")
    found: list[Diagnostic] = []
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, MappingNode):
            pending.extend(value for _, value in reversed(node.value))
        elif isinstance(node, SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, ScalarNode) and not node.style:  # plain: libyaml says '', PyYAML None
            line, column = node.end_mark.line, node.end_mark.column
            rest = lines[line][column:] if line < len(lines) else ""
            stripped = rest.lstrip(" \t")
            # a value of several words cut short: one word ('kind: state #x') is a choice or an id, and an
            # empty one ('- #date') is reported by the schema
            if stripped[:1] == "#" and len(stripped) > 1 and not stripped[1].isspace() and stripped != rest \
                    and " " in node.value.strip():
                word = stripped.split()[0].rstrip("\"',;:.)]}")
                at = column + len(rest) - len(stripped)
                ending = node.value if len(node.value) <= 40 else "…" + node.value[-40:].lstrip()
                found.append(error(Loc(path, first_line + line, at + 1), "yaml.comment",
                                   f"'{word}' starts a YAML comment, so the rest of this line is not part of the "
                                   f"value: the value ends at '{ending}'",
                                   "put the whole value in quotes (or, for a comment, put a space after the '#')"))
    return found


def _loc(node: Node, path: str, first_line: int) -> Loc:
    return Loc(path, first_line + node.start_mark.line, node.start_mark.column + 1)


def _scalar_value(node: ScalarNode, loader: yaml.SafeLoader) -> Any:
    if node.tag == STR_TAG:
        return node.value  # what the constructor makes of text, without its bookkeeping
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    if isinstance(value, datetime.date | bytes):
        return node.value  # dates stay as written: the book never reformats a date
    return value


def _text_loc(node: ScalarNode, value: Any, lines: list[str], path: str, first_line: int) -> Loc | None:
    """Where the text of a one-line scalar starts, when the line holds it character for character (plain, or
    quoted without escapes), so that a place in the text is a place in the file; else None."""
    start, end = node.start_mark, node.end_mark
    if not isinstance(value, str) or start.line != end.line or start.line >= len(lines):
        return None
    written = lines[start.line][start.column:end.column]
    quote = 1 if node.style in ("'", '"') else 0
    if node.style not in (None, "", "'", '"') or written[quote:len(written) - quote] != value:
        return None
    return Loc(path, first_line + start.line, start.column + quote + 1)


def _convert(node: Node, loader: yaml.SafeLoader, path: str, first_line: int, lines: list[str],
             diagnostics: list[Diagnostic], depth: int) -> YValue:
    loc = _loc(node, path, first_line)
    if node.tag not in PLAIN_TAGS:
        diagnostics.append(error(loc, "yaml.tag", f"YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is "
                                 "not allowed in front matter", "remove the tag; write plain text, lists and "
                                 "'name: value' lines"))
        return YValue(None, loc)
    if depth > MAX_DEPTH:
        diagnostics.append(error(loc, "yaml.too-deep", f"front matter nests deeper than {MAX_DEPTH} levels",
                                 "flatten the structure"))
        return YValue(None, loc)
    if isinstance(node, ScalarNode):
        value = _scalar_value(node, loader)
        return YValue(value, loc, text_loc=_text_loc(node, value, lines, path, first_line))
    if isinstance(node, SequenceNode):
        return YValue([_convert(item, loader, path, first_line, lines, diagnostics, depth + 1)
                       for item in node.value], loc, bool(node.flow_style))
    if isinstance(node, MappingNode):
        entries: dict[str, YEntry] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(key_node, path, first_line)
            if not isinstance(key_node, ScalarNode):
                diagnostics.append(error(key_loc, "yaml.key", "a key must be plain text",
                                         "write 'name: value'"))
                continue
            key = str(key_node.value)
            if key in entries:
                first = entries[key].key_loc
                diagnostics.append(error(key_loc, "yaml.duplicate-key",
                                         f"duplicate key '{key}' (first set on line {first.line})",
                                         "keep one of the two"))
                continue
            entries[key] = YEntry(key_loc, _convert(value_node, loader, path, first_line, lines,
                                                    diagnostics, depth + 1))
        return YValue(entries, loc, bool(node.flow_style))
    return YValue(None, loc)  # pragma: no cover - PyYAML has no other node kinds

