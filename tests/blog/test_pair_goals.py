"""A pair's goals (public, both ways) and check-ins (the pair's and editors' only)."""

import datetime

from django.test import Client
from django.utils import timezone

import pytest

from blog.models import MentorPair, PairCheckIn, PairGoal

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_member_states_goals_and_everyone_sees_them(pair, staff):
    amira = signed_in(pair.first_member)
    response = amira.post(f"/pairs/{pair.slug}/goals/", {"text": "how a credit memo is argued"})
    assert response.status_code == 302
    signed_in(pair.second_member).post(f"/pairs/{pair.slug}/goals/", {"text": "tagging our wiki pages"})
    assert [(g.learner.username, g.status) for g in PairGoal.objects.order_by("pk")] == [
        ("amira", "open"),
        ("ben", "open"),
    ]
    page = Client().get(f"/pairs/{pair.slug}/").content.decode()
    assert "how a credit memo is argued" in page and "tagging our wiki pages" in page
    assert "Open" in page and "Add my goal" not in page


def test_only_members_set_goals_and_the_pair_or_editors_move_them(pair, staff, editor):
    assert signed_in(staff).post(f"/pairs/{pair.slug}/goals/", {"text": "x"}, follow=True).status_code == 200
    assert not PairGoal.objects.exists()
    goal = PairGoal.objects.create(pair=pair, learner=pair.first_member, text="covenants")

    signed_in(staff).post(f"/pairs/{pair.slug}/goals/{goal.pk}/", {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == "open"
    signed_in(pair.second_member).post(f"/pairs/{pair.slug}/goals/{goal.pk}/", {"status": "in_progress"})
    signed_in(editor).post(f"/pairs/{pair.slug}/goals/{goal.pk}/", {"status": "achieved"})
    goal.refresh_from_db()
    assert goal.status == "achieved"


@pytest.mark.parametrize("status", ["done", "", "ACHIEVED"])
def test_a_goal_status_must_be_one_of_three(pair, status):
    goal = PairGoal.objects.create(pair=pair, learner=pair.first_member, text="covenants")
    response = signed_in(pair.first_member).post(f"/pairs/{pair.slug}/goals/{goal.pk}/", {"status": status})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "open"


def test_goal_text_is_required_and_bounded(pair):
    client = signed_in(pair.first_member)
    assert client.post(f"/pairs/{pair.slug}/goals/", {"text": ""}).status_code == 400
    assert client.post(f"/pairs/{pair.slug}/goals/", {"text": "x" * 201}).status_code == 400
    assert not PairGoal.objects.exists()


def test_check_ins_are_private_to_the_pair_and_editors(pair, staff, editor, other_pair):
    response = signed_in(pair.first_member).post(
        f"/pairs/{pair.slug}/check-ins/",
        {"date": timezone.localdate().isoformat(), "did": "Walked through a memo", "next": "Tag the wiki"},
    )
    assert response.status_code == 302
    assert PairCheckIn.objects.get().author == pair.first_member
    for reader in (pair.second_member, editor):
        assert "Walked through a memo" in signed_in(reader).get(f"/pairs/{pair.slug}/").content.decode()
    for outsider in (Client(), signed_in(staff), signed_in(other_pair.first_member)):
        page = outsider.get(f"/pairs/{pair.slug}/").content.decode()
        assert "Walked through a memo" not in page and "Save check-in" not in page
    refused = signed_in(staff).post(f"/pairs/{pair.slug}/check-ins/", {"date": "2026-01-01", "did": "sneak"})
    assert refused.status_code == 302 and PairCheckIn.objects.count() == 1


def test_a_check_in_is_about_a_day_that_has_come(pair):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = signed_in(pair.first_member).post(
        f"/pairs/{pair.slug}/check-ins/", {"date": tomorrow.isoformat(), "did": "Soon"}
    )
    assert response.status_code == 400
    assert "a day that has come" in response.content.decode()
    assert not PairCheckIn.objects.exists()


def test_a_completed_pair_shows_what_both_learned(client, pair):
    PairGoal.objects.create(pair=pair, learner=pair.first_member, text="covenants", status="achieved")
    PairGoal.objects.create(pair=pair, learner=pair.second_member, text="async writing", status="achieved")
    MentorPair.objects.filter(pk=pair.pk).update(status=MentorPair.Status.COMPLETED)
    page = client.get(f"/pairs/{pair.slug}/").content.decode()
    assert "What we both learned" in page
    assert "covenants" in page and "async writing" in page
