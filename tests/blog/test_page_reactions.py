"""Learning reactions on posts and lessons: set on and off, idempotent, counted in listings and on pairs."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.models import BlogPostPage, PageReaction
from blog.page_reactions import RateLimited, page_reaction_set, pair_learners
from learning.factories import LessonPageFactory
from tests.page_cache import page_cache_off  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_lesson(home):
    from learning.models import LearningIndexPage

    index = LearningIndexPage.objects.child_of(home).get()
    return lambda **kwargs: LessonPageFactory(parent=index, **kwargs)


def counts(reactions) -> dict[str, tuple[int, bool]]:
    return {r.kind: (r.count, r.mine) for r in reactions}


def test_setting_a_reaction_twice_counts_once_and_taking_it_back_twice_too(make_post, staff):
    post = make_post()

    page_reaction_set(user=staff, page=post, kind="learned", on=True)
    again = page_reaction_set(user=staff, page=post, kind="learned", on=True)

    assert counts(again) == {"learned": (1, True), "insightful": (0, False)}
    page_reaction_set(user=staff, page=post, kind="learned", on=False)
    gone = page_reaction_set(user=staff, page=post, kind="learned", on=False)
    assert counts(gone)["learned"] == (0, False)
    assert not PageReaction.objects.exists()


def test_only_known_kinds_on_posts_and_lessons_that_the_person_may_see(
    make_post, staff, editor, home, django_capture_on_commit_callbacks
):
    post = make_post()

    with pytest.raises(ValidationError):
        page_reaction_set(user=staff, page=post, kind="like", on=True)
    with pytest.raises(ValidationError):
        page_reaction_set(user=staff, page=home, kind="learned", on=True)
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=post, restriction_type="groups")
        restriction.groups.set([editor.groups.get()])
    with pytest.raises(PermissionDenied):
        page_reaction_set(user=staff, page=post, kind="learned", on=True)
    assert not PageReaction.objects.exists()


def test_changes_share_the_comment_rate_limit_and_repeats_do_not_count(make_post, staff, rate_clock_held):
    post = make_post()
    for n in range(settings.COMMENT_RATE_LIMIT):
        page_reaction_set(user=staff, page=post, kind="learned", on=n % 2 == 0)
    page_reaction_set(user=staff, page=post, kind="learned", on=settings.COMMENT_RATE_LIMIT % 2 == 1)

    with pytest.raises(RateLimited):
        page_reaction_set(user=staff, page=post, kind="insightful", on=True)


def test_the_form_works_without_javascript_and_answers_json_to_fetch(make_post, staff):
    post = make_post()
    reader = Client()
    reader.force_login(staff)
    url = f"/pages/{post.pk}/react/"

    assert 'data-page-reaction="learned"' in reader.get(post.url).content.decode()
    response = reader.post(url, {"kind": "learned", "on": "1"})
    assert response.status_code == 302 and response["Location"] == f"{post.url}#page-reactions"
    fetched = reader.post(url, {"kind": "insightful", "on": "1"}, headers={"accept": "application/json"})
    assert fetched.json()["reactions"] == [
        {"kind": "learned", "label": "I learned something", "count": 1, "mine": True},
        {"kind": "insightful", "label": "Insightful", "count": 1, "mine": True},
    ]
    assert reader.post(url, {"kind": "learned", "on": "yes"}).status_code == 400
    assert reader.post(url, {"kind": "<script>", "on": "1"}).status_code == 400
    assert reader.post("/pages/999999/react/", {"kind": "learned", "on": "1"}).status_code == 404
    assert reader.get(url).status_code == 405
    anonymous = Client().post(url, {"kind": "learned", "on": "1"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert PageReaction.objects.count() == 2


def test_listings_show_counts_in_a_fixed_number_of_queries(
    client, make_post, make_lesson, pair, django_assert_max_num_queries, page_cache_off
):
    readers = UserFactory.create_batch(3)

    def seed(n: int) -> None:
        for _ in range(n):
            post, lesson = make_post(), make_lesson(pair=pair)
            PageReaction.objects.bulk_create(
                [PageReaction(page=post, user=person, kind="learned") for person in readers]
                + [PageReaction(page=lesson, user=readers[0], kind="insightful")]
            )

    seed(2)
    client.get("/blog/")
    with django_assert_max_num_queries(12) as few:
        html = client.get("/blog/").content.decode()
    assert "3 learned" in html
    pinned = len(few.captured_queries)
    assert pinned > 0
    seed(8)
    with django_assert_max_num_queries(pinned):
        client.get("/blog/")
    with django_assert_max_num_queries(pinned):
        lessons = client.get("/lessons/").content.decode()
    assert "1 found it insightful" in lessons


def test_the_pair_page_counts_the_people_who_learned_from_its_pages(client, make_post, make_lesson, pair):
    post, lesson = make_post(), make_lesson(pair=pair)
    sam, priya = UserFactory(), UserFactory()
    page_reaction_set(user=sam, page=post, kind="learned", on=True)
    page_reaction_set(user=sam, page=lesson, kind="learned", on=True)
    page_reaction_set(user=priya, page=lesson, kind="learned", on=True)
    page_reaction_set(user=priya, page=post, kind="insightful", on=True)

    assert pair_learners(pair=pair, viewer=sam) == 2
    html = client.get(f"/pairs/{pair.slug}/").content.decode()
    assert "2 people learned from this pair's posts and lessons." in html


def test_a_lesson_page_takes_reactions_too(make_lesson, pair, staff):
    lesson = make_lesson(pair=pair)
    reader = Client()
    reader.force_login(staff)

    reader.post(f"/pages/{lesson.pk}/react/", {"kind": "learned", "on": "1"})

    assert PageReaction.objects.get().page_id == lesson.pk
    assert not BlogPostPage.objects.exists()


def test_no_zero_is_shown_on_a_page_nobody_has_reacted_to_yet(client, make_post, staff, page_cache_off):
    post = make_post()
    reader = Client()
    reader.force_login(staff)

    signed_out = client.get(post.url).content.decode()
    assert ": 0" not in signed_out and "I learned something" not in signed_out
    assert "0 learned" not in client.get("/blog/").content.decode()
    signed_in = reader.get(post.url).content.decode()
    assert '<span class="page-reaction__count" data-page-reaction-count hidden>0</span>' in signed_in

    page_reaction_set(user=UserFactory(), page=post, kind="learned", on=True)

    assert "I learned something: 1" in client.get(post.url).content.decode()
    assert "Insightful: 0" not in client.get(post.url).content.decode()
    signed_in = reader.get(post.url).content.decode()
    assert '<span class="page-reaction__count" data-page-reaction-count>1</span>' in signed_in
    assert "1 learned" in client.get("/blog/").content.decode()
