"""Actor recognition: find the spans of a parsed sentence that name actors and give each its CAMEO code.

Dictionary matches (country names, capitals, seats of government, groups, named officials, demonyms, role nouns)
are combined along the dependency parse into noun-phrase mentions: "Iranian troops" -> ``IRNMIL``,
"Iran's foreign minister" / "the foreign minister of Iran" -> ``IRNGOV``, "the Kremlin" -> ``RUSGOV``.
A person name missing from the dictionaries takes its code from an apposition ("Mohammad Bagheri, Iran's armed
forces chief of staff") or a title ("Iranian general X"); otherwise it keeps its text with an empty code.
Codes are never invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from coder.codebook import ActorCodebook
from coder.records import ActorMention

# Prepositions that attach a country to a role noun: "the foreign minister of Iran", "protesters in Chile".
_COUNTRY_PREPS = {"of", "in", "from"}
# A place name after these prepositions is a location ("talks in Lima"), not an actor ("Lima said").
# Roles that belong to a state's own population or institutions (a country may be prefixed to them).
DOMESTIC_ROLES = {
    "GOV", "MIL", "COP", "JUD", "LEG", "OPP", "REB", "INS", "SEP", "SPY", "UAF", "AGR", "BUS", "CRM", "CVL", "DEV",
    "EDU", "ELI", "ENV", "HLH", "HRI", "LAB", "MED", "REF",
}  # fmt: skip
_FACILITY_NOUNS = {
    "base", "checkpoint", "convoy", "post", "outpost", "position", "headquarters", "vessel", "ship", "boat",
    "patrol", "unit", "camp", "barracks", "compound", "building", "office", "station", "facility", "airbase",
}  # fmt: skip
# Role codes that stand for an inter-governmental body of their own (roles.tsv): "UN" is UNO, not a country.
_IGO_ROLE_CODES = {"IGO", "UNO"}
_PREDETERMINERS = {"both", "all", "either", "neither"}
_LOCATIVE_PREPS = {
    "in", "near", "outside", "inside", "across", "around", "throughout", "within", "via", "through", "along", "off",
}  # fmt: skip
# "the Sea of Japan", "the Gulf of Oman": a country name inside a place name is no actor.
_PLACE_NOUNS = {
    "sea", "gulf", "strait", "bay", "island", "islands", "coast", "province", "region", "city", "port", "capital",
    "state", "county", "district", "republic", "peninsula", "ocean", "river", "lake", "town", "towns", "village",
    "villages", "area",
}  # fmt: skip


@dataclass(frozen=True)
class _Match:
    start: int  # token index in the doc
    end: int
    kind: str  # name, adjective, capital, seat, official, role
    code: str


class ActorRecognizer:
    """Finds and codes actor mentions in spaCy-parsed sentences.

    Build with :meth:`build` from a codebook and the spaCy vocabulary (this compiles the phrase matchers once);
    then call :meth:`find` per sentence span.
    """

    def __init__(self, codebook: ActorCodebook, cased: PhraseMatcher, lower: PhraseMatcher, kinds: dict[int, str]):
        self.codebook = codebook
        self._cased = cased
        self._lower = lower
        self._kinds = kinds

    @classmethod
    def build(cls, codebook: ActorCodebook, nlp) -> ActorRecognizer:
        """Compile phrase matchers for every dictionary entry (case-sensitive names, lower-cased role nouns)."""
        cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        kinds: dict[int, str] = {}
        tables = {
            "name": codebook.names,
            "adjective": codebook.adjectives,
            "capital": codebook.capitals,
            "seat": codebook.seats,
            "official": {k: "" for k in codebook.officials},
        }
        for kind, table in tables.items():
            key = nlp.vocab.strings.add(kind)
            kinds[key] = kind
            cased.add(kind, [nlp.make_doc(p) for p in table])
            # Seats are often written without the article ("Kremlin officials"): match that form too.
            if kind == "seat":
                cased.add(kind, [nlp.make_doc(p[4:]) for p in table if p.startswith("the ")])
        key = nlp.vocab.strings.add("role")
        kinds[key] = "role"
        lower.add("role", [nlp.make_doc(p) for p in codebook.role_nouns])
        return cls(codebook, cased, lower, kinds)

    # ------------------------------------------------------------------------------------------------

    def find(self, sent: Span, date: dt.date | None = None) -> list[ActorMention]:
        """Actor mentions of one sentence, in text order, with offsets relative to the sentence."""
        matches = self._matches(sent, date)
        by_token: dict[int, _Match] = {}
        for m in matches:
            for i in range(m.start, m.end):
                by_token[i] = m
        used: set[int] = set()
        mentions: list[ActorMention] = []
        # Role nouns anchor the richest mentions ("Iran's armed forces chief of staff"), so resolve them first.
        for m in sorted(matches, key=lambda m: (m.kind != "role", m.start)):
            if any(i in used for i in range(m.start, m.end)):
                continue
            mentions.extend(self._resolve(sent, m, by_token, used))
        mentions = self._unknown_people(sent, used, mentions)
        mentions.sort(key=lambda x: x.start)
        mentions = _merge_titled_appositions(sent, mentions, self.codebook)
        return _inherit_country(mentions, self.codebook)

    def _matches(self, sent: Span, date: dt.date | None) -> list[_Match]:
        doc = sent.doc
        found: list[_Match] = []
        raw = [(self._kinds[k], s, e) for k, s, e in self._cased(sent)]
        raw += [(self._kinds[k], s, e) for k, s, e in self._lower(sent)]
        for kind, s, e in raw:
            text = doc[s:e].text
            code = self._code_for(kind, text, date)
            if code is None:
                continue
            found.append(_Match(s, e, kind, code))
        # Longest match wins where two overlap ("South Sudan" over "Sudan", "riot police" over "police").
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[_Match] = []
        taken: set[int] = set()
        for m in found:
            if not any(i in taken for i in range(m.start, m.end)):
                kept.append(m)
                taken.update(range(m.start, m.end))
        return sorted(kept, key=lambda m: m.start)

    def _code_for(self, kind: str, text: str, date: dt.date | None) -> str | None:
        cb = self.codebook
        if kind == "name":
            return cb.names.get(text)
        if kind == "adjective":
            return cb.adjectives.get(text)
        if kind == "capital":
            return cb.capitals.get(text)
        if kind == "seat":
            return cb.seats.get(text) or cb.seats.get("the " + text)
        if kind == "official":
            offices = [o for o in cb.officials.get(text, []) if o.holds_on(date)]
            if not offices and date is None:
                offices = cb.officials.get(text, [])[-1:]
            return offices[0].code if offices else ""
        if kind == "role":
            return cb.role_nouns.get(text.lower())
        return None

    def _resolve(self, sent: Span, m: _Match, by_token: dict[int, _Match], used: set[int]) -> list[ActorMention]:
        doc = sent.doc
        head = _phrase_head(doc, m)
        chunk_start, chunk_end = _chunk_bounds(sent, head)
        if head.i >= m.end and head.pos_ == "NOUN" and head.dep_ in ("ccomp", "xcomp", "advcl"):
            # A "noun" heading a clause is the parser misreading a verb: in "demanded that the Kenyan government
            # resign" the small model tags "resign" NOUN with "government" as its compound. The verb is no part
            # of the actor; the noun before it heads the phrase.
            chunk_end = head.i
            head = doc[head.i - 1]
        chunk_start = min(chunk_start, m.start)
        chunk_end = max(chunk_end, m.end)
        phrase_start = chunk_start
        if (
            m.kind == "role"
            and not (head.i in by_token and by_token[head.i].kind == "role")
            and head.pos_ != "PROPN"
            and head.lemma_.lower() not in _FACILITY_NOUNS
        ):
            # A role word modifying another noun ("military drills") names no actor, unless the noun is one of the
            # role's own assets ("a military base", "a police convoy", "a government checkpoint").
            return []
        if m.kind in ("name", "capital") and (_is_location(doc[m.start : m.end].root) or _inside_name(doc, m)):
            return []
        extra: list[ActorMention] = []
        if m.kind == "role":
            # The head noun's role decides: "Arakan Army rebels" are rebels, not an army.
            own = by_token.get(head.i)
            if own is not None and own is not m and own.kind == "role":
                m = replace(m, code=own.code)
            country = ""
            # Country inside the same noun phrase: "Iranian troops", "Iran's foreign minister", "Iran defence".
            inside = [
                o
                for i in range(chunk_start, chunk_end)
                if (o := by_token.get(i)) is not None
                and o is not m
                and (
                    o.kind in ("adjective", "name", "capital")
                    or (o.kind == "official" and o.code[:3] in self.codebook.countries)
                )
            ]
            inside = list(dict.fromkeys(inside))
            if inside:
                country = _country_block(inside[-1])
            # "Indian and Pakistani soldiers": each coordinated demonym is an actor of its own with the same role.
            for o in inside[:-1]:
                if o.kind == "adjective" and _country_block(o) != country:
                    extra.append(
                        _mention(
                            sent, o.start, o.end, _combine(_country_block(o), m.code), o.start - sent.start, "role"
                        )
                    )
            if extra:
                chunk_start = inside[-1].start
            last = inside[-1] if inside else None
            if (
                last is not None
                and last.kind == "name"
                and country in self.codebook.groups
                and country not in self.codebook.countries
                and self.codebook.group_types.get(country) != "IGO"
            ):
                # "Taliban negotiators", "Hamas fighters": the group is the actor, not a role within it.
                used.update(range(phrase_start, chunk_end))
                return [*extra, _mention(sent, chunk_start, chunk_end, country, head.i - sent.start, "group")]
            # Country attached by a preposition: "the foreign minister of Iran", "protesters in Chile".
            if not country:
                for child in head.rights:
                    if child.dep_ == "prep" and child.lower_ in _COUNTRY_PREPS:
                        for pobj in child.children:
                            other = by_token.get(pobj.i)
                            if pobj.dep_ != "pobj" or other is None:
                                continue
                            if other.kind in ("name", "capital"):
                                country = other.code
                                chunk_end = max(chunk_end, other.end)
                                break
                            if other.kind == "role" and child.lower_ == "of":
                                # "commander of Polish land forces": the country of the role phrase it heads.
                                owner = next(
                                    (
                                        by_token[t.i]
                                        for t in pobj.lefts
                                        if t.i in by_token and by_token[t.i].kind in ("adjective", "name")
                                    ),
                                    None,
                                )
                                if owner is not None:
                                    country = _country_block(owner)
                                    chunk_end = max(chunk_end, pobj.i + 1)
                                    break
            if (
                not country
                and chunk_end < sent.end
                and doc[chunk_end].lower_ == "in"
                and doc[chunk_end].head == head.head
            ):
                # "criticized the government in La Paz": the parser hangs "in <capital>" on the verb, but right
                # after a role noun a capital names the role's country.
                pobj = next((c for c in doc[chunk_end].children if c.dep_ == "pobj"), None)
                other = by_token.get(pobj.i) if pobj is not None else None
                if other is not None and other.kind == "capital":
                    country = other.code
                    chunk_end = max(chunk_end, other.end)
            if m.code == "GOV" and (self.codebook.group_types.get(country) == "IGO" or country in _IGO_ROLE_CODES):
                # "the UN envoy", "the AU's secretary-general": an international body's officials are the body.
                code = country
            else:
                code = _combine(country, m.code)
        elif m.kind == "adjective":
            # A demonym names its country's side: "the Iranians", "Armenian villages", "Israeli strikes"; with a
            # role word inside the phrase, that role: "a Malian army convoy" -> MLIMIL. Not as a predicate or
            # modifier of a non-noun ("was Iranian").
            if head.pos_ not in ("NOUN", "PROPN") or _is_location(head):
                return []
            inside = [by_token[i] for i in range(m.end, head.i + 1) if i in by_token]
            roles = [o for o in inside if o.kind == "role"]
            # "Saudi King Salman": a named official in the phrase is coded by office, not by the demonym alone.
            office = next((o.code for o in inside if o.kind == "official" and o.code[:3] == m.code[:3]), "")
            code = office or (_combine(m.code[:3], roles[0].code) if roles else m.code)
        else:
            code = m.code
            # "Iran" inside "Iran talks" or "China policy": the phrase is not the actor itself.
            if (
                m.kind in ("name", "capital")
                and head.i >= m.end
                and head.pos_ in ("NOUN", "PROPN")
                and (head.i not in by_token)
            ):
                chunk_start, chunk_end = m.start, m.end
            if m.kind == "official" and not code:
                code = self._context_code(sent, doc[m.start : m.end], by_token)
        if code and not self.codebook.is_valid_code(code):
            code = code[:3] if self.codebook.is_valid_code(code[:3]) else ""
        # "Both China and Iran": the predeterminer is not part of the name.
        while chunk_start < m.start and doc[chunk_start].lower_ in _PREDETERMINERS:
            chunk_start += 1
        used.update(range(phrase_start, chunk_end))
        return [*extra, _mention(sent, chunk_start, chunk_end, code, head.i - sent.start, m.kind)]

    def _context_code(self, sent: Span, span: Span, by_token: dict[int, _Match]) -> str:
        """A code for a person name from an apposition or a title in the same phrase."""
        root = span.root
        for tok in list(root.children) + [root.head]:
            if tok.dep_ == "appos" or root.dep_ == "appos":
                for t in tok.subtree:
                    m = by_token.get(t.i)
                    if m is not None and m.kind == "role":
                        country = next(
                            (
                                by_token[x.i].code[:3]
                                for x in tok.subtree
                                if x.i in by_token and by_token[x.i].kind in ("adjective", "name", "capital")
                            ),
                            "",
                        )
                        return _combine(country, m.code)
        return ""

    def _unknown_people(self, sent: Span, used: set[int], mentions: list[ActorMention]) -> list[ActorMention]:
        """``mentions`` plus the names no dictionary holds (runs of proper nouns), coded from an apposition or kept
        uncoded.

        "Zorvan Kettle, Iran's army chief, ..." (or the other way round) becomes one mention spanning name and
        apposition, with the apposed mention's code; any other unknown name is kept with its text and an empty
        code, never a guessed one. Place names in locative phrases ("in Lima") are not actors.
        """
        out = list(mentions)
        doc = sent.doc
        i = sent.start
        while i < sent.end:
            if doc[i].pos_ != "PROPN" or i in used:
                i += 1
                continue
            j = i
            while j < sent.end and doc[j].pos_ == "PROPN" and j not in used:
                j += 1
            name = doc[i:j]
            i = j
            root = name.root
            if _is_location(root) or not any(t.is_alpha for t in name):
                continue
            used.update(range(name.start, name.end))
            for k, other in enumerate(out):
                # Apposition either way round: "X, Iran's army chief" or "Iran's army chief, X".
                o_head = doc[other.head + sent.start]
                if other.code and (
                    (root.dep_ == "appos" and root.head.i == o_head.i)
                    or (o_head.dep_ == "appos" and o_head.head.i == root.i)
                ):
                    start = min(name.start, _token_at(sent, other.start))
                    end = max(name.end, _token_at(sent, other.end - 1) + 1)
                    head = root if root.dep_ != "appos" else o_head
                    out[k] = _mention(sent, start, end, other.code, head.i - sent.start, "person")
                    break
            else:
                out.append(_mention(sent, name.start, name.end, "", root.i - sent.start, "person"))
        return out


def _merge_titled_appositions(sent: Span, mentions: list[ActorMention], codebook: ActorCodebook) -> list[ActorMention]:
    """A titled name coded by its title alone and its apposition are one actor with the apposition's code.

    "Lieutenant General Anan Sorat, Thailand's army chief" (or "Thailand's army chief, General Anan Sorat") was two
    mentions, ``MIL`` and ``THAMIL``, so the dyad finder paired the bare title and the model saw half an actor; an
    untitled name already merges with its apposition in ``_unknown_people``. ``mentions`` are in text order.
    """
    doc = sent.doc
    out: list[ActorMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and prev.code and m.code:
            a, b = doc[prev.head + sent.start], doc[m.head + sent.start]
            apposed = (b.dep_ == "appos" and b.head.i == a.i) or (a.dep_ == "appos" and a.head.i == b.i)
            titled = [x for x, tok in ((prev, a), (m, b)) if tok.pos_ == "PROPN" and _title_only(x, codebook)]
            other = [x for x in (prev, m) if x not in titled]
            if apposed and len(titled) == 1 and other and codebook.country_of(other[0].code):
                head = a if a.dep_ != "appos" else b
                out[-1] = ActorMention(
                    text=sent.text[prev.start : m.end],
                    start=prev.start,
                    end=m.end,
                    code=other[0].code,
                    head=head.i - sent.start,
                    rule="person",
                )
                continue
        out.append(m)
    return out


def _title_only(m: ActorMention, codebook: ActorCodebook) -> bool:
    """A mention coded by a role word and nothing else ("General Anan Sorat" -> ``MIL``)."""
    return m.rule == "role" and m.code in codebook.roles


def _token_at(sent: Span, char: int) -> int:
    """Document index of the token covering character ``char`` of the sentence."""
    return sent.char_span(char, char + 1, alignment_mode="expand").start


def _inside_name(doc, m: _Match) -> bool:
    """A country or capital that ends a longer proper name ("Mocimboa da Praia", "Lake Chad", "Michael Jordan")."""
    root = doc[m.start : m.end].root
    return any(c.dep_ == "compound" and c.i < m.start and c.pos_ == "PROPN" for c in root.children)


def _is_location(tok: Token) -> bool:
    """True for a place name in a locative phrase ("in Lima", "near Kharkiv") or inside a place name."""
    if tok.dep_ != "pobj":
        return False
    prep = tok.head
    return prep.lower_ in _LOCATIVE_PREPS or (prep.lower_ == "of" and prep.head.lower_ in _PLACE_NOUNS)


def _inherit_country(mentions: list[ActorMention], codebook: ActorCodebook) -> list[ActorMention]:
    """Role-only mentions ("the government", "students") take the country when the sentence names exactly one.

    "Riot police in Chile fired tear gas at students" -> students are CHLEDU. With two or more countries in the
    sentence the role stays without a country: guessing would invent codes.
    """
    from dataclasses import replace

    countries = {c for m in mentions if (c := codebook.country_of(m.code))}
    if len(countries) != 1:
        return mentions
    (country,) = countries
    out = []
    for m in mentions:
        if m.code and m.rule == "role" and m.code[:3] in DOMESTIC_ROLES:
            code = country + m.code
            if codebook.is_valid_code(code):
                m = replace(m, code=code, rule="role+context")
        out.append(m)
    return out


def _country_block(m: _Match) -> str:
    """The country code a name/adjective/capital/official match contributes to a role mention."""
    return m.code[:3] if m.kind != "name" or len(m.code) == 3 else m.code


def _combine(country: str, roles: str) -> str:
    """A country (or group) block followed by a role: ``IRN`` + ``MIL``. A group code that already names its role
    keeps it ("Houthi forces" is the group, ``YEMREB``, not ``YEMREBMIL``)."""
    if not country:
        return roles
    return country if len(country) > 3 or country.endswith(roles) else country + roles


def _phrase_head(doc: Doc, m: _Match) -> Token:
    """The token heading the noun phrase that a match belongs to."""
    tok = doc[m.end - 1]
    # Walk up through compounds, adjectives and possessives: "Iran 's armed forces" -> "forces". A role word in
    # possessor position heads its own phrase: "the junta's airstrikes" names the junta, not the airstrikes.
    climb = ("compound", "amod", "nmod", "case") if m.kind == "role" else ("compound", "amod", "poss", "nmod", "case")
    if m.kind == "adjective" and tok.dep_ == "npadvmod" and tok.head.lower_ in FLAG_PARTICIPLES:
        # "a Maltese-flagged tanker": the demonym hangs on the participle, which modifies the vessel.
        tok = tok.head
    while tok.dep_ in climb and tok.head.i != tok.i and tok.head.i > tok.i:
        tok = tok.head
    return tok


# Participles after a hyphenated demonym that make the thing the country's own: a Liberian-registered tanker is
# Liberia's. Not "-backed", "-led", "-made" or "-linked": an Iranian-backed militia is not Iran.
FLAG_PARTICIPLES = {"flagged", "registered", "owned", "operated"}


def _chunk_bounds(sent: Span, head: Token) -> tuple[int, int]:
    """Token bounds of the noun phrase of ``head``: its left modifiers and the head, no clauses or preps."""
    start = head.i
    for child in head.lefts:
        if child.dep_ in ("det", "amod", "compound", "poss", "nummod", "nmod", "case", "quantmod"):
            start = min(start, child.left_edge.i)
    end = head.i + 1
    start = max(start, sent.start)
    return start, min(end, sent.end)


def _mention(sent: Span, start: int, end: int, code: str, head: int, rule: str) -> ActorMention:
    doc = sent.doc
    # Leading determiners are not part of the name the annotators mark less often than they are; keep them.
    cs = doc[start].idx - sent.start_char
    ce = doc[end - 1].idx + len(doc[end - 1].text) - sent.start_char
    return ActorMention(text=sent.text[cs:ce], start=cs, end=ce, code=code, head=head, rule=rule)
