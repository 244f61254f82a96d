"""A reader's progress: pages done, knowledge-check attempts, and reviews due.

Progress points at the page's id, never at a revision, so it survives
re-publishing the lesson.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


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
