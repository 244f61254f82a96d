"""Pairing suggestions: how well two people would teach each other, and who to pair with whom.

How a pair is scored
--------------------
Everyone lists topics they can teach and topics they want to learn; topics
match whatever their capitalisation or spacing ("wikis" is "Wikis").

1. **One direction.** How much of what B wants to learn A can teach: the
   share of B's wanted topics that A teaches. If B wants 4 topics and A
   teaches 3 of them, A→B is 0.75. If B wants nothing, it is 0.
2. **Both directions.** mutual = 0.8 * sqrt(A→B * B→A) + 0.2 * (A→B + B→A) / 2.
   Most of the weight (0.8) only counts when *each* can teach the other, so a
   two-way pair beats a one-way pair whose two shares add up to the same. The small
   rest (0.2) lets one-way pairs still appear, low down, so editors see them.
   Two people who can teach each other nothing score 0. Swapping A and B never
   changes the score.
3. **Tenure bonus.** Mutual mentoring pairs the long-serving with the
   newcomers, so a gap in time at the company raises the score by up to 25%:
   score = mutual * (1 + 0.25 * min(gap in years, 10) / 10). A gap of 10 years
   or more gives the full 25%; an unknown join date gives no bonus. The bonus
   multiplies, so it never makes a pair that can teach each other nothing
   worth suggesting. A join date after today counts as joining today.

Suggestions for one person (`best_partners`) are the highest-scoring others
with a score above 0, leaving out current and previous partners. The cohort
pairing (`cohort_pairing`) pairs up a whole group so the *total* score of all
pairs is as high as possible (a maximum-weight matching), skipping pairs an
editor ruled out; people nobody can usefully pair with are left unpaired.
Equal scores are ordered by name, then by id, so the same input always gives
the same suggestions.

Nothing here touches the database: callers read profiles into `Candidate`
objects and turn `Match` objects into pages. `Match.explanation()` is plain
text; templates escape it like any other user-provided text.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import networkx

__all__ = [
    "Candidate",
    "Match",
    "best_partners",
    "cohort_pairing",
    "direction_share",
    "match",
    "mutual_score",
]

TWO_WAY_WEIGHT = 0.8
TENURE_BONUS_MAX = 0.25
TENURE_GAP_CAP_YEARS = 10.0
# Below this a gap in tenure is not worth a sentence in the explanation.
NOTABLE_TENURE_GAP_YEARS = 2.0
DAYS_PER_YEAR = 365.25


def topic_key(topic: str) -> str:
    """The form topics are compared in: case-folded, with runs of whitespace made one space."""
    return " ".join(topic.split()).casefold()


def _sorted_topics(topics: Iterable[str]) -> tuple[str, ...]:
    # The raw name breaks ties between spellings that fold alike, so the order is total.
    return tuple(sorted(topics, key=lambda topic: (topic_key(topic), topic)))


def _topic_index(topics: Iterable[str]) -> dict[str, str]:
    """Each distinct topic's key mapped to one of the names it was typed as (the same one every time)."""
    index: dict[str, str] = {}
    for topic in sorted(topics):
        key = topic_key(topic)
        if key:
            index.setdefault(key, topic)
    return index


@dataclass(frozen=True)
class Candidate:
    """What pairing knows of one person, read from their profile."""

    id: int
    name: str
    teaches: frozenset[str]
    wants: frozenset[str]
    joined_on: datetime.date | None

    # Cached because a cohort compares every person with every other; a
    # cached_property writes to the instance __dict__, which frozen allows.
    @cached_property
    def _teaches_index(self) -> dict[str, str]:
        return _topic_index(self.teaches)

    @cached_property
    def _wants_index(self) -> dict[str, str]:
        return _topic_index(self.wants)


@dataclass(frozen=True)
class Match:
    """A scored pair; `first_teaches_second` names topics as `first` typed them."""

    first: Candidate
    second: Candidate
    score: float
    first_teaches_second: tuple[str, ...]
    second_teaches_first: tuple[str, ...]
    tenure_gap_years: float

    def explanation(self) -> str:
        """Plain text (not HTML) saying who can teach whom what, and any notable tenure gap."""
        first, second = self.first.name, self.second.name
        sentence = (
            f"{_teaching_clause(first, second, self.first_teaches_second)}; "
            f"{_teaching_clause(second, first, self.second_teaches_first)}."
        )
        tenure = self._tenure_sentence()
        return f"{sentence} {tenure}" if tenure else sentence

    def _tenure_sentence(self) -> str:
        first_joined, second_joined = self.first.joined_on, self.second.joined_on
        if self.tenure_gap_years < NOTABLE_TENURE_GAP_YEARS or first_joined is None or second_joined is None:
            return ""
        earlier, later = (
            (self.first, self.second) if first_joined <= second_joined else (self.second, self.first)
        )
        years = math.floor(self.tenure_gap_years + 0.5)
        unit = "year" if years == 1 else "years"
        return f"{earlier.name} joined {years} {unit} before {later.name}."


