"""How a collection's items appear to other tools (Wagtail's API v2, ``home.api``)."""

from django.contrib.auth.models import AnonymousUser

from wagtail.api.utils import get_full_url
from wagtail.models import Page

from rest_framework import serializers

from site.visibility import visible_pages


class CollectionItemsField(serializers.Field):
    """The items of a collection that anonymous readers may see, in the editor's order.

    ``[{"id", "type", "title", "html_url"}]``, ``type`` as the API names page
    types (``blog.BlogPostPage``). An item on a page that is restricted,
    unpublished or gone is left out, as the collection's own page leaves it out.
    """

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, collection) -> list[dict]:
        page_ids = [item.page_id for item in collection.items.all()]
        pages = (
            visible_pages(Page.objects.filter(id__in=page_ids), user=AnonymousUser())
            .select_related("content_type")
            .in_bulk()
        )
        request = self.context.get("request")
        return [
            {
                "id": page.pk,
                "type": page.cached_content_type.model_class()._meta.label,
                "title": page.title,
                "html_url": get_full_url(request, page.url),
            }
            for page in (pages[pk] for pk in page_ids if pk in pages)
        ]
