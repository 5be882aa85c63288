"""Actor relationship graphs, drawn by the builder as static, inline SVG.

Two drawings, both deterministic (same book → byte-identical SVG) and needing
neither JavaScript nor any request:

* ``full_graph``: every actor with a stated relation, laid out by a seeded
  force-directed layout (Fruchterman–Reingold, fixed iterations) that starts
  from a circle ordered by kind;
* ``local_graph``: one actor in the middle and its direct relations around it;
* ``print_full_graph``: the first one for paper (the chapter PDFs), laid out
  tighter and packed to fill a portrait or a landscape page.

Relation types differ by line pattern *and* colour, carry arrowheads when
they have a direction (membership, leadership …) and a word on the line; node
kinds differ by shape. Names are written whole, one longer than a line on two
(so that paper, which has no tooltip, shows them too). Each node is a link to
the actor's page, each edge has a ``<title>`` (the relation and who states it),
and an HTML legend follows the drawing. Colours are presentation attributes,
so that the drawing prints without the site's stylesheet; ``book.css``
overrides them for dark mode.
"""

from __future__ import annotations

import html
import math
import posixpath
import random
from dataclasses import dataclass, field

from . import schema
from .records import Actor

#: relation type → (colour, dash pattern, line width, directed)
RELATION_STYLES: dict[str, tuple[str, str, float, bool]] = {
    "alliance": ("#1a4d8f", "", 3.0, False),
    "treaty": ("#1a4d8f", "9 3 2 3", 2.0, False),
    "partnership": ("#1b6e37", "6 3", 2.0, False),
    "rivalry": ("#b3261e", "2 3", 2.4, False),
    "kinship": ("#8a5a00", "1 4", 2.4, False),
    "membership": ("#55595f", "", 1.4, True),
    "leadership": ("#6a3d9a", "", 1.8, True),
    "employment": ("#5d4037", "7 2 1 2 1 2", 1.6, True),
    "reporting": ("#00695c", "4 2", 1.6, True),
    "authorship": ("#37474f", "10 3", 1.6, True),
}

#: node shape group → (label, kinds, fill colour)
SHAPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "circle": ("state, territory or region", ("state", "territory", "region"), "#c5d5f2"),
    "square": ("government body, military or party", ("government body", "military", "political party"),
               "#f2dcc5"),
    "hexagon": ("alliance, bloc or international organisation",
                ("alliance or bloc", "international organisation"), "#d5ecd4"),
    "triangle": ("think tank, media outlet or other", ("think tank", "media outlet", "other"), "#ece1f2"),
    "diamond": ("person", ("person",), "#f6e8b1"),
}
SHAPE_OF_KIND = {kind: shape for shape, (_label, kinds, _fill) in SHAPES.items() for kind in kinds}

FULL_LIMIT = 120
"""Most actors drawn on the whole-book graph (the best connected ones); the table lists every relation."""
LOCAL_LIMIT = 24
"""Most neighbours drawn around one actor."""
LOCAL_MIN_WIDTH = 360.0
"""Narrowest local graph (drawing units); drawings are never scaled up past their natural size."""
MIN_SHOWN = {"all": 720.0, "local": 480.0}
"""On narrow screens a drawing keeps this width (or its natural one if smaller) and scrolls sideways."""
NODE_R = 9.0
FONT = 11.0
LINE = FONT * 1.2
"""From one line of a name to the next (a long name is written on two)."""
NAME_LIMIT = 32
"""Most characters of one line of a name."""


@dataclass
class Edge:
    """One relation type between two actors, merged over the pages and sources that state it."""

    a: str
    b: str
    relation: str
    directed: bool
    citations: list[tuple[str, str]] = field(default_factory=list)
    """(source label, locator) of each place that states it, each once, in the order the notes give them."""


def edges_of(actors: dict[str, Actor], labels: dict[str, str] | None = None) -> list[Edge]:
    """Every stated relation between two known actors, once (``schema.relation_key``): a symmetric one stated on
    both actors' notes is one edge, with the citations of both."""
    labels = labels or {}
    edges = [Edge(a, b, relation, RELATION_STYLES[relation][3],
                  [(labels.get(key, key), locator) for key, locator in places])
             for (a, b, relation), (_stating, _other, places, _notes)
             in schema.merged_relations(list(actors.values())).items()
             if relation in RELATION_STYLES]
    order = {t: i for i, t in enumerate(schema.RELATION_TYPES)}
    return sorted(edges, key=lambda e: (e.a, e.b, order.get(e.relation, 99), e.relation))


