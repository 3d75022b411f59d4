"""Verb classes that more than one rule stage reads (the dyad finder and the modality rules), kept in one place so
that the stages agree on what counts as reporting a clause and what counts as addressing its subject."""

# Verbs that report a clause: their subject is the speaker, not a participant in the reported event ("Xinhua
# reported police detained ...", "Iran said it would expel ..."). Lemmas, lower case.
SPEECH_VERBS = frozenset(
    {
        "say", "tell", "report", "add", "state", "note", "claim", "write", "quote", "cite", "reiterate", "announce",
        "declare", "confirm",
    }
)  # fmt: skip

# Verbs whose "that"-clause subject is the one addressed (demands, appeals, warnings), unlike reported speech.
ADDRESS_VERBS = frozenset({"demand", "insist", "urge", "request", "ask", "warn", "recommend", "propose", "suggest"})
