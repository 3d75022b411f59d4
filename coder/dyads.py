"""Source and target assignment from the dependency parse.

For every verb of a sentence the finder collects the actor mentions in its subject (source) and object or
prepositional-object (target) positions, following passive voice ("was attacked by"), open complements
("vowed to step up cooperation with Iran": the subject of "vowed" acts in "step up"), coordinated verbs,
participle clauses ("shelled the town, killing 12 civilians"), infinitival purpose clauses ("sent troops to help
the government"), weapons acting for whoever launched them ("drones launched by X struck ..."), "came under fire
from X" (X acts), relative clauses, reported speech ("X said Y attacked Z" gives Y -> Z; the reporter is no
participant) and demands ("X demanded that Y withdraw", "X said Y must withdraw" give X -> Y). A deployment verb's
own role object ("sent troops") is no target. The main clause's coded subject keeps a blank-target candidate when
no pair holds it. Compound subjects expand by CAMEO's convention: one event per ordered pair when the predicate
has no separate target (reciprocal), else one per source. Each candidate records the rules that proposed it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from coder.records import ActorMention, Candidate, Sentence
from coder.verbs import ADDRESS_VERBS, SPEECH_VERBS

_SUBJ = {"nsubj", "csubj"}
_PASS_SUBJ = {"nsubjpass", "csubjpass"}
_SPEAKER_PRONOUNS = {"it", "he", "she", "they", "we"}
_OBJ = {"dobj", "dative", "attr", "oprd"}
_TARGET_PREPS = {
    "with",
    "to",
    "against",
    "on",
    "at",
    "into",
    "toward",
    "towards",
    "from",
    "for",
    "upon",
    "over",
    "in",
    "of",
    "by",
    "between",
    "among",
    "across",
    "inside",
    "near",
}
_CLAUSAL = {"xcomp", "ccomp", "advcl", "conj", "relcl", "pcomp", "acl", "parataxis"}


@dataclass(frozen=True)
class DyadFinder:
    """Proposes candidate (source, target) pairs for a sentence's actor mentions.

    ``max_candidates`` bounds the work the classifier gets per sentence; ``order_fallback`` adds
    text-order pairs when the parse links no two mentions (headlines, fragments); ``uncoded_targets`` adds
    blank-target candidates for subjects whose object no dictionary codes.
    """

    max_candidates: int = 8
    order_fallback: bool = True
    single_actor: bool = True
    # Where no two coded actors are linked, also propose (subject, no coded target) when the verb's object is
    # something the dictionaries do not code ("police detained 18 people"). ``build_pipeline`` turns it on when the
    # model was trained on such candidates (``[data] blank_target_candidates``); with a model that was not, it
    # raised external PentaClass macro-F1 from 0.648 to 0.682 but cut corpus-dev dyad + root F1 from 0.763 to 0.719.
    uncoded_targets: bool = False
    # The main clause's coded subject gets a candidate of its own, with its uncoded object as target, when no pair
    # the parse gives holds it: real news often reports one actor's statement or act beside a subordinate clause
    # that names two others, and the pairs of that clause are not the sentence's main event.
    main_clause: bool = True

    def find(self, sentence: Sentence, span: Span, mentions: list[ActorMention]) -> list[Candidate]:
        """Candidates of one sentence, best-supported first, never two for the same ordered pair."""
        coded = [m for m in mentions if m.code]
        if not coded:
            return []
        by_head = {span.start + m.head: m for m in coded}
        tok_mention = _token_index(span, coded)
        # The source of a report ("..., Xinhua reported", "officials say", "according to X") is no participant of
        # the reported event: it is left out of text-order pairs and does not make a lone actor's sentence plural.
        reporters = _reporters(span, tok_mention)
        participants = [m for m in coded if m not in reporters] or coded
        # One actor, or several mentions of the same one ("Algeria's president, Abdelaziz Bouteflika"): a sentence
        # that can only hold single-actor events.
        lone = len({m.code for m in participants}) == 1
        out: dict[tuple, Candidate] = {}
        open_subjects: list[tuple[ActorMention, Token]] = []  # coded subjects of verbs with an uncoded object

        def add(src: ActorMention, tgt: ActorMention | None, verb: Token | None, rule: str) -> None:
            if tgt is not None and (tgt is src or tgt.code == src.code):
                return
            if tgt is not None and verb is not None and tgt.head >= 0 and _own_forces(verb, span[tgt.head], tgt):
                return
            key = (src.start, tgt.start if tgt else -1)
            if key in out:
                old = out[key]
                if rule not in old.evidence:
                    out[key] = _with(old, old.evidence + (rule,))
                return
            out[key] = Candidate(
                sentence=sentence,
                source=src,
                target=tgt,
                predicate=(verb.i - span.start) if verb is not None else -1,
                trigger=verb.lemma_.lower() if verb is not None else "",
                evidence=(rule,),
                uncoded_object=_object_phrase(verb, span, tok_mention) if tgt is None and verb is not None else None,
            )

        for verb in span:
            if verb.pos_ not in ("VERB", "AUX") and verb.dep_ != "ROOT":
                continue
            sources, passive_targets = self._subjects(verb, tok_mention)
            targets = self._objects(verb, tok_mention, by_head)
            rule = "syntax:passive" if passive_targets else "syntax:svo"
            agents = _under_agents(verb, tok_mention)
            if agents and sources:
                # "the patrol came under fire from rebels": a passive in active form; the rebels act.
                sources, targets, rule = agents, sources, "syntax:come-under"
            all_targets = targets + passive_targets
            if sources and all_targets:
                for s in sources:
                    for t in all_targets:
                        add(s, t, verb, rule)
            elif len(sources) > 1 and _reciprocal(verb):
                # "China and Iran held talks": with a reciprocal predicate a compound subject acts on itself.
                for s in sources:
                    for t in sources:
                        if s is not t:
                            add(s, t, verb, "syntax:compound-reciprocal")
            elif len(sources) > 1 and self.single_actor:
                # "France and Germany condemned the vote": one event per source, no target.
                for s in sources:
                    add(s, None, verb, "syntax:compound-sources")
            elif sources and self.single_actor and lone and sources[0] in participants:
                # The sentence's only actor acts on something the dictionaries do not code ("police detained 18
                # people"): the event still happened, with a blank target code, as GDELT records it.
                add(sources[0], None, verb, "syntax:single-actor")
            elif sources and self.uncoded_targets and _has_uncoded_object(verb):
                open_subjects.extend((s, verb) for s in sources)
            if sources and verb.lemma_.lower() in SPEECH_VERBS:
                # "Chile said Peru's decision was a mistake": a reported clause in which no coded actor acts is the
                # speaker's comment on the actors it names, not a report of their act.
                for t in _commented_on(verb, tok_mention)[:2]:
                    for s in sources:
                        add(s, t, verb, "syntax:statement-about")
        fallback = not out
        if fallback:
            # Nothing pairs two coded actors but a subject acts on something uncoded ("the army shelled the town"):
            # that subject's event, with the object kept as uncoded target text, competes with the pairs of
            # mentions in text order below.
            for s, verb in open_subjects:
                add(s, None, verb, "syntax:uncoded-target")
        if fallback and self.order_fallback and not lone:
            first = participants[0]
            for t in participants[1:3]:
                add(first, t, None, "order:first-to-next")
        if not out and self.single_actor and lone:
            root = span.root
            verb = root if root.pos_ in ("VERB", "AUX") else None
            if verb is None or not _acted_on_by_other(verb, span[participants[0].head]):
                add(participants[0], None, verb, "order:single-actor")
        if self.main_clause:
            # "China expressed pessimism about the talks, even as Pyongyang touted UN support": the main clause's
            # coded subject acts on something uncoded and is in no pair the parse gives; other clauses' pairs and
            # text-order guesses must not crowd its event out.
            root = span.root
            if root.pos_ == "VERB" and not _reported_clauses(root):
                for s in self._subjects(root, tok_mention)[0]:
                    if s not in reporters and not any(
                        s in (c.source, c.target) for c in out.values() if c.evidence[0].startswith("syntax")
                    ):
                        add(s, None, root, "syntax:main-clause")
        ranked = sorted(out.values(), key=lambda c: (not c.evidence[0].startswith("syntax"), c.source.start))
        return ranked[: self.max_candidates]

    # ------------------------------------------------------------------------------------------------

    def _subjects(
        self, verb: Token, tok_mention: dict[int, ActorMention]
    ) -> tuple[list[ActorMention], list[ActorMention]]:
        """Sources of ``verb`` (and, for a passive verb, its grammatical subject as target)."""
        sources: list[ActorMention] = []
        passive_targets: list[ActorMention] = []
        v = verb
        # Inherit the subject through open complements and coordination: "vowed to step up", "met and agreed".
        for _ in range(4):
            subj = [c for c in v.children if c.dep_ in _SUBJ]
            psubj = [c for c in v.children if c.dep_ in _PASS_SUBJ]
            if v.dep_ == "relcl" and v.head.i != v.i:
                # "the ambassador, who had criticized ...": the relative pronoun stands for the modified noun.
                subj = [v.head if c.tag_ in ("WP", "WDT") or c.lower_ == "that" else c for c in subj]
                psubj = [v.head if c.tag_ in ("WP", "WDT") or c.lower_ == "that" else c for c in psubj]
            if v.dep_ == "ccomp" and v.head.i != v.i and any(c.lower_ in _SPEAKER_PRONOUNS for c in subj):
                # "Iran said it would expel the ambassador": the pronoun subject of a reported clause is the speaker.
                subj = [c for c in v.head.children if c.dep_ in _SUBJ] or subj
            if subj or psubj:
                break
            if (v.dep_ in ("xcomp", "conj") or _purpose_clause(v) or _participle_clause(v)) and v.head.i != v.i:
                v = v.head
                continue
            if v.dep_ == "relcl":
                # "the rebels who attacked the town": the noun the clause modifies is the subject.
                subj = [v.head]
            break
        for s in subj:
            sources.extend(_agents_of_instrument(s, tok_mention) or _conjuncts(s, tok_mention))
        for s in psubj:
            passive_targets.extend(_conjuncts(s, tok_mention))
        if psubj:
            for agent in (c for c in verb.children if c.dep_ == "agent"):
                for pobj in (c for c in agent.children if c.dep_ == "pobj"):
                    sources.extend(_conjuncts(pobj, tok_mention))
        return sources, passive_targets

    def _objects(self, verb: Token, tok_mention: dict[int, ActorMention], by_head: dict) -> list[ActorMention]:
        """Targets of ``verb``: direct objects, prepositional objects, and those of nouns it governs."""
        targets: list[ActorMention] = []
        frontier = [verb]
        seen = set()
        depth = 0
        while frontier and depth < 3:
            nxt = []
            for tok in frontier:
                for c in tok.children:
                    if c.i in seen:
                        continue
                    seen.add(c.i)
                    if c.dep_ in _OBJ or c.dep_ == "pobj":
                        targets.extend(_conjuncts(c, tok_mention))
                        nxt.append(c)  # "cooperation with Iran": look inside the object noun phrase
                    elif c.dep_ == "prep" and c.lower_ in _TARGET_PREPS or c.dep_ in ("xcomp",) and tok is verb:
                        nxt.append(c)
            frontier = nxt
            depth += 1
        lemma = verb.lemma_.lower()
        if lemma in ADDRESS_VERBS or lemma in SPEECH_VERBS:
            # "Chile demanded that Peru withdraw its troops", "Chile said Peru must withdraw": the subject of the
            # demanded clause is addressed.
            for clause in (c for c in verb.children if c.dep_ == "ccomp" and (lemma in ADDRESS_VERBS or _deontic(c))):
                # A clause the parser misread as a noun ("that the Kenyan government resign", "resign" NOUN) has no
                # subject; the actor it names is the one addressed.
                subjects = [c for c in clause.children if c.dep_ in _SUBJ] or (
                    [clause] if clause.pos_ == "NOUN" else []
                )
                for subj in subjects:
                    targets.extend(_conjuncts(subj, tok_mention))
        # Keep order, drop repeats.
        uniq: list[ActorMention] = []
        for t in targets:
            if t not in uniq:
                uniq.append(t)
        return uniq


RECIPROCAL_WORDS = {
    "agree", "meet", "talk", "talks", "negotiate", "negotiation", "negotiations", "discuss", "sign", "cooperate",
    "cooperation", "clash", "fight", "exchange", "trade", "ties", "relations", "accord", "agreement", "deal", "pact",
    "treaty", "drill", "drills", "exercise", "exercises", "patrol", "patrols", "together", "jointly", "joint",
    "mutual", "bilateral", "each", "another", "reconcile", "normalize", "normalise", "restore", "resume", "summit",
    "accusation", "accusations", "fire", "ceasefire", "truce", "partnership", "alliance", "swap", "exchanged",
}  # fmt: skip


def _reciprocal(verb: Token) -> bool:
    """Whether a predicate relates its compound subject to itself ("agreed", "held talks", "exchanged fire")."""
    subjects = {t.i for c in verb.children if c.dep_ in _SUBJ | _PASS_SUBJ for t in c.subtree}
    return any(
        t.lemma_.lower() in RECIPROCAL_WORDS or t.lower_ in RECIPROCAL_WORDS
        for t in verb.subtree
        if t.i not in subjects
    )


_UNDER_NOUNS = {
    "fire", "attack", "attacks", "shelling", "bombardment", "bombing", "bombings", "strike", "strikes", "airstrike",
    "airstrikes", "raid", "raids", "assault", "siege", "gunfire", "shellfire", "barrage", "pressure", "criticism",
    "scrutiny",
}  # fmt: skip


def _under_agents(verb: Token, tok_mention: dict[int, ActorMention]) -> list[ActorMention]:
    """The actors of "came under fire/attack/shelling from X" (on the verb or on the noun), else nothing."""
    if verb.lemma_.lower() != "come":
        return []
    nouns = [
        g
        for c in verb.children
        if c.dep_ == "prep" and c.lower_ == "under"
        for g in c.children
        if g.dep_ == "pobj" and g.lower_ in _UNDER_NOUNS
    ]
    if not nouns:
        return []
    out: list[ActorMention] = []
    for owner in [verb, *nouns]:
        for prep in owner.children:
            if prep.dep_ in ("prep", "agent") and prep.lower_ in ("from", "by"):
                for pobj in prep.children:
                    if pobj.dep_ == "pobj":
                        out.extend(m for m in _conjuncts(pobj, tok_mention) if m not in out)
    return out


# Weapons and craft that act for whoever launched them: "drones launched by the RSF struck a market".
INSTRUMENT_NOUNS = {
    "drone", "missile", "rocket", "shell", "mortar", "bomb", "grenade", "munition", "warplane", "jet", "aircraft",
    "helicopter", "warship", "gunboat", "artillery",
}  # fmt: skip


def _agents_of_instrument(subj: Token, tok_mention: dict[int, ActorMention]) -> list[ActorMention]:
    """The coded agents of a participle on a weapon subject ("drones launched by X", "missiles fired by X")."""
    if subj.lemma_.lower() not in INSTRUMENT_NOUNS:
        return []
    return [
        m
        for acl in subj.children
        if acl.dep_ == "acl" and acl.tag_ == "VBN"
        for agent in acl.children
        if agent.dep_ == "agent"
        for pobj in agent.children
        if pobj.dep_ == "pobj"
        for m in _conjuncts(pobj, tok_mention)
    ]


def _participle_clause(verb: Token) -> bool:
    """A subjectless -ing adverbial clause ("struck a market, killing 20 civilians"): the main subject acts."""
    return verb.dep_ == "advcl" and verb.tag_ == "VBG"


def _purpose_clause(verb: Token) -> bool:
    """An infinitival adverbial clause ("sent troops to help the government"): its subject is the main clause's."""
    return verb.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


