"""The pairing board in the admin: who sees it, what it suggests and why, and accepting a pair."""

import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

from blog.factories import ProfileFactory, UserFactory
from blog.models import MentorPair
from blog.selectors import pairing_board
from blog.threads.models import Notification
from site.people import PAIR_MEMBERS

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cohort(db):
    """Two people who complement each other, one who only learns, and one already paired."""
    newcomer = ProfileFactory(
        user=UserFactory(username="nia", first_name="Nia", last_name="Obi"),
        can_teach=["Wikis", "Tagging"],
        wants_to_learn=["Credit risk"],
        joined_on=datetime.date(2025, 6, 1),
    )
    veteran = ProfileFactory(
        user=UserFactory(username="raj", first_name="Raj", last_name="Mehta"),
        can_teach=["Credit risk"],
        wants_to_learn=["wikis"],
        joined_on=datetime.date(2004, 1, 1),
    )
    learner = ProfileFactory(
        user=UserFactory(username="lou", first_name="Lou", last_name="Park"), wants_to_learn=["Tagging"]
    )
    return {"newcomer": newcomer.user, "veteran": veteran.user, "learner": learner.user}


def test_suggestions_explain_themselves_and_skip_people_with_a_pair(cohort, pair):
    ProfileFactory(user=pair.first_member, can_teach=["Credit risk"], wants_to_learn=["Wikis"])

    board = pairing_board(today=TODAY)

    names = [person.name for person, _ in board.people]
    assert "Amira Haddad" not in names  # she has an active pair
    (nia,) = [matches for person, matches in board.people if person.name == "Nia Obi"]
    assert nia[0].second.name == "Raj Mehta" or nia[0].first.name == "Raj Mehta"
    explanation = nia[0].explanation()
    assert "can teach Wikis" in explanation and "Credit risk" in explanation
    assert [(m.first.name, m.second.name) for m in board.cohort] == [("Nia Obi", "Raj Mehta")]


def test_former_partners_are_not_suggested_again(cohort):
    MentorPair.objects.create(
        name="Old pair",
        slug="old-pair",
        first_member=cohort["newcomer"],
        second_member=cohort["veteran"],
        first_member_brings="x",
        second_member_brings="y",
        goals="z",
        status=MentorPair.Status.COMPLETED,
    )
    board = pairing_board(today=TODAY)
    former = {cohort["newcomer"].pk, cohort["veteran"].pk}
    suggested = [match for _, matches in board.people for match in matches] + board.cohort
    assert suggested, "the learner is still suggested with someone"
    assert all({match.first.id, match.second.id} != former for match in suggested)


def test_only_editors_open_the_board(cohort, editor, pair, staff):
    assert signed_in(editor).get("/admin/pairing/").status_code == 200
    assert signed_in(pair.first_member).get("/admin/pairing/").status_code in {302, 403}
    assert signed_in(staff).get("/admin/pairing/").status_code in {302, 403}
    assert signed_in(pair.first_member).post(
        "/admin/pairing/accept/", {"first": cohort["newcomer"].pk, "second": cohort["veteran"].pk}
    ).status_code in {302, 403}
    assert not MentorPair.objects.filter(first_member=cohort["newcomer"]).exists()


def test_the_board_shows_the_explanation(cohort, editor):
    page = signed_in(editor).get("/admin/pairing/").content.decode()
    assert "Nia Obi can teach Wikis" in page or "Raj Mehta can teach Credit risk" in page
    assert "Lou Park" in page


def test_accepting_makes_one_pair_and_tells_both(cohort, editor, django_capture_on_commit_callbacks):
    client = signed_in(editor)
    ids = {"first": cohort["newcomer"].pk, "second": cohort["veteran"].pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/pairing/accept/", ids, follow=True)
    assert response.status_code == 200
    pair = MentorPair.objects.get(first_member=cohort["newcomer"], second_member=cohort["veteran"])
    assert "Wikis" in pair.first_member_brings and "Credit risk" in pair.second_member_brings
    assert "Raj Mehta wants to learn Wikis from Nia Obi" in pair.goals
    members = Group.objects.get(name=PAIR_MEMBERS)
    assert members in cohort["newcomer"].groups.all() and members in cohort["veteran"].groups.all()
    told = Notification.objects.filter(kind=Notification.Kind.NOTICE, url=pair.get_absolute_url())
    assert sorted(n.recipient_id for n in told) == sorted(ids.values())

    again = client.post("/admin/pairing/accept/", ids, follow=True)
    assert MentorPair.objects.filter(first_member=cohort["newcomer"]).count() == 1
    assert "cannot be paired now" in again.content.decode()
    assert signed_in(cohort["newcomer"]).get("/me/notifications/").content.decode().count("paired with") == 1
    assert "Nia Obi" in signed_in(editor).get("/pairs/").content.decode()


@pytest.mark.parametrize("first", ["", "x", "-1", "99999"])
def test_accept_takes_any_input(cohort, editor, first):
    response = signed_in(editor).post("/admin/pairing/accept/", {"first": first, "second": "1"}, follow=True)
    assert response.status_code == 200
    assert MentorPair.objects.count() == 0


def test_board_queries_do_not_grow_with_people(editor, django_assert_max_num_queries):
    def people(count, start):
        for n in range(start, start + count):
            topics = {"can_teach": [f"T{n % 4}"], "wants_to_learn": [f"T{(n + 1) % 4}"]}
            ProfileFactory(user=UserFactory(username=f"q{n}"), **topics)

    client = signed_in(editor)
    people(5, 0)
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/pairing/")
    people(20, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/pairing/")
