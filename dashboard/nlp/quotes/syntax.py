"""Small questions asked of the parse: who is the subject of a speech verb, where a noun phrase
starts, whether a token opens a dateline. Pure functions of spaCy tokens."""

from __future__ import annotations

from spacy.tokens import Token

from dashboard.nlp.names import lexicon

SENTENCE_END = {".", "!", "?"}
SUBJECTS = {"nsubj", "nsubjpass"}
CUE_WINDOW = 12  # tokens searched for a cue beside a quotation
NOT_SPEAKERS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
_SPEECH_LEMMAS_FOR_PARTICIPLES = {"say", "tell", "add", "argue", "write", "claim", "insist", "explain", "note"}
_TITLE_NOUNS = {
    "sen": "senator",
    "rep": "congressman",
    "gov": "governor",
    "gen": "general",
    "lt": "lieutenant",
    "capt": "captain",
    "adm": "admiral",
    "sgt": "sergeant",
    "rev": "reverend",
    "pres": "president",
    "supt": "superintendent",
    "amb": "ambassador",
    "sec": "secretary",
}


def role_noun(role: str) -> str:
    """The noun a role ends in, abbreviated titles spelled out: 'Sen.' -> 'senator' ('the senator said')."""
    word = role.lower().split()[-1].rstrip(".")
    return _TITLE_NOUNS.get(word, word)


def cue_subject(verb: Token) -> Token | None:
    """Grammatical subject of a speech verb, also when it is inherited: 'and said', ', saying ...',
    ', adding ...', 'issued a statement saying ...'; or the name written just before the verb
    when the parse offers only 'it' ('... - Brendan Buck, a spokesman for Ryan, told POLITICO')."""
    subject = parsed_subject(verb)
    if subject is None or subject.lower_ in {"it", "there"} or subject.ent_type_ in NOT_SPEAKERS:
        return name_before(verb) or subject
    return subject


def parsed_subject(verb: Token) -> Token | None:
    if verb.dep_ in {"advcl", "conj"}:
        # 'said A and said B' / '"messy," adding': continue the nearest speech verb above.
        for ancestor in verb.ancestors:
            if ancestor.pos_ == "VERB" and ancestor.lemma_.lower() in _SPEECH_LEMMAS_FOR_PARTICIPLES:
                verb = ancestor
                break
    for _ in range(4):
        subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
        # '9:30 p.m. Donald Trump says': a time can share the subject slot; the nearest name wins.
        named = [c for c in subjects if c.ent_type_ not in NOT_SPEAKERS] or subjects
        if named:
            return named[-1] if named[-1].i < verb.i else named[0]
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        if agent is not None:
            return object_of(agent)
        if verb.dep_ == "acl" and verb.head.pos_ == "NOUN" and verb.head.head.i != verb.head.i:
            verb = verb.head.head  # 'issued a statement saying'
            continue
        if verb.dep_ not in {"conj", "advcl", "xcomp", "acomp"} or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def name_before(verb: Token) -> Token | None:
    """A person named right before the verb, past one apposition set off by commas or brackets
    ('Sen. Elizabeth Warren (D-MA) said')."""
    i = verb.i - 1
    if i >= 0 and verb.doc[i].text == ")":
        while i > max(0, verb.i - 8) and verb.doc[i].text != "(":
            i -= 1
        i -= 1
    if i >= 0 and verb.doc[i].text == ",":
        j = i - 1
        while j > max(0, i - 12) and verb.doc[j].text != ",":
            j -= 1
        i = j - 1 if verb.doc[j].text == "," else -1
    if i >= 0 and verb.doc[i].ent_type_ == "PERSON":
        return verb.doc[i]
    return None


def is_dateline(token: Token) -> bool:
    """'CLEVELAND (AP) -' / 'WASHINGTON -': a place in capitals opening a story, not a speaker."""
    if not token.is_upper or len(token) < 3:
        return False
    following = token.doc[token.i + 1 : token.i + 5]
    return any(t.text in {"(", "—", "–", "-", "--"} for t in following)


def object_of(preposition: Token) -> Token | None:
    return next((c for c in preposition.children if c.dep_ == "pobj"), None)


def phrase_head(token: Token | None) -> Token | None:
    """Climb from a modifier to the head noun of its phrase ('Kremlin' in 'Kremlin spokesman ...')."""
    while (
        token is not None
        and token.dep_ in {"compound", "amod", "det"}
        and token.head.i != token.i
        and token.head.pos_ in {"NOUN", "PROPN", "PRON"}
    ):
        token = token.head
    return token


def noun_phrase(head: Token) -> str:
    """Text of a noun phrase up to its head: determiners, adjectives and compounds, no clauses."""
    left = [t for t in head.lefts if t.dep_ in {"det", "amod", "compound", "poss", "nmod"}]
    start = min([t.left_edge.i for t in left], default=head.i)
    return head.doc[start : head.i + 1].text


def is_title(token: Token) -> bool:
    """'Const', 'Sgt.', 'Dr': a title written before a name (rules/names_titles.txt)."""
    return token.lower_.rstrip(".") in lexicon("names_titles")


def ends_sentence(token: Token) -> bool:
    """A sentence-final mark, not the dot of an abbreviated title or an initial the tokenizer split
    off ('said Const. Mary Lee', 'John F. Kennedy')."""
    if token.text not in SENTENCE_END:
        return False
    if token.text == "." and token.i > 0 and token.i + 1 < len(token.doc):
        before, after = token.doc[token.i - 1], token.doc[token.i + 1]
        abbreviation = is_title(before) or (len(before) == 1 and before.is_upper)
        if abbreviation and after.text[:1].isupper() and token.whitespace_ != "" and before.whitespace_ == "":
            return False
    return True
