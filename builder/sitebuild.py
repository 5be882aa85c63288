"""Run mkdocs on the generated Markdown in a process of its own.

``python -m builder.sitebuild CONFIG DOCS SITE NAV.json PDF_LINKS LOG_LEVEL`` —
the builder's process keeps the linked book (the PDFs still need it) while
mkdocs, in this one, gets a clean heap: the peak memory of a build is the larger
of the two, not their sum. Exits 1 with the reason on stderr when mkdocs fails.
"""

from __future__ import annotations

import json
import logging
import sys


def main(argv: list[str]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file, docs, site, nav_file, pdf_links, level = argv
    logging.getLogger("mkdocs").setLevel(int(level))
    with open(nav_file, encoding="utf-8") as stream:
        nav = json.load(stream)
    try:
        config = load_config(config_file=config_file, docs_dir=docs, site_dir=site, nav=nav, strict=True)
        config.extra["pdf_downloads"] = pdf_links == "1"
        build(config)
    except (MkDocsException, OSError) as exc:
        print(str(exc) or exc.__class__.__name__, file=sys.stderr)
        return 1
    except SystemExit as exc:
        print(f"mkdocs stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
