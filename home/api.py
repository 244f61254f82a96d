"""Wagtail's API v2, read-only, for other tools: posts, lessons and collections at ``/api/v2/``.

Every endpoint serves what an anonymous reader may see, whoever asks
(``site.visibility.visible_pages`` for an anonymous person decides it, as it
does for the pages themselves), so a feed reader, a chat bot or a static site
builder never publishes more than the public site shows. ``docs/api.md``
lists the endpoints and fields.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Page, Site

from rest_framework.renderers import JSONRenderer

from blog.models import BlogPostPage, MentorPair
from learning.models import CollectionPage, LessonPage
from site.inputs import InvalidInput, parse_id, search_words
from site.visibility import visible_pages

PUBLISHED_TYPES = (BlogPostPage, LessonPage, CollectionPage)


class PublishedPagesAPIViewSet(PagesAPIViewSet):
    """Posts, lessons and collections, live and open to anonymous readers, on the request's site.

    Nothing here reads the session: the API is the same for everyone, so it
    needs no sign-in, sets no cookie and has no form to forge.
    """

    renderer_classes = [JSONRenderer]
    authentication_classes: list = []
    name = "pages"
    page_types: tuple[type[Page], ...] = PUBLISHED_TYPES

    def initial(self, request, *args, **kwargs):
        """Read ``search`` as the site's search box does, and refuse an offset no database takes."""
        super().initial(request, *args, **kwargs)
        query = request.GET.copy()
        if "search" in query:
            query["search"] = search_words(query["search"])
        if query.get("offset", "").isdigit():
            try:
                parse_id(query["offset"], name="offset")
            except InvalidInput as error:
                raise BadRequestError(str(error)) from error
        request._request.GET = query

    def get_base_queryset(self):
        pages = Page.objects.type(*self.page_types)
        site = Site.find_for_request(self.request)
        if site is not None:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        return visible_pages(pages, user=AnonymousUser())

    def get_queryset(self):
        return super().get_queryset().select_related("locale")


class PairPagesAPIViewSet(PublishedPagesAPIViewSet):
    """Posts or lessons, with their pair's members and their topics read with the page."""

    def get_queryset(self):
        members = MentorPair.objects.select_related("first_member", "second_member")
        return super().get_queryset().prefetch_related(Prefetch("pair", queryset=members), "tags")


class PostsAPIViewSet(PairPagesAPIViewSet):
    name = "posts"
    model = BlogPostPage
    page_types = (BlogPostPage,)


class LessonsAPIViewSet(PairPagesAPIViewSet):
    name = "lessons"
    model = LessonPage
    page_types = (LessonPage,)


class CollectionsAPIViewSet(PublishedPagesAPIViewSet):
    name = "collections"
    model = CollectionPage
    page_types = (CollectionPage,)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags", "items")


api_router = WagtailAPIRouter("wagtailapi")
for viewset in (PublishedPagesAPIViewSet, PostsAPIViewSet, LessonsAPIViewSet, CollectionsAPIViewSet):
    api_router.register_endpoint(viewset.name, viewset)
