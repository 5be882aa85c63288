"""Search keywords of actor pages: the one-word names and aliases a reader may type ("Ukraine", "Pyongyang", "ROK").

Each actor page lists its keywords in its front matter as ``tags``, which
Material's search plugin indexes above titles and text (no tags plugin is
enabled, so nothing else shows them): a search for an actor's one-word name or
alias ranks the actor's own page first. Without it, "Ukraine" or "Taiwan" found
first a claim with the word in its title and more of it in its text.

The weight of a keyword is set in mkdocs.yml (``fields: tags: boost`` of the
search plugin): three times a title's, not Material's million. Material's search
matches any word of a query, and a keyword that outweighed everything else put
the actor first for every search with its name in it; at three times a title,
"South Korea arming Ukraine" still finds first the scenario whose title has all
four words, and "Ukraine" alone the page of Ukraine.

Only one-word names and aliases become keywords ("Ukraine", "Pyongyang",
"ROK", "Moscow"): a keyword of many words is many keywords, so "North Korea"
would rank North Korea first for any search with "north" in it (Northeast Asia,
"North Korean troops") and "comprehensive strategic partnership" the
Russia–North Korea alliance for any search with "strategic". A one-word alias
that another actor also goes by stays with both ("Moscow": Russia and the Soviet
Union). Longer names and aliases are found through the title and the "Also
called" line of the page, like any text; the site's search worker
(site_overrides/assets/javascripts/workers/book-search.js) puts first the page
whose title is the query word for word, so "North Korea" finds North Korea.
"""

from __future__ import annotations

import re

from .records import Actor

SEARCH_SEPARATOR = r"""[\s\-–—,;:!?()\[\]{}"“”'‘’/…|]+|\.(?!\d)|&[a-z]+;|&#\d+;"""
"""Where the site's search splits text into words (``separator`` of the search plugin in mkdocs.yml, which must
be the same): spaces, dashes and punctuation; a full stop unless a digit follows ("U.S." is two words, "1.5"
one)."""

_SEPARATOR = re.compile(SEARCH_SEPARATOR)


def words(text: str) -> list[str]:
    """The words the site's search sees in ``text``, lower-cased."""
    return [w.lower() for w in _SEPARATOR.split(text) if w]


def search_keywords(actor: Actor) -> list[str]:
    """The name and aliases of ``actor`` to index as its search keywords: the one-word ones, the name first."""
    names = dict.fromkeys(name.strip() for name in (actor.name, *actor.aliases))
    return [name for name in names if len(words(name)) == 1]
