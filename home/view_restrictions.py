"""Wagtail's page view restrictions, checked in fewer queries.

Before serving a page Wagtail asks for its ancestors (to resolve aliases),
then for the restrictions on them: two queries, where the same rule fits in
one. Every listing's ``.public()`` reads all restrictions first: one query
per listing, where a subquery does.
"""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr

from wagtail.models import Page, PageViewRestriction
from wagtail.query import PageQuerySet


class ViewRestrictionsInOneQueryMixin:
    """For page models: restrictions on the page, on any ancestor, or on the page either is an alias of."""

    def get_view_restrictions(self):
        steps = range(Page.steplen, len(self.path) + 1, Page.steplen)
        chain = Page.objects.filter(path__in=[self.path[:end] for end in steps])
        return PageViewRestriction.objects.filter(
            Q(page__in=chain.filter(alias_of__isnull=True))
            | Q(page__in=chain.filter(alias_of__isnull=False).values("alias_of"))
        )


def only_public(pages: PageQuerySet) -> PageQuerySet:
    """``pages.public()`` inside the same query.

    Wagtail's ``public()`` first reads every restriction to build its filter:
    one query more for each listing on a page. Here a page is left out when a
    restriction sits on it or on an ancestor (a path that starts its own).
    """
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return pages.exclude(Exists(restricted))
