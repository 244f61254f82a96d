"""Where topic requests show: the admin form of posts, the listing, topic and person pages, the thread."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from blog.factories import UserFactory
from blog.models import BlogPostPage, Notification
from learning.request_services import request_claim, request_vote
from tests.learning.test_requests import TITLE, fresh, notices, signed_in

pytestmark = pytest.mark.django_db


# --- Answered from the post's admin form ------------------------------------------------------


def post_form(*, pair, request_id, action=None) -> dict:
    data = nested_form_data(
        {
            "title": "Client notes in the wiki, safely",
            "slug": "client-notes-safely",
            "pair": pair.pk,
            "date": "2026-03-02",
            "intro": "What goes on the wiki and what stays private.",
            "tags": "Wikis",
            "body": streamfield([("paragraph", rich_text("<p>The how, never the who.</p>"))]),
            "comments": inline_formset([]),
            "answers_request": request_id,
        }
    )
    if action:
        data[action] = action
    return data


def test_choosing_the_request_in_a_draft_post_answers_it_when_the_post_is_published(
    make_request, pair, editor, blog_index, staff, django_capture_on_commit_callbacks
):
    asked = make_request()
    request_claim(user=pair.first_member, request=asked, pair=pair)
    add = reverse("wagtailadmin_pages:add", args=["blog", "blogpostpage", blog_index.pk])
    member = signed_in(pair.first_member)
    form = member.get(add).content.decode()
    assert 'name="answers_request"' in form and TITLE in form

    response = member.post(add, post_form(pair=pair, request_id=asked.pk))
    assert response.status_code == 302
    draft = BlogPostPage.objects.get(slug="client-notes-safely")
    waiting = fresh(asked)
    assert waiting.status == "claimed" and waiting.answer_id == draft.pk
    assert notices(staff) == [f"Amira & Ben will write about “{TITLE}”"]

    edit = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(editor).post(
            edit, post_form(pair=pair, request_id=asked.pk, action="action-publish")
        )
    assert response.status_code == 302
    assert fresh(asked).status == "answered"
    assert notices(staff)[0] == f"Your request “{TITLE}” is answered"
    assert signed_in(editor).get(edit).context["form"]["answers_request"].initial == fresh(asked)


def test_a_member_cannot_choose_a_request_another_pair_claimed(make_request, pair, other_pair, blog_index):
    asked = make_request()
    request_claim(user=other_pair.first_member, request=asked, pair=other_pair)
    add = reverse("wagtailadmin_pages:add", args=["blog", "blogpostpage", blog_index.pk])

    response = signed_in(pair.first_member).post(add, post_form(pair=pair, request_id=asked.pk))

    assert response.status_code == 200  # the form again, with the error
    assert "answers_request" in response.context["form"].errors
    assert fresh(asked).answer_id is None


# --- The listing, a topic's page, a person's page --------------------------------------------


def test_the_listing_sorts_by_votes_newest_and_status_and_filters_by_topic(make_request, pair, editor):
    few = make_request("Few votes on wikis please", topics=["Wikis"])
    many = make_request("Many votes on risk please", topics=["Risk"])
    newest = make_request("Newest of all, on risk", topics=["Risk"])
    for n in range(3):
        request_vote(user=UserFactory(), request=many, vote=n < 3)
    request_vote(user=UserFactory(), request=few, vote=True)
    request_claim(user=pair.first_member, request=newest, pair=pair)
    client = Client()

    def titles(query):
        response = client.get(f"/requests/{query}")
        assert response.status_code == 200, query
        return [r.title for r in response.context["listing"].requests]

    assert titles("") == titles("?sort=votes") == [many.title, few.title, newest.title]
    assert titles("?sort=newest") == [newest.title, many.title, few.title]
    assert titles("?sort=status") == [many.title, few.title, newest.title]
    assert titles("?topic=risk") == [many.title, newest.title]
    assert titles("?status=claimed") == [newest.title]
    assert titles("?topic=RISK&sort=newest&page=1") == [newest.title, many.title]


@pytest.mark.parametrize(
    "query",
    ["?sort=<script>", "?status=closed", "?topic=nothing-by-this-name", "?topic=%00", "?sort=votes&sort=x"],
)
def test_garbage_listing_parameters_are_a_400_with_a_clear_error(make_request, query):
    make_request()
    response = Client().get(f"/requests/{query}")
    assert response.status_code == 400
    assert response.context["listing"].error in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.parametrize("page", ["0", "999", "x", "１"])
def test_odd_page_numbers_show_a_page_not_an_error(make_request, page):
    make_request()
    assert Client().get(f"/requests/?page={page}").status_code == 200


def _requests_with_votes(make_request, pair, count, start):
    for n in range(start, start + count):
        asked = make_request(f"Request number {n} about wikis", topics=[f"Topic {n}", "Wikis"])
        request_vote(user=UserFactory(), request=asked, vote=True)
        if n % 3 == 1:
            request_claim(user=pair.first_member, request=asked, pair=pair)


@pytest.mark.parametrize("url", ["/requests/", "/requests/?sort=status&topic=wikis", "/topics/wikis/"])
def test_listing_queries_do_not_grow_with_requests(make_request, pair, staff, url, django_assert_num_queries):
    client = signed_in(staff)
    _requests_with_votes(make_request, pair, 2, 0)
    client.get(url)  # the session is written, and caches filled, on the first request
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    expected = len(small.captured_queries)  # read now: the next request empties the log
    _requests_with_votes(make_request, pair, 25, 2)
    client.get(url)  # the cache the asking cleared is filled again
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_person_page_queries_do_not_grow_with_requests(
    make_request, pair, staff, django_assert_num_queries
):
    client = signed_in(staff)
    _requests_with_votes(make_request, pair, 2, 0)
    client.get("/people/sam/")
    with CaptureQueriesContext(connection) as small:
        client.get("/people/sam/")
    expected = len(small.captured_queries)
    _requests_with_votes(make_request, pair, 12, 2)
    client.get("/people/sam/")
    with django_assert_num_queries(expected):
        assert client.get("/people/sam/").status_code == 200


def test_a_topic_page_shows_its_open_requests_and_a_person_page_theirs(make_request, pair, staff):
    make_request(TITLE, topics=["Wikis"])
    taken = make_request("Another one about wikis", topics=["Wikis"])
    request_claim(user=pair.first_member, request=taken, pair=pair)
    client = signed_in(pair.first_member)

    topic = client.get("/topics/wikis/").content.decode()
    assert TITLE in topic and taken.title not in topic  # open ones only

    person = client.get("/people/sam/").content.decode()
    assert TITLE in person and taken.title in person


def test_the_header_links_to_requests(client, request_index):
    assert 'href="/requests/"' in client.get("/requests/").content.decode()


def test_pages_of_the_listing_keep_the_sort_and_the_topic(make_request, monkeypatch):
    monkeypatch.setattr("learning.models.votes.REQUESTS_PER_PAGE", 1)
    make_request("First request about wikis")
    make_request("Second request about wikis")

    page = Client().get("/requests/?sort=newest&topic=wikis").content.decode()

    assert 'href="?sort=newest&amp;topic=wikis&amp;page=2"' in page


def test_a_request_carries_a_live_thread_like_a_post(make_request, staff):
    asked = make_request()
    client = signed_in(UserFactory(username="priya"))

    response = client.post(
        asked.url, {"thread_form": "1", "action": "comment", "client_id": "c1", "body": "Me too, @sam"}
    )

    assert response.status_code == 303 and response["Location"].startswith(asked.url)
    comments = client.get(f"/api/threads/{asked.pk}/comments/").json()["comments"]
    assert len(comments) == 1 and "Me too" in comments[0]["body_html"]
    assert Notification.objects.filter(recipient=staff, kind="mention").exists()
