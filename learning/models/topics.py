"""The addresses a topic used to have, so that links to them keep working."""

from django.db import models
from django.utils import timezone


class TopicRedirect(models.Model):
    """``/topics/<old_slug>/`` is now the page of ``tag``.

    Written by ``learning.services.tag_rename`` and ``tag_merge``, never by
    hand; a live topic with the same slug always wins over a row here.
    """

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"/topics/{self.old_slug}/ → {self.tag}"
