"""``/questions/``: the questions asked of pairs that no one has answered yet.

Questions live in threads (``blog.threads``); topics are tags on posts and
lessons (this app) and pairs are the blog's, so the page that filters by
both is here. Only questions on pages the reader may see are listed (the one
rule, ``site.visibility``), in a fixed number of queries however many there are.
"""

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from wagtail.models import Page

from taggit.models import Tag

from blog.models import MentorPair
from blog.selectors import pair_page_models
from blog.threads.models import Comment, Notification
from learning.selectors import STREAM_TYPES
from site.visibility import visible_pages

QUESTIONS_PER_PAGE = 20


@dataclass(frozen=True)
class QuestionFilter:
    topic: Tag | None = None
    pair: MentorPair | None = None
    asked_of: object = None  # a person: only the questions they were asked (as a host)


def open_questions(*, user, session=None, only: QuestionFilter = QuestionFilter()) -> QuerySet[Comment]:
    """Open questions on pages ``user`` may see, oldest first, each with its page, asker and reply count."""
    pages = visible_pages(Page.objects.all(), user=user, session=session)
    if only.topic is not None:
        tagged = Q()
        for _, through in STREAM_TYPES:
            tagged |= Q(pk__in=through.objects.filter(tag=only.topic).values("content_object_id"))
        pages = pages.filter(tagged)
    if only.pair is not None:
        written = Q()
        for model in pair_page_models():
            written |= Q(pk__in=model.objects.filter(pair=only.pair).values("pk"))
        pages = pages.filter(written)
    questions = Comment.objects.filter(
        question=True, answer__isnull=True, deleted=False, hidden=False, page__in=pages.values("pk")
    )
    if only.asked_of is not None:
        asked = Notification.objects.filter(
            comment=OuterRef("pk"), recipient=only.asked_of, kind=Notification.Kind.QUESTION
        )
        questions = questions.filter(Exists(asked))
    return (
        questions.select_related("author", "page")
        .annotate(reply_count=Count("replies", filter=Q(replies__deleted=False, replies__hidden=False)))
        .order_by("created", "id")
    )


def open_questions_page(
    *, user, session=None, only: QuestionFilter = QuestionFilter(), number: object = 1
) -> PaginatorPage:
    """One page of ``open_questions``: two queries (the count, the page)."""
    questions = open_questions(user=user, session=session, only=only)
    return Paginator(questions, QUESTIONS_PER_PAGE).get_page(number)


def question_topics() -> QuerySet[Tag]:
    """Every topic a post or a lesson carries, by name: what the filter offers."""
    used = Q()
    for _, through in STREAM_TYPES:
        used |= Q(pk__in=through.objects.values("tag_id"))
    return Tag.objects.filter(used).order_by(Lower("name"), "pk")


def question_pairs() -> QuerySet[MentorPair]:
    return MentorPair.objects.order_by("name", "pk")
