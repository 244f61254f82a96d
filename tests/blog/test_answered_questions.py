"""Answered questions and questions waiting, as the pair's page and a person's page show them."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPostPageFactory, UserFactory
from blog.threads.questions import comment_answer
from blog.threads.services import comment_create

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(page, asker, body, key):
    return comment_create(page=page, user=asker, body=body, client_id=f"q-{key}", question=True).comment


def answer(page, question, host, body="Like this", key=""):
    reply = comment_create(
        page=page, user=host, body=body, client_id=f"a-{question.pk}{key}", parent_id=question.pk
    )
    comment_answer(page=page, user=host, question_id=question.pk, answer_id=reply.comment.pk)
    return reply.comment


def test_the_pair_page_lists_answered_questions_linked_to_their_answers(
    client, pair, make_post, staff, other_pair, blog_index
):
    post = make_post(title="On wikis")
    question = ask(post, staff, "Who may *edit* it?", "1")
    reply = answer(post, question, pair.second_member)
    ask(post, staff, "Still open?", "2")
    theirs = BlogPostPageFactory(parent=blog_index, pair=other_pair, title="Theirs")
    answer(theirs, ask(theirs, staff, "Their question", "3"), other_pair.first_member)

    page = client.get(f"/pairs/{pair.slug}/").content.decode()

    assert "1 question answered" in page
    assert f'href="{post.url}#comment-{reply.pk}">Who may edit it?</a>' in page
    assert "Still open?" not in page and "Their question" not in page
    assert 'href="/people/sam/"' in page and 'href="/people/ben/"' in page


def test_unmarking_the_answer_takes_it_off_the_pair_page(client, pair, make_post, staff):
    post = make_post()
    question = ask(post, staff, "Answered once", "1")
    answer(post, question, pair.first_member)
    assert "1 question answered" in client.get(f"/pairs/{pair.slug}/").content.decode()

    comment_answer(page=post, user=pair.first_member, question_id=question.pk, answer_id=None)

    page = client.get(f"/pairs/{pair.slug}/").content.decode()
    assert "question answered" not in page and "Answered once" not in page


def test_a_person_page_shows_the_answers_they_gave_on_pages_the_reader_may_see(
    pair, make_post, staff, django_capture_on_commit_callbacks
):
    public, secret = make_post(title="Open post"), make_post(title="Committee minutes")
    answer(public, ask(public, staff, "Asked in the open", "1"), pair.first_member)
    answer(secret, ask(secret, staff, "Asked in committee", "2"), pair.first_member)
    answer(public, ask(public, staff, "Ben answered this", "3"), pair.second_member)
    committee = Group.objects.create(name="Committee")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=secret, restriction_type="groups").groups.set([committee])
    insider = UserFactory(username="cara")
    insider.groups.add(committee)

    outside = signed_in(staff).get("/people/amira/").content.decode()
    assert "Asked in the open" in outside
    assert "Asked in committee" not in outside and "Committee minutes" not in outside
    assert secret.url not in outside
    assert "Ben answered this" not in outside
    inside = signed_in(insider).get("/people/amira/").content.decode()
    assert "Asked in committee" in inside and "Committee minutes" in inside
    assert "No answers marked yet." in signed_in(staff).get("/people/sam/").content.decode()


def test_questions_waiting_show_on_a_persons_own_page_only(pair, make_post, staff):
    post = make_post()
    ask(post, staff, "For Amira and Ben", "1")
    ask(post, staff, "Another one", "2")

    own = signed_in(pair.first_member).get("/people/amira/").content.decode()
    assert "2 questions waiting for you." in own and 'href="/questions/?asked=me"' in own
    for reader in (signed_in(staff), signed_in(pair.second_member), Client()):
        assert "waiting for you" not in reader.get("/people/amira/").content.decode()
    assert "waiting for you" not in signed_in(staff).get("/people/sam/").content.decode()


def test_answered_questions_cost_the_same_queries_for_two_and_twelve(
    pair, make_post, staff, settings, django_assert_num_queries
):
    settings.COMMENT_RATE_LIMIT = 1000
    post = make_post()
    viewer = signed_in(staff)
    host = signed_in(pair.first_member)

    def answered(count, start):
        for n in range(start, start + count):
            answer(post, ask(post, staff, f"Question {n}", n), pair.first_member, key=str(n))

    answered(2, 0)
    for client in (viewer, host):  # the first request after signing in also writes the session
        client.get("/people/amira/")
    counts = {}
    for name, client, path in (
        ("pair", viewer, f"/pairs/{pair.slug}/"),
        ("person", viewer, "/people/amira/"),
        ("own", host, "/people/amira/"),
    ):
        with CaptureQueriesContext(connection) as few:
            client.get(path)
        counts[name] = len(few.captured_queries)
    answered(10, 2)
    for name, client, path in (
        ("pair", viewer, f"/pairs/{pair.slug}/"),
        ("person", viewer, "/people/amira/"),
        ("own", host, "/people/amira/"),
    ):
        with django_assert_num_queries(counts[name]):
            assert "Question 11" in client.get(path).content.decode()
