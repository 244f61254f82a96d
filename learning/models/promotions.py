"""Conversations that became lessons: where a promoted lesson came from.

``learning.promotions.lesson_promote`` makes a draft lesson out of a comment
and the replies chosen with it; this row remembers the thread, the comments
quoted and who promoted them, so that publishing the lesson can tell the
people quoted and link the conversation to the lesson, once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PromotedConversation(models.Model):
    lesson = models.OneToOneField(
        "learning.LessonPage", on_delete=models.CASCADE, related_name="promoted_from"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    # The conversation's first comment; ``comment_ids`` is it and the replies chosen, in thread order.
    comment = models.ForeignKey("blog.Comment", on_delete=models.CASCADE, related_name="+")
    comment_ids = models.JSONField(default=list)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    # When the lesson was first published and the people quoted were told (once).
    published = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Conversation {self.comment_id} promoted to lesson {self.lesson_id}"
