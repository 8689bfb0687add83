"""Attribution: who said each quote. Names become the article's canonical full names, pronouns
the best-ranked earlier person of the right gender, roles ("the spokesman") the person named in
that role, organisation nouns ("the ministry", "the company") the organisation named nearby.

Every function reads the article through its frozen ArticleContext and what earlier quotes have
shown (Evidence: who spoke where, which spans are reported speech), so each rule can be tried
on a hand-built Doc.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Token

from dashboard.nlp.names import clean_name, gender, is_plausible_name, person_name, surname
from dashboard.nlp.quotes.context import ArticleContext
from dashboard.nlp.quotes.marks import Covered
from dashboard.nlp.quotes.records import NO_SPEAKER, Candidate, Quote, Rule, Speaker
from dashboard.nlp.quotes.syntax import NOT_SPEAKERS, SUBJECTS, is_dateline, noun_phrase, object_of, role_noun

_MALE, _FEMALE = {"he", "him"}, {"she", "her"}
_PLURAL = {"they", "them"}
_APPOSITION_GAP = 6  # tokens between a name and the indefinite role that describes it
_INDEFINITE = {"a", "an", "another", "one", "some", "several", "many", "other"}
_AUTHORING_VERBS = {"file", "issue", "release", "write", "sign", "prepare", "publish", "conduct", "submit"}
_ORG_LOOKBACK = 1500  # tokens searched back for the organisation "the ministry" means (keeps it linear)
# Rank penalties of antecedents for a he/she (see pronoun_speaker): a name inside reported speech,
# the subject of a side clause, a name whose gender the name itself does not tell.
_REPORTED_PENALTY, _SIDE_CLAUSE_PENALTY, _UNKNOWN_GENDER_PENALTY = 3, 2.5, 1.5


@dataclass(frozen=True)
class Evidence:
    """What the quotes before the current one show: (char offset, speaker) of each attributed
    quote in document order, and the spans of all candidate quotes (reported speech)."""

    spoken: tuple[tuple[int, Speaker], ...]
    reported: Covered

    def after(self, said: tuple[int, Speaker]) -> Evidence:
        """The evidence once one more quote has been attributed."""
        return replace(self, spoken=(*self.spoken, said))


def resolve(ctx: ArticleContext, candidates: list[Candidate]) -> list[Quote]:
    """Turn candidates into Quotes in document order, resolving each speaker."""
    quotes: list[Quote] = []
    evidence = Evidence((), Covered([(c.start, c.end) for c in candidates]))  # deduped: disjoint
    for cand in sorted(candidates, key=lambda c: c.start):
        if cand.rule == Rule.FLOATING:
            speaker = previous_speaker(ctx, cand, evidence)
            para_start = ctx.paras[ctx.para_of(cand.start)][0]
            if speaker is NO_SPEAKER and ctx.text[para_start : cand.start - 1].strip():
                continue  # a quoted phrase mid-paragraph with nobody to continue: not a quotation
        else:
            speaker = speaker_of(ctx, cand.source, evidence)
            if cand.kind == "direct" and (
                cand.source is None or (cand.rule == Rule.ACCORDING_TO and ctx.lexicons.is_outlet(speaker.name))
            ):
                # '"...," told Reuters' (no subject), '"...," according to CTV News' after a
                # person's statement: the person the paragraph is about said it.
                speaker = paragraph_person(ctx, cand, evidence) or speaker
            elif cand.rule == Rule.ACCORDING_TO and ctx.lexicons.is_outlet(speaker.name):
                # 'Jane Smith said ... According to CTV News, ...': the outlet reports her words;
                # with nobody quoted before it in the paragraph, the outlet is the source.
                speaker = _last_quoted_person(ctx, cand, evidence, 0) or speaker
        speaker = _full_name(speaker, evidence)
        if speaker.name or speaker.role:
            # Where the speaker was named counts for pronouns, not where the quote starts.
            evidence = evidence.after((cand.source.idx if cand.source is not None else cand.start, speaker))
        quotes.append(
            Quote(
                speaker=speaker.name,
                speaker_role=speaker.role,
                speaker_kind=speaker.kind,
                quote=ctx.text[cand.start : cand.end],
                cue=cand.cue_text,
                kind=cand.kind,
                start_char=cand.start,
                end_char=cand.end,
                rule=cand.rule.value,
                resolved_by=speaker.resolved_by,
                pronoun=gendered_pronoun(cand.source, speaker),
            )
        )
    return quotes


def _full_name(speaker: Speaker, evidence: Evidence) -> Speaker:
    """'Pike said ...' after 'Tyrone Pike, the head of the union, said ...': the one person quoted
    before under a full name with that surname, also when the tagger named neither (entities do
    the same for the names it tagged)."""
    if speaker.resolved_by != "name" or not speaker.name or len(speaker.name.split()) != 1:
        return speaker
    fulls = {
        said.name
        for _, said in evidence.spoken
        if said.kind == "person" and said.name and len(said.name.split()) > 1 and surname(said.name) == speaker.name
    }
    if len(fulls) != 1:
        return speaker
    return replace(speaker, name=fulls.pop(), kind="person")


def gendered_pronoun(source: Token | None, speaker: Speaker) -> str | None:
    """The cue's he/she (him/her) when it is what resolved to a person speaker, lower case."""
    if source is None or speaker.resolved_by != "pronoun" or speaker.kind != "person":
        return None
    word = source.lower_
    return word if word in _MALE or word in _FEMALE else None


