"""The rule layer's event-level rules: negation, modality, intent framing and high-precision patterns.

:class:`EventRules` annotates candidates (negated, hypothetical, intent) from the parse, and
:meth:`EventRules.adjust` combines the classifier's prediction with rule evidence: an action verb under
"vowed to" becomes the matching 03 intent code, under "threatened to" a 13 threat, and a small set of patterns
that dictionary coders get right (arrests, expulsions, talks) set the code when the model agrees on the root or
is unsure; a mass killing (202) of armed actors is coded as fighting (190). Every rule that fires is named in the
event's evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from coder.codebook import code_blocks
from coder.records import Candidate, Prediction
from coder.verbs import ADDRESS_VERBS, SPEECH_VERBS

NONE_CLASS = "NONE"
DENIAL_CODES = {"015", "016"}  # "acknowledge or claim responsibility", "deny responsibility"
NEGATORS = {"not", "n't", "never", "no"}
DENIAL_VERBS = {"deny", "dismiss", "refute", "reject"}  # "denied attacking", "rejected claims that it shelled"
MODALS = {"could", "might", "may", "would", "should", "can"}
INTENT_VERBS = {
    "vow",
    "pledge",
    "promise",
    "agree",
    "offer",
    "plan",
    "intend",
    "aim",
    "commit",
    "decide",
    "resolve",
    "seek",
}
THREAT_VERBS = {"threaten"}

# Action code -> the 03 intent code that announces it ("vowed to cooperate militarily" is 0312, not 062).
# Looked up by full code, then base, then root.
INTENT_OF_ACTION = {
    "04": "036",
    "045": "039",
    "05": "032",
    "057": "036",
    "06": "031",
    "061": "0311",
    "062": "0312",
    "063": "0313",
    "064": "0314",
    "07": "033",
    "071": "0331",
    "072": "0332",
    "073": "0333",
    "074": "0334",
    "08": "035",
    "081": "0351",
    "082": "0352",
    "083": "034",
    "0831": "0341",
    "0832": "0342",
    "0833": "0343",
    "0834": "0344",
    "084": "0353",
    "085": "0354",
    "086": "0355",
    "087": "0356",
}
# Conflict action code -> the 13 threat that announces it ("threatened to attack" is 1384, not 190).
THREAT_OF_ACTION = {
    "15": "138",
    "16": "131",
    "161": "1313",
    "162": "1311",
    "163": "1312",
    "164": "134",
    "165": "135",
    "166": "136",
    "17": "130",
    "172": "132",
    "1721": "1321",
    "1722": "1322",
    "1723": "1323",
    "1724": "1324",
    "173": "137",
    "175": "137",
    "18": "1383",
    "19": "1384",
    "191": "1381",
    "192": "1382",
    "20": "1385",
}


@dataclass(frozen=True)
class Pattern:
    """A high-precision lexical pattern over the candidate's clause (its predicate's subtree) and the code it
    gives. A ``strong`` pattern is unambiguous enough to override the model's root; a weak one only refines a
    prediction of the same root or settles an unsure one."""

    name: str
    regex: re.Pattern
    code: str
    strong: bool = False


PATTERNS: tuple[Pattern, ...] = tuple(
    Pattern(name, re.compile(rx, re.IGNORECASE), code, strong)
    for name, rx, code, strong in [
        ("held-talks", r"\b(held|hold|holding|holds)\s+(\w+\s+){0,5}(talks|negotiations)\b", "046", True),
        ("arrested", r"\b(arrested|detained|rounded up|took into custody)\b", "173", False),
        ("expelled-diplomat", r"\bexpel(led|s)?\b.{0,40}\b(ambassadors?|diplomats?|envoys?)\b", "161", True),
        ("recalled-ambassador", r"\brecall(ed|s)?\b.{0,30}\b(ambassador|envoy)\b", "161", True),
        ("signed-agreement", r"\bsign(ed|s)?\b.{0,40}\b(agreement|accord|treaty|deal|pact)\b", "057", True),
        ("imposed-sanctions", r"\bimpos(ed|es)\b.{0,30}\bsanctions\b", "163", True),
        ("joint-drills", r"\b(joint|military)\s+(drills|exercises|manoeuvres|maneuvers)\b", "062", False),
        ("airstrike", r"\b(air ?strikes?|bombed|bombing raids?)\b", "195", False),
        ("suicide-bombing", r"\bsuicide (bomb(ing|er)|attack)\b", "1831", True),
        ("condemned", r"\b(condemned|denounced)\b", "111", False),
        ("accused", r"\baccused\b", "112", False),
    ]
)


@dataclass(frozen=True)
class EventRules:
    """Negation/modality/intent annotation and rule-model combination. ``use_patterns`` turns patterns off."""

    use_patterns: bool = True

    def annotate(self, cand: Candidate, span: Span) -> Candidate:
        """Set negated/hypothetical/intent on a candidate from the parse around its predicate."""
        if cand.predicate < 0:
            return cand
        verb = span[cand.predicate]
        negated, hypothetical, intent = False, False, ""
        evidence = list(cand.evidence)
        chain = _governors(verb)
        for v in chain:
            if any(c.dep_ == "neg" or c.lower_ in NEGATORS and c.dep_ in ("neg", "advmod", "det") for c in v.children):
                negated = True
                evidence.append(f"negation:{v.lemma_.lower()}")
                break
        # "vowed to help X": the intent verb may itself be the predicate, with the action as its complement.
        heads = chain[1:] + ([verb] if any(c.dep_ == "xcomp" for c in verb.children) else [])
        for v in heads:
            lemma = v.lemma_.lower()
            if lemma in DENIAL_VERBS:
                negated = not negated
                evidence.append(f"denial:{lemma}")
            if lemma in THREAT_VERBS:
                intent = intent or "threat"
                evidence.append("intent:threaten")
            elif lemma in INTENT_VERBS:
                intent = intent or "intent"
                evidence.append(f"intent:{lemma}")
        for v in chain:
            aux = [c for c in v.children if c.dep_ == "aux" and c.lower_ in MODALS and not _reported_future(v, c)]
            marks = [c for c in v.children if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether")]
            if aux or marks or (v.dep_ == "advcl" and any(c.lower_ == "if" for c in v.children)):
                hypothetical = True
                evidence.append("modality:" + (aux[0].lower_ if aux else marks[0].lower_ if marks else "if"))
                break
        if span.text.rstrip().endswith("?"):
            hypothetical = True
            evidence.append("modality:question")
        clause = span.doc[verb.left_edge.i : verb.right_edge.i + 1].text
        return replace(
            cand, negated=negated, hypothetical=hypothetical, intent=intent, evidence=tuple(evidence), clause=clause
        )

    def adjust(self, cand: Candidate, pred: Prediction, taxonomy) -> tuple[Prediction, tuple[str, ...]]:
        """Combine rule evidence with the model's prediction; returns the final prediction and fired rules."""
        if not pred.code:
            return pred, ()
        fired: list[str] = []
        code = pred.code
        prob = pred.probability
        if code.startswith("202") and cand.target is not None and _armed(cand.target.code):
            # CAMEO's 202 is the mass killing of non-combatants; killing soldiers or fighters is fighting (19).
            code, fired = "190", ["rule:armed-target->190"]
        if cand.intent == "intent" and "04" <= taxonomy[code].root <= "08":
            new = lookup_action(INTENT_OF_ACTION, code)
            if new:
                code, fired = new, [*fired, f"rule:intent->{new}"]
        elif cand.intent == "threat" and int(taxonomy[code].root) >= 15:
            new = lookup_action(THREAT_OF_ACTION, code)
            if new:
                code, fired = new, [*fired, f"rule:threat->{new}"]
        elif any(e.startswith("denial:") for e in cand.evidence):
            # "denied attacking X" is a negated attack (labels/README.md), not a denial event aimed at X: the
            # model's mass on "deny responsibility" supports the same reading, so it joins the action's.
            alt = dict(pred.alternatives)
            action = (
                code
                if code not in DENIAL_CODES
                else next(
                    (c for c, p in pred.alternatives if c != NONE_CLASS and c not in DENIAL_CODES and p >= 0.05), None
                )
            )
            if action:
                denial_mass = sum(alt.get(c, 0.0) for c in DENIAL_CODES)
                prob = min(1.0, (prob if action == code else alt[action]) + denial_mass)
                code, fired = action, [f"rule:denial->{action}"]
        if self.use_patterns and not cand.intent and not fired:
            text = cand.clause or cand.sentence.text
            for p in PATTERNS:
                if p.regex.search(text) and p.code in taxonomy:
                    same_root = taxonomy[p.code].root == taxonomy[code].root
                    if same_root or p.strong or prob < 0.5:
                        if p.code != code:
                            code = p.code
                        fired.append(f"pattern:{p.name}")
                        # Rule and model agreeing on the root is stronger evidence than either alone.
                        prob = 1 - (1 - prob) * (0.5 if same_root else 0.8)
                        break
        return Prediction(code, prob, pred.alternatives, pred.event_probability), tuple(fired)