def page_url(path: str, directory_urls: bool = True) -> str:
    """The site URL (relative to the site root) of a generated page path."""
    stem = path[:-3] if path.endswith(".md") else path
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def site_href(target: str, page: str, directory_urls: bool = True) -> str:
    """Link from page ``page`` to page ``target`` as the built site has it (raw HTML is not rewritten by mkdocs)."""
    target_url, page_url_ = page_url(target, directory_urls), page_url(page, directory_urls)
    folder = page_url_.rstrip("/") if directory_urls and page_url_.endswith("/") else posixpath.dirname(page_url_)
    link = posixpath.relpath(target_url.rstrip("/") or ".", folder or ".")
    if target_url.endswith("/") or target_url == "":
        link = "./" if link == "." else link + "/"
    return link


# --------------------------------------------------------------------------- layout


IDEAL = 100.0
"""Ideal edge length of the force-directed layout, in drawing units (px at full size)."""


def _components(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Connected components, largest first (ties by their first id), each sorted."""
    parent = {v: v for v in nodes}

    def find(v: str) -> str:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in edges:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for v in sorted(nodes):
        groups.setdefault(find(v), []).append(v)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _force_layout(nodes: list[str], edges: list[tuple[str, str]], kinds: dict[str, str], seed: int = 7,
                  iterations: int = 300) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold for one connected component, with a fixed seed and number of steps.

    Starts from a circle ordered by kind, so that actors of a kind tend to stay together.
    """
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    rng = random.Random(seed)
    kind_order = {k: i for i, k in enumerate(schema.ACTOR_KINDS)}
    ring = sorted(nodes, key=lambda v: (kind_order.get(kinds.get(v, ""), 99), v))
    spread = IDEAL * math.sqrt(n) / 2
    start = {v: (spread * math.cos(2 * math.pi * i / n) + rng.uniform(-1, 1),
                 spread * math.sin(2 * math.pi * i / n) + rng.uniform(-1, 1)) for i, v in enumerate(ring)}
    index = {v: i for i, v in enumerate(nodes)}
    xs = [start[v][0] for v in nodes]
    ys = [start[v][1] for v in nodes]
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    k = IDEAL
    k2 = k * k
    temperature = spread / 2
    cool = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        for i in range(n):
            xi, yi = xs[i], ys[i]
            push_x, push_y = dx[i], dy[i]  # summed here in the same order as dx[i] += …: the same floats
            for j in range(i + 1, n):
                ddx, ddy = xi - xs[j], yi - ys[j]
                d2 = ddx * ddx + ddy * ddy or 0.01
                f = k2 / d2  # repulsion k²/d along the unit vector (ddx, ddy)/d
                fx, fy = ddx * f, ddy * f
                push_x += fx
                push_y += fy
                dx[j] -= fx
                dy[j] -= fy
            dx[i], dy[i] = push_x, push_y
        for i, j in pairs:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            f = math.sqrt(ddx * ddx + ddy * ddy) / k  # attraction d²/k
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            dx[i] -= xs[i] * .03  # gravity towards the centre keeps loose ends close
            dy[i] -= ys[i] * .03
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) or 1.0
            step = min(d, temperature)
            xs[i] += dx[i] / d * step
            ys[i] += dy[i] / d * step
        temperature -= cool
    return {v: (xs[i], ys[i]) for i, v in enumerate(nodes)}


def _box(pos: dict[str, tuple[float, float]],
         labels: dict[str, tuple[str, ...]]) -> tuple[float, float, float, float]:
    """Bounding box (left, top, right, bottom) of nodes with their labels underneath."""
    left = min(x - max(NODE_R, _label_width(labels[v]) / 2) for v, (x, _y) in pos.items())
    right = max(x + max(NODE_R, _label_width(labels[v]) / 2) for v, (x, _y) in pos.items())
    top = min(y - NODE_R * 1.2 for _x, y in pos.values())
    bottom = max(y + NODE_R + FONT + 4 + _extra_height(labels[v]) for v, (_x, y) in pos.items())
    return left, top, right, bottom


