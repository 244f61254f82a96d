import datetime

from django.utils import timezone

import pytest
from taggit.models import Tag

from learning import services

pytestmark = pytest.mark.django_db


def test_home_shows_trending_topics_and_featured_collections(client, home, make_post, make_collection):
    post = make_post(tags=["Treasury"])
    make_collection(title="Featured path", featured=True, pages=[post])
    make_collection(title="Quiet path", pages=[post])

    html = client.get(home.url).content.decode()

    assert 'href="/topics/treasury/"' in html
    assert "Featured path" in html
    assert "Quiet path" not in html


def test_signed_in_home_shows_stream_reviews_and_collections_in_progress(
    client, home, make_post, make_lesson, make_collection, staff
):
    followed = make_post(title="On a followed topic", tags=["Wikis"])
    other = make_post(title="Somewhere else entirely", tags=["Risk"])
    lesson = make_lesson(title="Lesson to review")
    make_collection(title="Half done", pages=[followed, other])
    services.topic_follow(user=staff, tag=Tag.objects.get(name="Wikis"))
    services.post_mark_read(user=staff, post=followed)
    wrong = {block.id: [1] for block in lesson.knowledge_check}  # the factory's question: choice 0 is right
    services.knowledge_check_submit(
        user=staff, lesson=lesson, answers=wrong, today=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(staff)

    html = client.get(home.url).content.decode()
    stream = html.split('id="my-stream-heading"')[1].split("</section>")[0]
    reviews = html.split('id="reviews-heading"')[1].split("</section>")[0]
    in_progress = html.split('id="in-progress-heading"')[1].split("</section>")[0]

    assert "On a followed topic" in stream and "Somewhere else entirely" not in stream
    assert "Lesson to review" in reviews
    assert "Half done" in in_progress and "1 of 2 done" in in_progress


def test_signed_out_home_has_no_personal_sections(client, home):
    html = client.get(home.url).content.decode()

    assert 'id="my-stream-heading"' not in html and 'id="reviews-heading"' not in html


# Before these were pinned: 17 signed out, 43 signed in (Wagtail's ``public()``
# asking for restrictions once per listing, pairs' members one query each,
# collections read twice, the header's permission lookups).
HOME_MAX_QUERIES = {"signed out": 12, "signed in": 24}


@pytest.mark.parametrize("who", ["signed out", "signed in"])
def test_home_query_count_is_pinned_and_does_not_grow(
    client,
    home,
    make_post,
    make_lesson,
    make_collection,
    staff,
    who,
    page_cache_off,
    django_assert_max_num_queries,
):
    if who == "signed in":
        client.force_login(staff)

    def add(count):
        pages = [(make_post if n % 2 else make_lesson)(tags=["Wikis", f"t{n}"]) for n in range(count)]
        make_collection(featured=True, pages=pages)
        for lesson in pages[::2]:
            services.knowledge_check_submit(
                user=staff,
                lesson=lesson,
                answers={block.id: [1] for block in lesson.knowledge_check},
                today=timezone.localdate() - datetime.timedelta(days=2),
            )

    add(5)
    services.topic_follow(user=staff, tag=Tag.objects.get(name="Wikis"))
    client.get(home.url)  # per-process caches (content types, site root paths)
    with django_assert_max_num_queries(HOME_MAX_QUERIES[who]) as small:
        client.get(home.url)
    add(50)
    with django_assert_max_num_queries(len(small.captured_queries), info="50 more posts and lessons"):
        response = client.get(home.url)
    assert response.status_code == 200 and "t49" in response.content.decode()
