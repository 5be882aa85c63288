"""mkdocs hooks that ``serve`` adds to the site's settings (mkdocs' ``hooks:``).

mkdocs reads its settings and makes a new template environment for every rebuild, so the theme's
templates were compiled again after each edit: 0.16 of the 0.26 s that mkdocs took to rebuild one page of
this book. Compiled templates are kept in ``build/cache/theme-templates`` instead, checked against each
template's source as Python's .pyc files are. And mkdocs' server hears the new pages through file events
instead of comparing ``build/docs`` every 0.5 s (``serve.hear_page_edits``).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from builder.render import bytecode_cache
from builder.serve import hear_page_edits


def compiled_templates(docs_dir: str) -> Path:
    """The folder for compiled theme templates of the site whose Markdown is in ``docs_dir`` (build/docs)."""
    return Path(docs_dir).parent / "cache" / "theme-templates"


def on_env(env: jinja2.Environment, config, files) -> jinja2.Environment:
    if env.bytecode_cache is None:
        env.bytecode_cache = bytecode_cache(str(compiled_templates(config.docs_dir)))
    return env


def on_serve(server, config, builder):
    return hear_page_edits(server, config)
