"""Run mkdocs on the generated Markdown in a process of its own.

``python -m builder.sitebuild CONFIG DOCS SITE NAV.json PDF_LINKS LOG_LEVEL REASON`` —
the builder's process keeps the linked book (the PDFs still need it) while
mkdocs, in this one, gets a clean heap: the peak memory of a build is the larger
of the two, not their sum. Exits 1 when mkdocs fails, its messages on stderr and
the reason in one line in the file REASON, for the builder's summary.
"""

from __future__ import annotations

import json
import logging
import sys

SHOWN_MESSAGES = 3
"""How many of mkdocs' messages a failure's reason quotes."""


class Messages(logging.Handler):
    """Keeps mkdocs' warnings and errors: the reason for an abort is in them, not in the exception."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.kept: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append((record.levelno, " ".join(record.getMessage().split())))


def reason(exc: BaseException, messages: list[tuple[int, str]]) -> str:
    """One line saying why mkdocs failed. An abort ("Aborted with a configuration error!", "Aborted with 2
    warnings in strict mode!") says only that it failed: the reason is the errors it logged before, or else
    its warnings."""
    from mkdocs.exceptions import Abort

    text = " ".join(str(exc).split()) or exc.__class__.__name__
    if isinstance(exc, Abort):
        shown = [m for level, m in messages if level >= logging.ERROR] or [m for _, m in messages]
        if shown:
            more = len(shown) - SHOWN_MESSAGES
            text = "; ".join(shown[:SHOWN_MESSAGES]) + (f" (and {more} more)" if more > 0 else "")
    return text


def in_settings(text: str, config_file: str) -> str:
    """The reason, with the file to fix when it is a setting mkdocs refused ("Config value 'site_name': …")."""
    if text.startswith("Config value '"):
        return f"{text.rstrip('.')} — fix this setting in {config_file}"
    return text


def template_problem(exc) -> tuple[str, int, str, str]:
    """From Jinja's ``TemplateError``: the template's file and line where it went wrong ("" and 0 when Jinja does
    not say), what is wrong, and what to do, as ``build`` and ``serve`` both say them."""
    problem = (exc.message or exc.__class__.__name__).rstrip(".")
    return (getattr(exc, "filename", None) or "", getattr(exc, "lineno", None) or 0,
            f"error in a theme template: {problem}", "fix the template (see the Jinja documentation for its syntax)")


def main(argv: list[str]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from jinja2 import TemplateError

    config_file, docs, site, nav_file, pdf_links, level, reason_file = argv
    logger = logging.getLogger("mkdocs")
    logger.setLevel(int(level))
    messages = Messages()
    logger.addHandler(logging.StreamHandler())  # shown as before: stderr, the message alone, warnings and up
    logger.handlers[-1].setLevel(logging.WARNING)
    logger.addHandler(messages)
    with open(nav_file, encoding="utf-8") as stream:
        nav = json.load(stream)
    try:
        config = load_config(config_file=config_file, docs_dir=docs, site_dir=site, nav=nav, strict=True)
        config.extra["pdf_downloads"] = pdf_links == "1"
        build(config)
    except (MkDocsException, OSError) as exc:
        print(str(exc) or exc.__class__.__name__, file=sys.stderr)
        _write_reason(reason_file, in_settings(reason(exc, messages.kept), config_file))
        return 1
    except TemplateError as exc:  # a theme override (site_overrides/) the user edited
        file, line, problem, hint = template_problem(exc)
        place = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        text = f"{place}{problem} — {hint}"
        print(text, file=sys.stderr)
        _write_reason(reason_file, text)
        return 1
    except SystemExit as exc:
        print(f"mkdocs stopped: {exc}", file=sys.stderr)
        _write_reason(reason_file, f"mkdocs stopped: {exc}")
        return 1
    return 0


def _write_reason(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
