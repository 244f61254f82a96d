"""Votes on topic requests, and the reads the request pages render through.

Like ``progress``, this module imports no request page model: the pages in
``learning.models.requests`` hand their querysets and themselves to the reads
at the end, so neither module imports the other back. Every read runs a
fixed number of queries however many requests, votes and topics there are.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from wagtail.models import Page, PageQuerySet

from taggit.models import Tag

from blog.models import MentorPair
from blog.selectors import pages_of_pairs
from site.inputs import InvalidInput, check_text
from site.people import is_editor
from site.visibility import may_view, visible_pages

REQUESTS_PER_PAGE = 20
# The choices of ``?sort=``, in the order the listing offers them.
SORTS = {"votes": "Most votes", "newest": "Newest", "status": "Status"}
STATUS_ORDER = ("open", "claimed", "answered", "declined")


class TopicRequestVote(models.Model):
    """One person wants this request answered; toggled, at most once per person."""

    request = models.ForeignKey("learning.TopicRequestPage", on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="topicrequestvote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} votes for {self.request_id}"


# --- Reads the pages render through -----------------------------------------


def requests_for_listing(requests: PageQuerySet, *, user, session=None) -> PageQuerySet:
    """The live ``requests`` ``user`` may see, each with ``vote_count`` and ``voted``, ready to list.

    Requester, claiming pair with both members, and topics come in a fixed
    number of queries; no sort order is imposed.
    """
    votes = TopicRequestVote.objects.filter(request=OuterRef("pk")).order_by()
    counted = votes.values("request").annotate(n=Count("pk")).values("n")
    voted = Exists(votes.filter(user=user)) if user is not None and user.is_authenticated else Value(False)
    return (
        visible_pages(requests, user=user, session=session)
        .annotate(vote_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)), voted=voted)
        .select_related("requester", "claimed_by__first_member", "claimed_by__second_member")
        .prefetch_related("tags")
    )


def attach_answers(requests: list, *, user, session=None) -> None:
    """Set ``shown_answer`` on each answered request: its answer, if ``user`` may see it; one query."""
    ids = {r.answer_id for r in requests if r.status == "answered" and r.answer_id}
    pages = (
        visible_pages(Page.objects.filter(id__in=ids), user=user, session=session).in_bulk() if ids else {}
    )
    for r in requests:
        r.shown_answer = pages.get(r.answer_id) if r.status == "answered" else None


def _ordered(requests: PageQuerySet, sort: str) -> PageQuerySet:
    if sort == "newest":
        return requests.order_by("-asked_at", "-pk")
    if sort == "status":
        rank = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(STATUS_ORDER)), default=Value(9))
        return requests.annotate(status_rank=rank).order_by("status_rank", "-vote_count", "-asked_at", "-pk")
    return requests.order_by("-vote_count", "-asked_at", "-pk")


@dataclass(frozen=True)
class RequestListing:
    """One page of ``/requests/`` and the choices that made it; ``error`` when a choice was refused."""

    requests: PaginatorPage
    sort: str = "votes"
    status: str = ""
    topic: Tag | None = None
    topics: list[Tag] = field(default_factory=list)
    error: str = ""
    sorts: Mapping[str, str] = field(default_factory=lambda: SORTS)
    statuses: tuple[str, ...] = STATUS_ORDER

    @property
    def query(self) -> str:
        """The choices as a query string, for the pagination links."""
        choices = {"sort": self.sort, "status": self.status, "topic": self.topic.slug if self.topic else ""}
        return urlencode({name: value for name, value in choices.items() if value})


def _choice(params: Mapping[str, str], name: str, allowed, default: str, problem: str) -> tuple[str, str]:
    value = params.get(name, default) or default
    return (value, "") if value in allowed else (default, problem)


def _topic_choice(slug: str) -> tuple[Tag | None, str]:
    if not slug:
        return None, ""
    try:
        check_text(slug, name="topic")
    except InvalidInput:
        return None, "That topic is not valid."
    tag = Tag.objects.filter(slug__iexact=slug[:100]).first()
    return (tag, "") if tag is not None else (None, "There is no such topic; showing every topic.")


def request_listing(
    *, requests: PageQuerySet, params: Mapping[str, str], user, session=None
) -> RequestListing:
    """``requests`` as ``/requests/`` lists them for ``params`` (``sort``, ``status``, ``topic``, ``page``).

    A choice that is not one of those offered is replaced by the default and
    named in ``error`` (the page answers 400); it never raises.
    """
    sort, sort_error = _choice(params, "sort", SORTS, "votes", "Sort by votes, newest or status.")
    status, status_error = _choice(
        params, "status", ("", *STATUS_ORDER), "", "Status is open, claimed, answered or declined."
    )
    topic, topic_error = _topic_choice(params.get("topic", ""))
    listed = requests_for_listing(requests, user=user, session=session)
    if status:
        listed = listed.filter(status=status)
    if topic is not None:
        listed = listed.filter(tagged_items__tag=topic)
    page = Paginator(_ordered(listed, sort), REQUESTS_PER_PAGE).get_page(params.get("page"))
    attach_answers(page.object_list, user=user, session=session)
    topics = list(
        Tag.objects.filter(
            learning_topicrequesttag_items__content_object__in=visible_pages(
                requests, user=user, session=session
            )
        )
        .distinct()
        .order_by("name")
    )
    error = " ".join(problem for problem in (sort_error, status_error, topic_error) if problem)
    return RequestListing(requests=page, sort=sort, status=status, topic=topic, topics=topics, error=error)


@dataclass(frozen=True)
class RequestState:
    """What a request's page shows a reader beside its text, and which of its forms they may use."""

    vote_count: int = 0
    voted: bool = False
    signed_in: bool = False
    is_editor: bool = False
    claim_pairs: list[MentorPair] = field(default_factory=list)  # the reader's pairs that may claim it
    claimers: bool = False  # the reader is in the pair that claimed it
    answer_choices: list[Page] = field(default_factory=list)
    answer: Page | None = None  # the answer, once answered, if the reader may see it


def active_pairs_of(user) -> list[MentorPair]:
    """The active pairs ``user`` is a member of: the pairs they may claim a request for."""
    if not user.is_authenticated:
        return []
    return list(
        MentorPair.objects.filter(
            Q(first_member=user) | Q(second_member=user), status=MentorPair.Status.ACTIVE
        )
    )


def request_state(*, page, user, session=None) -> RequestState:
    """``user``'s view of the request ``page``: votes, and what they may do with it now."""
    mine = Q(user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    votes = page.votes.aggregate(n=Count("pk"), mine=Count("pk", filter=mine))
    answer = None
    if page.status == "answered" and page.answer_id:
        answer = page.answer
        answer = answer if may_view(answer, user=user, session=session) else None
    if not user.is_authenticated:
        return RequestState(vote_count=votes["n"], answer=answer)
    pairs = active_pairs_of(user)
    claimers = page.claimed_by_id is not None and page.claimed_by_id in {pair.pk for pair in pairs}
    choices = []
    if claimers and page.status == "claimed":
        choices = pages_of_pairs([page.claimed_by], viewer=user, session=session, limit=50)
    return RequestState(
        vote_count=votes["n"],
        voted=bool(votes["mine"]),
        signed_in=True,
        is_editor=is_editor(user),
        claim_pairs=pairs if page.status == "open" else [],
        claimers=claimers,
        answer_choices=choices,
        answer=answer,
    )
