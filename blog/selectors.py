"""Reads of posts and pairs that several pages share.

Every list is fetched in a fixed number of queries, whatever its length.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from wagtail.models import Page

from blog.models import BlogPostPage, MentorPair
from blog.threads.models import Comment
from site.visibility import visible_pages


def _with_listing_relations(posts: QuerySet[BlogPostPage]) -> QuerySet[BlogPostPage]:
    return (
        posts.select_related("pair__first_member", "pair__second_member")
        .prefetch_related("tags")
        .annotate(comment_count=_visible_comment_count())
    )


def _visible_comment_count():
    """The comments everyone can see on each post, counted inside the listing's own query."""
    visible = (
        Comment.objects.filter(page=OuterRef("pk"), deleted=False, hidden=False)
        .order_by()
        .values("page")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(visible, output_field=IntegerField()), Value(0))


def post_list(
    *, user=None, index: Page | None = None, pair: MentorPair | None = None
) -> QuerySet[BlogPostPage]:
    """Live posts ``user`` may see (anyone's view without one), newest first, ready for a listing."""
    posts = visible_pages(BlogPostPage.objects.all(), user=user)
    if index is not None:
        posts = posts.child_of(index)
    if pair is not None:
        posts = posts.filter(pair=pair)
    return _with_listing_relations(posts.order_by("-date", "-first_published_at", "-pk"))


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
    return _with_listing_relations(visible_pages(BlogPostPage.objects.all(), user=user)).search(query)
