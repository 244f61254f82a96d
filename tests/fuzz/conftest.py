"""Fixtures for the fuzz suite: those of tests/blog and tests/learning, and what generated ids name.

A hypothesis test shares its function-scoped fixtures between its examples:
the database is not rolled back in between, so each example compares the
state before and after itself.
"""

from django.test import Client

import pytest

from blog.threads import services
from learning import services as learning_services
from learning.factories import question
from tests.blog.conftest import post, ws  # noqa: F401
from tests.learning.conftest import learning_index, make_lesson, quiz_lesson  # noqa: F401


@pytest.fixture
def unlimited_comments(settings):
    """Generated comments that pass validation are saved rather than rate limited."""
    settings.COMMENT_RATE_LIMIT = 100_000


@pytest.fixture
def people(staff, editor) -> dict[str, object]:
    """Who sends the generated input: a reader, a moderator, someone signed out."""
    return {"staff": staff, "editor": editor, "anonymous": None}


@pytest.fixture
def csrf_client(post, staff) -> Client:
    """Signed in as staff, with CSRF checks enforced and the token cookie the post's page set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.get(post.url)
    return client


@pytest.fixture
def thread_ids(unlimited_comments, post, staff, editor, pair) -> dict[str, int]:
    """Comments on ``post`` that generated ids may name (``strategies.COMMENT_NAMES``)."""

    def add(author, name, parent=None):
        return services.comment_create(
            page=post, user=author, body=f"Seeded {name}", client_id=f"seed-{name}", parent_id=parent
        ).comment.pk

    ids = {
        "own": add(staff, "own"),
        "theirs": add(pair.first_member, "theirs"),
        "hidden": add(pair.first_member, "hidden"),
        "deleted": add(staff, "deleted"),
    }
    ids["reply"] = add(staff, "reply", parent=ids["theirs"])
    ids["question"] = services.comment_create(
        page=post, user=staff, body="Seeded question", client_id="seed-question", question=True
    ).comment.pk
    ids["answerable"] = add(pair.first_member, "answerable", parent=ids["question"])
    services.comment_hide(page=post, user=editor, comment_id=ids["hidden"], hidden=True)
    services.comment_delete(page=post, user=staff, comment_id=ids["deleted"])
    services.reaction_toggle(page=post, user=staff, comment_id=ids["theirs"], kind="like")
    return ids


@pytest.fixture
def topic(make_post):
    """The topic "wikis", with a post in it."""
    from taggit.models import Tag

    make_post(title="Wikis we keep", tags=["Wikis"])
    return Tag.objects.get(slug="wikis")


@pytest.fixture
def lesson_ids(quiz_lesson, make_lesson, staff, editor) -> dict[str, object]:
    """The quiz's question ids, another lesson's, and an attempt of staff's and of the editor's."""
    single, multiple = (block.id for block in quiz_lesson.knowledge_check)
    other = make_lesson(questions=[question("Elsewhere?", [("Yes", True), ("No", False)])])
    return {
        "single": single,
        "multiple": multiple,
        "elsewhere": other.knowledge_check[0].id,
        "own_attempt": learning_services.knowledge_check_submit(
            user=staff, lesson=quiz_lesson, answers={single: ["0"]}
        ).pk,
        "their_attempt": learning_services.knowledge_check_submit(
            user=editor, lesson=quiz_lesson, answers={single: ["1"]}
        ).pk,
    }