def previous_speaker(ctx: ArticleContext, cand: Candidate, evidence: Evidence) -> Speaker:
    """Who a quotation without a cue continues: the last speaker of this or the previous
    paragraph, unless a person introduced as a subject since then takes over ('Morton Klein,
    president of the group, blasted the remarks.' followed by a quotation)."""
    para = ctx.para_of(cand.start)
    spoken = evidence.spoken
    last = spoken[-1] if spoken and para - ctx.para_of(spoken[-1][0]) <= 1 else None
    since = last[0] if last else ctx.paras[max(0, para - 1)][0]
    # (Tried mid-paragraph too, 'Tom Ng disagreed. "..."': speaker sets fell on the develop publishers.)
    opens_paragraph = not ctx.text[ctx.paras[para][0] : cand.start - 1].strip()
    newcomer = opens_paragraph and next(
        (
            p
            for p in reversed(ctx.entities.people)
            if p.is_subject
            and since <= ctx.doc[p.token].idx < cand.start
            and para - ctx.para_of(ctx.doc[p.token].idx) <= 1
            and not ctx.in_marks.covers(ctx.doc[p.token].idx)
            and (last is None or p.name != last[1].name)
        ),
        None,
    )
    if newcomer:
        role = latest_role(ctx, newcomer.name, newcomer.token + 1)
        return Speaker(newcomer.name, role, "person", "previous")
    if last is not None:
        return replace(last[1], resolved_by="previous")
    return NO_SPEAKER


def _last_quoted_person(ctx: ArticleContext, cand: Candidate, evidence: Evidence, paragraphs: int) -> Speaker | None:
    """The last person quoted before this candidate in its paragraph or the `paragraphs` before it."""
    para = ctx.para_of(cand.start)
    for offset, speaker in reversed(evidence.spoken):
        if para - ctx.para_of(offset) > paragraphs:
            break
        if speaker.kind == "person" and speaker.name:
            return replace(speaker, resolved_by="previous")
    return None


def paragraph_person(ctx: ArticleContext, cand: Candidate, evidence: Evidence) -> Speaker | None:
    """The person a quotation's paragraph is about: the latest person named as a subject before
    it in the paragraph, else the last person quoted in this or the previous paragraph."""
    para = ctx.para_of(cand.start)
    start = ctx.paras[para][0]
    subject = next(
        (
            p
            for p in reversed(ctx.entities.people)
            if p.is_subject
            and start <= ctx.doc[p.token].idx < cand.start
            and not ctx.in_marks.covers(ctx.doc[p.token].idx)
        ),
        None,
    )
    if subject is not None:
        return Speaker(subject.name, latest_role(ctx, subject.name, subject.token + 1), "person", "previous")
    return _last_quoted_person(ctx, cand, evidence, 1)


