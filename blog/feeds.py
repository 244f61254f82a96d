"""Atom feeds of the blog and of each pair, and the base of every feed of posts and lessons."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

FEED_LENGTH = 20


class PageFeed(Feed):
    """Shared rendering of a list of posts and lessons; subclasses say which."""

    feed_type = Atom1Feed

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return getattr(item, "intro", None) or getattr(item, "objective", "")

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_author_name(self, item):
        return item.pair.byline if item.pair_id else None

    def item_pubdate(self, item):
        return item.first_published_at or datetime.datetime.combine(item.date, datetime.time.min)

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class BlogFeed(PageFeed):
    """The blog index's feed; ``posts`` are the index's (a ``PostQuerySet``)."""

    def __init__(self, index, *, posts):
        super().__init__()
        self.index = index
        self.posts = posts

    def title(self):
        return f"{self.index.title} — Pairwise"

    def link(self):
        return self.index.url

    def subtitle(self):
        return self.index.intro or "What our mentor pairs learned."

    def items(self):
        return self.posts.listed(user=self.request.user, session=self.request.session)[:FEED_LENGTH]


class PairFeed(PageFeed):
    def get_object(self, request, pair):
        return pair

    def title(self, pair):
        return f"{pair.name} — Pairwise"

    def link(self, pair):
        return pair.get_absolute_url()

    def subtitle(self, pair):
        return f"Posts by {pair.byline}."

    def items(self, pair):
        return pair.posts.listed(user=self.request.user, session=self.request.session)[:FEED_LENGTH]
