"""Pairing scores and matchings (blog.pairing): pure Python, no database."""

import datetime
import math
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.pairing import (
    Candidate,
    Match,
    best_partners,
    cohort_pairing,
    direction_share,
    match,
    mutual_score,
)

TODAY = datetime.date(2025, 6, 1)
VOCABULARY = ("Wikis", "Tagging", "Credit risk", "Excel", "Compliance", "Underwriting")
NAMES = ("Amira", "Ben", "Chloé", "Dev", "Eun-ji", "Femi")


def person(
    id: int,
    name: str,
    *,
    teaches: Sequence[str] = (),
    wants: Sequence[str] = (),
    joined_on: datetime.date | None = None,
) -> Candidate:
    return Candidate(
        id=id, name=name, teaches=frozenset(teaches), wants=frozenset(wants), joined_on=joined_on
    )


# Topics as people type them: the same topic in several capitalisations.
topics = st.frozensets(
    st.sampled_from(VOCABULARY).flatmap(lambda t: st.sampled_from((t, t.lower(), t.upper()))),
    max_size=4,
)
join_dates = st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2026, 12, 31))


def candidates(id: int) -> st.SearchStrategy[Candidate]:
    return st.builds(
        Candidate,
        id=st.just(id),
        name=st.sampled_from(NAMES),
        teaches=topics,
        wants=topics,
        joined_on=join_dates,
    )


@st.composite
def cohorts(draw: st.DrawFn, max_size: int = 7) -> tuple[list[Candidate], set[frozenset[int]]]:
    size = draw(st.integers(0, max_size))
    people = [draw(candidates(id)) for id in range(1, size + 1)]
    pairs = [frozenset((a.id, b.id)) for i, a in enumerate(people) for b in people[i + 1 :]]
    forbidden = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    return people, forbidden


def best_total(ids: Sequence[int], weight: Mapping[frozenset[int], float]) -> float:
    """The highest total weight of any matching, by trying them all."""
    if not ids:
        return 0.0
    head, rest = ids[0], ids[1:]
    best = best_total(rest, weight)  # `head` left unpaired
    for other in rest:
        if (w := weight.get(frozenset((head, other)))) is not None:
            best = max(best, w + best_total([i for i in rest if i != other], weight))
    return best


# Scores


@settings(max_examples=150)
@given(candidates(1), candidates(2))
def test_mutual_score_is_symmetric_and_bounded(a: Candidate, b: Candidate) -> None:
    assert mutual_score(a, b, today=TODAY) == mutual_score(b, a, today=TODAY)
    assert 0 <= mutual_score(a, b, today=TODAY) <= 1.25
    forward, backward = match(a, b, today=TODAY), match(b, a, today=TODAY)
    assert forward.first_teaches_second == backward.second_teaches_first
    assert forward.tenure_gap_years == backward.tenure_gap_years


def test_direction_is_the_share_of_what_the_learner_wants() -> None:
    amira = person(1, "Amira", teaches=["Wikis", "Tagging", "Excel"])
    ben = person(2, "Ben", wants=["Wikis", "Tagging", "Credit risk", "Compliance"])
    assert direction_share(amira, ben) == 0.5
    assert direction_share(ben, amira) == 0.0  # Amira wants nothing


def test_zero_when_neither_can_teach_the_other() -> None:
    amira = person(1, "Amira", teaches=["Wikis"], wants=["Excel"], joined_on=datetime.date(2024, 1, 1))
    ben = person(2, "Ben", teaches=["Credit risk"], wants=["Tagging"], joined_on=datetime.date(1990, 1, 1))
    assert mutual_score(amira, ben, today=TODAY) == 0


@settings(max_examples=100)
@given(st.data())
def test_two_way_scores_above_one_way_of_the_same_size(data: st.DataObject) -> None:
    wanted = data.draw(st.integers(2, 6), label="topics each wants")
    first_way = data.draw(st.integers(1, wanted - 1), label="taught one way")
    other_way = data.draw(st.integers(1, wanted - first_way), label="taught the other way")
    ben_wants = [f"B{i}" for i in range(wanted)]
    amira_wants = [f"A{i}" for i in range(wanted)]

    amira = person(1, "Amira", teaches=ben_wants[:first_way], wants=amira_wants)
    ben = person(2, "Ben", teaches=amira_wants[:other_way], wants=ben_wants)
    two_way = mutual_score(amira, ben, today=TODAY)

    amira_teaches_all = person(1, "Amira", teaches=ben_wants[: first_way + other_way], wants=amira_wants)
    ben_teaches_nothing = person(2, "Ben", wants=ben_wants)
    one_way = mutual_score(amira_teaches_all, ben_teaches_nothing, today=TODAY)

    assert two_way > one_way > 0