def speaker_of(ctx: ArticleContext, head: Token | None, evidence: Evidence) -> Speaker:
    """The speaker a cue's source phrase names: a name, a pronoun, a document's author, a role."""
    if head is None:
        return NO_SPEAKER
    if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
        head = head.head.head  # "Peskov, who said ..." speaks through the relative pronoun
    # ('Beverly Bond' is a person even where the tagger missed her: her given name says so)
    person = (
        (ctx.entities.name_at(head.i) or ("", ""))[1] == "PERSON"
        or head.ent_type_ == "PERSON"
        or any(c.dep_ == "compound" and gender(f"{c.text} {head.text}") for c in head.lefts)
    )
    if head.lower_ in ctx.lexicons.market_names and head.pos_ in {"NOUN", "PROPN"} and not person:
        return NO_SPEAKER  # 'the index', 'said the Dow', 'the Canadian dollar': markets do not speak
    found = named_speaker(ctx, head)
    if found:
        return found
    if head.pos_ == "PRON":
        return pronoun_speaker(ctx, head, evidence)
    author = author_of(ctx, head)
    if author:
        return author
    # 'Rory Banks told ...' with 'Banks' read as a plural noun: a given name before it says it is a name.
    given = head.text[:1].isupper() and any(
        c.dep_ == "compound" and c.text[:1].isupper() and gender(f"{c.text} {head.text}") for c in head.lefts
    )
    if (
        (head.pos_ == "PROPN" or _untagged_name(ctx, head) or given)
        and head.ent_type_ not in NOT_SPEAKERS
        and not is_dateline(head)
    ):
        name = person_name(noun_phrase(head))
        name = name if is_plausible_name(name) else ""  # 'S and P said': no lone letter speaks
        # A full name the tagger missed ('said Ana Ruiz') is a person when its given name tells a
        # gender: then a later 'she said' can continue it.
        kind = "person" if name and len(name.split()) > 1 and gender(name) else None
        if name in ctx.acronyms:
            name, kind = ctx.acronyms[name], "organisation"
        return Speaker(name or None, None, kind, "name" if name else None)
    return nominal(ctx, head)


def _untagged_name(ctx: ArticleContext, head: Token) -> bool:
    """A capitalised singular noun inside a sentence with no determiner, that is no role or
    organisation noun: a surname the tagger read as a common noun ('"...," O’Donnell said')."""
    return (
        head.pos_ == "NOUN"
        and head.tag_ == "NN"
        and head.text[:1].isupper()
        and not head.is_sent_start
        and not any(c.dep_ == "det" for c in head.children)
        and head.lemma_.lower() not in ctx.lexicons.role_nouns
        and head.lemma_.lower() not in ctx.lexicons.org_nouns
    )


def named_speaker(ctx: ArticleContext, head: Token) -> Speaker | None:
    """A speaker phrase that contains a name: 'Kremlin spokesman Dmitry Peskov', 'the spokesman,
    Peskov'. A person wins over a place or organisation in the same phrase ('CLEVELAND (AP) -
    Former Attorney General Michael Mukasey')."""
    # 'GOP contender and former neurosurgeon Ben Carson': a coordinated name is the same speaker.
    # But a name modifying a common noun ('the Sanders campaign', 'Clinton aides', 'Trump fans')
    # names whom the speakers belong to, not who spoke.
    joined = (
        {"appos", "conj"} if head.pos_ == "NOUN" and not ctx.entities.name_at(head.i) else {"appos", "compound", "conj"}
    )
    candidates = [head] + [c for c in head.children if c.dep_ in joined]
    entries = [(token, ctx.entities.name_at(token.i)) for token in candidates]
    for token, entry in entries:
        if entry and entry[1] == "PERSON":
            role = _role_of(ctx, token, head) or latest_role(ctx, entry[0], head.i)
            return Speaker(entry[0], role, "person", "name")
    entry = entries[0][1]
    if entry and not is_dateline(head):
        # 'NTA said' after 'the Northern Transit Authority (NTA)': the full name, as for people
        return Speaker(ctx.acronyms.get(entry[0], entry[0]), None, "organisation", "name")
    return None


