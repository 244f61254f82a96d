"""Reads of posts and pairs that several pages share.

Every list is fetched in a fixed number of queries, whatever its length.
"""

from django.db.models import Q, QuerySet

from wagtail.models import Page

from blog.models import BlogPostPage, MentorPair
from site.visibility import visible_pages


def post_list(
    *, user=None, index: Page | None = None, pair: MentorPair | None = None
) -> QuerySet[BlogPostPage]:
    """Live posts ``user`` may see (anyone's view without one), newest first, ready for a listing."""
    posts = BlogPostPage.objects.listed(user=user)
    if index is not None:
        posts = posts.child_of(index)
    if pair is not None:
        posts = posts.filter(pair=pair)
    return posts


def latest_posts(*, user=None, limit: int = 6) -> list[BlogPostPage]:
    return list(post_list(user=user)[:limit])


def pair_list(*, active_only: bool = False) -> QuerySet[MentorPair]:
    pairs = MentorPair.objects.select_related("first_member", "second_member")
    if active_only:
        pairs = pairs.filter(status=MentorPair.Status.ACTIVE)
    return pairs.order_by("status", "name")


def pairs_of_user(user) -> QuerySet[MentorPair]:
    return MentorPair.objects.filter(Q(first_member=user) | Q(second_member=user))


def search_posts(query: str, *, user=None):
    """Live posts ``user`` may see matching ``query`` in title, intro, body, tags or pair."""
    return visible_pages(BlogPostPage.objects.all(), user=user).for_listing().search(query)
