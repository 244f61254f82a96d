import pytest

from home.demo import load_demo
from learning.models import CollectionPage, Completion, LessonPage, PairFollow, TopicFollow
from learning.selectors import due_reviews, personal_stream

pytestmark = pytest.mark.django_db


def test_demo_has_lessons_collections_and_a_reader_with_progress(django_user_model):
    load_demo()

    lessons = LessonPage.objects.live()
    assert lessons.count() >= 6
    assert all(len(lesson.knowledge_check) >= 1 for lesson in lessons)
    assert all(lesson.tags.exists() for lesson in lessons)
    assert CollectionPage.objects.live().count() == 3
    assert CollectionPage.objects.filter(featured=True).count() == 1
    sam = django_user_model.objects.get(username="sam")
    assert TopicFollow.objects.filter(user=sam).exists() and PairFollow.objects.filter(user=sam).exists()
    assert Completion.objects.filter(user=sam).count() >= 2
    assert len(due_reviews(user=sam)) == 1
    assert personal_stream(user=sam).entries


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    counts = (
        LessonPage.objects.count(),
        CollectionPage.objects.count(),
        Completion.objects.count(),
        TopicFollow.objects.count(),
    )

    created = load_demo()

    assert created["lessons"] == created["collections"] == 0
    assert counts == (
        LessonPage.objects.count(),
        CollectionPage.objects.count(),
        Completion.objects.count(),
        TopicFollow.objects.count(),
    )