def _spread_labels(pos: dict[str, tuple[float, float]], labels: dict[str, tuple[str, ...]],
                   rounds: int = 200, widen: float = 1.0) -> dict[str, tuple[float, float]]:
    """Push apart nodes whose label boxes overlap (deterministic, bounded number of rounds); ``widen``: names are
    taken as that much wider than ``_text_width`` says. A box is as tall as its node and the lines of its name."""
    names = sorted(pos)
    p = {v: list(pos[v]) for v in names}
    box_h = FONT + NODE_R * 2 + 6
    half = {v: _label_width(labels[v]) * widen / 2 + 5 for v in names}
    extra = {v: _extra_height(labels[v]) for v in names}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                ox = half[a] + half[b] - abs(p[a][0] - p[b][0])
                oy = box_h + _upper_extra(p[a][1], p[b][1], extra[a], extra[b]) - abs(p[a][1] - p[b][1])
                if ox > 0 and oy > 0:
                    moved = True
                    if oy < ox:  # the smaller move: apart vertically
                        shift = oy / 2 + .5
                        sign = 1 if (p[a][1], a) >= (p[b][1], b) else -1
                        p[a][1] += sign * shift
                        p[b][1] -= sign * shift
                    else:
                        shift = ox / 2 + .5
                        sign = 1 if (p[a][0], a) >= (p[b][0], b) else -1
                        p[a][0] += sign * shift
                        p[b][0] -= sign * shift
        if not moved:
            break
    return {v: (x, y) for v, (x, y) in p.items()}


COMPONENT_GAP = 28.0
"""Room between two connected components of the whole-book drawing."""
DRAWING_MARGIN = 12.0
"""Room around the whole-book drawing."""


