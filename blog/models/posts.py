"""Blog posts: what a mentor pair learned, written up together."""

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from blog.blocks import PostBodyBlock, reading_minutes
from blog.forms import PairPageForm
from blog.models.pairs import MentorPair, PairPageMixin, PairPageQuerySet
from blog.permissions import PairPagePermissionsMixin
from blog.serializers import PairSerializer, TopicNamesField
from blog.threads.models import Comment
from blog.threads.pages import ThreadPageMixin
from site.visibility import VisibilityRuleMixin


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey("blog.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items")


class PostQuerySet(PairPageQuerySet):
    listing_order = ("-date", "-first_published_at", "-pk")

    def for_listing(self) -> "PostQuerySet":
        """Also each post's cover (its renditions in one more query) and ``comment_count``.

        The count is of the comments everyone can see, in the same query.
        """
        return (
            super()
            .for_listing()
            .select_related("cover_image")
            .prefetch_related("cover_image__renditions")
            .annotate(comment_count=_visible_comment_count())
        )


def _visible_comment_count():
    visible = (
        Comment.objects.filter(page=OuterRef("pk"), deleted=False, hidden=False)
        .order_by()
        .values("page")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(visible, output_field=IntegerField()), Value(0))


class BlogPostPage(PairPageMixin, PairPagePermissionsMixin, ThreadPageMixin, VisibilityRuleMixin, Page):
    """A post that a mentor pair wrote together."""

    listing_kind = "post"

    pair = models.ForeignKey(MentorPair, on_delete=models.PROTECT, related_name="posts")
    date = models.DateField("publication date", default=timezone.localdate)
    intro = models.CharField(max_length=300, help_text="One or two sentences shown in listings.")
    body = StreamField(PostBodyBlock())
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Shown at the top of the post and on its card in listings.",
    )
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True, help_text="Topics this post is about.")
    # Derived from the body whenever the page is saved; stored so listings
    # need not parse every body to show it.
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    # Visible comments, annotated by ``PostQuerySet.listed``; None elsewhere.
    comment_count: int | None = None

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("pair"), FieldPanel("date")]),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
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

    # What Wagtail's API v2 serves (``home.api``, docs/api.md).
    api_fields = [
        APIField("date"),
        APIField("intro"),
        APIField("pair", serializer=PairSerializer()),
        APIField("tags", serializer=TopicNamesField()),
        APIField("reading_minutes"),
        APIField("body"),
    ]

    objects = PageManager.from_queryset(PostQuerySet)()

    base_form_class = PairPageForm
    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        ordering = ["-date", "-pk"]

    @classmethod
    def routed_pages(cls):
        """Posts as a request for one loads them: with pair, members and cover (``site.routes``)."""
        return cls.objects.select_related("pair__first_member", "pair__second_member", "cover_image")

    @property
    def listing_summary(self) -> str:
        return self.intro

    @property
    def listing_minutes(self) -> int:
        return self.reading_minutes

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
