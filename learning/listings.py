"""Posts and lessons made ready for a list: tags, pair and cover, in a fixed number of queries.

Imports no page model, so that page models, selectors and views can all use it.
"""

from django.db.models import Prefetch, prefetch_related_objects

from wagtail.models import Page

from blog.models.pairs import MentorPair

LISTING_RELATIONS = (
    "tags",
    Prefetch("pair", queryset=MentorPair.objects.select_related("first_member", "second_member")),
)


def page_kind(page: Page) -> str:
    """ "post" or "lesson": what templates call the page in a list (``listing_kind`` on the class)."""
    return page.listing_kind


def prefetch_listing_relations(pages: list[Page]) -> None:
    """Tags, pair members and covers of posts and lessons: a few queries per page type, whatever the count."""
    by_type: dict[type, list[Page]] = {}
    for page in pages:
        by_type.setdefault(type(page), []).append(page)
    for page_type, of_type in by_type.items():
        covers = ("cover_image__renditions",) if hasattr(page_type, "cover_image") else ()
        prefetch_related_objects(of_type, *LISTING_RELATIONS, *covers)
