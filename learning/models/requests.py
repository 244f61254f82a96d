"""Topic requests: "please write about X", voted on by staff, claimed and answered by a pair.

A request is a Wagtail page (``TopicRequestPage`` under the one
``TopicRequestIndexPage`` at ``/requests/``) so that it carries a live
thread by the same mechanism as posts and lessons (``ThreadPageMixin`` keys a
thread on a page id), is found by the one visibility rule, by site search and
by page privacy, and has an address editors can move and restrict. Anyone
signed in asks through ``learning.request_services.request_ask``, not the
admin; its lifecycle is written by the services in that module too.

The lifecycle (status, claiming pair, answer, decline) belongs to the request
as a whole, not to one revision of its text: ``with_content_json`` keeps it
from the live row when an older revision is published.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from blog.threads.pages import ThreadPageMixin
from learning.models.votes import RequestListing, request_listing, request_state
from site.visibility import VisibilityRuleMixin

TITLE_MIN_LENGTH = 10
TITLE_MAX_LENGTH = 150
DETAILS_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500


def title_key(title: str) -> str:
    """What two titles must share to be "the same request": case and spacing do not count."""
    return " ".join(title.split()).casefold()


class TopicRequestTag(TaggedItemBase):
    content_object = ParentalKey(
        "learning.TopicRequestPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class TopicRequestIndexPage(VisibilityRuleMixin, Page):
    """Every request, sorted by votes, newest or status, filtered by topic (``?sort=``, ``?topic=``)."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["learning.TopicRequestPage"]
    max_count = 1

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if self._listing(request).error:
            response.status_code = 400  # the page still renders, with the error and every request
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["listing"] = self._listing(request)
        return context

    def _listing(self, request) -> RequestListing:
        known = getattr(request, "_pairwise_request_listing", None)
        if known is None:
            known = request_listing(
                requests=TopicRequestPage.objects.child_of(self),
                params=request.GET,
                user=request.user,
                session=request.session,
            )
            request._pairwise_request_listing = known
        return known


class TopicRequestPage(ThreadPageMixin, VisibilityRuleMixin, Page):
    """One request for a post or lesson, with its votes, its thread and where it stands."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    # Still wanted: a second request with the same title is refused while one of these is.
    ACTIVE = (Status.OPEN, Status.CLAIMED)
    LIFECYCLE_FIELDS = (
        "status",
        "claimed_by",
        "claimed_at",
        "answer",
        "answered_at",
        "declined_reason",
        "declined_by",
        "title_key",
    )

    details = models.TextField(
        blank=True, max_length=DETAILS_MAX_LENGTH, help_text="What you would like to learn; plain text."
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    tags = ClusterTaggableManager(through=TopicRequestTag, blank=True, help_text="Topics of the request.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, editable=False)
    claimed_by = models.ForeignKey(
        "blog.MentorPair",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="claimed_requests",
    )
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The post or lesson that answers it; set while that page is still a draft
    # (chosen in its admin form), the request is answered once it is published.
    answer = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="answered_requests",
    )
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH, editable=False)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # ``title_key(title)``, kept on save: the duplicate check and its constraint compare it.
    title_key = models.CharField(max_length=255, editable=False, default="")

    content_panels = Page.content_panels + [FieldPanel("details"), FieldPanel("tags")]

    search_fields = Page.search_fields + [
        index.SearchField("details"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
    ]

    parent_page_types = ["learning.TopicRequestIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["title_key"],
                condition=Q(status__in=["open", "claimed"]),
                name="topicrequest_one_active_per_title",
                violation_error_message="There is already an open request with this title.",
            )
        ]

    def save(self, *args, **kwargs):
        self.title_key = title_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key"}
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        # The admin edits titles too; the same rule as ``request_ask``.
        if self.status in self.ACTIVE and self.title:
            duplicate = (
                TopicRequestPage.objects.filter(title_key=title_key(self.title), status__in=self.ACTIVE)
                .exclude(pk=self.pk)
                .exists()
            )
            if duplicate:
                raise ValidationError({"title": "There is already an open request with this title."})

    def with_content_json(self, content):
        # Publishing an older revision must not reopen a claimed or answered request.
        page = super().with_content_json(content)
        for name in self.LIFECYCLE_FIELDS:
            field = self._meta.get_field(name)
            setattr(page, field.attname, getattr(self, field.attname))
        return page

    @classmethod
    def thread_follower_ids(cls, page_id: int) -> list[int]:
        """Whoever asked for it hears of every comment on its thread; one query, the page unloaded."""
        return list(
            cls.objects.filter(pk=page_id, requester__isnull=False).values_list("requester_id", flat=True)
        )

    @classmethod
    def thread_follower_text(cls, actor: str, title: str) -> str:
        return f"{actor} commented on your request “{title}”"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["state"] = request_state(page=self, user=request.user, session=request.session)
        return context
