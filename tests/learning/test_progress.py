import datetime

from django.test import Client
from django.utils import timezone
from django.utils.html import escape

import pytest
from taggit.models import Tag

from learning import services
from learning.models import Completion, PairFollow, ReviewSchedule, TopicFollow
from learning.selectors import due_reviews, personal_stream

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def answers(lesson, *, right: bool) -> dict[str, list[int]]:
    """Every question answered right, or every question answered with one wrong choice."""
    result = {}
    for block in lesson.knowledge_check:
        choices = list(enumerate(block.value["choices"]))
        correct = [i for i, choice in choices if choice["correct"]]
        wrong = [i for i, choice in choices if not choice["correct"]][:1]
        result[block.id] = correct if right else wrong
    return result


# --- Completion ----------------------------------------------------------------


def test_marking_a_lesson_done_is_idempotent(make_lesson, staff):
    lesson = make_lesson()

    first = services.lesson_complete(user=staff, lesson=lesson)
    second = services.lesson_complete(user=staff, lesson=lesson)

    assert first.pk == second.pk
    assert Completion.objects.filter(user=staff).count() == 1


def test_mark_as_done_button_records_completion(client, make_lesson, staff):
    lesson = make_lesson()
    client.force_login(staff)
    assert "Mark as done" in client.get(lesson.url).content.decode()

    response = client.post(f"/me/done/{lesson.pk}/", follow=True)

    assert Completion.objects.filter(user=staff, page=lesson, how=Completion.How.MARKED_DONE).exists()
    assert "You have completed this lesson." in response.content.decode()


def test_a_lesson_marked_done_by_mistake_can_be_marked_not_done(client, make_lesson, staff):
    lesson = make_lesson()
    services.lesson_complete(user=staff, lesson=lesson)
    client.force_login(staff)
    assert "Mark as not done" in client.get(lesson.url).content.decode()

    response = client.post(f"/me/done/{lesson.pk}/", {"undo": "1"}, follow=True)

    assert not Completion.objects.filter(user=staff, page=lesson).exists()
    html = response.content.decode()
    assert "as not done." in html
    assert "Mark as done" in html


def test_a_post_marked_read_can_be_marked_unread(client, make_post, staff):
    post = make_post()
    services.post_mark_read(user=staff, post=post)
    client.force_login(staff)

    response = client.post(f"/me/read/{post.pk}/", {"undo": "1", "next": post.url}, follow=True)

    assert not Completion.objects.filter(user=staff, page=post).exists()
    assert "Mark as read" in response.content.decode()
    assert services.completion_undo(user=staff, page=post) is False


def test_progress_survives_republishing_the_lesson(make_lesson, staff):
    lesson = make_lesson()
    services.lesson_complete(user=staff, lesson=lesson)

    lesson.title = "Renamed and republished"
    lesson.save_revision().publish()

    assert Completion.objects.filter(user=staff, page_id=lesson.pk).exists()


def test_progress_is_per_user(make_lesson, staff, editor):
    lesson = make_lesson()
    services.lesson_complete(user=staff, lesson=lesson)

    assert not Completion.objects.filter(user=editor).exists()


# --- Review ladder ----------------------------------------------------------------


def test_review_ladder_is_1_3_7_14_days_and_only_due_reviews_climb(make_lesson, staff):
    lesson = make_lesson()
    day0 = datetime.date(2026, 3, 2)

    def submit(day, *, right):
        services.knowledge_check_submit(
            user=staff, lesson=lesson, answers=answers(lesson, right=right), today=day
        )
        return ReviewSchedule.objects.values_list("step", "due_on").get(user=staff, lesson=lesson)

    assert submit(day0, right=False) == (0, day0 + 1 * DAY)
    # Right again straight away is not a review: nothing moves.
    assert submit(day0, right=True) == (0, day0 + 1 * DAY)
    assert submit(day0 + 1 * DAY, right=True) == (1, day0 + 4 * DAY)
    assert submit(day0 + 4 * DAY, right=True) == (2, day0 + 11 * DAY)
    assert submit(day0 + 12 * DAY, right=True) == (3, day0 + 26 * DAY)
    assert submit(day0 + 26 * DAY, right=True) == (4, None)


def test_a_wrong_review_starts_the_ladder_again(make_lesson, staff):
    lesson = make_lesson()
    day0 = datetime.date(2026, 3, 2)
    for day, right in ((day0, False), (day0 + DAY, True), (day0 + 4 * DAY, False)):
        services.knowledge_check_submit(
            user=staff, lesson=lesson, answers=answers(lesson, right=right), today=day
        )

    review = ReviewSchedule.objects.get(user=staff, lesson=lesson)
    assert (review.step, review.due_on) == (0, day0 + 5 * DAY)


def test_due_reviews_lists_due_lessons_only_and_never_unpublished_ones(make_lesson, staff):
    today = timezone.localdate()
    due, later, gone = make_lesson(title="Due"), make_lesson(title="Later"), make_lesson(title="Gone")
    services.knowledge_check_submit(
        user=staff, lesson=due, answers=answers(due, right=False), today=today - DAY
    )
    services.knowledge_check_submit(
        user=staff, lesson=later, answers=answers(later, right=False), today=today
    )
    services.knowledge_check_submit(
        user=staff, lesson=gone, answers=answers(gone, right=False), today=today - DAY
    )
    gone.unpublish()

    assert [review.lesson.title for review in due_reviews(user=staff)] == ["Due"]
    assert [r.lesson.title for r in due_reviews(user=staff, today=today + DAY)] == ["Due", "Later"]


