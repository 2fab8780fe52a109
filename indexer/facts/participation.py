"""Who took part in a decision: absent members, dissent, reservations and abstentions recorded in its lines.

Minutes state them as sentences of a few fixed forms, a label before the names (`Fraværende: …`, `Afbud: …`,
`Imod stemte: (Ø)`, `Undlod: F`, `Følgende deltog ikke i behandlingen af punktet: …`) or the names before a verb
(`… tog forbehold`, `… stemte imod`, `… kunne ikke tiltræde indstillingen`, `Et mindretal (…) stemmer imod`,
`… undlod at tage stilling`, `… deltog ikke i sagens behandling`). The names are members (two or more capitalised
words, with or without a party in parentheses), party letters (`Ø`, `(UP-N)`) or party names (`Socialistisk
Folkeparti`, `Venstres byrådsgruppe`); a committee as subject (`Udvalget undlod at tage stilling`) is the decision
itself, not a member's position. A sentence read in full leaves the decision's lines; one with more to say (a
reason, a scope: `… kunne ikke tiltræde indstillingens beslutningspunkt 5.`, `1.-2. V og A undlader.`) gives its
names and stays. Whatever does not fit these forms stays in the lines, unread; so do all votes of a section that
records a vote on another motion (an amendment, a member's competence), which cannot be told from the decision's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indexer.facts.decisions import split_decision

_NOT_NAMES = (
    r"Godkendt|Godkendes|Godkendte|Anbefales|Anbefalet|Anbefaler|Tiltrådt|Tiltrædes|Vedtaget|Vedtages|Taget|Drøftet|"
    r"Udsat|Afvist|Afvises|Orienteringen|Indstillingen|Sagen|Punktet|Beslutning|Ad|Pkt|Dog|Men|Og|Idet|Kan|Der|Det"
)
_WORD = rf"(?!(?:{_NOT_NAMES})\b)[A-ZÆØÅ][a-zæøåäöüéèáí]+(?:-[A-ZÆØÅa-zæøå][a-zæøåäöüéèáí]+)*"
_INITIAL = r"[A-ZÆØÅ]\."
_TAG = r"\([^()]{1,60}\)"
_PARTIES = (
    r"(?:[Dd]et\s+)?Konservative\s+Folkeparti|Konservative|(?:[Dd]et\s+)?Radikale\s+Venstre|Venstre|"
    r"Socialdemokratiet|Socialdemokraterne|Socialistisk\s+Folkeparti|Enhedslisten(?:\s+de\s+Rød-Grønne)?|"
    r"Dansk\s+Folkeparti|Liberal\s+Alliance|Alternativet|Nye\s+Borgerlige|Moderaterne|Danmarksdemokraterne|"
    r"Kristendemokraterne|Borgernes\s+Parti|Frie\s+Grønne|Slesvigsk\s+Parti"
)
_GROUP = r"(?:\s+(?:byrådsgruppe|byrådsgrupper|regionsrådsgruppe|regionsrådsgrupper|gruppe|grupper|medlemmer))"
_PARTY = rf"(?:{_PARTIES})s?{_GROUP}?(?![a-zæøå])"
_PERSON = (
    rf"(?:{_WORD}|{_INITIAL})(?:\s+(?:(?:von|van|de|af|la)\s+)?(?:{_WORD}|{_INITIAL})){{1,4}}(?:\s+{_TAG})?"
    rf"|{_WORD}\s+{_TAG}"
)
_LETTERS = r"\(?[A-ZÆØÅ]{1,3}(?:[- ][A-ZÆØÅ]{1,2})?\)?(?![A-Za-zæøåÆØÅ])"
_MEMBER = rf"(?:{_PARTY}|{_PERSON}|{_LETTERS})"
_SEPARATOR = r"(?:\s*,\s*(?:og\s+|samt\s+)?|\s+og\s+|\s+samt\s+|\s+&\s+|(?<=\))\s+(?=[A-ZÆØÅ(]))"
_WHO = rf"{_MEMBER}(?:{_SEPARATOR}{_MEMBER})*"
_SPLIT = re.compile(_SEPARATOR)
_BODY = re.compile(
    r"udvalg|byråd|rådet\b|magistrat|kommun|region(?!srådsgrupp)|styregruppe|forvaltning|administration|bestyrelse|"
    r"direktion|borgmester|formand|flertal|mindretal",
    re.I,
)

ABSENT, DISSENT, RESERVATION, ABSTAINED = "absent", "dissent", "reservation", "abstained"

_LABELS = [
    (
        ABSENT,
        r"(?:Fraværende|Fravær|Afbud(?:\s*/\s*fraværende)?|Forfald|Ikke\s+til\s+stede|Deltog\s+ikke)\s*:"
        r"|Afbud\s+fra|Følgende\s+deltog\s+ikke[^:]{0,60}:",
    ),
    (DISSENT, r"(?:Imod\s+stemte|Stemte\s+imod|Stemmer\s+imod)\s*:?|Imod\s*:"),
    (
        ABSTAINED,
        r"(?:Undlod\s+at\s+(?:stemme|tage\s+stilling)|Undlader\s+at\s+(?:stemme|tage\s+stilling))\s*:?"
        r"|(?:Undlod|Undlader|Blank|Stemte\s+blankt)\s*:",
    ),
    (RESERVATION, r"(?:Forbehold|Tog\s+forbehold|Taget\s+forbehold)\s*:"),
]
_OBJECT = r"(?:\s+(?:indstillingen|forslaget|beslutningen|sagen|administrationens\s+indstilling))?"
_VERBS = [
    (
        DISSENT,
        r"(?:stemte|stemmer|stemmede|har\s+stemt)\s+(?:imod|mod)(?:\s+(?:indstillingen|forslaget))?"
        rf"|(?:kan|kunne)\s+ikke\s+(?:anbefale|tiltræde|godkende|støtte|tilslutte\s+sig|følge){_OBJECT}",
    ),
    (RESERVATION, r"(?:tog|tager|har\s+taget)\s+(?:et\s+)?(?:\w+\s+)?forbehold|forbeholdt\s+sig|forbeholder\s+sig"),
    (
        ABSTAINED,
        r"(?:undlod|undlader)(?:\s+at\s+(?:stemme|tage\s+stilling(?:\s+til\s+(?:sagen|indstillingen))?))?"
        r"|stemte\s+(?:blankt|hverken\s+for\s+eller\s+imod)",
    ),
    (
        ABSENT,
        r"(?:deltog|deltager)\s+ikke(?:\s+i\s+(?:sagens|punktets|udvalgets|byrådets)?\s*(?:behandling(?:en)?|mødet)"
        r"(?:\s+af\s+(?:sagen|punktet))?)?"
        r"|var\s+(?:fraværende|ikke\s+til\s+stede|forhindret\s+i\s+at\s+deltage(?:\s+i\s+[^.]{0,50}behandling"
        r"(?:\s+af\s+(?:sagen|punktet))?)?)|(?:havde|har)\s+meldt\s+afbud|meldte\s+afbud|havde\s+afbud",
    ),
]
_MINORITY = (
    r"Et\s+mindretal(?:\s+i\s+(?:udvalget|byrådet|regionsrådet))?\s*"
    rf"(?:\((?P<minority>{_WHO})\)|,\s*(?P<minority2>{_WHO})\s*,|\s+bestående\s+af\s+(?P<minority3>{_WHO}))"
)
_REMARK = r"(?:\s*,)?\s+(?:da|idet|fordi|med|men|som|jf\.)\b.*"
_BY_LABEL = [
    (kind, re.compile(rf"^(?:{label})\s*(?P<who>{_WHO})(?P<tail>\s*[.!]?\s*|{_REMARK})$")) for kind, label in _LABELS
]
_BY_VERB = [
    (kind, re.compile(rf"^(?:{_MINORITY}|(?P<who>{_WHO}))\s+(?:{verb})(?![a-zæøå])(?P<tail>.*)$"))
    for kind, verb in _VERBS
]
_POINT = re.compile(r"^(?:Ad\s+)?\d+\s*(?:\.\s*[a-z]\b)?\s*[.):]?(?:\s*-\s*\d+\s*[.):]?)?\s+")
_OTHER_MOTION = re.compile(r"ændringsforslag|stemte om|afstemning om|\binhabil|\bhabil", re.I)
_BULLET = re.compile(r"^\s*(?:[•◦▪●■·–-]|o(?=\s))\s*")
_RUNS_ON = re.compile(r"(?:,|\bog|\bsamt|-)\s*$|^(?!\s*[•◦▪●■·–-]\s).{60,}[^.!?:)\s]\s*$")
_CONTINUED = re.compile(r"^\s*(?:og\b|samt\b|[a-zæøå])")
_ABSENT_LABEL = re.compile(rf"^(?:{_LABELS[0][1]})")
_ANY_LABEL = re.compile("|".join(rf"^(?:{label})" for _, label in _LABELS))
_EMPTY_TAIL = re.compile(r"^\s*[.!]?\s*$")
_ABBREVIATION = re.compile(r"\b(?:pkt|nr|jf|ca|kr|stk|vedr|fx|evt|mv|inkl|dvs|bl\.a|f\.eks)$|^[\d.\s-]*$", re.I)


@dataclass(frozen=True)
class Participation:
    """Who was absent, voted against, took a reservation or abstained in one decision; each as written."""

    absent: tuple[str, ...] = ()
    dissent: tuple[str, ...] = ()
    reservations: tuple[str, ...] = ()
    abstained: tuple[str, ...] = ()

    def with_absent(self, names: tuple[str, ...]) -> Participation:
        """This participation with more absent members, each once."""
        return replace(self, absent=tuple(dict.fromkeys(self.absent + names)))


@dataclass(frozen=True)
class Statement:
    """One sentence read as a position: its kind, the members it names, and whether the sentence said more."""

    kind: str
    who: tuple[str, ...]
    complete: bool


def read_statement(sentence: str) -> Statement | None:
    """The position one sentence records, or None when it is no such statement (or names no member). A sentence
    about some points only (`1.-2. V og A undlader.`) is read but not complete: its scope stays in the text."""
    text = sentence.strip()
    point = _POINT.match(text)
    text = text[point.end() :] if point else text
    for kind, pattern in _BY_LABEL + _BY_VERB:
        match = pattern.match(text)
        if not match:
            continue
        who = next(g for g in (match.groupdict().get(k) for k in ("who", "minority", "minority2", "minority3")) if g)
        members = _members(who)
        if not members or any(_BODY.search(member) for member in members):
            continue
        return Statement(kind, members, not point and bool(_EMPTY_TAIL.match(match["tail"])))
    return None


def read_decision(section_text: str) -> tuple[Participation, list[str]]:
    """A Beslutning section's participation and its decisions (`split_decision`'s items, the statements read in
    full gone). A source line that is a statement in full (a paragraph or list entry of its own) is read before
    the lines are grouped, so no decision absorbs it; one continued on the next line is read after grouping."""
    found: dict[str, list[str]] = {ABSENT: [], DISSENT: [], RESERVATION: [], ABSTAINED: []}
    votes = not _OTHER_MOTION.search(section_text)
    raw = section_text.split("\n")
    rest, previous = [], ""
    for index, line in enumerate(raw):
        following = next((text for text in raw[index + 1 :] if text.strip()), "")
        text = _BULLET.sub("", line)
        statements = [_read(sentence, votes) for sentence in sentences(text)]
        fresh = bool(line.strip()) and (not _RUNS_ON.search(previous) or bool(_ANY_LABEL.match(text)))
        for statement in statements if fresh else []:
            _add(found, statement)
        if not (fresh and all(s and s.complete for s in statements) and not _CONTINUED.match(following)):
            rest.append(line)
        previous = line if line.strip() else previous
    kept = []
    for item in split_decision("\n".join(rest)):
        scoped, unread = bool(_POINT.match(item)), []
        for sentence in sentences(item):
            statement = _read(sentence, votes)
            _add(found, statement)
            if statement is None or not statement.complete or scoped:
                unread.append(sentence)
        if unread:
            kept.append(" ".join(unread))
    participation = Participation(*(tuple(found[kind]) for kind in (ABSENT, DISSENT, RESERVATION, ABSTAINED)))
    return participation, kept


def item_absent(texts: list[str]) -> tuple[str, ...]:
    """The members an item's own text outside its decisions names as absent: whole lines of a label form only
    (`Fraværende: …`, `Afbud: …`), never a sentence that merely mentions an absence."""
    names: list[str] = []
    for text in texts:
        text = _BULLET.sub("", text).strip()
        statement = read_statement(text) if _ABSENT_LABEL.match(text) else None
        if statement is not None and statement.kind == ABSENT and statement.complete:
            names += [name for name in statement.who if name not in names]
    return tuple(names)


def _read(sentence: str, votes: bool) -> Statement | None:
    """`read_statement`, without votes (dissent, abstentions) when the section records a vote on another motion."""
    statement = read_statement(sentence)
    if statement is None or (not votes and statement.kind in (DISSENT, ABSTAINED)):
        return None
    return statement


def _add(found: dict[str, list[str]], statement: Statement | None) -> None:
    """Record a statement's members under its kind, each once."""
    if statement is not None:
        found[statement.kind] += [m for m in statement.who if m not in found[statement.kind]]


