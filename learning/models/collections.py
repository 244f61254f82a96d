"""Editor-curated collections: ordered paths through posts and lessons."""

from django.core.exceptions import ValidationError
from django.db import models

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from blog.serializers import TopicNamesField
from learning.models.progress import collection_progress, collection_summaries
from learning.serializers import CollectionItemsField
from site.visibility import VisibilityRuleMixin

# The page types a collection may hold, as Wagtail's chooser names them.
COLLECTABLE_PAGE_TYPES = ["blog.BlogPostPage", "learning.LessonPage"]


class CollectionPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "learning.CollectionPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CollectionIndexPage(VisibilityRuleMixin, Page):
    """Every collection, featured first."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["learning.CollectionPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["collections"] = collection_summaries(
            collections=CollectionPage.objects.child_of(self), user=request.user
        )
        return context


class CollectionPageForm(WagtailAdminPageForm):
    """A collection needs at least one item to be published, not to be started.

    ``min_num`` on the inline panel would say the same but also open every new
    collection with a blank, required item that fails even a draft save. Wagtail
    defers required fields only when saving a draft, so any other action
    (publish, submit for review) checks that an item is there.
    """

    def clean(self):
        cleaned_data = super().clean()
        items = self.formsets["items"]
        if not self.is_deferred_validation and items.is_valid():
            kept = [
                form
                for form in items.forms
                if form.cleaned_data.get("page") and not form.cleaned_data.get("DELETE")
            ]
            if not kept:
                self.add_error(
                    None, "Add at least one post or lesson to the collection before publishing it."
                )
        return cleaned_data


class CollectionPage(VisibilityRuleMixin, Page):
    """An ordered sequence of posts and lessons that an editor curated."""

    description = models.TextField(help_text="What a reader will be able to do after working through it.")
    cover_image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    featured = models.BooleanField(default=False, help_text="Show this collection on the home page.")
    tags = ClusterTaggableManager(through=CollectionPageTag, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("featured"), FieldPanel("tags")]),
        InlinePanel("items", heading="Posts and lessons, in reading order", label="Item"),
    ]
    base_form_class = CollectionPageForm

    search_fields = Page.search_fields + [index.SearchField("description")]

    # What Wagtail's API v2 serves (``home.api``, docs/api.md).
    api_fields = [
        APIField("description"),
        APIField("tags", serializer=TopicNamesField()),
        APIField("cover", serializer=ImageRenditionField("fill-1200x630", source="cover_image")),
        APIField("items", serializer=CollectionItemsField()),
    ]

    parent_page_types = ["learning.CollectionIndexPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress"] = collection_progress(collection=self, user=request.user)
        return context


class CollectionItem(Orderable):
    collection = ParentalKey(CollectionPage, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", page_type=COLLECTABLE_PAGE_TYPES)]

    def clean(self) -> None:
        super().clean()
        if self.page_id is None:
            return
        model = self.page.specific_class
        allowed = {name.lower() for name in COLLECTABLE_PAGE_TYPES}
        if model is None or model._meta.label_lower not in allowed:
            raise ValidationError({"page": "A collection holds blog posts and lessons only."})

    def __str__(self) -> str:
        return f"{self.collection_id}: page {self.page_id}"
