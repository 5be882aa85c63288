"""Search keywords of actor pages: the aliases a reader may type ("Pyongyang", "ROK", "USFK").

Each actor page lists its aliases in its front matter as ``tags``, which
Material's search plugin indexes with a far higher weight than titles and text
(no tags plugin is enabled, so nothing else shows them). A search for an alias
therefore ranks the actor's own page first.

Only one-word aliases become keywords ("Pyongyang", "ROK", "USFK", "Moscow"):
Material's search matches any word of a query, and a keyword outweighs
everything else, so "comprehensive strategic partnership" as a keyword would
put the Russia–North Korea alliance first for any search with "strategic" in
it. A one-word alias that another actor also goes by stays with both
("Moscow": Russia and the Soviet Union). Longer aliases are found through the
"Also called" line of the page, like any text.
"""

from __future__ import annotations

import re

from .records import Actor

_SEPARATOR = re.compile(r"[\s\-–—/]+")
"""Close to Material's search separator (whitespace and hyphens), dashes included."""


def words(text: str) -> list[str]:
    return [w for w in (part.strip(".,;:'\"()").lower() for part in _SEPARATOR.split(text)) if w]


def search_keywords(actor: Actor) -> list[str]:
    """The aliases of ``actor`` to index as its search keywords: the one-word ones."""
    return [alias.strip() for alias in dict.fromkeys(actor.aliases) if len(words(alias)) == 1]
