"""Write a deterministic synthetic briefing book.

The book has the same layout and formats as the real one (see
``docs/notes-format.md``): actor, scenario, claim and source notes, prose pages,
a BibLaTeX bibliography and the archived text of every article the evidence
quotes. Text is made of pseudo-words from a fixed vocabulary; every choice comes
from one ``random.Random(seed)``, so the same ``notes`` and ``seed`` always give
byte-identical files.

The book is valid by construction: every quote is a verbatim substring of the
archive paragraph its ``para. N`` locator names, every cross-reference and
citation resolves, every scenario's trigger and indicator is cited, every
bibliography entry is cited or relayed, and every note is referenced from at least
one other note.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".synthetic-book"
"""File left in the output directory so a later run may safely replace it."""

MIN_NOTES = 6


def _build_vocabulary() -> tuple[str, ...]:
    onsets = "b d f g k l m n p r s t v z".split()
    nuclei = "a e i o u".split()
    codas = ["", "n", "r", "l", "s"]
    firsts = [o + n + c for o in onsets for n in nuclei for c in codas]
    seconds = [o + n for o in onsets for n in nuclei]
    words = []
    step = 0
    for first in firsts:
        for second in seconds:
            step += 1
            if step % 17 == 0:
                words.append(first + second)
    return tuple(words)


VOCAB = _build_vocabulary()
FUNCTION_WORDS = ("the", "of", "and", "to", "in", "a", "that", "for", "with", "on",
                  "by", "as", "from", "was", "is", "would", "could", "said", "its", "their")
POOL = VOCAB + FUNCTION_WORDS * 50

ACTOR_KINDS = (
    "state", "state", "state", "territory", "region", "government body", "military",
    "alliance or bloc", "international organisation", "political party", "think tank",
    "media outlet", "person", "person", "person", "other",
)
KIND_SUFFIX = {
    "government body": "Ministry of {0}",
    "military": "{0} Armed Forces",
    "alliance or bloc": "{0} Pact",
    "international organisation": "{0} Union",
    "political party": "{0} Workers Party",
    "think tank": "{0} Institute",
    "media outlet": "{0} Herald",
    "other": "{0} Movement",
    "region": "{0} Basin",
    "territory": "{0} Islands",
}
RELATIONS = ("treaty", "alliance", "partnership", "rivalry", "membership", "leadership",
             "reporting", "employment", "authorship", "kinship")
LIKELIHOODS = ("almost no chance", "very unlikely", "unlikely", "roughly even chance",
               "likely", "very likely", "almost certain")
CONFIDENCES = ("low", "moderate", "high")
STANCES = ("supports",) * 7 + ("qualifies",) * 2 + ("contradicts",)
SOURCE_KINDS = ("news", "news", "news", "opinion", "analysis", "report")
RELIABILITY = "ABCDEF"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
HEADINGS = ("Background", "Assessment", "What the sources say", "Gaps", "Outlook",
            "Context", "Disagreements")


def _slug(text: str) -> str:
    out = []
    dash = False
    for ch in text.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(items: list[str]) -> str:
    """A YAML flow list of ids (ids are always ``word-word`` and need no quotes)."""
    return "[" + ", ".join(items) + "]"


@dataclass
class _Article:
    key: str
    outlet: str
    title: str
    author: str  # "" when not given
    date: str  # "" when not given
    note: str
    url: str
    urldate: str
    paragraphs: list[str]
    kind: str
    reliability: str
    credibility: int
    relays: list[str] = field(default_factory=list)

    def body_para(self, rng: random.Random) -> int:
        """A 1-based paragraph number after the title and byline."""
        return rng.randint(3, len(self.paragraphs))


@dataclass
class _Entry:
    key: str
    entry_type: str
    fields: list[tuple[str, str]]


@dataclass
class _Actor:
    id: str
    name: str
    kind: str
    aliases: list[str]
    affiliation: str = ""
    relations: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class _Evidence:
    source: str
    stance: str
    quote: str
    para: int
    note: str


@dataclass
class _Claim:
    id: str
    statement: str
    actors: list[str]
    evidence: list[_Evidence]
    scenario: int = 0


@dataclass
class _Scenario:
    id: str
    title: str
    actors: list[str]
    claims: list[str]
    triggers: list[str]
    indicators: list[str]
    likelihood: str = ""
    likelihood_source: str = ""
    confidence: str = ""


def plan_counts(notes: int) -> dict[str, int]:
    """How many notes of each kind a book of ``notes`` notes has."""
    if notes < MIN_NOTES:
        raise ValueError(f"--notes must be at least {MIN_NOTES}")
    prose = max(1, round(notes * 0.02), min(4, notes // 15))
    rest = notes - prose
    actors = max(2, round(rest * 0.20 / 0.98))
    scenarios = max(1, round(rest * 0.08 / 0.98))
    sources = max(1, round(rest * 0.30 / 0.98))
    claims = rest - actors - scenarios - sources
    if claims < 1:
        sources -= 1 - claims
        claims = 1
    return {"actors": actors, "scenarios": scenarios, "claims": claims,
            "sources": sources, "prose": prose}


class _Book:
    def __init__(self, notes: int, seed: int):
        self.rng = random.Random(seed)
        self.counts = plan_counts(notes)
        self.notes = notes
        self.used_ids: dict[str, None] = {}
        self.used_names: dict[str, None] = {}
        self.articles: list[_Article] = []
        self.entries: list[_Entry] = []  # relayed / cited-only entries
        self.actors: list[_Actor] = []
        self.claims: list[_Claim] = []
        self.scenarios: list[_Scenario] = []
        self.prose: list[tuple[str, str]] = []  # (id, title)
        self.extra_cites: dict[str, list[str]] = {}  # note id -> keys it must cite
        self.actor_index: dict[str, _Actor] = {}
        self.articles_by_key: dict[str, _Article] = {}

    # ---- words and sentences -------------------------------------------------

    def word(self) -> str:
        return self.rng.choice(VOCAB)

    def cap_word(self) -> str:
        return self.word().capitalize()

    def sentence_tokens(self, lo: int = 8, hi: int = 18) -> list[str]:
        rng = self.rng
        tokens = rng.choices(POOL, k=rng.randint(lo, hi))
        if tokens[0] in FUNCTION_WORDS:
            tokens[0] = rng.choice(VOCAB)
        if len(tokens) > 6 and rng.random() < 0.4:
            at = rng.randint(2, len(tokens) - 3)
            tokens[at] = tokens[at] + ","
        return tokens

    @staticmethod
    def finish(tokens: list[str]) -> str:
        text = " ".join(tokens)
        return text[0].upper() + text[1:] + "."

    def sentence(self, lo: int = 8, hi: int = 18) -> str:
        return self.finish(self.sentence_tokens(lo, hi))

    def phrase(self, lo: int = 4, hi: int = 9) -> str:
        tokens = self.rng.choices(POOL, k=self.rng.randint(lo, hi))
        tokens[0] = self.rng.choice(VOCAB)
        return " ".join(tokens)

    def unique_id(self, base: str) -> str:
        base = _slug(base) or "note"
        if "-" not in base:
            base = base + "-x"
        candidate = base
        n = 2
        while candidate in self.used_ids:
            candidate = f"{base}-{n}"
            n += 1
        self.used_ids[candidate] = None
        return candidate

    def unique_name(self, make) -> str:
        for _ in range(50):
            name = make()
            if name.lower() not in self.used_names:
                self.used_names[name.lower()] = None
                return name
        n = 2
        base = make()
        while f"{base} {n}".lower() in self.used_names:
            n += 1
        name = f"{base} {n}"
        self.used_names[name.lower()] = None
        return name

    def date(self) -> str:
        rng = self.rng
        year = rng.randint(2015, 2024)
        roll = rng.random()
        if roll < 0.6:
            return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if roll < 0.8:
            return f"{year}-{rng.randint(1, 12):02d}"
        return str(year)

    # ---- bibliography ----------------------------------------------------------

    def make_articles(self) -> None:
        rng = self.rng
        n_outlets = max(2, self.counts["sources"] // 4)
        outlets = [self.unique_name(lambda: f"The {self.cap_word()} {rng.choice(('Herald', 'Daily', 'Post', 'Review', 'Wire', 'Tribune'))}")
                   for _ in range(n_outlets)]
        for i in range(self.counts["sources"]):
            outlet = outlets[i % n_outlets]
            roll = rng.random()
            date = self.date() if roll < 0.85 else ""
            note = ""
            if not date and rng.random() < 0.5:
                note = f"Published {rng.choice(MONTHS)} {rng.randint(1, 28)}; year not given"
            author = f"{self.cap_word()}, {self.cap_word()}" if rng.random() < 0.7 else ""
            title_words = [self.cap_word() for _ in range(rng.randint(4, 8))]
            title = " ".join(title_words)
            key = self.unique_id(f"{_slug(outlet.split()[1])}-{title_words[0]}-{date[:4] if date else 'nd'}")
            url = ""
            urldate = ""
            if rng.random() < 0.8:
                url = f"https://{_slug(outlet)}.example/{date[:4] or 'archive'}/{_slug(title)}"
                if rng.random() < 0.7:
                    urldate = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            kind = rng.choice(SOURCE_KINDS)
            article = _Article(key=key, outlet=outlet, title=title, author=author, date=date,
                               note=note, url=url, urldate=urldate, paragraphs=[], kind=kind,
                               reliability=rng.choice(RELIABILITY[:5]) if rng.random() < 0.95 else "F",
                               credibility=rng.randint(1, 6))
            article.paragraphs = self.archive_paragraphs(article)
            self.articles.append(article)

    def archive_paragraphs(self, article: _Article) -> list[str]:
        rng = self.rng
        paras = [article.title]
        if article.author:
            last, first = article.author.split(", ")
            byline = f"By {first} {last}, {article.outlet}"
        else:
            byline = f"{article.outlet} staff"
        if article.date:
            byline += f", {article.date}"
        paras.append(byline)
        names = [a.name for a in self.actors]
        for _ in range(rng.randint(6, 18)):
            sentences = []
            for _ in range(rng.randint(2, 5)):
                tokens = self.sentence_tokens()
                if names and rng.random() < 0.2:
                    tokens.insert(rng.randint(1, len(tokens) - 1), rng.choice(names))
                sentences.append(self.finish(tokens))
            paras.append(" ".join(sentences))
        return paras

    def make_entries(self) -> None:
        """Reports, journal articles and outlets the articles relay or the book cites."""
        rng = self.rng
        wanted = 2 * self.notes - len(self.articles)
        institutions = [self.unique_name(lambda: f"{self.cap_word()} {rng.choice(('Institute', 'Centre', 'Council', 'Foundation'))}")
                        for _ in range(max(2, wanted // 12))]
        journals = [self.unique_name(lambda: f"Journal of {self.cap_word()} Studies")
                    for _ in range(max(2, wanted // 25))]
        agencies = [self.unique_name(lambda: f"{self.cap_word()} News Agency")
                    for _ in range(max(2, wanted // 20))]
        for i in range(wanted):
            roll = rng.random()
            title = " ".join(self.cap_word() for _ in range(rng.randint(3, 7)))
            date = self.date() if rng.random() < 0.8 else ""
            if roll < 0.25:
                inst = rng.choice(institutions)
                key = self.unique_id(f"{inst.split()[0]}-report-{date[:4] or 'nd'}")
                fields = [("title", title), ("author", f"{self.cap_word()}, {self.cap_word()}"),
                          ("institution", inst), ("type", "Research report")]
                if date:
                    fields.append(("date", date))
                if rng.random() < 0.3:
                    fields.append(("doi", f"10.{rng.randint(1000, 9999)}/{_slug(inst)}.{rng.randint(100, 999)}"))
                entry = _Entry(key, "report", fields)
            elif roll < 0.4:
                journal = rng.choice(journals)
                key = self.unique_id(f"{self.word()}-{date[:4] or 'nd'}")
                fields = [("title", title), ("author", f"{self.cap_word()}, {self.cap_word()} and {self.cap_word()}, {self.cap_word()}"),
                          ("journaltitle", journal), ("volume", str(rng.randint(1, 60))),
                          ("number", str(rng.randint(1, 6))), ("pages", f"{(p := rng.randint(1, 300))}--{p + rng.randint(5, 30)}")]
                if date:
                    fields.append(("date", date[:7]))
                if rng.random() < 0.6:
                    fields.append(("doi", f"10.{rng.randint(1000, 9999)}/{self.word()}.{rng.randint(1000, 99999)}"))
                entry = _Entry(key, "article", fields)
            else:
                agency = rng.choice(agencies)
                key = self.unique_id(f"{agency.split()[0]}-{self.word()}-{date[:4] or 'nd'}")
                fields = [("title", title)]
                if rng.random() < 0.4:
                    fields.append(("author", f"{self.cap_word()}, {self.cap_word()}"))
                fields.append(("organization", agency))
                if date:
                    fields.append(("date", date))
                elif rng.random() < 0.5:
                    fields.append(("note", f"Published {rng.choice(MONTHS)} {rng.randint(1, 28)}; year not given"))
                if rng.random() < 0.6:
                    fields.append(("url", f"https://{_slug(agency)}.example/{_slug(title)}"))
                    if rng.random() < 0.6:
                        fields.append(("urldate", f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
                entry = _Entry(key, "online", fields)
            self.entries.append(entry)

    # ---- notes -------------------------------------------------------------------

    def make_actors(self) -> None:
        rng = self.rng
        for i in range(self.counts["actors"]):
            kind = rng.choice(ACTOR_KINDS)
            if kind == "person":
                name = self.unique_name(lambda: f"{self.cap_word()} {self.cap_word()}")
            elif kind == "state":
                name = self.unique_name(self.cap_word)
            else:
                name = self.unique_name(lambda: KIND_SUFFIX[kind].format(self.cap_word()))
            actor_id = self.unique_id(name if "-" in _slug(name) else f"{name} {kind.split()[0]}")
            aliases = []
            for _ in range(rng.randint(0, 2)):
                alias = self.cap_word() if kind != "person" else name.split()[-1] + " " + self.cap_word()
                if alias.lower() not in self.used_names:
                    self.used_names[alias.lower()] = None
                    aliases.append(alias)
            self.actors.append(_Actor(actor_id, name, kind, aliases))
        for i, actor in enumerate(self.actors):
            if i > 0 and rng.random() < 0.25:
                actor.affiliation = self.actors[rng.randrange(i)].id

    def make_actor_relations(self) -> None:
        rng = self.rng
        n = len(self.actors)
        for i, actor in enumerate(self.actors):
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                other = self.actors[(i + rng.randint(1, n - 1)) % n]
                article = rng.choice(self.articles)
                actor.relations.append((other.id, rng.choice(RELATIONS), article.key,
                                        f"para. {article.body_para(rng)}"))

    def make_claims(self) -> None:
        rng = self.rng
        n_claims = self.counts["claims"]
        sizes = [rng.randint(2, 6) for _ in range(n_claims)]
        n_src = len(self.articles)
        i = 0
        while sum(sizes) < n_src:  # every article must be quoted at least once
            if sizes[i % n_claims] < 6:
                sizes[i % n_claims] += 1
            i += 1
        order = list(range(n_src))
        rng.shuffle(order)
        slot = 0
        for c in range(n_claims):
            actors = [a.id for a in rng.sample(self.actors, k=min(len(self.actors), rng.randint(1, 3)))]
            lead_name = self._actor_by_id(actors[0]).name
            tail = self.sentence_tokens(6, 14)
            statement = f"{lead_name} {' '.join(tail)}."
            claim_id = self.unique_id(f"{_slug(lead_name)}-{tail[0]}-{tail[1]}".replace(",", ""))
            evidence = []
            for _ in range(sizes[c]):
                if slot < n_src:
                    article = self.articles[order[slot]]
                else:
                    article = self.articles[rng.randrange(n_src)]
                slot += 1
                para = article.body_para(rng)
                quote = self.make_quote(article.paragraphs[para - 1])
                evidence.append(_Evidence(article.key, rng.choice(STANCES), quote, para,
                                          self.sentence(6, 12)))
            self.claims.append(_Claim(claim_id, statement, actors, evidence))

    def _actor_by_id(self, actor_id: str) -> _Actor:
        return self.actor_index[actor_id]

    def make_quote(self, paragraph: str) -> str:
        rng = self.rng
        sentences = paragraph.split(". ")
        sentences = [s if s.endswith(".") else s + "." for s in sentences]

        def run(sentence: str) -> str:
            tokens = sentence.split(" ")
            if len(tokens) <= 7 or rng.random() < 0.25:
                return sentence
            length = rng.randint(6, min(14, len(tokens)))
            start = rng.randint(0, len(tokens) - length)
            return " ".join(tokens[start:start + length]).rstrip(".,")

        if len(sentences) >= 3 and rng.random() < 0.08:
            first = rng.randrange(len(sentences) - 1)
            second = rng.randint(first + 1, len(sentences) - 1)
            return run(sentences[first]).rstrip(".,") + " … " + run(sentences[second])
        return run(rng.choice(sentences))

    def make_scenarios(self) -> None:
        rng = self.rng
        n = self.counts["scenarios"]
        groups: list[list[_Claim]] = [[] for _ in range(n)]
        for i, claim in enumerate(self.claims):
            claim.scenario = i % n
            groups[i % n].append(claim)
        for s in range(n):
            claims = groups[s]
            actor_ids: list[str] = []
            for claim in claims:
                for a in claim.actors:
                    if a not in actor_ids:
                        actor_ids.append(a)
            while len(actor_ids) < 2 or (len(actor_ids) < 4 and rng.random() < 0.3):
                a = rng.choice(self.actors).id
                if a not in actor_ids:
                    actor_ids.append(a)
            actor_ids = actor_ids[:6]
            names = [self._actor_by_id(a).name for a in actor_ids[:2]]
            head = self.cap_word()
            title = f"{head} {self.phrase(2, 5)} between {names[0]} and {names[1]}"
            scenario_id = self.unique_id(f"{head}-{self.word()}-scenario")
            keys = [ev for claim in claims for ev in claim.evidence]
            triggers = []
            for _ in range(rng.randint(1, 3)):
                ev = rng.choice(keys) if keys else None
                cite = f" [@{ev.source}, para. {ev.para}]" if ev else f" [@{self.articles[0].key}]"
                triggers.append(f"{self.phrase().capitalize()}{cite}")
            indicators = []
            for _ in range(rng.randint(0, 4)):
                if keys and rng.random() < 0.6:
                    ev = rng.choice(keys)
                    indicators.append(f"{self.phrase().capitalize()} [@{ev.source}]")
                else:  # cited all the same (a scenario's triggers and indicators are), without another draw
                    source = keys[len(indicators) % len(keys)].source if keys else self.articles[0].key
                    indicators.append(f"{self.phrase().capitalize()} [@{source}]")
            scenario = _Scenario(scenario_id, title, actor_ids, [c.id for c in claims], triggers, indicators)
            if keys and rng.random() < 0.2:
                scenario.likelihood = rng.choice(LIKELIHOODS)
                scenario.likelihood_source = rng.choice(keys).source
                if rng.random() < 0.7:
                    scenario.confidence = rng.choice(CONFIDENCES)
            self.scenarios.append(scenario)

    def make_prose(self) -> None:
        n = self.counts["prose"]
        fixed = [("index", "Overview"), ("key-judgments", "Key judgments"), ("timeline", "Timeline")]
        for i in range(n):
            if i < len(fixed):
                page_id, title = fixed[i]
                self.used_ids[page_id] = None
            else:
                head = self.cap_word()
                title = f"{head} {self.word()} outlook"
                page_id = self.unique_id(title)
            self.prose.append((page_id, title))

    def assign_entries(self) -> None:
        """Every relayed/cited-only entry is relayed by a source note or cited in a body."""
        rng = self.rng
        relaying = [a for i, a in enumerate(self.articles) if i % 5 != 4] or self.articles
        citers = ([a.id for a in self.actors] + [s.id for s in self.scenarios]
                  + [c.id for c in self.claims] + [p[0] for p in self.prose])
        for citer in citers:
            self.extra_cites[citer] = []
        r = 0
        b = 0
        for i, entry in enumerate(self.entries):
            if i % 2 == 0:
                article = relaying[r % len(relaying)]
                r += 1
                article.relays.append(entry.key)
                if rng.random() < 0.1:  # two articles relaying the same report
                    other = rng.choice(relaying)
                    if entry.key not in other.relays:
                        other.relays.append(entry.key)
            else:
                self.extra_cites[citers[b % len(citers)]].append(entry.key)
                b += 1

    # ---- bodies ------------------------------------------------------------------

    def random_cite(self) -> tuple[str, str]:
        article = self.rng.choice(self.articles)
        return article.key, f"para. {article.body_para(self.rng)}"

    def render_cite(self, cites: list[tuple[str, str]]) -> str:
        parts = []
        for key, loc in cites:
            parts.append(f"@{key}, {loc}" if loc else f"@{key}")
        prefix = "see " if len(cites) > 1 and self.rng.random() < 0.5 else ""
        return "[" + prefix + "; ".join(parts) + "]"

    def body(self, target: int, xrefs: list[str], cites: list[tuple[str, str]],
             list_items: list[str] | None = None, heading: bool = True) -> str:
        """Paragraphs of cited sentences carrying the given cross-references and citations."""
        rng = self.rng
        xrefs = list(xrefs)
        cites = list(cites)
        blocks: list[str] = []
        words = 0
        para_no = 0
        while words < target or xrefs or cites:
            if para_no == 1 and heading and rng.random() < 0.5:
                blocks.append("## " + rng.choice(HEADINGS))
            if para_no == 2 and list_items:
                blocks.append("\n".join("- " + item for item in list_items))
                words += sum(len(item.split()) for item in list_items)
                list_items = None
            sentences = []
            for _ in range(rng.randint(2, 4)):
                tokens = self.sentence_tokens()
                words += len(tokens)
                if xrefs and rng.random() < 0.7:
                    tokens.insert(rng.randint(1, len(tokens)), xrefs.pop(0))
                if cites and rng.random() < 0.2:
                    key, _ = cites.pop(0)
                    text = self.finish(tokens)
                    sentences.append(f"According to @{key}, " + text[0].lower() + text[1:])
                    continue
                if rng.random() < 0.75 or not sentences:
                    group = []
                    take = 2 if len(cites) >= 2 and rng.random() < 0.25 else 1
                    for _ in range(take):
                        group.append(cites.pop(0) if cites else self.random_cite())
                    tokens[-1] = tokens[-1].rstrip(",") + " " + self.render_cite(group)
                elif cites and rng.random() < 0.3:
                    key, _ = cites.pop(0)
                    tokens[-1] = tokens[-1].rstrip(",") + f" [-@{key}]"
                sentences.append(self.finish(tokens))
            blocks.append(" ".join(sentences))
            para_no += 1
        if list_items:
            blocks.append("\n".join("- " + item for item in list_items))
        return "\n\n".join(blocks) + "\n"

    def xref(self, target: str, label: str | None = None) -> str:
        if label and self.rng.random() < 0.5:
            return f"[[{target}|{label}]]"
        return f"[[{target}]]"

    # ---- writing -----------------------------------------------------------------

    def write(self, out: Path) -> dict[str, int]:
        content = out / "content"
        for sub in ("actors", "scenarios", "claims", "sources"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        archive = out / "bibliography" / "archive"
        archive.mkdir(parents=True, exist_ok=True)
        files: list[tuple[Path, str]] = []
        files.extend(self.actor_files(content / "actors"))
        files.extend(self.scenario_files(content / "scenarios"))
        files.extend(self.claim_files(content / "claims"))
        files.extend(self.source_files(content / "sources"))
        files.extend(self.prose_files(content))
        for article in self.articles:
            files.append((archive / f"{article.key}.txt", "\n\n".join(article.paragraphs) + "\n"))
        files.append((out / "bibliography" / "book.bib", self.bib_text()))
        for path, text in files:
            path.write_text(text, encoding="utf-8", newline="\n")
        (out / MARKER).write_text("synthetic briefing book: safe to delete\n", encoding="utf-8")
        counts = dict(self.counts)
        counts["notes"] = self.notes
        counts["bib_entries"] = len(self.articles) + len(self.entries)
        counts["archives"] = len(self.articles)
        counts["evidence"] = sum(len(c.evidence) for c in self.claims)
        counts["files"] = len(files)
        return counts

    def actor_files(self, folder: Path):
        rng = self.rng
        n = len(self.actors)
        claims_by_actor: dict[str, list[str]] = {a.id: [] for a in self.actors}
        for claim in self.claims:
            for a in claim.actors:
                claims_by_actor[a].append(claim.id)
        for i, actor in enumerate(self.actors):
            lines = ["---", f"name: {_q(actor.name)}", f"kind: {actor.kind}",
                     "aliases: [" + ", ".join(_q(a) for a in actor.aliases) + "]"]
            if rng.random() < 0.4:
                lines.append(f"tags: [{rng.choice(('north', 'south', 'east', 'west', 'maritime'))}]")
            if actor.affiliation:
                lines.append(f"affiliation: {actor.affiliation}")
            if actor.relations:
                lines.append("relations:")
                for other, relation, source, locator in actor.relations:
                    lines += [f"  - actor: {other}", f"    relation: {relation}",
                              f"    source: {source}", f"    locator: {locator}"]
            lines.append("---")
            nxt = self.actors[(i + 1) % n]
            xrefs = [self.xref(nxt.id, nxt.name)]
            if n > 2 and rng.random() < 0.5:
                other = self.actors[(i + rng.randint(2, n - 1)) % n]
                xrefs.append(self.xref(other.id, other.name))
            xrefs += [self.xref(c) for c in claims_by_actor[actor.id][:2]]
            cites = [(k, f"para. {self.articles_by_key[k].body_para(rng)}") for _, _, k, _ in actor.relations]
            cites += [(k, "") for k in self.extra_cites[actor.id]]
            body = self.body(rng.randint(145, 270), xrefs, cites)
            yield folder / f"{actor.id}.md", "\n".join(lines) + "\n" + body

    def scenario_files(self, folder: Path):
        rng = self.rng
        for i, s in enumerate(self.scenarios):
            lines = ["---", f"title: {_q(s.title)}", f"actors: {_flow(s.actors)}", "triggers:"]
            lines += [f"  - {_q(t)}" for t in s.triggers]
            if s.indicators:
                lines.append("indicators:")
                lines += [f"  - {_q(t)}" for t in s.indicators]
            else:
                lines.append("indicators: []")
            lines.append(f"claims: {_flow(s.claims)}")
            if s.likelihood:
                lines.append(f"likelihood: {s.likelihood}")
                lines.append(f"likelihood_source: {s.likelihood_source}")
            if s.confidence:
                lines.append(f"confidence: {s.confidence}")
            lines.append("---")
            claim_items = [f"{self.xref(c)}" for c in s.claims]
            xrefs = [self.xref(a, self._actor_by_id(a).name) for a in s.actors]
            if i == 0:
                xrefs.append("[[index|the overview]]")
            cites = []
            if s.likelihood:
                cites.append((s.likelihood_source, ""))
            cites += [(k, "") for k in self.extra_cites[s.id]]
            body = self.body(rng.randint(145, 240), xrefs, cites)
            body += "\n## Claims\n\n" + "\n".join("- " + item for item in claim_items) + "\n"
            yield folder / f"{s.id}.md", "\n".join(lines) + "\n" + body

    def claim_files(self, folder: Path):
        rng = self.rng
        for claim in self.claims:
            lines = ["---", f"statement: {_q(claim.statement)}", f"actors: {_flow(claim.actors)}"]
            if rng.random() < 0.3:
                lines.append(f"tags: [{rng.choice(('military', 'economic', 'diplomatic', 'nuclear'))}]")
            lines.append("evidence:")
            for ev in claim.evidence:
                lines += [f"  - source: {ev.source}", f"    stance: {ev.stance}",
                          f"    quote: {_q(ev.quote)}", f"    locator: para. {ev.para}",
                          f"    note: {_q(ev.note)}"]
            lines.append("---")
            xrefs = [self.xref(a, self._actor_by_id(a).name) for a in claim.actors]
            cites = [(ev.source, f"para. {ev.para}") for ev in claim.evidence]
            cites += [(k, "") for k in self.extra_cites[claim.id]]
            body = self.body(rng.randint(145, 260), xrefs, cites)
            yield folder / f"{claim.id}.md", "\n".join(lines) + "\n" + body

    def source_files(self, folder: Path):
        rng = self.rng
        for article in self.articles:
            gaps = []
            if not article.date:
                gaps.append("year not given" if article.note else "date not given")
            if not article.author:
                gaps.append("author not given")
            if rng.random() < 0.3:
                gaps.append("sources of figures not given")
            lines = ["---", f"kind: {article.kind}", f"reliability: {article.reliability}",
                     f"credibility: {article.credibility}",
                     f"rationale: {_q(self.sentence(6, 12))}",
                     f"archive: bibliography/archive/{article.key}.txt",
                     "gaps: [" + ", ".join(gaps) + "]",
                     f"relays: {_flow(article.relays)}", "---"]
            cites = [(article.key, f"para. {article.body_para(rng)}")]
            cites += [(k, "") for k in article.relays]
            items = None
            if article.relays and rng.random() < 0.5:
                items = [f"{self.phrase(3, 6).capitalize()} [@{k}]" for k in article.relays[:3]]
            body = self.body(rng.randint(145, 220), [], cites, list_items=items)
            yield folder / f"{article.key}.md", "\n".join(lines) + "\n" + body

    def prose_files(self, content: Path):
        rng = self.rng
        others = self.prose[1:]
        for idx, (page_id, title) in enumerate(self.prose):
            lines = ["---", f"title: {_q(title)}"]
            if idx > 0:
                lines.append(f"order: {idx + 1}")
            lines.append("---")
            cites = [(k, "") for k in self.extra_cites[page_id]]
            if page_id == "index":
                body = self.body(rng.randint(150, 250), [], cites, heading=False)
                body += "\n## Scenarios\n\n"
                for s in self.scenarios:
                    body += f"- {self.xref(s.id, s.title)}: {self.phrase()} {self.render_cite([self.random_cite()])}\n"
                if others:
                    body += "\n## Further pages\n\n"
                    body += "".join(f"- [[{p}]]\n" for p, _ in others)
            elif page_id == "timeline":
                items = []
                for _ in range(rng.randint(4, 8)):
                    article = rng.choice(self.articles)
                    when = article.date or self.date()
                    items.append(f"**{when}**: {self.phrase()} [@{article.key}, para. {article.body_para(rng)}]")
                items.sort()
                body = self.body(rng.randint(150, 250), ["[[index|overview]]"], cites, list_items=items)
            else:
                picks = rng.sample(self.claims, k=min(3, len(self.claims)))
                items = [f"{self.phrase().capitalize()} ({self.xref(c.id)}) {self.render_cite([self.random_cite()])}"
                         for c in picks]
                xrefs = ["[[index|overview]]"]
                xrefs += [self.xref(s.id, s.title) for s in rng.sample(self.scenarios, k=min(2, len(self.scenarios)))]
                xrefs += [self.xref(a.id, a.name) for a in rng.sample(self.actors, k=min(2, len(self.actors)))]
                body = self.body(rng.randint(150, 320), xrefs, cites, list_items=items)
            name = "index.md" if page_id == "index" else f"{page_id}.md"
            yield content / name, "\n".join(lines) + "\n" + body

    def bib_text(self) -> str:
        chunks = []
        for a in self.articles:
            fields = [("title", a.title)]
            if a.author:
                fields.append(("author", a.author))
            fields.append(("organization", a.outlet))
            if a.date:
                fields.append(("date", a.date))
            if a.url:
                fields.append(("url", a.url))
            if a.urldate:
                fields.append(("urldate", a.urldate))
            if a.note:
                fields.append(("note", a.note))
            chunks.append(_bib_entry("online", a.key, fields))
        for e in self.entries:
            chunks.append(_bib_entry(e.entry_type, e.key, e.fields))
        return "\n".join(chunks)

    def build(self) -> None:
        # Actors first: archived texts mention their names.
        self.make_actors()
        self.actor_index = {a.id: a for a in self.actors}
        self.make_articles()
        self.articles_by_key = {a.key: a for a in self.articles}
        self.make_entries()
        self.make_actor_relations()
        self.make_claims()
        self.make_scenarios()
        self.make_prose()
        self.assign_entries()


def _bib_entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in fields)
    body = "".join(f"  {name.ljust(width)} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}}}\n"


def _prepare(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).exists():
            raise FileExistsError(
                f"{out_dir} is not empty and was not made by the generator; choose an empty directory")
        for sub in ("content", "bibliography"):
            if (out_dir / sub).exists():
                shutil.rmtree(out_dir / sub)
    out_dir.mkdir(parents=True, exist_ok=True)


def generate(out_dir: Path, notes: int, seed: int = 1) -> dict:
    """Write a synthetic book of ``notes`` notes into ``out_dir``; return the counts.

    ``out_dir`` must be empty, missing, or an earlier output of this function
    (its ``content/`` and ``bibliography/`` are then replaced).
    """
    out_dir = Path(out_dir)
    book = _Book(notes, seed)
    book.build()
    _prepare(out_dir)
    return book.write(out_dir)
