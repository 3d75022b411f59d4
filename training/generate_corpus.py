"""Seeded generator of the corpus's templated part: phrasing banks x actors x frames -> labelled sentences.

Usage (from the repository root)::

    python training/generate_corpus.py --config training/configs/default.toml

It reads the ``[corpus]`` section of the config (seed, sentences per code, share of hard cases), the phrasing
banks in ``labels/corpus/phrasings/`` and the actor dictionaries, and writes
``labels/corpus/generated/generated.jsonl``. The same config and files always give the same bytes. Every
sentence's near-duplicate group is its phrasing, so one phrasing never feeds both sides of the split.

Hard variants: negated ("did not ..."), hypothetical ("could ... if ..."), intentions ("vowed to ..." coded as
the 03 intent of the action), threats ("threatened to ..." coded as the 13 threat), reported speech, passive
voice and compound subjects.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coder.codebook import ActorCodebook  # noqa: E402
from coder.config import load_config  # noqa: E402
from coder.labelset import check_files  # noqa: E402
from coder.phrasings import Phrasing, load_banks  # noqa: E402
from coder.rules import INTENT_OF_ACTION, THREAT_OF_ACTION, lookup_action  # noqa: E402
from coder.taxonomy import CameoTaxonomy  # noqa: E402

DAYS = [
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "on Saturday",
    "on Sunday",
    "last week",
    "earlier this month",
    "overnight",
    "late on Sunday",
    "this week",
]
TAILS = [
    "",
    "",
    "",
    " {day}",
    " {day}",
    ", officials said",
    ", state media reported",
    ", according to a statement",
    ", a spokesperson said {day}",
    " after weeks of tension",
    ", according to local reports",
    " {day}, witnesses said",
    ", the government said in a statement",
]
REPORTERS = [
    "Witnesses said",
    "Local reports said",
    "Analysts said",
    "A statement released {day} said",
    "Residents told reporters that",
    "It was reported {day} that",
    "Sources familiar with the matter said",
]
CONDITIONS = [
    " if talks collapse",
    " if the dispute escalates",
    " unless a deal is reached",
    "",
    " next month",
    " as early as next week",
    " if the crisis deepens",
]
NEG_TAILS = ["", " {day}", ", despite earlier reports", ", officials insisted", " after all"]

STATE_ROLE = [
    ("government", "GOV", "the {adj} government"),
    ("foreign ministry", "GOV", "{name}'s foreign ministry"),
    ("officials", "GOV", "{adj} officials"),
    ("president", "GOV", "the {adj} president"),
    ("prime minister", "GOV", "{name}'s prime minister"),
    ("foreign minister", "GOV", "the {adj} foreign minister"),
    ("diplomats", "GOV", "{adj} diplomats"),
    ("lawmakers", "LEG", "{adj} lawmakers"),
    ("parliament", "LEG", "the {adj} parliament"),
]
PEOPLE_ROLE = [
    ("OPP", "{adj} opposition activists"),
    ("OPP", "opposition leaders in {name}"),
    ("MED", "{adj} journalists"),
    ("CVL", "protesters in {name}"),
    ("EDU", "{adj} students"),
    ("LAB", "{adj} trade unionists"),
    ("REF", "{adj} refugees"),
    ("CVL", "{adj} civilians"),
    ("OPP", "{adj} dissidents"),
    ("BUS", "{adj} business leaders"),
    ("CVL", "villagers in {name}"),
]
ARMED_ROLE = [
    ("MIL", "{adj} troops"),
    ("MIL", "the {adj} army"),
    ("COP", "{adj} police"),
    ("REB", "rebels in {name}"),
    ("INS", "{adj} insurgents"),
    ("MIL", "{name}'s armed forces"),
    ("MIL", "{adj} soldiers"),
    ("COP", "{adj} security forces"),
    ("SEP", "separatists in {name}"),
    ("MIL", "the {adj} navy"),
    ("MIL", "{adj} warplanes"),
]
IGOS = [
    ("UNO", "the United Nations"),
    ("NAT", "NATO"),
    ("EEC", "the European Union"),
    ("OAU", "the African Union"),
    ("ARL", "the Arab League"),
    ("ASN", "ASEAN"),
    ("IMF", "the IMF"),
    ("WBK", "the World Bank"),
    ("IAE", "the IAEA"),
    ("OAS", "the Organization of American States"),
    ("WAS", "ECOWAS"),
    ("GCC", "the Gulf Cooperation Council"),
    ("ICC", "the International Criminal Court"),
]
ARMED_GROUPS = [("HMS", "Hamas"), ("HEZ", "Hezbollah"), ("TAL", "the Taliban"), ("ALQ", "al-Qaeda")]


ARTICLE_WORDS = ("Republic", "United", "Islands", "Kingdom", "Emirates", "States")
ARTICLE_NAMES = {"Philippines", "Netherlands", "Gambia", "Bahamas", "Maldives", "Comoros", "Seychelles", "Vatican"}


def with_article(name: str) -> str:
    """Country names said with "the" in running text ("the Philippines", "the Czech Republic")."""
    return "the " + name if name in ARTICLE_NAMES or any(w in name.split() for w in ARTICLE_WORDS) else name


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    adj: str
    capital: str


@dataclass(frozen=True)
class Mention:
    text: str
    code: str
    country: str


class ActorSampler:
    """Draws actor mentions of a kind (state, people, armed), spread evenly over countries."""

    def __init__(self, book: ActorCodebook, rng: random.Random, allowed: set[str]):
        self.rng = rng
        first: dict[str, dict[str, str]] = {}
        for kind, table in (("adj", book.adjectives), ("capital", book.capitals)):
            for text, code in table.items():
                first.setdefault(code, {}).setdefault(kind, text)
        self.countries = [
            Country(code, with_article(book.countries[code]), f["adj"], f["capital"])
            for code, f in sorted(first.items())
            if "adj" in f and "capital" in f and code in allowed and f["adj"][0].isupper()
        ]
        self.by_code = {c.code: c for c in self.countries}
        self.seats = sorted(book.seats.items())
        self.igos = [(c, t) for c, t in IGOS if book.is_valid_code(c)]
        self.armed_groups = [(c, t) for c, t in ARMED_GROUPS if book.is_valid_code(c)]

    def country(self, exclude: str = "") -> Country:
        while True:
            c = self.rng.choice(self.countries)
            if c.code != exclude:
                return c

    def draw(self, kind: str, exclude: str = "", home: Country | None = None, igo: bool = True) -> Mention:
        r = self.rng.random()
        c = home or self.country(exclude)
        fill = {"adj": c.adj, "name": c.name}
        if kind == "people":
            role, tpl = self.rng.choice(PEOPLE_ROLE)
            return Mention(tpl.format(**fill), c.code + role, c.code)
        if kind == "armed":
            if r < 0.06 and self.armed_groups and not home:
                code, text = self.rng.choice(self.armed_groups)
                return Mention(text, code, code)
            role, tpl = self.rng.choice(ARMED_ROLE)
            return Mention(tpl.format(**fill), c.code + role, c.code)
        if r < 0.35:
            return Mention(c.name, c.code, c.code)
        if r < 0.45:
            return Mention(c.capital, c.code, c.code)
        if r < 0.50 and self.seats and not home:
            text, code = self.rng.choice(self.seats)
            if code[:3] != exclude:
                return Mention(text, code, code[:3])
        if r < 0.58 and self.igos and not home and igo:
            code, text = self.rng.choice(self.igos)
            return Mention(text, code, code)
        _, role, tpl = self.rng.choice(STATE_ROLE)
        return Mention(tpl.format(**fill), c.code + role, c.code)


def render(template: str, s: Mention, t: Mention | None) -> tuple[str, tuple[int, int], tuple[int, int]]:
    """Fill ``{S}``/``{T}`` and return the text with both mention spans (offsets into the text)."""
    out, spans = "", {}
    rest = template
    while rest:
        i_s, i_t = rest.find("{S}"), rest.find("{T}")
        cands = [(i, k) for i, k in ((i_s, "S"), (i_t, "T")) if i >= 0]
        if not cands:
            out += rest
            break
        i, k = min(cands)
        out += rest[:i]
        m = s if k == "S" else t
        spans[k] = (len(out), len(out) + len(m.text))
        out += m.text
        rest = rest[i + 3 :]
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    return out, spans.get("S", (-1, -1)), spans.get("T", (-1, -1))


class Generator:
    def __init__(
        self,
        banks: dict[str, list[Phrasing]],
        taxonomy: CameoTaxonomy,
        sampler: ActorSampler,
        rng: random.Random,
        hard_fraction: float,
    ):
        self.banks, self.tax, self.actors, self.rng, self.hard = banks, taxonomy, sampler, rng, hard_fraction

    def sentence(self, p: Phrasing, n: int) -> dict:
        rng = self.rng
        root = self.tax[p.code].root
        # International organisations mostly talk, appeal, aid and investigate; they rarely shell or arrest.
        igo = root <= "05" or "07" <= root <= "13"
        src = self.actors.draw(p.s, igo=igo)
        tgt = None
        if not p.single:
            # People (activists, strikers, refugees) act at home, and arrests and the like mostly happen at home:
            # those pairs share the source's country (IRNOPP -> IRNGOV, IRNCOP -> IRNOPP); the rest are foreign.
            domestic = p.s == "people" or (p.t == "people" and rng.random() < 0.5)
            home = self.actors.by_code.get(src.country) if domestic else None
            tgt = self.actors.draw(p.t, exclude=src.country, home=home, igo=igo)
            if tgt.code == src.code:
                tgt = self.actors.draw(p.t, exclude=src.country, igo=igo)
        code, negated, hypothetical, tags = p.code, False, False, []
        day = rng.choice(DAYS)
        tail = rng.choice(TAILS).format(day=day)
        r = rng.random()
        if r < self.hard:
            variant = rng.choice(
                ["negated", "hypothetical", "intent", "reported", "passive", "compound", "conditional"]
            )
        else:
            variant = "plain"
        template = p.past + tail
        if variant == "negated":
            template = "{S} did not " + p.base + rng.choice(NEG_TAILS).format(day=day)
            negated, tags = True, ["negated"]
        elif variant == "hypothetical":
            template = "{S} " + rng.choice(["could", "may", "might"]) + " " + p.base + rng.choice(CONDITIONS)
            hypothetical, tags = True, ["hypothetical"]
        elif variant == "conditional":
            template = (
                "If "
                + p.past
                + ", "
                + rng.choice(
                    [
                        "the region could face a wider crisis",
                        "markets would react sharply",
                        "analysts expect a strong response",
                    ]
                )
            )
            hypothetical, tags = True, ["conditional", "hypothetical"]
        elif variant == "intent" and ("04" <= root <= "08" or int(root) >= 15):
            table, verbs = (
                (INTENT_OF_ACTION, ["vowed", "pledged", "promised", "offered"])
                if int(root) <= 8
                else (THREAT_OF_ACTION, ["threatened"])
            )
            new = lookup_action(table, p.code)
            if new:
                template = "{S} " + rng.choice(verbs) + " to " + p.base + tail
                code, tags = new, ["intention"]
        elif variant == "reported":
            template = rng.choice(REPORTERS).format(day=day) + " " + p.past
            tags = ["reported_speech"]
        elif variant == "passive" and p.passive:
            template = p.passive + tail
            tags = ["passive"]
        elif variant == "compound" and tgt is not None:
            src2 = self.actors.draw(p.s, exclude=src.country, igo=igo)
            if src2.code not in (src.code, tgt.code):
                return self._compound(p, src, src2, tgt, tail, n)
        if p.single:
            tags.append("single_actor")
        text, s_span, t_span = render(template, src, tgt)
        text = text.rstrip(",") + "."
        ev = {
            "source": src.code,
            "source_text": text[s_span[0] : s_span[1]],
            "source_start": s_span[0],
            "source_end": s_span[1],
            "target": tgt.code if tgt else "",
            "target_text": text[t_span[0] : t_span[1]] if tgt else "",
            "target_start": t_span[0],
            "target_end": t_span[1],
            "code": code,
            "negated": negated,
            "hypothetical": hypothetical,
        }
        return {"id": f"gen-{p.code}-{n:04d}", "text": text, "events": [ev], "tags": tags, "group": f"phr-{p.key}"}

    def _compound(self, p: Phrasing, s1: Mention, s2: Mention, tgt: Mention, tail: str, n: int) -> dict:
        both = Mention(f"{s1.text} and {s2.text}", "", "")
        text, s_span, t_span = render(p.past + tail, both, tgt)
        text = text.rstrip(",") + "."
        a0 = s_span[0]
        a1 = a0 + len(s1.text)
        if text[a0:a1].lower() != s1.text.lower():
            raise AssertionError(text)
        b0 = a1 + len(" and ")
        b1 = b0 + len(s2.text)
        events = []
        for (st, en), m in (((a0, a1), s1), ((b0, b1), s2)):
            events.append(
                {
                    "source": m.code,
                    "source_text": text[st:en],
                    "source_start": st,
                    "source_end": en,
                    "target": tgt.code,
                    "target_text": text[t_span[0] : t_span[1]],
                    "target_start": t_span[0],
                    "target_end": t_span[1],
                    "code": p.code,
                    "negated": False,
                    "hypothetical": False,
                }
            )
        return {
            "id": f"gen-{p.code}-{n:04d}",
            "text": text,
            "events": events,
            "tags": ["compound"],
            "group": f"phr-{p.key}",
        }


def generate(config_path: Path, out: Path) -> Counter:
    cfg = load_config(config_path).corpus
    taxonomy = CameoTaxonomy.load()
    book = ActorCodebook.load()
    banks = load_banks(ROOT / "labels" / "corpus" / "phrasings", taxonomy)
    handwritten = check_files([ROOT / "labels" / "corpus" / "handwritten"], taxonomy, book)
    hw_counts: Counter[str] = Counter()
    for r in handwritten.records:
        hw_counts.update({e.code for e in r.events})
    # Draw countries the hand-written corpus uses (sovereign states, mostly), each equally often.
    used: Counter[str] = Counter()
    for r in handwritten.records:
        for e in r.events:
            used.update({book.country_of(e.source), book.country_of(e.target)} - {""})
    allowed = {c for c, n in used.items() if n >= 2}
    rng = random.Random(cfg.seed)
    gen = Generator(banks, taxonomy, ActorSampler(book, rng, allowed), rng, cfg.hard_fraction)
    # Sentences per code: enough to reach target_per_code with the hand-written ones, never under min_per_code;
    # then roots still under min_per_root get the difference spread over their codes.
    plan = {code: max(cfg.min_per_code, cfg.target_per_code - hw_counts.get(code, 0)) for code in sorted(banks)}
    hw_roots: Counter[str] = Counter()
    for r in handwritten.records:
        hw_roots.update({taxonomy[e.code].root for e in r.events})
    for root in taxonomy.roots():
        codes = [c for c in plan if taxonomy[c].root == root]
        missing = cfg.min_per_root - hw_roots[root] - sum(plan[c] for c in codes)
        for i in range(max(0, missing)):
            plan[codes[i % len(codes)]] += 1
    written: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for code, n in plan.items():
            phrasings = banks[code]
            for i in range(n):
                rec = gen.sentence(phrasings[i % len(phrasings)], i + 1)
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                written[code] += 1
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=ROOT / "training" / "configs" / "default.toml")
    ap.add_argument("--out", type=Path, default=ROOT / "labels" / "corpus" / "generated" / "generated.jsonl")
    args = ap.parse_args(argv)
    written = generate(args.config, args.out)
    print(f"wrote {sum(written.values())} sentences for {len(written)} codes to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
