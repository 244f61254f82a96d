"""What a reader follows: topics (tags) and mentor pairs."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TopicFollow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_follows")
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="topicfollow_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.tag}"


class PairFollow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pair_follows")
    pair = models.ForeignKey("blog.MentorPair", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "pair"], name="pairfollow_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.pair}"
