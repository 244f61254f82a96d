"""Factories for lessons and collections (tests and benchmarks)."""

import json
import uuid

import factory

from blog.factories import TaggedPageFactory, paragraph_body
from learning.models import CollectionItem, CollectionPage, LessonPage


def question(prompt: str, choices: list[tuple[str, bool]], *, explanation: str = "", kind: str = "") -> dict:
    """A knowledge-check question as raw StreamField data, with a fresh block id."""
    kind = kind or ("multiple" if sum(correct for _, correct in choices) > 1 else "single")
    return {
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {
            "prompt": prompt,
            "kind": kind,
            "choices": [
                {"type": "item", "id": str(uuid.uuid4()), "value": {"text": text, "correct": correct}}
                for text, correct in choices
            ],
            "explanation": explanation or f"Because of {prompt.lower()}",
        },
    }


class LessonPageFactory(TaggedPageFactory):
    class Meta:
        model = LessonPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    objective = "After this lesson you can pair well."
    body = factory.LazyFunction(lambda: paragraph_body("Pairing works when both people teach."))
    takeaways = "Both teach.\nBoth learn."
    knowledge_check = factory.LazyFunction(
        lambda: json.dumps(
            [question("Who teaches in a pair?", [("Both members", True), ("Only the senior one", False)])]
        )
    )


class CollectionPageFactory(TaggedPageFactory):
    class Meta:
        model = CollectionPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")
    description = "Work through these in order."

    @factory.post_generation
    def pages(self, create, extracted, **kwargs):
        """``pages=[post, lesson, ...]`` become the collection's items, in that order."""
        if extracted:
            self.items = [CollectionItem(page=page, sort_order=n) for n, page in enumerate(extracted)]
            if create:
                self.save_revision().publish()