# Verbs whose bare role object is the subject's own people: "Kenya sent troops", "the ministry deployed police".
DEPLOY_VERBS = {
    "send", "deploy", "dispatch", "mobilize", "mobilise", "station", "withdraw", "pull", "rush", "redeploy", "post",
    "recall", "train", "arm", "equip", "muster", "order",
}  # fmt: skip


def _own_forces(verb: Token, head: Token, target: ActorMention) -> bool:
    """Whether ``target`` (headed by ``head``) is the subject's own people: a role with no country of its own in
    the direct object of a deployment verb ("Kenya sent troops", "the ministry deployed police")."""
    bare = (len(target.code) == 3 and target.rule == "role") or target.rule == "role+context"
    return bare and verb.lemma_.lower() in DEPLOY_VERBS and head.dep_ == "dobj" and head.head.i == verb.i


def _reporters(span: Span, tok_mention: dict[int, ActorMention]) -> list[ActorMention]:
    """Mentions that report the sentence's event: subjects of a speech verb whose reported clause has a coded actor
    of its own as subject ("Xinhua reported (that) police detained ...", "..., officials say"; not "Iran said it
    would ...", nor "Chile said Peru's decision was a mistake", a comment) and objects of "according to"."""
    out: list[ActorMention] = []
    for tok in span:
        heads: list[Token] = []
        if tok.lemma_.lower() in SPEECH_VERBS and any(
            not _deontic(c) and _actor_acts(c, tok_mention) for c in _reported_clauses(tok)
        ):
            heads = [c for c in tok.children if c.dep_ in _SUBJ]
        elif tok.lower_ == "according":
            heads = [g for c in tok.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"]
        for h in heads:
            # The whole subject phrase: "the state news agency Xinhua" is two mentions of one reporter.
            out.extend(m for t in h.subtree if (m := tok_mention.get(t.i)) is not None and m not in out)
    return out


def _actor_acts(clause: Token, tok_mention: dict[int, ActorMention]) -> bool:
    """Whether a coded mention is (or heads a coordination in) the clause's subject: "police detained ..." and
    "Chad and Sudan signed ..." are acts; in "Peru's decision was a mistake" Peru only owns the subject."""
    return any(t.i in tok_mention for c in clause.children if c.dep_ in _SUBJ | _PASS_SUBJ for t in [c, *c.conjuncts])


def _commented_on(verb: Token, tok_mention: dict[int, ActorMention]) -> list[ActorMention]:
    """The coded mentions, in text order, of the clauses a speech verb reports in which no coded actor acts."""
    out: list[ActorMention] = []
    for clause in _reported_clauses(verb):
        if _deontic(clause) or _actor_acts(clause, tok_mention):
            continue
        out.extend(m for t in clause.subtree if (m := tok_mention.get(t.i)) is not None and m not in out)
    return out


def _deontic(clause: Token) -> bool:
    """A clause of obligation ("Peru must withdraw", "Peru should step down"): reported, it is a demand."""
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in clause.children)