def author_of(ctx: ArticleContext, head: Token) -> Speaker | None:
    """'a tally by the Associated Press', 'a statement from Mr. Cruz', 'a court document filed by
    state attorney Dave Aronberg': the named author of a document. ('obtained by', 'reported by'
    name who has the document, not who wrote it.)"""
    if head.pos_ != "NOUN" or head.lemma_.lower() not in ctx.lexicons.document_nouns:
        return None
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in {"by", "from", "of"}:
            obj = object_of(child)
        elif child.dep_ == "acl" and child.lemma_.lower() in _AUTHORING_VERBS:
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            obj = object_of(agent) if agent is not None else None
        else:
            obj = None
        found = named_speaker(ctx, obj) if obj is not None else None
        if found:
            return found
    return None


def _role_of(ctx: ArticleContext, token: Token, head: Token) -> str | None:
    for start in range(token.i, max(-1, token.i - 6), -1):
        mention = ctx.people_by_token.get(start)
        if mention:
            return mention.role
    if token is not head:
        return clean_name(noun_phrase(head)) or None
    return None


def pronoun_speaker(ctx: ArticleContext, pronoun: Token, evidence: Evidence) -> Speaker:
    word = pronoun.lower_
    if word in _PLURAL or word == "it":
        # 'the company said ... it said': the last organisation quoted, or named as a subject,
        # in this or the previous paragraph; 'they' also continues an unnamed group.
        para = ctx.para_of(pronoun.idx)
        for offset, speaker in reversed(evidence.spoken):
            if para - ctx.para_of(offset) > 1:
                break
            if speaker.kind == "organisation":
                return replace(speaker, resolved_by="pronoun")
            if word in _PLURAL and speaker.name is None and speaker.role:
                # '"...," delegates said. "...," they said.': the same unnamed group speaks on.
                return replace(speaker, resolved_by="pronoun")
        for token in reversed(ctx.doc[max(0, pronoun.i - _ORG_LOOKBACK) : pronoun.i]):
            if para - ctx.para_of(token.idx) > 1:
                break
            entry = ctx.entities.name_at(token.i)
            if entry and entry[1] == "ORG" and token.dep_ in SUBJECTS and not ctx.in_marks.covers(token.idx):
                return Speaker(entry[0], None, "organisation", "pronoun")
        return NO_SPEAKER
    wanted = "m" if word in _MALE else "f" if word in _FEMALE else None
    if wanted is None:
        return NO_SPEAKER
    genders = ctx.genders

    def known(name: str) -> str | None:
        # a name the tagger missed ('said Ana Ruiz') still tells its gender
        return genders.get(name) or (gender(name) if name not in ctx.entities.genders else None)

    def agrees(name: str) -> bool:
        return (known(name) or wanted) == wanted

    # Candidates, best first: the most recent person quoted or named as a subject earlier in
    # this paragraph; a person quoted in the previous paragraph (a "he said" chain); a subject
    # of the previous paragraph; a person quoted in the last three paragraphs; anyone named
    # before. A known gender that agrees beats an unknown one of the same or the next rank.
    # Names inside quotations are what someone said, never antecedents; names inside reported
    # speech and subjects of side clauses fall back by the penalties above.
    para = ctx.para_of(pronoun.idx)
    best: tuple[float, int, str] | None = None

    def consider(rank: float, position: int, name: str | None) -> None:
        nonlocal best
        if not name or not agrees(name) or position >= pronoun.idx:
            return
        # Only a gender the name or an honorific tells counts as known: one read from nearby
        # pronouns may rule a name out, but is too weak to rank it up.
        told = name in ctx.entities.genders or name not in genders and gender(name) is not None
        key = (rank + (0.0 if told else _UNKNOWN_GENDER_PENALTY), -position, name)
        if best is None or key < best:
            best = key

    for offset, speaker in evidence.spoken:
        if speaker.kind != "person":
            continue
        distance = para - ctx.para_of(offset)
        rank = 0 if distance == 0 else 1 if distance == 1 else 3 if distance <= 3 else None
        if rank is not None:
            consider(rank, offset, speaker.name)
    for mention in ctx.entities.people:  # in document order
        if mention.token >= pronoun.i:
            break
        token = ctx.doc[mention.token]
        if ctx.in_marks.covers(token.idx):
            continue
        distance = para - ctx.para_of(token.idx)
        # A name inside reported speech ('Trump said Putin respects him') is what was said about
        # someone; the next 'he said' is far more often the speaker.
        penalty = _REPORTED_PENALTY if evidence.reported.covers(token.idx) else 0
        if mention.is_subject and mention.in_side_clause:
            penalty += _SIDE_CLAUSE_PENALTY
        if mention.is_subject and distance == 0:
            consider(penalty, token.idx, mention.name)
        elif mention.is_subject and distance == 1:
            consider(2 + penalty, token.idx, mention.name)
        else:
            consider(4 + penalty, token.idx, mention.name)
    if best is None:
        return NO_SPEAKER
    return Speaker(best[2], latest_role(ctx, best[2], pronoun.i), "person", "pronoun")


