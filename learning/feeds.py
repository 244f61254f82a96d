"""The Atom feed of a topic's stream: the same items as its first page."""

from blog.feeds import FEED_LENGTH, PageFeed
from learning.selectors import topic_stream


class TopicFeed(PageFeed):
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