def _acted_on_by_other(verb: Token, actor_head: Token) -> bool:
    """Whether ``verb`` has an uncoded noun subject that does not hold the lone coded actor ("ICE returned the
    artifacts to Peru", "truckers blocked the highway to protest against the Canadian government"): the actor is
    then no source."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJ and c.pos_ in ("NOUN", "PROPN")]
    return bool(subjects) and not any(actor_head in s.subtree for s in subjects)


def _reported_clauses(verb: Token) -> list[Token]:
    """Clauses a verb embeds that have a subject of their own ("announced that Bolivia broke off ties", "fear that
    Lebanon may expel"): such a clause holds the event, not the verb's subject."""
    return [c for c in verb.children if c.dep_ == "ccomp" and _other_subject(c)]


def _other_subject(clause: Token) -> bool:
    """Whether a reported clause has a subject of its own: "police detained ..." does, "it will retaliate" (the
    speaker) does not."""
    return any(c.dep_ in _SUBJ | _PASS_SUBJ and c.pos_ != "PRON" for c in clause.children)


def _has_uncoded_object(verb: Token) -> bool:
    """A non-speech verb with an object or prepositional object (which no coded mention filled)."""
    if verb.lemma_.lower() in SPEECH_VERBS or verb.pos_ != "VERB":
        return False
    for c in verb.children:
        if c.dep_ in _OBJ:
            return True
        if c.dep_ == "prep" and c.lower_ in _TARGET_PREPS and any(g.dep_ == "pobj" for g in c.children):
            return True
    return False


_NOT_PARTICIPANTS = {
    "today", "yesterday", "tomorrow", "tonight", "day", "days", "night", "morning", "afternoon", "evening", "week",
    "weeks", "weekend", "month", "months", "year", "years", "hour", "hours", "time", "percent", "%",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip


# Prepositions that introduce the one acted on ("provided aid to households", "imposed a curfew on Basra").
_RECIPIENT_PREPS = {"to", "against", "on", "upon", "with", "toward", "towards", "at", "into"}
# Nouns that name the act itself in a light-verb phrase ("expressed optimism about X", "declared a ceasefire in
# X", "launched an appeal for X"): the noun's own prepositional object is the one acted on.
_EVENT_NOUNS = {
    "optimism", "pessimism", "concern", "concerns", "hope", "hopes", "condolences", "sympathy", "support", "appeal",
    "protest", "protests", "demonstration", "mediation", "effort", "efforts", "ceasefire", "truce", "curfew",
    "blockade", "blockades", "sanctions", "embargo", "refuge", "asylum", "boycott", "campaign", "operation",
    "offensive", "attack", "attacks", "strike", "strikes", "raid", "raids", "talks", "visit", "criticism",
    "restrictions", "ban", "siege", "aid", "assistance", "solidarity", "confidence", "doubts", "skepticism",
    "scepticism", "request", "demand", "demands", "offer", "proposal", "release", "assault", "surprise",
    "statement", "responsibility", "commitment", "charges", "accusation", "accusations", "agreement", "deal",
}  # fmt: skip
# Heads of uncoded phrases that name people: such a direct object is the one acted on even beside a recipient.
_PEOPLE_NOUNS = {
    "people", "person", "persons", "man", "men", "woman", "women", "child", "children", "civilian", "civilians",
    "resident", "residents", "villager", "villagers", "family", "families", "household", "households", "student",
    "students", "worker", "workers", "prisoner", "prisoners", "detainee", "detainees", "hostage", "hostages",
    "migrant", "migrants", "refugee", "refugees", "suspect", "suspects", "inmate", "inmates", "member", "members",
    "leader", "leaders", "official", "officials", "journalist", "journalists", "activist", "activists",
    "demonstrator", "demonstrators", "protester", "protesters", "protestor", "protestors", "citizen", "citizens",
    "national", "nationals", "passenger", "passengers", "patient", "patients", "victim", "victims", "survivor",
    "survivors", "employee", "employees", "farmer", "farmers", "fighter", "fighters", "militant", "militants",
}  # fmt: skip
_CURRENCY_WORDS = {
    "million", "millions", "billion", "billions", "trillion", "thousand", "thousands", "euro", "euros", "dollar",
    "dollars", "pound", "pounds", "yuan", "yen", "rupee", "rupees", "franc", "francs", "usd", "eur",
}  # fmt: skip


def _amount(obj: Token) -> bool:
    """A sum of money or a bare number ("352.5 million euros", "$80 million", "USD 88,550,000")."""
    return obj.lower_ in _CURRENCY_WORDS or any(t.tag_ == "$" or t.lower_ in _CURRENCY_WORDS for t in obj.lefts)


def _object_phrase(verb: Token, span: Span, tok_mention: dict[int, ActorMention]) -> ActorMention | None:
    """The phrase in ``verb``'s object position when no coded mention fills it, kept uncoded (empty code).

    The one acted on, in this order: a direct object that names people ("detained 18 people"); the object of a
    recipient preposition ("provided aid to 550 households", "imposed a curfew on Basra"); the object inside an
    act noun ("expressed optimism about a deal"); any other direct object that is not an act noun ("launched an
    assault" names no target); then the first prepositional object. Pronouns, times and amounts of money are not
    participants. The phrase is the object's subtree, cut at its head when
    longer than 12 tokens.
    """
    # "gave aid to X" parses "to" as a dative: a preposition, not an object.
    dobjs = [c for c in verb.children if c.dep_ in _OBJ and c.pos_ != "ADP"]
    preps = [c for c in verb.children if c.dep_ in ("prep", "dative") and c.lower_ in _TARGET_PREPS - {"by"}]
    recipients = [g for p in preps if p.lower_ in _RECIPIENT_PREPS for g in p.children if g.dep_ == "pobj"]
    inner = [
        g
        for d in dobjs
        if d.lemma_.lower() in _EVENT_NOUNS or d.lower_ in _EVENT_NOUNS
        for p in d.children
        if p.dep_ == "prep" and p.lower_ in _RECIPIENT_PREPS | {"about", "over", "for", "in", "between"}
        for g in p.children
        if g.dep_ == "pobj"
    ]
    people = [d for d in dobjs if d.lower_ in _PEOPLE_NOUNS]
    # The act itself ("launched an assault", "expressed surprise") is not the one acted on.
    things = [d for d in dobjs if d.lemma_.lower() not in _EVENT_NOUNS and d.lower_ not in _EVENT_NOUNS]
    others = [g for p in preps for g in p.children if g.dep_ == "pobj"]
    for obj in [*people, *recipients, *inner, *things, *others]:
        if obj.i in tok_mention or obj.pos_ == "PRON" or obj.lower_ in _NOT_PARTICIPANTS or not obj.is_alpha:
            continue
        if _amount(obj):
            continue
        start, end = obj.left_edge.i, obj.right_edge.i + 1
        if end - start > 12:
            end = obj.i + 1
        if any(i in tok_mention for i in range(start, end)):
            continue
        doc = span.doc
        cs = doc[start].idx - span.start_char
        ce = doc[end - 1].idx + len(doc[end - 1].text) - span.start_char
        return ActorMention(span.text[cs:ce], cs, ce, "", obj.i - span.start, "uncoded-object")
    return None


def _token_index(span: Span, mentions: list[ActorMention]) -> dict[int, ActorMention]:
    """Map every token index inside a mention to that mention."""
    out: dict[int, ActorMention] = {}
    for m in mentions:
        for tok in span:
            rel_start = tok.idx - span.start_char
            if m.start <= rel_start < m.end:
                out[tok.i] = m
    return out


def _conjuncts(tok: Token, tok_mention: dict[int, ActorMention]) -> list[ActorMention]:
    """The mentions a noun and its coordinated nouns stand for ("China and Iran" -> both)."""
    out: list[ActorMention] = []
    for t in [tok, *tok.conjuncts]:
        m = tok_mention.get(t.i)
        if m is None:
            # "the leaders of China": the mention sits in a prepositional attachment of the noun.
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in ("of", "from", "by"):
                    for p in c.children:
                        if p.i in tok_mention:
                            m = tok_mention[p.i]
                            break
                if c.dep_ in ("poss", "compound", "amod", "appos") and c.i in tok_mention:
                    m = tok_mention[c.i]
        if m is not None and m not in out:
            out.append(m)
        # "Indian and Pakistani soldiers": the first demonym is a mention of its own on the same noun.
        for c in t.children:
            if c.dep_ == "amod":
                for a in [c, *c.conjuncts]:
                    other = tok_mention.get(a.i)
                    if other is not None and other not in out:
                        out.append(other)
    return out


def _with(c: Candidate, evidence: tuple[str, ...]) -> Candidate:
    return replace(c, evidence=evidence)
