"""The blog index: every post, newest first, with a feed.

It lists its posts through ``PostQuerySet.listed``; ``blog.feeds`` renders
a queryset it is given, so neither imports back into the models.
"""

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from blog.feeds import BlogFeed
from blog.models.posts import BlogPostPage
from site.visibility import VisibilityRuleMixin

POSTS_PER_PAGE = 10


class BlogIndexPage(RoutablePageMixin, VisibilityRuleMixin, Page):
    """The blog: every post, newest first, with a feed."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["blog.BlogPostPage"]
    max_count = 1

    def route(self, request, path_components):
        # A post is a child of the index: fetch it as a post, with its pair,
        # both members and its cover, in one query instead of Wagtail's five
        # (page, specific page, pair, each member, image). Anything else routes
        # as Wagtail routes it.
        if len(path_components) == 1 and not self._has_own_route(path_components[0]):
            post = BlogPostPage.routed_pages().child_of(self).filter(slug=path_components[0]).first()
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
        posts = BlogPostPage.objects.child_of(self).listed(user=request.user, session=request.session)
        page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={"posts": page})

    @path("feed/", name="feed")
    def feed(self, request):
        return BlogFeed(self, posts=BlogPostPage.objects.child_of(self))(request)
