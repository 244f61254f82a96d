"""Reads for editors: the review queue of flagged comments, and the comment listing.

Both show only comments on pages the editor may see (the one visibility rule,
``site.visibility.visible_pages``), and fetch in a fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from wagtail.models import Page

from blog.threads.models import Comment, CommentFlag
from site.visibility import visible_pages

QUEUE_SIZE = 50


@dataclass(frozen=True)
class FlaggedComment:
    """A comment waiting for review, with its open flags and the comments around it."""

    comment: Comment
    flags: list[CommentFlag]
    parent: Comment | None
    before: Comment | None  # the comment just before it in the thread
    after: Comment | None  # and just after


def visible_comments(*, user, session=None) -> QuerySet[Comment]:
    """Comments on live pages ``user`` may see (the one rule), not deleted."""
    pages = visible_pages(Page.objects.all(), user=user, session=session)
    return Comment.objects.filter(deleted=False, page__in=pages.values("pk"))


def open_flags_exist() -> Exists:
    return Exists(CommentFlag.objects.filter(comment=OuterRef("pk"), outcome=CommentFlag.Outcome.OPEN))


def review_queue(*, user, session=None, limit: int = QUEUE_SIZE) -> list[FlaggedComment]:
    """Comments with open flags, the longest waiting first, each with its context; three queries."""
    open_flags = CommentFlag.objects.filter(comment=OuterRef("pk"), outcome=CommentFlag.Outcome.OPEN)
    neighbours = Comment.objects.filter(page=OuterRef("page"), deleted=False)
    comments = list(
        visible_comments(user=user, session=session)
        .filter(Exists(open_flags))
        .annotate(
            first_flagged=Subquery(open_flags.order_by("created").values("created")[:1]),
            before_id=Subquery(neighbours.filter(pk__lt=OuterRef("pk")).order_by("-pk").values("pk")[:1]),
            after_id=Subquery(neighbours.filter(pk__gt=OuterRef("pk")).order_by("pk").values("pk")[:1]),
        )
        .select_related("page", "author", "parent__author")
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=CommentFlag.objects.filter(outcome=CommentFlag.Outcome.OPEN).select_related(
                    "flagger"
                ),
                to_attr="open_flags",
            )
        )
        .order_by("first_flagged", "pk")[:limit]
    )
    around_ids = {c.before_id for c in comments} | {c.after_id for c in comments}
    around_ids.discard(None)
    around = Comment.objects.select_related("author").in_bulk(around_ids) if around_ids else {}
    return [
        FlaggedComment(
            comment=c,
            flags=c.open_flags,
            parent=c.parent,
            before=around.get(c.before_id),
            after=around.get(c.after_id),
        )
        for c in comments
    ]
