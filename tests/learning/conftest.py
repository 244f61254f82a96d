import json

import pytest

from learning.factories import CollectionPageFactory, LessonPageFactory, question
from tests.caches import empty_caches
from tests.page_cache import page_cache_off  # noqa: F401


@pytest.fixture
def learning_index(home):
    from learning.models import LearningIndexPage

    return LearningIndexPage.objects.child_of(home).get()


@pytest.fixture
def collection_index(home):
    from learning.models import CollectionIndexPage

    return CollectionIndexPage.objects.child_of(home).get()


@pytest.fixture
def make_lesson(learning_index):
    """Create a published lesson; ``questions=[question(...), ...]`` sets its knowledge check."""

    def make(*, questions=None, **kwargs):
        if questions is not None:
            kwargs["knowledge_check"] = json.dumps(questions)
        return LessonPageFactory(parent=learning_index, **kwargs)

    return make


@pytest.fixture
def make_collection(collection_index):
    def make(**kwargs):
        return CollectionPageFactory(parent=collection_index, **kwargs)

    return make


@pytest.fixture
def quiz_lesson(make_lesson):
    """A lesson with one single-choice and one multiple-choice question."""
    return make_lesson(
        title="Tagging well",
        questions=[
            question(
                "Which tag style do we use?",
                [("Lower case", False), ("Sentence case", True), ("ALL CAPS", False)],
                explanation="Sentence case reads best in lists.",
            ),
            question(
                "Which of these are topics?",
                [("Wikis", True), ("Lending", True), ("Tuesday", False)],
                explanation="Topics name what a post is about, not when.",
            ),
        ],
    )


@pytest.fixture
def request_index(home):
    from learning.models import TopicRequestIndexPage

    return TopicRequestIndexPage.objects.child_of(home).get()


@pytest.fixture
def make_request(request_index, staff):
    """Ask for a post through the service (as ``staff`` unless ``user=`` says who)."""

    from learning.request_services import request_ask

    def make(title="How do we keep client notes in the wiki?", *, user=None, topics=("Wikis",), details=""):
        empty_caches()  # the rate limit, shared with comments, is tested on its own
        return request_ask(
            user=user or staff, index=request_index, title=title, details=details, topics=list(topics)
        )

    return make