def _pack(parts: list[dict[str, tuple[float, float]]], labels: dict[str, tuple[str, ...]], width: float,
          gap: float = COMPONENT_GAP) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Place component layouts in rows (largest first) across ``width``; returns positions, width and height."""
    out: dict[str, tuple[float, float]] = {}
    x = y = row_height = used = 0.0
    for part in parts:
        left, top, right, bottom = _box(part, labels)
        w, h = right - left, bottom - top
        if x > 0 and x + w > width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for v, (px, py) in part.items():
            out[v] = (x + px - left, y + py - top)
        used = max(used, x + w)
        x += w + gap
        row_height = max(row_height, h)
    return out, used, y + row_height


def _upper_extra(ya: float, yb: float, extra_a: float, extra_b: float) -> float:
    """How much taller than one line the label of the upper of two nodes is (its box reaches down to the other)."""
    if ya == yb:
        return max(extra_a, extra_b)
    return extra_a if ya < yb else extra_b


def _short(name: str, limit: int = NAME_LIMIT) -> str:
    """A name short enough to write on one line of the drawing (the node's title keeps it whole)."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _name_lines(name: str, limit: int = NAME_LIMIT) -> tuple[str, ...]:
    """The lines a name is written on: one if it fits, else two, split at the space nearest the middle of those
    that leave both lines short enough. A name of one long word is shortened on one line; one too long for two
    lines keeps as much as fits on the first and is shortened on the second."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return (name,)
    spaces = [i for i, char in enumerate(name) if char == " " and i <= limit]
    if not spaces:
        return (_short(name, limit),)
    both_fit = [i for i in spaces if len(name) - i - 1 <= limit]
    split = min(both_fit, key=lambda i: abs(2 * i + 1 - len(name))) if both_fit else spaces[-1]
    return name[:split], _short(name[split + 1:], limit)


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * .56


def _label_width(lines: tuple[str, ...]) -> float:
    """Width of a name written on these lines: its longest line."""
    return max(_text_width(line) for line in lines)


def _extra_height(lines: tuple[str, ...]) -> float:
    """How much taller than one line a name written on these lines is."""
    return (len(lines) - 1) * LINE


# --------------------------------------------------------------------------- drawing


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _shape(kind: str, x: float, y: float, r: float = NODE_R) -> str:
    shape = SHAPE_OF_KIND.get(kind, "triangle")
    fill = SHAPES[shape][2]
    common = f'class="node-shape shape-{shape}" fill="{fill}" stroke="#333" stroke-width="1.2"'
    if shape == "circle":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" {common}/>'
    if shape == "square":
        s = r * .9
        return f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" height="{_num(2 * s)}" {common}/>'
    if shape == "hexagon":
        points = [(x + r * math.cos(math.pi / 3 * i), y + r * math.sin(math.pi / 3 * i)) for i in range(6)]
    elif shape == "diamond":
        points = [(x, y - r * 1.15), (x + r, y), (x, y + r * 1.15), (x - r, y)]
    else:
        points = [(x, y - r * 1.1), (x + r, y + r * .75), (x - r, y + r * .75)]
    return f'<polygon points="{" ".join(f"{_num(px)},{_num(py)}" for px, py in points)}" {common}/>'


def _marker_defs(prefix: str, relations: list[str]) -> str:
    out = []
    for relation in relations:
        colour, _dash, _width, directed = RELATION_STYLES[relation]
        if directed:
            out.append(f'<marker id="{prefix}-arrow-{relation}" class="arrow rel-{relation}" viewBox="0 0 10 10" '
                       f'refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                       f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    return f"<defs>{''.join(out)}</defs>" if out else ""


def _edge_path(x1: float, y1: float, x2: float, y2: float, offset: float, shorten_end: float) -> tuple[str, float, float]:
    """A straight or gently curved path from (x1, y1) towards (x2, y2); returns it and its midpoint."""
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    cx, cy = mx + nx * offset * 2, my + ny * offset * 2
    # stop the line at the node's edge so that arrowheads stay visible
    ex, ey = x2 - cx, y2 - cy
    e = math.hypot(ex, ey) or 1.0
    x2s, y2s = x2 - ex / e * shorten_end, y2 - ey / e * shorten_end
    sx, sy = x1 + (cx - x1) / (math.hypot(cx - x1, cy - y1) or 1.0) * NODE_R, \
        y1 + (cy - y1) / (math.hypot(cx - x1, cy - y1) or 1.0) * NODE_R
    if offset == 0:
        d = f"M{_num(sx)},{_num(sy)} L{_num(x2s)},{_num(y2s)}"
        return d, (sx + x2s) / 2, (sy + y2s) / 2
    d = f"M{_num(sx)},{_num(sy)} Q{_num(cx)},{_num(cy)} {_num(x2s)},{_num(y2s)}"
    # the midpoint of a quadratic Bézier curve at t = 1/2
    return d, .25 * sx + .5 * cx + .25 * x2s, .25 * sy + .5 * cy + .25 * y2s


def _edge_title(edge: Edge, names: dict[str, str]) -> str:
    verb = schema.DIRECTION_WORDS.get(edge.relation, edge.relation) if edge.directed else edge.relation
    text = f"{names[edge.a]} — {verb} — {names[edge.b]}"
    stated = "; ".join(f"{label}{', ' + locator if locator else ''}" for label, locator in edge.citations)
    return f"{text} (stated by {stated})" if stated else text


def _overlaps(box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]]) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def _node_boxes(pos: dict[str, tuple[float, float]],
                names: dict[str, tuple[str, ...]]) -> list[tuple[float, float, float, float]]:
    """Each node with its name underneath, every line of it."""
    return [(x - max(NODE_R, _label_width(names[v]) / 2), y - NODE_R, x + max(NODE_R, _label_width(names[v]) / 2),
             y + NODE_R + FONT + 3 + _extra_height(names[v])) for v, (x, y) in sorted(pos.items())]


def _edges_svg(edges: list[Edge], pos: dict[str, tuple[float, float]], names: dict[str, tuple[str, ...]],
               prefix: str, labelled: bool, full: dict[str, str]) -> tuple[str, str]:
    """(edge lines, edge labels) for these edges; parallel edges of one pair curve apart.

    A relation's word is written on its line only where it overlaps no node, name or other word; the
    line's pattern, arrow and ``<title>`` carry the type everywhere.
    """
    taken = _node_boxes(pos, names)
    groups: dict[tuple[str, str], list[Edge]] = {}
    for edge in edges:
        groups.setdefault(tuple(sorted((edge.a, edge.b))), []).append(edge)
    lines, words = [], []
    for (low, _high), group in groups.items():
        count = len(group)
        for i, edge in enumerate(group):
            colour, dash, width, directed = RELATION_STYLES[edge.relation]
            offset = (i - (count - 1) / 2) * 11
            if edge.a != low:
                offset = -offset  # same side, whichever way the edge points
            (x1, y1), (x2, y2) = pos[edge.a], pos[edge.b]
            d, mx, my = _edge_path(x1, y1, x2, y2, offset, NODE_R + 2 if directed else NODE_R)
            attrs = f'fill="none" stroke="{colour}" stroke-width="{_num(width)}"'
            if dash:
                attrs += f' stroke-dasharray="{dash}"'
            if directed:
                attrs += f' marker-end="url(#{prefix}-arrow-{edge.relation})"'
            title = html.escape(_edge_title(edge, full))
            lines.append(f'<g class="edge rel-{edge.relation}"><title>{title}</title><path d="{d}" {attrs}/></g>')
            word = schema.DIRECTION_WORDS.get(edge.relation, edge.relation) if directed else edge.relation
            half = _text_width(word, 9) / 2 + 1
            box = (mx - half, my - 6, mx + half, my + 5)
            if labelled and not _overlaps(box, taken):
                taken.append(box)
                words.append(f'<text class="edge-label rel-{edge.relation}" x="{_num(mx)}" y="{_num(my + 3)}" '
                             f'text-anchor="middle" font-size="9" fill="{colour}" stroke="#fff" stroke-width="3" '
                             f'paint-order="stroke" aria-hidden="true">{html.escape(word)}</text>')
    return "".join(lines), "".join(words)


def _node_svg(actor: Actor, lines: tuple[str, ...], x: float, y: float, href: str, label_below: bool = True,
              anchor: str = "middle", current: bool = False, r: float = NODE_R) -> str:
    """A node: its shape, and its name written on ``lines`` (``_name_lines``, as the layout measured it)."""
    title = f"{actor.name} — {actor.kind}" + (f" (also: {', '.join(actor.aliases)})" if actor.aliases else "")
    if anchor == "middle":  # under the node, or over it ending where one line would
        tx, ty = x, (y + r + FONT + 1 if label_below else y - r - 5 - _extra_height(lines))
    else:  # beside the node, the lines centred on it
        tx, ty = (x + r + 5 if anchor == "start" else x - r - 5), y + FONT / 3 - _extra_height(lines) / 2
    weight = ' font-weight="700"' if current else ""
    text = (f'<text x="{_num(tx)}" y="{_num(ty)}" text-anchor="{anchor}" font-size="{_num(FONT)}" '
            f'fill="currentColor" stroke="#fff" stroke-width="3" paint-order="stroke"{weight}>'
            f'{_name_text(lines, tx)}</text>')
    classes = "node" + (" node-current" if current else "")
    shape = _shape(actor.kind, x, y, r)
    if current:
        return f'<g class="{classes}"><title>{html.escape(title)}</title>{shape}{text}</g>'
    return f'<a class="{classes}" href="{html.escape(href)}"><title>{html.escape(title)}</title>{shape}{text}</a>'


def _name_text(lines: tuple[str, ...], x: float) -> str:
    """A name's text: as it is if it fits on one line, else one ``<tspan>`` a line, each a line below the last."""
    if len(lines) == 1:
        return html.escape(lines[0])
    below = f' dy="{_num(LINE)}"'
    return "".join(f'<tspan x="{_num(x)}"{below if i else ""}>{html.escape(line)}</tspan>'
                   for i, line in enumerate(lines))


def _legend(relations: list[str], shapes: list[str]) -> str:
    """An HTML legend: each relation type's line and word, each node shape and its kinds."""
    items = []
    for relation in relations:
        colour, dash, width, directed = RELATION_STYLES[relation]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        arrow = (f'<path d="M34,1 L42,5 L34,9 z" fill="{colour}"/>' if directed else "")
        word = f"{relation} (→ {schema.DIRECTION_WORDS[relation]})" if directed else relation
        items.append(f'<li class="rel-{relation}"><svg xmlns="http://www.w3.org/2000/svg" width="44" height="10" viewBox="0 0 44 10" aria-hidden="true" style="vertical-align: middle">'
                     f'<line x1="1" y1="5" x2="{"36" if directed else "43"}" y2="5" stroke="{colour}" '
                     f'stroke-width="{_num(width)}"{dash_attr}/>{arrow}</svg> {html.escape(word)}</li>')
    for shape in shapes:
        label = SHAPES[shape][0]
        items.append(f'<li><svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" style="vertical-align: middle">'
                     f'{_shape(next(iter(SHAPES[shape][1])), 10, 10, 7)}</svg> {html.escape(label)}</li>')
    return f'<ul class="graph-legend" aria-label="Legend">{"".join(items)}</ul>'


def _size_style(width: float, kind: str) -> str:
    return f"max-width: {_num(width)}px; min-width: {_num(min(width, MIN_SHOWN[kind]))}px; --full-width: {_num(width)}px"


def _wrap(svg: str, legend: str, caption: str, kind: str) -> str:
    return (f'<figure class="relation-graph relation-graph-{kind}" data-search-exclude="">'
            f'<div class="relation-graph__scroll">{svg}</div>'
            f'<figcaption>{caption}</figcaption>{legend}</figure>')


def _full_parts(actors: dict[str, Actor], edges: list[Edge], limit: int, compact: float = 1.0):
    """The whole-book drawing's actors (the best connected ``limit``), its edges between them, their names and
    each connected component's layout; ``compact`` < 1 draws the lines that much shorter (names keep their size,
    and are pushed apart where they would overlap)."""
    degree: dict[str, int] = {}
    for e in edges:
        degree[e.a] = degree.get(e.a, 0) + 1
        degree[e.b] = degree.get(e.b, 0) + 1
    nodes = sorted(degree, key=lambda v: (-degree[v], v))[:limit]
    kept = set(nodes)
    nodes.sort()
    edges = [e for e in edges if e.a in kept and e.b in kept]
    names = {v: _name_lines(actors[v].name) for v in actors}
    pairs = [(e.a, e.b) for e in edges]
    kinds = {v: actors[v].kind for v in nodes}
    iterations = 300 if len(nodes) <= 60 else 120
    parts = []
    for group in _components(nodes, pairs):
        layout = _force_layout(group, pairs, kinds, iterations=iterations)
        if compact != 1.0:  # closer together: names are kept apart by their true width, capitals included
            layout = {v: (x * compact, y * compact) for v, (x, y) in layout.items()}
            parts.append(_spread_labels(layout, names, widen=1.2))
        else:
            parts.append(_spread_labels(layout, names))
    return nodes, edges, names, parts, len(degree)


def full_graph(actors: dict[str, Actor], edges: list[Edge], page: str, path_of, directory_urls: bool = True,
               limit: int = FULL_LIMIT) -> str:
    """The whole book's relation graph as one HTML block (figure + inline SVG + legend), or "" if none.

    ``edges`` come from ``edges_of``; ``path_of(actor)`` is an actor's page path; ``page`` the page drawn on.
    """
    if not edges:
        return ""
    nodes, edges, names, parts, related = _full_parts(actors, edges, limit)
    width = max(600.0, max(right - left for left, _top, right, _bottom in (_box(p, names) for p in parts)))
    packed, width, height = _pack(parts, names, width)
    return _full_drawing(actors, edges, page, path_of, directory_urls, nodes, names, packed, width, height,
                         related, "Hover a line for who states it.")


PRINT_COMPACT = 0.7
"""On paper, the whole-book drawing's lines are this much shorter than on screen, so that it prints larger."""


def print_full_graph(actors: dict[str, Actor], edges: list[Edge], page: str, path_of, frames: list[tuple[float, float]],
                     directory_urls: bool = True, limit: int = FULL_LIMIT) -> tuple[str, int]:
    """The whole book's relation graph for paper, and which of ``frames`` (width, height of the room on a page, in
    any one unit) it is drawn for: laid out tighter than on screen (``PRINT_COMPACT``), its connected components
    placed in rows, or the smaller ones beside the largest, whichever prints largest in one of the frames; the
    caption points to the table of relations instead of a tooltip. ("", 0) if there is no relation."""
    if not edges:
        return "", 0
    nodes, edges, names, parts, related = _full_parts(actors, edges, limit, PRINT_COMPACT)
    boxes = [_box(part, names) for part in parts]
    sizes = [(right - left, bottom - top) for left, top, right, bottom in boxes]
    options = []
    for width in sorted({max(w for w, _h in sizes), *(sum(w for w, _h in sizes[:k]) + COMPONENT_GAP * (k - 1)
                                                        for k in range(2, len(parts) + 1))}):
        options.append(_pack(parts, names, width))
    if len(parts) > 1:  # the largest on the left, the others in rows beside it
        rest_widths = {w for w, _h in sizes[1:]} | {sum(w for w, _h in sizes[1:]) + COMPONENT_GAP * (len(parts) - 2)}
        for width in sorted(rest_widths):
            rest, rest_width, rest_height = _pack(parts[1:], names, width)
            first, first_width, first_height = _pack(parts[:1], names, sizes[0][0])
            shift = first_width + COMPONENT_GAP
            options.append(({**first, **{v: (x + shift, y) for v, (x, y) in rest.items()}},
                            shift + rest_width, max(first_height, rest_height)))
    def scale(option, frame):  # how large the drawing prints in the frame
        _packed, width, height = option
        return min(frame[0] / (width + 2 * DRAWING_MARGIN), frame[1] / (height + 2 * DRAWING_MARGIN))

    best, frame = max(((option, index) for option in options for index in range(len(frames))),
                      key=lambda pair: scale(pair[0], frames[pair[1]]))
    packed, width, height = best
    return _full_drawing(actors, edges, page, path_of, directory_urls, nodes, names, packed, width, height, related,
                         "The table below gives who states each relation."), frame


def _full_drawing(actors, edges, page, path_of, directory_urls, nodes, names, packed, width, height, related,
                  hint) -> str:
    kept = set(nodes)
    full = {v: actors[v].name for v in actors}
    pos = {v: (x + DRAWING_MARGIN, y + DRAWING_MARGIN) for v, (x, y) in packed.items()}
    width, height = width + 2 * DRAWING_MARGIN, height + 2 * DRAWING_MARGIN
    relations = [r for r in schema.RELATION_TYPES if any(e.relation == r for e in edges)]
    shapes = [s for s in SHAPES if any(SHAPE_OF_KIND.get(actors[v].kind) == s for v in nodes)]
    prefix = "g-all"
    lines, words = _edges_svg(edges, pos, names, prefix, labelled=True, full=full)
    node_parts = [_node_svg(actors[v], names[v], *pos[v], site_href(path_of(actors[v]), page, directory_urls))
                  for v in nodes]
    title = f"Relations between {len(nodes)} actors, as the sources state them"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
           f'style="{_size_style(width, "all")}" role="group" aria-label="{html.escape(title)}" '
           f'font-family="sans-serif">'
           f'{_marker_defs(prefix, relations)}<g class="edges">{lines}</g><g class="edge-labels">{words}</g>'
           f'<g class="nodes">{"".join(node_parts)}</g></svg>')
    caption = (f"{html.escape(title)}. Each shape is an actor (a link to its page); each line a relation, "
               f"patterned by type, with an arrow where it has a direction. {hint}")
    if len(kept) < related:
        caption += f" The {len(kept)} best-connected of {related} related actors are drawn."
    return _wrap(svg, _legend(relations, shapes), caption, "all")


