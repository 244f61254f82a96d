"""Wagtail's API v2 at /api/v2/: posts, lessons and collections as anonymous readers see them."""

from django.contrib.auth.models import Group
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import UserFactory
from tests.learning.conftest import (  # noqa: F401
    collection_index,
    learning_index,
    make_collection,
    make_lesson,
    quiz_lesson,
)

pytestmark = pytest.mark.django_db


def restrict(page, group_name="Committee"):
    group = Group.objects.get_or_create(name=group_name)[0]
    restriction = PageViewRestriction.objects.create(page=page, restriction_type="groups")
    restriction.groups.set([group])
    return group


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["items"]


def test_posts_come_with_their_pair_topics_and_reading_time(client, make_post, pair):
    post = make_post(title="Tagging the wiki", intro="Tags beat folders.", tags=["Wikis"])

    [found] = items(client.get("/api/v2/posts/?fields=intro,pair,tags,reading_minutes,date"))

    assert found["id"] == post.pk and found["title"] == "Tagging the wiki"
    assert found["meta"]["type"] == "blog.BlogPostPage"
    assert found["meta"]["html_url"] == f"http://127.0.0.1:8000{post.url}"
    assert found["intro"] == "Tags beat folders."
    assert found["tags"] == ["Wikis"]
    assert found["reading_minutes"] == post.reading_minutes >= 1
    assert found["pair"] == {
        "name": "Amira & Ben",
        "slug": "amira-and-ben",
        "url": "/pairs/amira-and-ben/",
        "members": [
            {"name": "Amira Haddad", "username": "amira", "url": "/people/amira/"},
            {"name": "Ben Okafor", "username": "ben", "url": "/people/ben/"},
        ],
    }


def test_a_lesson_is_served_without_its_knowledge_check(client, quiz_lesson):
    detail = client.get(f"/api/v2/lessons/{quiz_lesson.pk}/").json()
    asked = client.get("/api/v2/lessons/?fields=knowledge_check")

    assert detail["objective"] == quiz_lesson.objective
    assert detail["reading_minutes"] == quiz_lesson.estimated_minutes
    assert "knowledge_check" not in detail
    assert asked.status_code == 400
    assert "knowledge_check" in asked.json()["message"]


def test_the_pages_endpoint_serves_posts_lessons_and_collections_only(
    client, make_post, make_lesson, make_collection
):
    post, lesson = make_post(), make_lesson()
    collection = make_collection(pages=[post, lesson])

    listed = {(item["meta"]["type"], item["id"]) for item in items(client.get("/api/v2/pages/?limit=20"))}
    home_page = client.get("/api/v2/pages/?type=home.HomePage")

    assert listed == {
        ("blog.BlogPostPage", post.pk),
        ("learning.LessonPage", lesson.pk),
        ("learning.CollectionPage", collection.pk),
    }
    assert items(home_page) == []
    assert client.get(f"/api/v2/pages/{post.get_parent().pk}/").status_code == 404  # the blog index


def test_a_collection_lists_only_the_items_anonymous_readers_may_see(
    client, make_post, make_lesson, make_collection
):
    first, restricted, unpublished, last = (
        make_post(title="First"),
        make_lesson(),
        make_post(),
        make_lesson(title="Last"),
    )
    collection = make_collection(title="Path", pages=[first, restricted, unpublished, last])
    restrict(restricted)
    unpublished.unpublish()

    detail = client.get(f"/api/v2/collections/{collection.pk}/").json()

    assert [(item["id"], item["type"], item["title"]) for item in detail["items"]] == [
        (first.pk, "blog.BlogPostPage", "First"),
        (last.pk, "learning.LessonPage", "Last"),
    ]
    assert detail["items"][0]["html_url"] == f"http://127.0.0.1:8000{first.url}"


def test_a_restricted_page_is_not_served_even_to_someone_who_may_see_it(make_post):
    post = make_post(title="Committee minutes")
    member = UserFactory(username="cara")
    member.groups.add(restrict(post))
    client = Client()
    client.force_login(member)

    assert client.get(post.url).status_code == 200  # the page itself opens for the member
    assert items(client.get("/api/v2/posts/")) == []
    assert client.get(f"/api/v2/posts/{post.pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/find/?html_path={post.url}").status_code == 404
    assert "Set-Cookie" not in client.get("/api/v2/posts/").headers


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=-1",
        "offset=-5",
        "offset=99999999999999999999999",
        "type=nothing.AtAll",
        "type=wagtailcore",
        "order=-bogus",
        "fields=password",
        "fields=pair(nope)",
        "child_of=abc",
        "descendant_of=-1",
        "unknown=1",
        "search=%22unbalanced",
        "search=AND%20(",
        "search=%00",
    ],
)
def test_bad_parameters_are_a_clear_400(client, make_post, query):
    make_post(tags=["Wikis"])

    response = client.get(f"/api/v2/posts/?{query}")

    assert response.status_code in {200, 400}, (query, response.status_code)
    if response.status_code == 400:
        assert response.json()["message"]


@pytest.mark.parametrize("endpoint", ["posts", "lessons"])
def test_a_listing_with_every_field_reads_in_a_fixed_number_of_queries(
    client, make_post, make_lesson, endpoint, django_assert_max_num_queries
):
    make = make_post if endpoint == "posts" else make_lesson
    for n in range(2):
        make(tags=[f"t{n}", "Wikis"])
    with django_assert_max_num_queries(30) as few:
        assert len(items(client.get(f"/api/v2/{endpoint}/?fields=*"))) == 2
    for n in range(2, 12):
        make(tags=[f"t{n}", "Wikis"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(items(client.get(f"/api/v2/{endpoint}/?fields=*&limit=12"))) == 12
