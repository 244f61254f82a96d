"""Mentor pairs: two colleagues who teach each other, and the pages they write."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import PageQuerySet
from wagtail.search import index

from blog.models.reactions import reaction_count_annotations
from site.people import display_name
from site.visibility import visible_pages


class MentorPair(index.Indexed, models.Model):
    """Two colleagues who teach each other and write up what they learned."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    first_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairs_as_first_member"
    )
    first_member_brings = models.CharField(
        max_length=255, help_text='What they teach the other, e.g. "tech: wikis, tagging, social tools".'
    )
    second_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairs_as_second_member"
    )
    second_member_brings = models.CharField(
        max_length=255, help_text='e.g. "business: client negotiation, 20 years in lending".'
    )
    goals = models.TextField(help_text="What the pair wants to learn from each other.")
    started = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        MultiFieldPanel(
            [FieldPanel("first_member"), FieldPanel("first_member_brings")], heading="First member"
        ),
        MultiFieldPanel(
            [FieldPanel("second_member"), FieldPanel("second_member_brings")], heading="Second member"
        ),
        FieldPanel("goals"),
        FieldRowPanel([FieldPanel("started"), FieldPanel("status")]),
    ]

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_member=models.F("second_member")),
                name="mentorpair_two_distinct_members",
                violation_error_message="A pair needs two different people.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pair_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        if self.first_member_id and self.first_member_id == self.second_member_id:
            raise ValidationError({"second_member": "A pair needs two different people."})

    @property
    def members(self) -> list:
        """Both members, each with what they bring, in the pair's own order."""
        return [
            (self.first_member, self.first_member_brings),
            (self.second_member, self.second_member_brings),
        ]

    @property
    def byline(self) -> str:
        return f"{display_name(self.first_member)} and {display_name(self.second_member)}"

    def has_member(self, user) -> bool:
        return user.pk in (self.first_member_id, self.second_member_id)


class PairPageQuerySet(PageQuerySet):
    """The queryset of pages a pair writes: ``listed`` is what every listing of them starts from."""

    # Newest first; a page type may add a tie-break before the id.
    listing_order: tuple[str, ...] = ("-date", "-pk")

    def listed(self, *, user=None, session=None):
        """The live pages ``user`` may see (the one rule), newest first, ready for a listing."""
        return visible_pages(self, user=user, session=session).for_listing().order_by(*self.listing_order)

    def for_listing(self):
        """Pair members and tags in a fixed number of queries, whatever the count; reactions counted too."""
        return (
            self.select_related("pair__first_member", "pair__second_member")
            .prefetch_related("tags")
            .annotate(**reaction_count_annotations())
        )


class PairPageMixin:
    """For pages a mentor pair writes (posts, lessons): the thread tells the pair of every comment.

    A page type with this mixin has a ``pair`` foreign key, a ``date``, a
    queryset offering ``listed(user=, session=)``, and ``listing_kind``,
    ``listing_summary`` and ``listing_minutes`` for a card: a person's page
    lists the pages of their pairs through them, whichever app defines the type.
    """

    # Learning reactions, annotated by ``PairPageQuerySet.for_listing``; None elsewhere.
    learned_count: int | None = None
    insightful_count: int | None = None

    @classmethod
    def thread_follower_ids(cls, page_id: int) -> list[int]:
        """Both members of the page's pair, in one query, without loading the page."""
        return cls.thread_host_ids(page_id)

    @classmethod
    def thread_follower_text(cls, actor: str, title: str) -> str:
        return f"{actor} commented on your pair's post “{title}”"

    @classmethod
    def thread_host_ids(cls, page_id: int) -> list[int]:
        """Questions on the page are asked of its pair: both members, in one query."""
        members = cls.objects.filter(pk=page_id, pair__isnull=False).values_list(
            "pair__first_member_id", "pair__second_member_id"
        )
        return [member for row in members for member in row]

    def thread_hosts(self) -> list[int]:
        # The page's own pair, which its template shows anyway: no query of its own.
        pair = self.pair if self.pair_id else None
        return [pair.first_member_id, pair.second_member_id] if pair else []


class PairGoal(models.Model):
    """Something one member wants to learn from the other, and how far they have got."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"

    pair = models.ForeignKey(MentorPair, on_delete=models.CASCADE, related_name="goal_items")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.text


class PairCheckIn(models.Model):
    """A short note of a pair's session: what they did, what is next. Seen by the pair and editors only."""

    pair = models.ForeignKey(MentorPair, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(default=timezone.localdate)
    did = models.TextField("what we did", max_length=1000)
    next = models.TextField("what is next", max_length=1000, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.pair} on {self.date}"
