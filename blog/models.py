"""Mentor pairs, the blog index and blog posts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from blog.blocks import PostBodyBlock, reading_minutes
from blog.forms import PairPageForm
from blog.permissions import PairPagePermissionsMixin
from blog.threads.models import Comment, Notification, Presence, Reaction, Thread
from blog.threads.pages import ThreadPageMixin
from site.people import display_name
from site.visibility import VisibilityRuleMixin

__all__ = [
    "BlogIndexPage",
    "BlogPostPage",
    "BlogPostTag",
    "Comment",
    "MentorPair",
    "Notification",
    "Presence",
    "Reaction",
    "Thread",
]

POSTS_PER_PAGE = 10


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


class PairPageMixin:
    """For pages a mentor pair writes (posts, lessons): the thread tells the pair of every comment."""

    @classmethod
    def thread_follower_ids(cls, page_id: int) -> list[int]:
        """Both members of the page's pair, in one query, without loading the page."""
        members = cls.objects.filter(pk=page_id, pair__isnull=False).values_list(
            "pair__first_member_id", "pair__second_member_id"
        )
        return [member for row in members for member in row]


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey("blog.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items")


class BlogIndexPage(RoutablePageMixin, VisibilityRuleMixin, Page):
    """The blog: every post, newest first, with a feed."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["blog.BlogPostPage"]
    max_count = 1

    def route(self, request, path_components):
        # A post is a child of the index: fetch it as a post, with its pair and
        # both members, in one query instead of Wagtail's four (page, specific
        # page, pair, each member). Anything else routes as Wagtail routes it.
        if len(path_components) == 1 and not self._has_own_route(path_components[0]):
            post = (
                BlogPostPage.objects.child_of(self)
                .select_related("pair__first_member", "pair__second_member")
                .filter(slug=path_components[0])
                .first()
            )
            if post is not None:
                post._cached_parent_obj = self  # as Wagtail's routing does
                return post.route(request, [])
        return super().route(request, path_components)

    def _has_own_route(self, component: str) -> bool:
        if not self.live:  # RoutablePageMixin serves its routes only on a live page
            return False
        try:
            self.resolve_subpage(f"/{component}/")
        except Http404:
            return False
        return True

    @path("")
    def post_list(self, request):
        from blog.selectors import post_list

        page = Paginator(post_list(user=request.user, index=self), POSTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return self.render(request, context_overrides={"posts": page})

    @path("feed/", name="feed")
    def feed(self, request):
        from blog.feeds import BlogFeed

        return BlogFeed(self)(request)


class BlogPostPage(PairPageMixin, PairPagePermissionsMixin, ThreadPageMixin, VisibilityRuleMixin, Page):
    """A post that a mentor pair wrote together."""

    pair = models.ForeignKey(MentorPair, on_delete=models.PROTECT, related_name="posts")
    date = models.DateField("publication date", default=timezone.localdate)
    intro = models.CharField(max_length=300, help_text="One or two sentences shown in listings.")
    body = StreamField(PostBodyBlock())
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True, help_text="Topics this post is about.")
    # Derived from the body whenever the page is saved; stored so listings
    # need not parse every body to show it.
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    # Visible comments, annotated by listing queries (blog.selectors); None elsewhere.
    comment_count: int | None = None

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("pair"), FieldPanel("date")]),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("pair", [index.SearchField("name")]),
        index.FilterField("date"),
    ]

    base_form_class = PairPageForm
    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        ordering = ["-date", "-pk"]

    def save(self, *args, **kwargs):
        self.reading_minutes = reading_minutes(self.body.stream_block, self.body)
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["first_member"], context["second_member"] = (
            self.pair.first_member,
            self.pair.second_member,
        )
        return context