def test_tenure_bonus_raises_a_positive_score_up_to_a_quarter() -> None:
    def pair(amira_joined: datetime.date | None, ben_joined: datetime.date | None) -> float:
        amira = person(1, "Amira", teaches=["Wikis"], wants=["Credit risk"], joined_on=amira_joined)
        ben = person(2, "Ben", teaches=["Credit risk"], wants=["Wikis"], joined_on=ben_joined)
        return mutual_score(amira, ben, today=TODAY)

    unknown = pair(datetime.date(2023, 1, 1), None)
    same_day = pair(datetime.date(2023, 1, 1), datetime.date(2023, 1, 1))
    five_years = pair(datetime.date(2023, 1, 1), datetime.date(2018, 1, 1))
    twenty_years = pair(datetime.date(2023, 1, 1), datetime.date(2003, 1, 1))

    assert unknown == same_day == 1.0
    assert 1.0 < five_years < twenty_years
    assert twenty_years == 1.25  # the gap counts up to 10 years


def test_tenure_bonus_leaves_zero_at_zero() -> None:
    amira = person(1, "Amira", teaches=["Wikis"], joined_on=datetime.date(2024, 1, 1))
    ben = person(2, "Ben", wants=["Excel"], joined_on=datetime.date(1995, 1, 1))
    assert match(amira, ben, today=TODAY).tenure_gap_years > 10
    assert mutual_score(amira, ben, today=TODAY) == 0


def test_a_join_date_after_today_counts_as_today() -> None:
    starts_soon = person(1, "Amira", joined_on=datetime.date(2026, 1, 1))
    started_today = person(2, "Ben", joined_on=TODAY)
    assert match(starts_soon, started_today, today=TODAY).tenure_gap_years == 0


def test_topics_compare_case_insensitively_and_keep_the_teachers_spelling() -> None:
    amira = person(1, "Amira", teaches=["wikis", "TAGGING"], wants=["Credit  Risk"])
    ben = person(2, "Ben", teaches=["credit risk"], wants=["Wikis", "tagging"])
    found = match(amira, ben, today=TODAY)
    assert found.score == 1.0
    assert found.first_teaches_second == ("TAGGING", "wikis")
    assert found.second_teaches_first == ("credit risk",)


# Explanations


def test_explanation_of_a_two_way_match_with_a_tenure_gap() -> None:
    amira = person(
        1, "Amira", teaches=["Wikis", "Tagging"], wants=["Credit risk"], joined_on=datetime.date(2020, 3, 1)
    )
    ben = person(
        2, "Ben", teaches=["Credit risk"], wants=["wikis", "tagging"], joined_on=datetime.date(2002, 2, 1)
    )
    assert match(amira, ben, today=TODAY).explanation() == (
        "Amira can teach Tagging and Wikis, which Ben wants; Ben can teach Credit risk, which Amira wants. "
        "Ben joined 18 years before Amira."
    )


def test_explanation_of_a_one_way_match() -> None:
    amira = person(1, "Amira", teaches=["Wikis", "Tagging", "Excel"], joined_on=datetime.date(2024, 1, 1))
    ben = person(2, "Ben", wants=["Wikis", "Tagging", "Excel"], joined_on=datetime.date(2023, 6, 1))
    assert match(amira, ben, today=TODAY).explanation() == (
        "Amira can teach Excel, Tagging and Wikis, which Ben wants; "
        "Ben cannot yet teach anything Amira wants."
    )
    assert match(ben, amira, today=TODAY).explanation() == (
        "Ben cannot yet teach anything Amira wants; "
        "Amira can teach Excel, Tagging and Wikis, which Ben wants."
    )


# Suggestions for one person


def test_best_partners_leaves_out_self_and_excluded_and_respects_limit() -> None:
    # Amira wants what she teaches, so she would be her own best partner if allowed.
    amira = person(1, "Amira", teaches=["Wikis", "Credit risk"], wants=["Wikis", "Credit risk"])
    others = [
        amira,
        person(2, "Ben", teaches=["Wikis", "Credit risk"], wants=["Wikis"]),  # previous partner
        person(3, "Chloé", teaches=["Wikis"], wants=["Credit risk"]),
        person(4, "Dev", teaches=["Credit risk"], wants=["Excel"]),
        person(5, "Eun-ji", teaches=["Excel"], wants=["Underwriting"]),  # nothing either way
        person(6, "Femi", teaches=["Wikis"], wants=["Tagging"]),
    ]

    suggested = best_partners(amira, others, today=TODAY, exclude={2}, limit=10)
    assert [m.second.name for m in suggested] == ["Chloé", "Dev", "Femi"]
    assert all(m.first == amira and m.score > 0 for m in suggested)
    # Dev and Femi each teach half of what Amira wants and want nothing she teaches: a tie, by name.
    assert suggested[1].score == suggested[2].score

    assert [m.second.name for m in best_partners(amira, others, today=TODAY, exclude={2})] == [
        "Chloé",
        "Dev",
        "Femi",
    ]
    assert [m.second.name for m in best_partners(amira, others, today=TODAY, limit=1)] == ["Ben"]
    assert best_partners(amira, others, today=TODAY, limit=0) == []