def _teaching_clause(teacher: str, learner: str, topics: tuple[str, ...]) -> str:
    if not topics:
        return f"{teacher} cannot yet teach anything {learner} wants"
    return f"{teacher} can teach {_join_words(topics)}, which {learner} wants"


def _join_words(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _taught(teacher: Candidate, learner: Candidate) -> tuple[str, ...]:
    """Topics the learner wants that the teacher teaches, as the teacher named them."""
    teaches = teacher._teaches_index
    return _sorted_topics(teaches[key] for key in teaches.keys() & learner._wants_index.keys())


def direction_share(teacher: Candidate, learner: Candidate) -> float:
    """The share of what `learner` wants that `teacher` can teach: 0 to 1, and 0 if they want nothing."""
    wanted = learner._wants_index.keys()
    if not wanted:
        return 0.0
    return len(teacher._teaches_index.keys() & wanted) / len(wanted)


def _tenure_years(person: Candidate, today: datetime.date) -> float | None:
    if person.joined_on is None:
        return None
    return max((today - person.joined_on).days, 0) / DAYS_PER_YEAR


def tenure_gap_years(a: Candidate, b: Candidate, *, today: datetime.date) -> float:
    """Years between the two people's tenure; 0 if either join date is unknown."""
    tenure_a, tenure_b = _tenure_years(a, today), _tenure_years(b, today)
    if tenure_a is None or tenure_b is None:
        return 0.0
    return abs(tenure_a - tenure_b)


def _score(share_ab: float, share_ba: float, gap_years: float) -> float:
    mutual = (
        TWO_WAY_WEIGHT * math.sqrt(share_ab * share_ba) + (1 - TWO_WAY_WEIGHT) * (share_ab + share_ba) / 2
    )
    bonus = TENURE_BONUS_MAX * min(gap_years, TENURE_GAP_CAP_YEARS) / TENURE_GAP_CAP_YEARS
    return mutual * (1 + bonus)


def mutual_score(a: Candidate, b: Candidate, *, today: datetime.date) -> float:
    """The pair's score (module docstring): symmetric, 0 when neither can teach the other, unrounded."""
    return _score(direction_share(a, b), direction_share(b, a), tenure_gap_years(a, b, today=today))


def match(a: Candidate, b: Candidate, *, today: datetime.date) -> Match:
    """`a` and `b` scored and explained, with `a` as `first`."""
    return Match(
        first=a,
        second=b,
        score=mutual_score(a, b, today=today),
        first_teaches_second=_taught(a, b),
        second_teaches_first=_taught(b, a),
        tenure_gap_years=tenure_gap_years(a, b, today=today),
    )


def _person_order(person: Candidate) -> tuple[str, str, int]:
    return (person.name.casefold(), person.name, person.id)


def best_partners(
    person: Candidate,
    others: Iterable[Candidate],
    *,
    today: datetime.date,
    exclude: Collection[int] = (),
    limit: int = 3,
) -> list[Match]:
    """Up to `limit` matches with `person` as `first`, best first, each with a score above 0.

    Never `person` themself (by id) nor anyone whose id is in `exclude`; each
    id is considered once (the first time it appears). Equal scores are
    ordered by the partner's name, then id.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    skipped = {person.id, *exclude}
    matches = []
    for other in others:
        if other.id in skipped:
            continue
        skipped.add(other.id)
        candidate_match = match(person, other, today=today)
        if candidate_match.score > 0:
            matches.append(candidate_match)
    matches.sort(key=lambda m: (-m.score, *_person_order(m.second)))
    return matches[:limit]


def cohort_pairing(
    people: Sequence[Candidate],
    *,
    today: datetime.date,
    forbidden: Collection[frozenset[int]] = (),
) -> list[Match]:
    """Pairs of `people` whose total score is the highest possible, best pair first.

    Each person is in at most one pair; only pairs scoring above 0 and not in
    `forbidden` (sets of two ids) are used, so people with no such partner
    are left out. In each match `first` is whoever comes first in `people`.
    The matching is networkx's maximum-weight matching (blossom algorithm,
    O(n³)); with floating-point scores it is optimal up to rounding.
    """
    ids = [person.id for person in people]
    if len(set(ids)) != len(ids):
        raise ValueError("each person may appear in the cohort only once")
    ruled_out = {frozenset(pair) for pair in forbidden}
    position = {person.id: index for index, person in enumerate(people)}
    by_id = {person.id: person for person in people}

    graph = networkx.Graph()
    for index, first in enumerate(people):
        for second in people[index + 1 :]:
            if frozenset((first.id, second.id)) in ruled_out:
                continue
            score = mutual_score(first, second, today=today)
            if score > 0:
                graph.add_edge(first.id, second.id, weight=score)

    matches = []
    for u, v in networkx.max_weight_matching(graph, maxcardinality=False):
        first_id, second_id = sorted((u, v), key=position.__getitem__)
        matches.append(match(by_id[first_id], by_id[second_id], today=today))
    matches.sort(key=lambda m: (-m.score, *_person_order(m.first), *_person_order(m.second)))
    return matches
