"""The Atom feed of a topic's stream: the same items as its first page."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from learning.selectors import topic_stream

FEED_LENGTH = 20


class TopicFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, tag):
        return tag

    def title(self, tag):
        return f"{tag.name} — Pairwise"

    def link(self, tag):
        return f"/topics/{tag.slug}/"

    def subtitle(self, tag):
        return f"New posts and lessons about {tag.name}."

    def items(self, tag):
        return [
            entry.page for entry in topic_stream(tag=tag, user=self.request.user, size=FEED_LENGTH).entries
        ]

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
