"""mkdocs hooks that ``serve`` adds to the site's settings (mkdocs' ``hooks:``).

mkdocs reads its settings and makes a new template environment for every rebuild, so the theme's
templates were compiled again after each edit: 0.16 of the 0.26 s that mkdocs took to rebuild one page of
this book. Compiled templates are kept in ``build/cache/theme-templates`` instead, checked against each
template's source as Python's .pyc files are. And mkdocs' server hears the new pages through file events
instead of comparing ``build/docs`` every 0.5 s (``serve.hear_page_edits``).

mkdocs' server rebuilds only the pages whose Markdown changed; when the navigation, the settings or the theme
overrides (site_overrides/, which mkdocs' server does not watch by itself) changed, every page is rebuilt, and
the pages of deleted notes are removed (``serve.ServedSite``).

When the book's last rebuild failed, every page says so at its top with the problems (``serve.show_problems``
writes them; a small script on each page reads them from ``_serve/problems.json``), since the pages still show
the last good build.
"""

from __future__ import annotations

import functools
import html
import shutil
from pathlib import Path

import jinja2
from mkdocs.utils import get_relative_url

from builder.render import bytecode_cache
from builder.serve import SERVED_SITE, hear_page_edits, problems_file, problems_text

SERVED_PROBLEMS = "_serve/problems.json"
"""Where the problems are served from, under the site's root."""


def compiled_templates(docs_dir: str) -> Path:
    """The folder for compiled theme templates of the site whose Markdown is in ``docs_dir`` (build/docs)."""
    return Path(docs_dir).parent / "cache" / "theme-templates"


def on_env(env: jinja2.Environment, config, files) -> jinja2.Environment:
    if env.bytecode_cache is None:
        env.bytecode_cache = bytecode_cache(str(compiled_templates(config.docs_dir)))
    return env


@functools.cache
def problems_script() -> str:
    return Path(__file__).with_name("serve_problems.js").read_text(encoding="utf-8")


def on_post_page(output: str, page, config) -> str:
    root = get_relative_url(".", page.url)
    script = f'<script data-problems="{html.escape(f"{root}/{SERVED_PROBLEMS}")}">{problems_script()}</script>'
    at = output.rfind("</body>")
    return output[:at] + script + output[at:] if at >= 0 else output + script


def on_files(files, config):
    pages = list(files.documentation_pages())
    if SERVED_SITE.rebuild_all(config.nav, config.config_file_path, config.theme.custom_dir):
        for file in pages:
            file.is_modified = lambda: True  # what mkdocs asks of each page before rebuilding it
    SERVED_SITE.building = {file.abs_dest_path for file in pages}
    return files


def on_post_build(config) -> None:
    for gone in map(Path, SERVED_SITE.built()):
        gone.unlink(missing_ok=True)
        if gone.name == "index.html" and gone.parent != Path(config.site_dir):
            try:
                gone.parent.rmdir()  # the page's folder (use_directory_urls), unless something else is in it
            except OSError:
                pass
    publish_problems(config)


def publish_problems(config) -> None:
    """The problems ``serve`` found, where the served pages read them."""
    served = Path(config.site_dir) / SERVED_PROBLEMS
    served.parent.mkdir(parents=True, exist_ok=True)
    source = problems_file(Path(config.docs_dir))
    if source.is_file():
        shutil.copyfile(source, served)
    else:
        served.write_text(problems_text([]), encoding="utf-8")


def on_serve(server, config, builder):
    server = hear_page_edits(server, config)
    problems = problems_file(Path(config.docs_dir))
    problems.parent.mkdir(parents=True, exist_ok=True)
    server.watch(str(problems.parent))
    if config.theme.custom_dir:  # the theme overrides (site_overrides/): every page is rebuilt when they change
        server.watch(config.theme.custom_dir)
    return server