def latest_role(ctx: ArticleContext, name: str, before: int) -> str | None:
    roles = [p.role for p in ctx.entities.people if p.name == name and p.token < before and p.role]
    return roles[-1] if roles else None


def nominal(ctx: ArticleContext, head: Token) -> Speaker:
    """'the spokesman' -> the person named earlier as spokesman; 'the ministry' -> an organisation."""
    lemma = head.lemma_.lower()
    phrase = clean_name(noun_phrase(head))
    definite = any(c.lower_ in {"the", "this"} for c in head.children) and head.tag_ == "NN"
    # 'a Democratic senator', 'another official', 'the senators': someone else than anyone named.
    indefinite = head.tag_ == "NNS" or any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in head.children)
    if lemma in ctx.lexicons.role_nouns or definite:
        # 'the actress' after 'Oscar-winning actress Susan Sarandon': any role the article gave;
        # an indefinite role only as the description of the name just before it ('Laurence
        # Meyer, a former Fed governor who ..., said').
        for mention in reversed(ctx.entities.people):
            if indefinite and head.i - mention.token > _APPOSITION_GAP:
                break
            if mention.token < head.i and mention.role and role_noun(mention.role) in {lemma, head.lower_}:
                return Speaker(mention.name, mention.role, "person", "role")
    if lemma in ctx.lexicons.role_nouns:
        return Speaker(None, phrase or None, "person", None)
    if lemma in ctx.lexicons.org_nouns or phrase.lower() in ctx.lexicons.org_nouns:
        generic = lemma in ctx.lexicons.org_generic
        kinds = ctx.lexicons.org_kinds.get(lemma, frozenset())
        para = ctx.para_of(head.idx)
        nearest = None  # the latest organisation nearby, for a generic noun
        for token_i in range(head.i - 1, max(-1, head.i - _ORG_LOOKBACK), -1):
            entry = ctx.entities.name_at(token_i)
            if not entry or entry[1] not in {"ORG", "GPE"}:
                continue
            name = ctx.acronyms.get(entry[0], entry[0])
            if lemma in name.lower() or kinds & set(name.lower().split()):
                return Speaker(name, None, "organisation", "role")
            near = para - ctx.para_of(ctx.doc[token_i].idx) <= 2
            if generic and not indefinite and entry[1] == "ORG" and near:
                # 'Maple Foods bought a farm from Acme Corp ... the company said': the company
                # that was a subject, before the latest one merely named.
                if ctx.doc[token_i].dep_ in SUBJECTS:
                    return Speaker(name, None, "organisation", "role")
                nearest = nearest or name
            elif nearest and not near:
                break
        if nearest:
            return Speaker(nearest, None, "organisation", "role")
        if not generic and any(word[:1].isupper() for word in phrase.split()):
            return Speaker(phrase, None, "organisation", None)  # 'the Foreign Ministry', untagged
        # 'the company said', 'the board said' with none named nearby: an unnamed organisation,
        # kept as a role like 'the spokesman', not a speaker called 'company' or 'board'.
        return Speaker(None, phrase or None, "organisation", None)
    return Speaker(None, phrase or None, None, None)
