"""Micro-lessons: the learning index and lesson pages with knowledge checks."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from rest_framework import serializers
from taggit.models import TaggedItemBase

from blog.forms import PairPageForm
from blog.models import PairPageMixin, PairPageQuerySet
from blog.permissions import PairPagePermissionsMixin
from blog.serializers import PairSerializer, TopicNamesField
from blog.threads.pages import ThreadPageMixin
from learning.blocks import KnowledgeCheckBlock, LessonBodyBlock, estimated_minutes
from learning.models.progress import lesson_progress
from site.visibility import VisibilityRuleMixin

# A micro-lesson should fit in a coffee break; editors are warned above this.
MAX_LESSON_MINUTES = 5
LESSONS_PER_PAGE = 12


class LessonPageTag(TaggedItemBase):
    content_object = ParentalKey("learning.LessonPage", on_delete=models.CASCADE, related_name="tagged_items")


class LessonQuerySet(PairPageQuerySet):
    """Lessons list as every pair's pages do (``PairPageQuerySet.listed``)."""


class LearningIndexPage(VisibilityRuleMixin, Page):
    """Every lesson, newest first."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["learning.LessonPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        lessons = LessonPage.objects.child_of(self).listed(user=request.user, session=request.session)
        context["lessons"] = Paginator(lessons, LESSONS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class LessonPage(PairPageMixin, PairPagePermissionsMixin, ThreadPageMixin, VisibilityRuleMixin, Page):
    """A bite-size lesson: an objective, a short body, takeaways and a knowledge check.

    Answers are checked, and the lesson marked done, at ``learning.urls``'
    ``lesson_check`` and ``lesson_mark_done``.
    """

    listing_kind = "lesson"

    objective = models.CharField(
        "learning objective",
        max_length=255,
        help_text='One sentence: "After this lesson you can …".',
    )
    date = models.DateField("publication date", default=timezone.localdate)
    pair = models.ForeignKey(
        "blog.MentorPair",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        help_text="The pair who wrote it, if a pair did.",
    )
    inspired_by = models.ForeignKey(
        "blog.BlogPostPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspired_lessons",
        help_text="The blog post this lesson grew out of.",
    )
    body = StreamField(LessonBodyBlock())
    takeaways = models.TextField("key takeaways", help_text="One takeaway per line; three is plenty.")
    knowledge_check = StreamField(
        KnowledgeCheckBlock(),
        blank=True,
        help_text="Questions readers answer after the lesson; the answers are checked on the server.",
    )
    tags = ClusterTaggableManager(through=LessonPageTag, blank=True, help_text="Topics this lesson is about.")
    # Derived on save from the body and the questions, like a post's reading time.
    estimated_minutes = models.PositiveSmallIntegerField(default=1, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("objective"),
        FieldRowPanel([FieldPanel("pair"), FieldPanel("date")]),
        FieldPanel("body"),
        FieldPanel("takeaways"),
        FieldPanel("knowledge_check"),
        MultiFieldPanel(
            [FieldPanel("tags"), PageChooserPanel("inspired_by", page_type="blog.BlogPostPage")],
            heading="Topics and origin",
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("objective", boost=2),
        index.SearchField("body"),
        index.SearchField("takeaways"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("date"),
    ]

    # What Wagtail's API v2 serves (``home.api``, docs/api.md): not the
    # knowledge check, whose answers are checked on the server.
    api_fields = [
        APIField("objective"),
        APIField("date"),
        APIField("pair", serializer=PairSerializer(allow_null=True)),
        APIField("tags", serializer=TopicNamesField()),
        APIField("reading_minutes", serializer=serializers.IntegerField(source="estimated_minutes")),
        APIField("body"),
        APIField("takeaways"),
    ]

    objects = PageManager.from_queryset(LessonQuerySet)()

    # The same rule as posts: pair members may only credit one of their own pairs.
    base_form_class = PairPageForm
    parent_page_types = ["learning.LearningIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        ordering = ["-date", "-pk"]

    def save(self, *args, **kwargs):
        self.estimated_minutes = estimated_minutes(
            self.body.stream_block, self.body, question_count=len(self.knowledge_check)
        )
        return super().save(*args, **kwargs)

    @property
    def is_too_long(self) -> bool:
        return self.estimated_minutes > MAX_LESSON_MINUTES

    @property
    def listing_summary(self) -> str:
        return self.objective

    @property
    def listing_minutes(self) -> int:
        return self.estimated_minutes

    @property
    def takeaway_list(self) -> list[str]:
        return [line.strip() for line in self.takeaways.splitlines() if line.strip()]

    @property
    def questions(self) -> list:
        """The knowledge check's questions as bound blocks (``.id`` and ``.value``)."""
        return list(self.knowledge_check)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress"] = lesson_progress(
            lesson=self, user=request.user, session=request.session, attempt=request.GET.get("attempt")
        )
        return context