def local_graph(actors: dict[str, Actor], edges: list[Edge], actor_id: str, page: str, path_of,
                directory_urls: bool = True, limit: int = LOCAL_LIMIT) -> str:
    """One actor and its direct relations (radial layout) as an HTML block, or "" if it has none."""
    edges = [e for e in edges if actor_id in (e.a, e.b)]
    if not edges:
        return ""
    order = {t: i for i, t in enumerate(schema.RELATION_TYPES)}
    first_type: dict[str, int] = {}
    for e in edges:
        other = e.b if e.a == actor_id else e.a
        first_type[other] = min(first_type.get(other, 99), order.get(e.relation, 99))
    neighbours = sorted(first_type, key=lambda v: (first_type[v], actors[v].name.lower(), v))
    hidden = len(neighbours) - limit
    neighbours = neighbours[:limit]
    edges = [e for e in edges if (e.b if e.a == actor_id else e.a) in neighbours]
    n = len(neighbours)
    full = {v: actors[v].name for v in (actor_id, *neighbours)}
    names = {v: _name_lines(actors[v].name) for v in (actor_id, *neighbours)}
    radius = max(110.0, min(230.0, 26.0 * n / math.pi + 60))
    pos = {actor_id: (0.0, 0.0)}
    anchors = {}
    for i, v in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / n + (math.pi / n if n % 2 == 0 and n > 2 else 0)
        x, y = radius * math.cos(angle), radius * math.sin(angle)
        pos[v] = (x, y)
        anchors[v] = "middle" if abs(x) < radius * .25 else ("start" if x > 0 else "end")
    # the drawing's frame: every node with its name, wherever the name is written
    extents = [(-_label_width(names[actor_id]) * .55, -NODE_R * 1.4, _label_width(names[actor_id]) * .55,
                NODE_R * 1.4 + FONT + 3 + _extra_height(names[actor_id]))]
    for v in neighbours:
        x, y = pos[v]
        w, extra = _label_width(names[v]), _extra_height(names[v])
        if anchors[v] == "middle":
            top, bottom = ((y - NODE_R, y + NODE_R + FONT + 3 + extra) if y >= 0 else
                           (y - NODE_R - FONT - 6 - extra, y + NODE_R))
            extents.append((x - max(w / 2, NODE_R), top, x + max(w / 2, NODE_R), bottom))
        elif anchors[v] == "start":
            extents.append((x - NODE_R, y - NODE_R * 1.2 - extra / 2, x + NODE_R + 5 + w,
                            y + NODE_R * 1.2 + extra / 2))
        else:
            extents.append((x - NODE_R - 5 - w, y - NODE_R * 1.2 - extra / 2, x + NODE_R,
                            y + NODE_R * 1.2 + extra / 2))
    pad = 8.0
    left, top = min(e[0] for e in extents) - pad, min(e[1] for e in extents) - pad
    width = max(e[2] for e in extents) + pad - left
    height = max(e[3] for e in extents) + pad - top
    if width < LOCAL_MIN_WIDTH:  # a lone neighbour: keep the drawing at a readable size, centred
        left -= (LOCAL_MIN_WIDTH - width) / 2
        width = LOCAL_MIN_WIDTH
    pos = {v: (x - left, y - top) for v, (x, y) in pos.items()}
    cx, cy = pos[actor_id]
    relations = [r for r in schema.RELATION_TYPES if any(e.relation == r for e in edges)]
    shapes = [s for s in SHAPES if any(SHAPE_OF_KIND.get(actors[v].kind) == s for v in [actor_id, *neighbours])]
    prefix = f"g-{actor_id}"
    lines, words = _edges_svg(edges, pos, names, prefix, labelled=True, full=full)
    parts = []
    for v in neighbours:
        x, y = pos[v]
        parts.append(_node_svg(actors[v], names[v], x, y, site_href(path_of(actors[v]), page, directory_urls),
                               label_below=y >= cy, anchor=anchors[v]))
    parts.append(_node_svg(actors[actor_id], names[actor_id], cx, cy, "", label_below=True, current=True,
                           r=NODE_R * 1.4))
    title = f"{actors[actor_id].name} and the {n} actor{'s' if n != 1 else ''} it has a stated relation with"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
           f'style="{_size_style(width, "local")}" role="group" aria-label="{html.escape(title)}" '
           f'font-family="sans-serif">{_marker_defs(prefix, relations)}<g class="edges">{lines}</g>'
           f'<g class="edge-labels">{words}</g><g class="nodes">{"".join(parts)}</g></svg>')
    caption = f"{html.escape(title)}; the table below gives each source."
    if hidden > 0:
        caption += f" {hidden} more are listed in the table only."
    return _wrap(svg, _legend(relations, shapes), caption, "local")
