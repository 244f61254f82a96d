"""A reader's progress: pages done, knowledge-check attempts, reviews due, and how pages read them.

Progress points at the page's id, never at a revision, so it survives
re-publishing the lesson. Lesson and collection pages render through the
reads at the end of this module, which take the page as an argument: the
models module imports nothing that imports it back.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone

from wagtail.models import Page, PageQuerySet

from learning.knowledge_check import AttemptReview, attempt_review
from learning.listings import page_kind, prefetch_listing_relations
from site.inputs import InvalidInput, optional_id
from site.visibility import may_view, visible_pages


class Completion(models.Model):
    """A reader finished a page: marked a lesson done, passed its check, or read a post."""

    class How(models.TextChoices):
        MARKED_DONE = "marked", "Marked as done"
        PASSED = "passed", "Answered every question correctly"
        READ = "read", "Marked as read"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_completions"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=10, choices=How.choices)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="completion_once_per_page")]

    def __str__(self) -> str:
        return f"{self.user} finished page {self.page_id}"


class KnowledgeCheckAttempt(models.Model):
    """One submission of a lesson's knowledge check, as the reader sent it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_check_attempts"
    )
    lesson = models.ForeignKey("learning.LessonPage", on_delete=models.CASCADE, related_name="attempts")
    submitted_at = models.DateTimeField(default=timezone.now)
    # {question block id: [chosen choice indexes]} and {question block id: right?}
    answers = models.JSONField()
    results = models.JSONField()
    correct_count = models.PositiveSmallIntegerField()
    question_count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["user", "lesson", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.lesson_id}: {self.correct_count}/{self.question_count}"

    @property
    def passed(self) -> bool:
        return self.question_count > 0 and self.correct_count == self.question_count


class ReviewSchedule(models.Model):
    """When a reader should retry a lesson they got wrong (a 1/3/7/14-day ladder).

    ``step`` indexes ``learning.services.REVIEW_LADDER_DAYS``; ``due_on`` is
    empty once the reader has climbed the whole ladder.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    lesson = models.ForeignKey("learning.LessonPage", on_delete=models.CASCADE, related_name="reviews")
    step = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="review_once_per_lesson")]
        indexes = [models.Index(fields=["user", "due_on"])]

    def __str__(self) -> str:
        return f"{self.user} reviews {self.lesson_id} on {self.due_on}"


# --- Reads the pages render through -----------------------------------------


def done_page_ids(*, user, page_ids) -> set[int]:
    """Which of ``page_ids`` ``user`` has finished; one query (none when signed out)."""
    if not user.is_authenticated:
        return set()
    return set(Completion.objects.filter(user=user, page_id__in=page_ids).values_list("page_id", flat=True))


@dataclass(frozen=True)
class LessonProgress:
    """The reader's state on one lesson, as the lesson page shows it."""

    done: bool = False
    review: ReviewSchedule | None = None
    check: AttemptReview | None = None
    # The post the lesson grew out of, named only to those who may read it.
    inspired_by: Page | None = None
    today: datetime.date = field(default_factory=timezone.localdate)


def lesson_progress(*, lesson, user, session=None, attempt: str | None = None) -> LessonProgress:
    """``user``'s progress on ``lesson``; ``attempt`` (from the address) shows that attempt's results."""
    inspired_by = lesson.inspired_by
    visible_origin = inspired_by if may_view(inspired_by, user=user, session=session) else None
    if not user.is_authenticated:
        return LessonProgress(inspired_by=visible_origin)
    check = None
    try:
        attempt_id = optional_id(attempt, name="attempt")
    except InvalidInput:  # an address edited by hand: show the lesson without results
        attempt_id = None
    if attempt_id is not None:
        found = KnowledgeCheckAttempt.objects.filter(pk=attempt_id, user=user, lesson=lesson).first()
        if found is not None:
            check = attempt_review(lesson=lesson, attempt=found)
    return LessonProgress(
        done=Completion.objects.filter(user=user, page=lesson).exists(),
        review=ReviewSchedule.objects.filter(user=user, lesson=lesson).first(),
        check=check,
        inspired_by=visible_origin,
    )


@dataclass(frozen=True)
class CollectionEntry:
    page: Page
    kind: str
    done: bool

    @property
    def minutes(self) -> int:
        return getattr(self.page, "estimated_minutes", None) or getattr(self.page, "reading_minutes", 1)


@dataclass(frozen=True)
class CollectionProgress:
    entries: list[CollectionEntry]
    signed_in: bool = False
    done_count: int = field(init=False)
    next_entry: CollectionEntry | None = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "done_count", sum(entry.done for entry in self.entries))
        object.__setattr__(self, "next_entry", next((e for e in self.entries if not e.done), None))

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def started(self) -> bool:
        return self.done_count > 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done_count == self.total


def collection_progress(*, collection: Page, user) -> CollectionProgress:
    """A collection's live items in the editor's order, each marked done or not for ``user``.

    Works on a draft in preview too: the items are read from the page object.
    """
    page_ids = [item.page_id for item in collection.items.all()]
    pages = visible_pages(Page.objects.all(), user=user).filter(id__in=page_ids).specific().in_bulk()
    prefetch_listing_relations(list(pages.values()))
    done = done_page_ids(user=user, page_ids=page_ids)
    entries = [
        CollectionEntry(page=pages[pk], kind=page_kind(pages[pk]), done=pk in done)
        for pk in page_ids
        if pk in pages
    ]
    return CollectionProgress(entries=entries, signed_in=user.is_authenticated)


@dataclass(frozen=True)
class CollectionSummary:
    collection: Page
    total: int
    done: int

    @property
    def in_progress(self) -> bool:
        return 0 < self.done < self.total


def collection_summaries(*, collections: PageQuerySet, user) -> list[CollectionSummary]:
    """The live ``collections`` ``user`` may see, featured first then by title, with their progress."""
    collections = (
        visible_pages(collections, user=user)
        .select_related("cover_image")
        .prefetch_related("items", "cover_image__renditions")
        .order_by("-featured", "title")
    )
    collections = list(collections)
    page_ids = {item.page_id for collection in collections for item in collection.items.all()}
    live = set(
        visible_pages(Page.objects.all(), user=user).filter(id__in=page_ids).values_list("id", flat=True)
    )
    done = done_page_ids(user=user, page_ids=page_ids)
    summaries = []
    for collection in collections:
        items = [item.page_id for item in collection.items.all() if item.page_id in live]
        summaries.append(
            CollectionSummary(collection=collection, total=len(items), done=sum(pk in done for pk in items))
        )
    return summaries