# Role blocks of armed actors (labels/actors/roles.tsv): soldiers, rebels, insurgents, separatists, militias.
ARMED_ROLES = {"MIL", "REB", "INS", "SEP", "UAF", "IMG"}


def _armed(actor_code: str) -> bool:
    return any(b in ARMED_ROLES for b in code_blocks(actor_code))


def _reported_future(verb: Token, aux: Token) -> bool:
    """ "Iran said it would expel ...": "would" in a clause reported by a speech verb is the speaker's stated plan,
    not a hypothetical (the clause has no "if")."""
    return (
        aux.lower_ == "would"
        and verb.dep_ == "ccomp"
        and verb.head.lemma_.lower() in SPEECH_VERBS | ADDRESS_VERBS
        and not any(c.dep_ == "advcl" and any(m.lower_ in ("if", "unless") for m in c.children) for c in verb.children)
    )


def _governors(verb: Token) -> list[Token]:
    """The predicate and the verbs above it through complement links ("denied" above "attacking")."""
    chain = [verb]
    v = verb
    for _ in range(3):
        if v.dep_ in ("xcomp", "ccomp", "pcomp", "advcl") and v.head.i != v.i:
            v = v.head
            chain.append(v)
        elif v.dep_ == "pobj" and v.head.head.i != v.i:
            v = v.head.head
            chain.append(v)
        else:
            break
    return chain


def lookup_action(table: dict[str, str], code: str) -> str | None:
    """Most specific entry for a code: the code itself, then its base, then its root."""
    return table.get(code) or table.get(code[:3]) or table.get(code[:2])
