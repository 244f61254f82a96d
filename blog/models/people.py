"""People: a profile for everyone who signs in, with what they can teach and want to learn.

Both topic lists use the one vocabulary of posts and lessons (taggit's
``Tag``, case-insensitive), so "can teach Wikis" and a post tagged "wikis"
name the same topic.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from site.people import display_name

BIO_MAX_LENGTH = 600


class ProfileTeaches(TaggedItemBase):
    content_object = models.ForeignKey("blog.Profile", on_delete=models.CASCADE, related_name="teach_items")


class ProfileWants(TaggedItemBase):
    content_object = models.ForeignKey("blog.Profile", on_delete=models.CASCADE, related_name="learn_items")


class Profile(models.Model):
    """Who someone is at work, and what they bring to a pair and hope to get from one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    job_title = models.CharField(max_length=120, blank=True)
    team = models.CharField(max_length=120, blank=True)
    joined_on = models.DateField(
        "joined the company", null=True, blank=True, help_text="Shown as how long they have been here."
    )
    bio = models.TextField(max_length=BIO_MAX_LENGTH, blank=True, help_text="A few sentences, plain text.")
    avatar = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    can_teach = TaggableManager(
        "I can teach", through=ProfileTeaches, blank=True, related_name="teachers", help_text="Topics."
    )
    wants_to_learn = TaggableManager(
        "I want to learn", through=ProfileWants, blank=True, related_name="learners", help_text="Topics."
    )
    updated = models.DateTimeField(default=timezone.now)

    panels = [
        FieldRowPanel([FieldPanel("job_title"), FieldPanel("team"), FieldPanel("joined_on")]),
        FieldPanel("bio"),
        FieldPanel("avatar"),
        MultiFieldPanel([FieldPanel("can_teach"), FieldPanel("wants_to_learn")], heading="Topics"),
    ]

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]

    def __str__(self) -> str:
        return display_name(self.user)

    def get_absolute_url(self) -> str:
        return reverse("person_detail", kwargs={"username": self.user.get_username()})

    def tenure_months(self, today: datetime.date | None = None) -> int | None:
        """Whole calendar months since joining the company (0 in the first), or None when not given."""
        if self.joined_on is None:
            return None
        today, joined = today or timezone.localdate(), self.joined_on
        months = (today.year - joined.year) * 12 + today.month - joined.month - (today.day < joined.day)
        return max(months, 0)
