import datetime

import pytest

from blog.factories import MentorPairFactory
from learning.blocks import estimated_minutes
from learning.models import LessonPage

pytestmark = pytest.mark.django_db


def test_estimated_time_counts_words_and_questions(make_lesson):
    from learning.factories import question

    short = make_lesson(questions=[])
    long_body = make_lesson(
        body=f'[{{"type": "paragraph", "value": "<p>{" ".join(["word"] * 900)}</p>"}}]',
        questions=[question(f"Q{n}?", [("Yes", True), ("No", False)]) for n in range(4)],
    )

    assert short.estimated_minutes == 1
    # 900 words at 200 a minute is 4.5 minutes, four questions at 30 s is 2 more.
    assert long_body.estimated_minutes == 7
    assert long_body.is_too_long and not short.is_too_long


def test_estimate_of_an_empty_body_is_one_minute():
    block = LessonPage._meta.get_field("body").stream_block

    assert estimated_minutes(block, block.to_python([]), question_count=0) == 1


def test_lesson_page_shows_objective_takeaways_and_origin_post(client, make_post, make_lesson):
    post = make_post(title="Where it started")
    lesson = make_lesson(objective="After this you can tag well.", takeaways="One\nTwo", inspired_by=post)

    html = client.get(lesson.url).content.decode()

    assert "After this you can tag well." in html
    assert "<li>One</li><li>Two</li>" in html
    assert f'href="{post.url}"' in html


def test_learning_index_lists_lessons_newest_first(client, make_lesson, learning_index):
    make_lesson(title="Older lesson", date=datetime.date(2026, 1, 1))
    make_lesson(title="Newer lesson", date=datetime.date(2026, 2, 1))

    html = client.get(learning_index.url).content.decode()

    assert html.index("Newer lesson") < html.index("Older lesson")


def test_learning_index_query_count_does_not_grow(
    client, make_lesson, learning_index, page_cache_off, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            make_lesson(pair=MentorPairFactory(), tags=[f"t{n}", "shared"])

    add(5)
    with django_assert_max_num_queries(30) as small:
        client.get(learning_index.url)
    add(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(learning_index.url)


def test_the_pair_page_lists_the_pairs_lessons_beside_its_posts(client, make_post, make_lesson, pair):
    make_post(pair=pair, title="A post of theirs")
    make_lesson(pair=pair, title="A lesson of theirs")
    page = client.get(f"/pairs/{pair.slug}/").content.decode()
    assert "A post of theirs" in page and "A lesson of theirs" in page
    assert '<p class="card__kind">Lesson</p>' in page and '<p class="card__kind">Post</p>' in page
