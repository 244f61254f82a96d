"""Learning reactions on posts and lessons: set by readers, counted for pages, pairs and reports.

Guarantees:

* Idempotent: ``page_reaction_set`` sets one kind on or off; sending the same
  twice changes nothing (and the unique constraint holds it under races).
* Only people signed in who may see the page (the one rule) react, only to a
  post or lesson (a page a pair writes); a change counts against the rate
  limit comments share, a repeat that changes nothing does not.
* Reads are a fixed number of queries: a page's counts and the reader's own
  in one, a pair's learners in one.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from wagtail.models import Page

from blog.models import PageReaction, PairPageMixin
from blog.selectors import pair_page_models
from blog.threads.limits import comment_rate_check
from site.page_cache import purge_page_after_commit
from site.visibility import may_view, visible_pages

KINDS: tuple[str, ...] = tuple(PageReaction.Kind.values)
LABELS: dict[str, str] = dict(PageReaction.Kind.choices)


class RateLimited(ValidationError):
    def __init__(self, retry_after: int):
        super().__init__(f"You are reacting quickly; wait {retry_after} s.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ReactionState:
    """One kind on one page: how many people, and whether the reader is one of them."""

    kind: str
    label: str
    count: int
    mine: bool


def clean_kind(kind: object) -> str:
    if kind not in KINDS:
        raise ValidationError(f"reaction must be one of {', '.join(KINDS)}.")
    return kind


@transaction.atomic
def page_reaction_set(*, user, page: Page, kind: str, on: bool, session=None) -> list[ReactionState]:
    """Set ``user``'s reaction ``kind`` on ``page`` on or off; returns the page's reactions now."""
    kind = clean_kind(kind)
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to react.")
    if not issubclass(page.specific_class or Page, PairPageMixin):
        raise ValidationError("Only posts and lessons take these reactions.")
    if not may_view(page, user=user, session=session):
        raise PermissionDenied("That page is not here.")
    mine = PageReaction.objects.filter(page=page, user=user, kind=kind)
    if mine.exists() != on:
        retry_after = comment_rate_check(user_id=user.pk)
        if retry_after is not None:
            raise RateLimited(retry_after)
        if on:
            try:
                with transaction.atomic():  # a twin sent at once: one row, no error
                    PageReaction.objects.create(page=page, user=user, kind=kind)
            except IntegrityError:
                pass
        else:
            mine.delete()
        purge_page_after_commit(page.pk)
    return page_reactions(page=page, user=user)


def page_reactions(*, page: Page, user) -> list[ReactionState]:
    """Each kind's count on ``page`` and whether ``user`` set it: one query."""
    me = user.pk if user is not None and user.is_authenticated else None
    rows = {
        row["kind"]: row
        for row in PageReaction.objects.filter(page=page)
        .values("kind")
        .annotate(n=Count("id"), mine=Count("id", filter=Q(user_id=me)))
        .order_by()
    }
    return [
        ReactionState(
            kind=kind,
            label=LABELS[kind],
            count=rows.get(kind, {}).get("n", 0),
            mine=bool(rows.get(kind, {}).get("mine", 0)),
        )
        for kind in KINDS
    ]


def pair_learners(*, pair, viewer, session=None) -> int:
    """How many people learned from ``pair``'s posts and lessons that ``viewer`` may see: one query."""
    written = Q()
    for model in pair_page_models():
        written |= Q(pk__in=model.objects.filter(pair=pair).values("pk"))
    pages = visible_pages(Page.objects.filter(written), user=viewer, session=session)
    return (
        PageReaction.objects.filter(kind=PageReaction.Kind.LEARNED, page__in=pages.values("pk"))
        .values("user")
        .distinct()
        .count()
    )