# --- Follows -------------------------------------------------------------------------


def test_follow_and_unfollow_are_idempotent(make_post, pair, staff):
    make_post(tags=["Wikis"])
    tag = Tag.objects.get(name="Wikis")

    services.topic_follow(user=staff, tag=tag)
    services.topic_follow(user=staff, tag=tag)
    services.pair_follow(user=staff, pair=pair)
    services.pair_follow(user=staff, pair=pair)
    assert TopicFollow.objects.filter(user=staff).count() == 1
    assert PairFollow.objects.filter(user=staff).count() == 1

    services.topic_follow(user=staff, tag=tag, follow=False)
    services.topic_follow(user=staff, tag=tag, follow=False)
    services.pair_follow(user=staff, pair=pair, follow=False)
    assert not TopicFollow.objects.exists()
    assert not PairFollow.objects.exists()


def test_follow_button_works_without_javascript_and_needs_a_csrf_token(make_post, staff):
    make_post(tags=["Wikis"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    page = browser.get("/topics/wikis/")
    assert "Follow Wikis" in page.content.decode()
    assert browser.post("/topics/wikis/follow/", {"follow": "1"}).status_code == 403

    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/topics/wikis/follow/", {"follow": "1", "next": "/topics/wikis/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/topics/wikis/"
    assert TopicFollow.objects.filter(user=staff, tag__name="Wikis").exists()
    assert "Following Wikis" in browser.get("/topics/wikis/").content.decode()

    browser.post("/topics/wikis/follow/", {"follow": "0", "csrfmiddlewaretoken": token})
    assert not TopicFollow.objects.exists()


def test_follow_redirect_never_leaves_the_site(client, make_post, staff):
    make_post(tags=["Wikis"])
    client.force_login(staff)

    response = client.post("/topics/wikis/follow/", {"follow": "1", "next": "https://evil.example/"})

    assert response["Location"] == "/topics/wikis/"


def test_following_needs_sign_in(client, make_post):
    make_post(tags=["Wikis"])

    response = client.post("/topics/wikis/follow/", {"follow": "1"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not TopicFollow.objects.exists()


def test_pair_follow_endpoint(client, pair, staff):
    client.force_login(staff)

    client.post(f"/pairs/{pair.slug}/follow/", {"follow": "1"})

    assert PairFollow.objects.filter(user=staff, pair=pair).exists()


# --- Personal stream ----------------------------------------------------------------


def test_personal_stream_has_followed_topics_and_pairs_newest_first(
    client, make_post, make_lesson, pair, other_pair, staff
):
    today = timezone.localdate()
    make_post(title="Followed topic post", pair=other_pair, tags=["Wikis"], date=today - 2 * DAY)
    make_lesson(title="Followed pair lesson", pair=pair, tags=["Risk"], date=today - DAY)
    make_post(title="Followed pair post", pair=pair, date=today - 3 * DAY)
    make_lesson(title="Not followed", pair=other_pair, tags=["Risk"], date=today)
    make_post(title="Followed but draft", pair=pair, tags=["Wikis"]).unpublish()
    services.topic_follow(user=staff, tag=Tag.objects.get(name="Wikis"))
    services.pair_follow(user=staff, pair=pair)

    stream = personal_stream(user=staff)

    assert [entry.page.title for entry in stream.entries] == [
        "Followed pair lesson",
        "Followed topic post",
        "Followed pair post",
    ]
    client.force_login(staff)
    html = client.get("/me/stream/").content.decode()
    assert "Followed pair lesson" in html and "Not followed" not in html


def test_personal_stream_is_empty_without_follows(make_post, staff):
    make_post(tags=["Wikis"])

    assert personal_stream(user=staff).entries == []


def test_my_stream_needs_sign_in(client, home):
    assert client.get("/me/stream/").status_code == 302


def test_my_stream_query_count_does_not_grow(
    client, make_post, make_lesson, staff, django_assert_max_num_queries
):
    client.force_login(staff)

    def add(count):
        for n in range(count):
            (make_post if n % 2 else make_lesson)(tags=["Wikis", f"t{n}"])

    add(5)
    services.topic_follow(user=staff, tag=Tag.objects.get(name="Wikis"))
    with django_assert_max_num_queries(40) as small:
        client.get("/me/stream/")
    add(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/me/stream/")


def test_pair_page_has_a_follow_button(client, pair, staff):
    client.force_login(staff)

    html = client.get(pair.get_absolute_url()).content.decode()
    assert f'action="/pairs/{pair.slug}/follow/"' in html and f"Follow {escape(pair.name)}" in html

    client.post(f"/pairs/{pair.slug}/follow/", {"follow": "1"})
    assert f"Following {escape(pair.name)}" in client.get(pair.get_absolute_url()).content.decode()


def test_post_page_mark_as_read_records_the_post_once(client, make_post, staff):
    post = make_post()
    client.force_login(staff)
    assert "Mark as read" in client.get(post.url).content.decode()

    client.post(f"/me/read/{post.pk}/")
    client.post(f"/me/read/{post.pk}/")

    assert Completion.objects.filter(user=staff, page=post, how=Completion.How.READ).count() == 1
    html = client.get(post.url).content.decode()
    assert "Mark as read" not in html and "Read" in html


def test_a_draft_post_cannot_be_marked_read(client, make_post, staff):
    post = make_post()
    post.unpublish()
    client.force_login(staff)

    assert client.post(f"/me/read/{post.pk}/").status_code == 404
    assert not Completion.objects.exists()