def test_best_partners_breaks_ties_by_name_then_id() -> None:
    amira = person(1, "Amira", wants=["Wikis"])
    twins = [
        person(id, name, teaches=["Wikis"]) for id, name in [(9, "Ben"), (4, "Ben"), (7, "ben"), (2, "Chloé")]
    ]
    suggested = best_partners(amira, twins, today=TODAY, limit=4)
    assert [(m.second.name, m.second.id) for m in suggested] == [
        ("Ben", 4),
        ("Ben", 9),
        ("ben", 7),
        ("Chloé", 2),
    ]


def test_best_partners_refuses_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        best_partners(person(1, "Amira"), [], today=TODAY, limit=-1)


# Cohort pairing


def check_pairing(people: list[Candidate], forbidden: set[frozenset[int]], pairing: list[Match]) -> None:
    used = [p.id for m in pairing for p in (m.first, m.second)]
    assert len(used) == len(set(used)), "someone is in two pairs"
    assert not {frozenset((m.first.id, m.second.id)) for m in pairing} & forbidden
    assert all(m.score > 0 for m in pairing)
    assert [m.score for m in pairing] == sorted((m.score for m in pairing), reverse=True)
    assert all(m == match(m.first, m.second, today=TODAY) for m in pairing)


@settings(max_examples=120, deadline=None)
@given(cohorts())
def test_cohort_pairing_is_a_brute_force_optimum(cohort: tuple[list[Candidate], set[frozenset[int]]]) -> None:
    people, forbidden = cohort
    pairing = cohort_pairing(people, today=TODAY, forbidden=forbidden)
    check_pairing(people, forbidden, pairing)

    weight = {
        frozenset((a.id, b.id)): score
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if frozenset((a.id, b.id)) not in forbidden and (score := mutual_score(a, b, today=TODAY)) > 0
    }
    optimum = best_total([p.id for p in people], weight)
    assert math.isclose(sum(m.score for m in pairing), optimum, rel_tol=0, abs_tol=1e-9)


def test_cohort_pairing_prefers_the_best_total_over_the_best_single_pair() -> None:
    # Amira–Ben is the best single pair, but taking it strands Chloé and Dev;
    # Amira–Chloé with Ben–Dev scores more in total.
    amira = person(1, "Amira", teaches=["Wikis", "Excel"], wants=["Credit risk", "Compliance"])
    ben = person(2, "Ben", teaches=["Credit risk", "Compliance"], wants=["Wikis", "Tagging"])
    chloe = person(3, "Chloé", teaches=["Credit risk"], wants=["Excel"])
    dev = person(4, "Dev", teaches=["Tagging"], wants=["Compliance"])
    eunji = person(5, "Eun-ji", teaches=["Underwriting"], wants=["Underwriting"])  # nobody for her

    pairing = cohort_pairing([amira, ben, chloe, dev, eunji], today=TODAY)
    assert {(m.first.name, m.second.name) for m in pairing} == {("Amira", "Chloé"), ("Ben", "Dev")}
    assert sum(m.score for m in pairing) > mutual_score(amira, ben, today=TODAY)


def test_cohort_pairing_never_uses_a_forbidden_pair() -> None:
    amira = person(1, "Amira", teaches=["Wikis"], wants=["Credit risk"])
    ben = person(2, "Ben", teaches=["Credit risk"], wants=["Wikis"])
    chloe = person(3, "Chloé", teaches=["Credit risk"], wants=["Excel"])

    assert [(m.first.name, m.second.name) for m in cohort_pairing([amira, ben, chloe], today=TODAY)] == [
        ("Amira", "Ben")
    ]
    pairing = cohort_pairing([amira, ben, chloe], today=TODAY, forbidden=[frozenset({1, 2})])
    assert [(m.first.name, m.second.name) for m in pairing] == [("Amira", "Chloé")]
    assert cohort_pairing([amira, ben, chloe], today=TODAY, forbidden=[{1, 2}, {1, 3}]) == []


def test_cohort_pairing_refuses_a_person_listed_twice() -> None:
    amira = person(1, "Amira", teaches=["Wikis"], wants=["Credit risk"])
    with pytest.raises(ValueError, match="only once"):
        cohort_pairing([amira, amira], today=TODAY)