def sentences(line: str) -> list[str]:
    """A line split after `.`, `!` or `?` before a capital, but not after an abbreviation, a number or a middle
    initial (`John T. Olsen`)."""
    out, start = [], 0
    for match in re.finditer(r"[.!?][”\"']?\s+(?=[A-ZÆØÅ(“\"])", line):
        before = line[start : match.start()]
        initial = re.search(r"\b[A-ZÆØÅ][a-zæøå]+\s+[A-ZÆØÅ]$", before)
        if initial or _ABBREVIATION.search(before):
            continue
        out.append(line[start : match.end()].strip())
        start = match.end()
    out.append(line[start:].strip())
    return [s for s in out if s]


def _members(who: str) -> tuple[str, ...]:
    """The members a list names, one each, a party name in its basic form (`Venstres byrådsgruppe` → `Venstre`)."""
    who = who.strip()
    inside = re.sub(r"\([^()]*\)", lambda m: "(" + "\0" * (len(m[0]) - 2) + ")", who)  # no cut in parentheses
    starts = [0] + [m.end() for m in _SPLIT.finditer(inside)]
    ends = [m.start() for m in _SPLIT.finditer(inside)] + [len(who)]
    out = []
    for start, end in zip(starts, ends, strict=True):
        part = re.sub(r"\s+", " ", who[start:end].strip().rstrip(".,"))
        party = re.fullmatch(rf"(?P<name>{_PARTIES})s?{_GROUP}?", part)
        if party:
            part = party["name"]
        if part:
            out.append(part)
    return tuple(out)
