import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from defusedxml import ElementTree as ET
from taggit.models import Tag

from blog.factories import MentorPairFactory, ProfileFactory, UserFactory
from learning.selectors import (
    pairs_writing_on,
    related_topics,
    topic_list,
    topic_stream,
    trending_topics,
    who_to_ask,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def today():
    return timezone.localdate()


def titles(stream):
    return [entry.page.title for entry in stream.entries]


def test_stream_mixes_posts_and_lessons_newest_first(make_post, make_lesson, today):
    make_post(title="Old post", date=today - 3 * DAY, tags=["Wikis"])
    make_lesson(title="New lesson", date=today, tags=["Wikis"])
    make_post(title="Middle post", date=today - DAY, tags=["wikis"])
    make_lesson(title="Other topic", date=today, tags=["Risk"])

    stream = topic_stream(tag=Tag.objects.get(slug="wikis"))

    assert titles(stream) == ["New lesson", "Middle post", "Old post"]
    assert [entry.kind for entry in stream.entries] == ["lesson", "post", "post"]


def test_stream_leaves_out_drafts_and_private_pages(make_post, make_lesson, today):
    make_post(title="Public", tags=["Wikis"])
    make_post(title="Unpublished", tags=["Wikis"]).unpublish()
    private = make_lesson(title="Private lesson", tags=["Wikis"])
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    stream = topic_stream(tag=Tag.objects.get(slug="wikis"))

    assert titles(stream) == ["Public"]


def test_topic_page_and_feed_leave_out_private_pages(client, make_post, make_lesson):
    make_post(title="Public post", tags=["Wikis"])
    private = make_lesson(title="Secret lesson", tags=["Wikis"])
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    page = client.get("/topics/wikis/").content.decode()
    feed = client.get("/topics/wikis/feed/").content.decode()

    assert "Public post" in page and "Public post" in feed
    assert "Secret lesson" not in page and "Secret lesson" not in feed


def test_keyset_pagination_returns_every_item_exactly_once(make_post, make_lesson, today):
    expected = []
    for n in range(23):
        # Several items share a date, so the id must break ties.
        make = make_lesson if n % 3 == 0 else make_post
        page = make(title=f"Item {n}", date=today - (n // 4) * DAY, tags=["Wikis"])
        expected.append(page)
    tag = Tag.objects.get(slug="wikis")
    expected.sort(key=lambda page: (page.date, page.pk), reverse=True)

    seen, cursor, pages = [], None, 0
    while True:
        stream = topic_stream(tag=tag, after=cursor, size=5)
        seen.extend(entry.page.pk for entry in stream.entries)
        pages += 1
        cursor = stream.next_cursor
        if cursor is None:
            break

    assert seen == [page.pk for page in expected]
    assert pages == 5


def test_a_new_item_published_while_paging_does_not_repeat_an_item(make_post, today):
    for n in range(6):
        make_post(title=f"Item {n}", date=today - n * DAY, tags=["Wikis"])
    tag = Tag.objects.get(slug="wikis")
    first = topic_stream(tag=tag, size=3)

    make_post(title="Brand new", date=today, tags=["Wikis"])
    second = topic_stream(tag=tag, after=first.next_cursor, size=3)

    assert titles(first) == ["Item 0", "Item 1", "Item 2"]
    assert titles(second) == ["Item 3", "Item 4", "Item 5"]


def test_a_malformed_cursor_starts_from_the_newest(client, make_post):
    make_post(title="Only post", tags=["Wikis"])

    response = client.get("/topics/wikis/", {"after": "not-a-cursor"})

    assert response.status_code == 200
    assert "Only post" in response.content.decode()


def test_topic_page_pages_through_with_an_older_link(client, make_post, today):
    for n in range(25):
        make_post(title=f"Numbered {n:02d}", date=today - n * DAY, tags=["Wikis"])

    first = client.get("/topics/wikis/").content.decode()
    assert "Numbered 19" in first and "Numbered 20" not in first
    cursor = topic_stream(tag=Tag.objects.get(slug="wikis")).next_cursor
    assert f"?after={cursor}" in first

    second = client.get("/topics/wikis/", {"after": cursor}).content.decode()
    assert "Numbered 20" in second and "Numbered 19" not in second


@pytest.mark.parametrize("who", ["signed out", "signed in"])
def test_topic_pages_query_count_does_not_grow(client, make_post, make_lesson, staff, who):
    if who == "signed in":
        client.force_login(staff)
    urls = ["/topics/shared/", "/topics/shared/feed/", "/topics/"]

    def add(count, start):
        for n in range(start, start + count):
            pair = MentorPairFactory()
            if n % 2:
                make_post(pair=pair, tags=[f"topic-{n}", "shared"])
            else:
                make_lesson(pair=pair, tags=[f"topic-{n}", "shared"])

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    add(5, 0)
    few = {url: queries(url) for url in urls}
    add(45, 5)
    more = {url: queries(url) for url in urls}
    assert all(more[url] <= few[url] for url in urls), (few, more)
    assert max(few.values()) <= 40


def test_feed_contains_the_same_items_as_the_stream(client, make_post, make_lesson, today):
    for n in range(4):
        make_post(title=f"Post {n}", date=today - n * DAY, tags=["Wikis"])
        make_lesson(title=f"Lesson {n}", date=today - n * DAY, tags=["Wikis"])
    make_post(title="Elsewhere", tags=["Risk"])

    feed = ET.fromstring(client.get("/topics/wikis/feed/").content)
    feed_titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]

    assert feed_titles == titles(topic_stream(tag=Tag.objects.get(slug="wikis")))
    assert len(feed_titles) == 8


def test_topic_list_counts_live_items_and_trending_only_counts_the_last_30_days(
    make_post, make_lesson, today
):
    make_post(tags=["Wikis"], date=today - 60 * DAY)
    make_post(tags=["Wikis"], date=today - 50 * DAY)
    make_lesson(tags=["Wikis"], date=today - 40 * DAY)
    make_post(tags=["Risk"], date=today - 2 * DAY)
    make_lesson(tags=["Risk"], date=today - DAY)
    make_post(tags=["Treasury"], date=today - 5 * DAY)
    make_post(tags=["Hidden"]).unpublish()

    topics = {topic.tag.name: (topic.count, topic.latest) for topic in topic_list()}
    trending = [topic.tag.name for topic in trending_topics()]

    assert topics == {
        "Risk": (2, today - DAY),
        "Treasury": (1, today - 5 * DAY),
        "Wikis": (3, today - 40 * DAY),
    }
    assert trending == ["Risk", "Treasury"]


def test_related_topics_are_the_ones_that_co_occur_most(make_post, make_lesson):
    make_post(tags=["Wikis", "Tagging", "Search"])
    make_lesson(tags=["Wikis", "Tagging"])
    make_post(tags=["Wikis", "Lending"])
    make_post(tags=["Risk", "Lending"])

    related = related_topics(tag=Tag.objects.get(name="Wikis"))

    assert [(topic.tag.name, topic.count) for topic in related] == [
        ("Tagging", 2),
        ("Lending", 1),
        ("Search", 1),
    ]


def test_who_to_ask_ranks_pairs_by_live_posts_and_lessons_on_the_topic(
    make_post, make_lesson, pair, other_pair
):
    make_post(pair=pair, tags=["Wikis"])
    make_lesson(pair=other_pair, tags=["Wikis"])
    make_post(pair=other_pair, tags=["Wikis"])
    make_post(pair=pair, tags=["Risk"])
    make_post(pair=pair, tags=["Wikis"]).unpublish()

    ranked = pairs_writing_on(tag=Tag.objects.get(name="Wikis"))

    assert [(p.name, p.topic_count) for p in ranked] == [("Chloé & David", 2), ("Amira & Ben", 1)]


def test_who_to_ask_ranks_people_who_teach_it_and_wrote_on_it_with_the_reason(
    client, make_post, make_lesson, pair
):
    make_post(pair=pair, tags=["Wikis"])
    make_lesson(pair=pair, tags=["Wikis"])
    ProfileFactory(user=UserFactory(username="tess", first_name="Tess", last_name="Ng"), can_teach=["wikis"])
    ProfileFactory(user=pair.first_member, can_teach=["Wikis"])

    ranked = who_to_ask(tag=Tag.objects.get(name="Wikis"))

    assert [(p.person.username, p.reason) for p in ranked] == [
        ("amira", "teaches it · 2 posts or lessons"),  # 3 + 2
        ("tess", "teaches it"),  # 3
        ("ben", "2 posts or lessons"),  # 2
    ]
    page = client.get("/topics/wikis/").content.decode()
    assert 'href="/people/tess/"' in page and "teaches it · 2 posts or lessons" in page


def test_unknown_topic_is_404(client, home):
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_topic_suggestions_start_with_what_was_typed_and_name_no_restricted_topic(
    client, make_post, staff, django_capture_on_commit_callbacks
):
    make_post(title="Open", tags=["Wikis", "Swiki"])
    closed = make_post(title="Closed", tags=["Wikileaks policy"])
    ProfileFactory(user=staff, wants_to_learn=["Wiki gardening"])
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=closed, restriction_type=PageViewRestriction.LOGIN)

    answer = client.get("/api/topics/", {"q": "wiki"}).json()

    assert answer == {"topics": ["Wiki gardening", "Wikis", "Swiki"]}
    assert client.get("/api/topics/", {"q": ""}).json() == {"topics": []}
    assert client.get("/api/topics/?q=%00%ED%A0%80").status_code == 200
