"""The issue list's `q` (upstream's task search: `services/task-search.js`, validators.md §9.7). Pure:
a query and issues' fields in, matches and scores out.

- The query: at most 200 characters, trimmed, whitespace collapsed, lower-cased; terms are words or
  "quoted phrases"; in a query of several terms the filler words (a, an, the, and, of, to, for, in,
  on, with) are dropped unless quoted; at most 8 distinct terms.
- A term matches a field when the field contains it, case-insensitively; a term of one to three
  letters must start a word there (`ui` does not match "build").
- An issue matches when every term matches its title, identifier or description, or when the query
  is (a prefix of) its identifier (`pap-12`, `pap 12`, `pap12`). When nothing matches literally, a
  fuzzy title match is tried: every term of four or more letters is in the title or within one edit
  (words of 5 letters) or two (6 or more) of one of its words.
- Scores, as upstream's disjoint bands: identifier exact 8000, identifier prefix 7000, exact title
  6000, title phrase with every term 5000, every term in the title 4000, every term in the issue's
  fields 3000, fuzzy 1000; plus 10 per term that is a whole word of the title, 30 when the title
  starts with the query, 10 unless done or cancelled. (Upstream also searches comments and documents,
  band 2000: not here, see docs/compatibility.md.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
FILLER = frozenset({"a", "an", "the", "and", "of", "to", "for", "in", "on", "with"})
_TERMS = re.compile(r'"([^"]+)"|([^\s"]+)')
_SHORT_WORD = re.compile(r"^[^\W\d_]{1,3}$")
_FUZZY_TERM = re.compile(r"^[^\W\d_]{4,255}$")
_IDENTIFIER = (re.compile(r"^([a-z][a-z0-9]*)[- ](\d+)$", re.I), re.compile(r"^([a-z]+)(\d+)$", re.I))
_WORDS = re.compile(r"[^\w]+|_+")


@dataclass(frozen=True)
class Query:
    normalized: str
    terms: tuple[str, ...]
    quoted: bool  # any term was quoted (no fuzzy matching then)
    phrase: str
    identifier: str  # the query as an identifier (`pap 12` -> `pap-12`), else the normalized query


@dataclass(frozen=True)
class Candidate:
    identifier: str
    title: str
    description: str | None
    status: str


def parse(text: str) -> Query:
    normalized = re.sub(r"\s+", " ", text[:MAX_QUERY_LENGTH].strip()).lower()
    parsed = [(m.group(1) if m.group(1) is not None else m.group(2), m.group(1) is not None)
              for m in _TERMS.finditer(normalized)]
    meaningful = [t for t in parsed if t[1] or t[0] not in FILLER]
    unique: dict[str, bool] = {}
    for term, quoted in (meaningful or parsed):
        unique[term] = quoted or unique.get(term, False)
    terms = tuple(list(unique)[:MAX_TERMS])
    identifier = normalized
    for pattern in _IDENTIFIER:
        found = pattern.match(normalized)
        if found:
            identifier = f"{found.group(1)}-{found.group(2)}"
            break
    return Query(normalized, terms, any(unique[t] for t in terms), " ".join(terms), identifier)


def term_matches(field: str | None, term: str) -> bool:
    text = (field or "").lower()
    if term not in text:
        return False
    if _SHORT_WORD.match(term):
        return re.search(r"(^|[^\w]|_)" + re.escape(term), text) is not None
    return True


def _whole_word(title: str, term: str) -> bool:
    return re.search(r"(^|[^\w])" + re.escape(term) + r"($|[^\w])", title.lower()) is not None


def literal_score(q: Query, c: Candidate) -> int | None:
    """The issue's score when it matches literally, else None."""
    n = len(q.terms)
    if n == 0:
        return None
    ident = c.identifier.lower()
    title = c.title.lower()
    ident_exact = ident == q.identifier
    ident_starts = ident.startswith(q.identifier)
    title_cov = sum(term_matches(title, t) for t in q.terms)
    issue_cov = sum(term_matches(title, t) or term_matches(ident, t) or term_matches(c.description, t) for t in q.terms)
    if not (issue_cov == n or ident_exact or ident_starts):
        return None
    if ident_exact:
        band = 8000
    elif ident_starts:
        band = 7000
    elif title == q.phrase:
        band = 6000
    elif q.phrase in title and title_cov == n:
        band = 5000
    elif title_cov == n:
        band = 4000
    else:
        band = 3000
    return band + _bonus(q, c)


def fuzzy_allowed(q: Query) -> bool:
    return (not q.quoted and any(_FUZZY_TERM.match(t) for t in q.terms)
            and not re.match(r"^[a-z][a-z0-9]*[- ]?\d+$", q.normalized, re.I))


def fuzzy_score(q: Query, c: Candidate) -> int | None:
    """Upstream's fuzzy title match (only tried when nothing matched literally)."""
    if not fuzzy_allowed(q):
        return None
    title = c.title.lower()
    if sum(term_matches(title, t) for t in q.terms) == len(q.terms):
        return None  # a literal title match, not a fuzzy one
    words = [w for w in _WORDS.split(title) if 4 <= len(w) <= 255]
    for term in q.terms:
        if term_matches(title, term):
            continue
        if not _FUZZY_TERM.match(term):
            return None
        if not any(_near(term, w) for w in words):
            return None
    return 1000 + _bonus(q, c)


def _near(term: str, word: str) -> bool:
    shorter = min(len(term), len(word))
    edits = 2 if shorter >= 6 else 1 if shorter >= 5 else 0
    return abs(len(term) - len(word)) <= edits and levenshtein(term, word, edits) <= edits


def levenshtein(a: str, b: str, bound: int) -> int:
    """Edit distance, or bound + 1 as soon as it is certainly larger than `bound`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > bound:
            return bound + 1
        previous = current
    return previous[-1]


def _bonus(q: Query, c: Candidate) -> int:
    title = c.title.lower()
    return (10 * sum(_whole_word(title, t) for t in q.terms) + (30 if title.startswith(q.phrase) else 0)
            + (0 if c.status in ("done", "cancelled") else 10))


def rank(q: Query, candidates: list[Candidate]) -> list[tuple[int, int]]:
    """(index, score) of the matching candidates, best first; ties keep the candidates' order (the list
    order: priority, then most recent). Fuzzy matches only when nothing matched literally."""
    scored = [(i, s) for i, s in ((i, literal_score(q, c)) for i, c in enumerate(candidates)) if s is not None]
    if not scored:
        scored = [(i, s) for i, s in ((i, fuzzy_score(q, c)) for i, c in enumerate(candidates)) if s is not None]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))
