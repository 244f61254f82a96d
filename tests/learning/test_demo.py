import pytest

from home.demo import demo_data, load_demo
from learning.models import (
    CollectionPage,
    Completion,
    KnowledgeCheckAttempt,
    LessonPage,
    PairFollow,
    ReviewSchedule,
    TopicFollow,
)
from learning.selectors import due_reviews, personal_stream

pytestmark = pytest.mark.django_db

DEMO = demo_data()


def test_demo_has_lessons_collections_and_a_reader_with_progress(django_user_model):
    load_demo()

    lessons = LessonPage.objects.live()
    assert lessons.count() == len(DEMO.lessons) >= 6
    assert all(len(lesson.knowledge_check) >= 1 for lesson in lessons)
    assert all(lesson.tags.exists() for lesson in lessons)
    assert all(lesson.inspired_by is not None for lesson in lessons)
    assert CollectionPage.objects.live().count() == len(DEMO.collections) == 3
    (featured,) = CollectionPage.objects.filter(featured=True)
    assert [item.page.slug for item in featured.items.all()] == list(
        next(c for c in DEMO.collections if c.featured).items
    )
    sam = django_user_model.objects.get(username="sam")
    assert TopicFollow.objects.filter(user=sam).count() == 3
    assert PairFollow.objects.filter(user=sam, pair__slug="grace-and-hiro").exists()
    assert KnowledgeCheckAttempt.objects.filter(user=sam).count() == 2
    # One check passed (the lesson is done), one post read; the other check had a wrong answer.
    assert set(Completion.objects.filter(user=sam).values_list("how", flat=True)) == {
        Completion.How.PASSED,
        Completion.How.READ,
    }
    (due,) = due_reviews(user=sam)
    assert due.lesson.slug == "tags-beat-folders"
    assert personal_stream(user=sam).entries


def test_demo_question_ids_are_the_same_on_every_machine():
    load_demo()
    lesson = LessonPage.objects.get(slug="write-the-answer-once")

    ids = [question.id for question in lesson.knowledge_check]

    # Derived from the lesson slug rather than random, so every demo database agrees.
    assert ids == ["55f03598-aea4-5f74-8f29-102adfaee318", "260124dd-97e9-509a-830c-70c2359dcec5"]


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    counts = (
        LessonPage.objects.count(),
        CollectionPage.objects.count(),
        Completion.objects.count(),
        TopicFollow.objects.count(),
        PairFollow.objects.count(),
        KnowledgeCheckAttempt.objects.count(),
        ReviewSchedule.objects.count(),
    )

    created = load_demo()

    assert created["lessons"] == created["collections"] == created["knowledge checks"] == 0
    assert counts == (
        LessonPage.objects.count(),
        CollectionPage.objects.count(),
        Completion.objects.count(),
        TopicFollow.objects.count(),
        PairFollow.objects.count(),
        KnowledgeCheckAttempt.objects.count(),
        ReviewSchedule.objects.count(),
    )
