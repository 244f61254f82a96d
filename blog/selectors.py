"""Reads of posts and pairs that several pages share.

Every list is fetched in a fixed number of queries, whatever its length.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast

from wagtail.models import Page, WorkflowState, get_page_models

from taggit.models import Tag

from blog.models import BlogPostPage, MentorPair, PairPageMixin, Profile
from blog.pairing import Candidate, Match, best_partners, cohort_pairing, match
from blog.threads.models import Comment
from blog.threads.selectors import questions_waiting_count
from site.people import display_name
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


# --- A pair member's admin dashboard --------------------------------------------

PAIR_DASHBOARD_ITEMS = 5


@dataclass(frozen=True)
class PairDashboard:
    """A member's active pairs, with their unpublished work and the newest talk on their pages."""

    pairs: list[MentorPair]
    drafts: list[Page]
    in_review: list[Page]
    comments: list[Comment]


def pair_dashboard(*, user, limit: int = PAIR_DASHBOARD_ITEMS) -> PairDashboard | None:
    """What the Wagtail dashboard shows ``user`` of their active pairs' work; ``None`` outside any.

    Drafts and pages in review are the pairs' own pages, which their members may
    edit (Wagtail's permissions); comments are only on pages the member may see
    (the one rule). Four queries, however much there is.
    """
    pairs = list(pairs_of_user(user).filter(status=MentorPair.Status.ACTIVE).order_by("name"))
    if not pairs:
        return None
    pair_pages = Q()
    for model in pair_page_models():
        pair_pages |= Q(pk__in=model.objects.filter(pair__in=pairs).values("pk"))
    pages = Page.objects.filter(pair_pages)
    # Workflow states name their page by a text id: cast it, as PostgreSQL will not compare them.
    reviewed_ids = (
        WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type=ContentType.objects.get_for_model(Page),
        )
        .annotate(page_id=Cast("object_id", IntegerField()))
        .values("page_id")
    )
    in_review = pages.filter(pk__in=reviewed_ids).order_by("-latest_revision_created_at", "-pk")
    drafts = (
        pages.filter(has_unpublished_changes=True)
        .exclude(pk__in=in_review.values("pk"))
        .order_by("-latest_revision_created_at", "-pk")
    )
    comments = (
        Comment.objects.filter(
            deleted=False, hidden=False, page__in=visible_pages(pages, user=user).values("pk")
        )
        .select_related("author", "page")
        .order_by("-created", "-id")
    )
    return PairDashboard(
        pairs=pairs,
        drafts=list(drafts[:limit]),
        in_review=list(in_review[:limit]),
        comments=list(comments[:limit]),
    )


# --- People ---------------------------------------------------------------------

PEOPLE_PER_PAGE = 24
RECENT_COMMENTS = 8
PAIR_PAGES_SHOWN = 12


def people_directory(*, query: str = "", teaches: Tag | None = None, learns: Tag | None = None):
    """Everyone with a profile, by name; ``query`` matches name, title or team.

    Avatars and both topic lists come in a fixed number of queries per page
    of the directory, however many people it lists.
    """
    people = Profile.objects.select_related("user", "avatar").prefetch_related(
        "can_teach", "wants_to_learn", "avatar__renditions"
    )
    for word in query.split():
        people = people.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(job_title__icontains=word)
            | Q(team__icontains=word)
        )
    if teaches is not None:
        people = people.filter(teach_items__tag=teaches)
    if learns is not None:
        people = people.filter(learn_items__tag=learns)
    return people.filter(user__is_active=True).distinct()


@dataclass(frozen=True)
class PairMembership:
    """One pair someone is or was in, seen from that person."""

    pair: MentorPair
    brought: str
    partner: object
    partner_brought: str


@dataclass(frozen=True)
class PersonPage:
    profile: Profile
    pairs: list[PairMembership]
    pages: list[Page]
    comments: list[Comment]
    # Replies of theirs marked as the answer to a question, on pages the viewer may see.
    answers: "QuestionsAnswered"
    # Questions asked of them still open: only on their own page, for them.
    waiting: int | None = None

    @property
    def current_pairs(self) -> list[PairMembership]:
        return [m for m in self.pairs if m.pair.status == MentorPair.Status.ACTIVE]

    @property
    def past_pairs(self) -> list[PairMembership]:
        return [m for m in self.pairs if m.pair.status != MentorPair.Status.ACTIVE]


def pair_page_models() -> list[type[Page]]:
    """Every page type a pair writes (``PairPageMixin``), whichever app defines it."""
    return [model for model in get_page_models() if issubclass(model, PairPageMixin)]


def pages_of_pairs(pairs, *, viewer, session=None, limit: int = PAIR_PAGES_SHOWN) -> list[Page]:
    """The newest posts and lessons (every ``PairPageMixin`` type) of ``pairs`` that ``viewer`` may see."""
    pair_ids = [pair.pk for pair in pairs]
    pages: list[Page] = []
    for model in pair_page_models():
        pages.extend(model.objects.filter(pair__in=pair_ids).listed(user=viewer, session=session)[:limit])
    pages.sort(key=lambda page: (page.date, page.pk), reverse=True)
    return pages[:limit]


@dataclass(frozen=True)
class QuestionsWaiting:
    count: int
    oldest: list[Comment]


def questions_waiting(*, pair: MentorPair, viewer, session=None, shown: int = 5) -> QuestionsWaiting:
    """Open questions on ``pair``'s posts and lessons that ``viewer`` may see: how many, and the oldest.

    Two queries, whatever the number of page types and questions.
    """
    written = Q()
    for model in pair_page_models():
        written |= Q(pk__in=model.objects.filter(pair=pair).values("pk"))
    pages = visible_pages(Page.objects.filter(written), user=viewer, session=session)
    open_ones = Comment.objects.filter(
        question=True, answer__isnull=True, deleted=False, hidden=False, page__in=pages.values("pk")
    )
    count = open_ones.count()
    oldest = open_ones.select_related("author", "page").order_by("created", "id")[:shown] if count else []
    return QuestionsWaiting(count=count, oldest=list(oldest))


@dataclass(frozen=True)
class QuestionsAnswered:
    count: int
    recent: list[Comment]


def questions_answered(
    *, viewer, pair: MentorPair | None = None, answerer=None, session=None, shown: int = 5
) -> QuestionsAnswered:
    """Answered questions ``viewer`` may see: on ``pair``'s posts and lessons, or answered by ``answerer``.

    ``recent`` are the latest answered, each with its page, asker and the
    answer's author. Two queries, whatever the number of questions.
    """
    pages = Page.objects.all()
    if pair is not None:
        written = Q()
        for model in pair_page_models():
            written |= Q(pk__in=model.objects.filter(pair=pair).values("pk"))
        pages = pages.filter(written)
    answered = Comment.objects.filter(
        question=True,
        answer__isnull=False,
        answered__isnull=False,
        deleted=False,
        hidden=False,
        page__in=visible_pages(pages, user=viewer, session=session).values("pk"),
    )
    if answerer is not None:
        answered = answered.filter(answer__author=answerer)
    count = answered.count()
    recent = (
        answered.select_related("author", "page", "answer__author").order_by("-answered", "-id")[:shown]
        if count
        else []
    )
    return QuestionsAnswered(count=count, recent=list(recent))


def person_page(*, profile: Profile, viewer, session=None) -> PersonPage:
    """What ``/people/<username>/`` shows of ``profile``'s person to ``viewer``.

    Pages, comments and answers are only those the viewer may see (the one
    rule); the questions waiting for the person are shown to them alone. A
    fixed number of queries, however many pairs, pages and comments there are.
    """
    person = profile.user
    pairs = list(
        pairs_of_user(person).select_related("first_member", "second_member").order_by("status", "-started")
    )
    memberships = []
    for pair in pairs:
        (_, brought), (other, other_brought) = (
            pair.members if pair.first_member_id == person.pk else reversed(pair.members)
        )
        memberships.append(PairMembership(pair, brought, other, other_brought))
    pages = pages_of_pairs(pairs, viewer=viewer, session=session)
    comments = (
        Comment.objects.filter(
            author=person,
            deleted=False,
            hidden=False,
            page__in=visible_pages(Page.objects.all(), user=viewer, session=session),
        )
        .select_related("page")
        .order_by("-created", "-id")[:RECENT_COMMENTS]
    )
    own_page = getattr(viewer, "pk", None) == person.pk
    return PersonPage(
        profile=profile,
        pairs=memberships,
        pages=pages[:PAIR_PAGES_SHOWN],
        comments=list(comments),
        answers=questions_answered(viewer=viewer, answerer=person, session=session),
        waiting=questions_waiting_count(user=person) if own_page else None,
    )


# --- Pairing (editors) -------------------------------------------------------------


@dataclass(frozen=True)
class PairingBoard:
    """Everyone who could be paired now, each with their best partners, and a whole-cohort pairing."""

    people: list[tuple[Candidate, list[Match]]]
    cohort: list[Match]


def _candidate(profile: Profile) -> Candidate:
    return Candidate(
        id=profile.user_id,
        name=display_name(profile.user),
        teaches=frozenset(tag.name for tag in profile.can_teach.all()),
        wants=frozenset(tag.name for tag in profile.wants_to_learn.all()),
        joined_on=profile.joined_on,
    )


def _unpaired_candidates() -> tuple[list[Candidate], set[frozenset[int]]]:
    """Everyone with a profile and no active pair, by name; and every pair of people ever partnered."""
    pairs = list(MentorPair.objects.values_list("first_member_id", "second_member_id", "status"))
    active = MentorPair.Status.ACTIVE
    paired_now = {member for first, second, status in pairs if status == active for member in (first, second)}
    partnered = {frozenset((first, second)) for first, second, _ in pairs}
    profiles = (
        Profile.objects.filter(user__is_active=True)
        .exclude(user_id__in=paired_now)
        .select_related("user")
        .prefetch_related("can_teach", "wants_to_learn")
    )
    candidates = sorted((_candidate(profile) for profile in profiles), key=lambda c: (c.name, c.id))
    return candidates, partnered


def pairing_board(*, today: datetime.date, limit: int = 3) -> PairingBoard:
    """Suggestions for every person with a profile and no active pair; a fixed number of queries.

    Nobody is suggested with someone they are or were paired with.
    """
    candidates, partnered = _unpaired_candidates()
    people = []
    for person in candidates:
        previous = {other for members in partnered if person.id in members for other in members}
        people.append((person, best_partners(person, candidates, today=today, exclude=previous, limit=limit)))
    return PairingBoard(people=people, cohort=cohort_pairing(candidates, today=today, forbidden=partnered))


def pairing_match(*, first_id: int, second_id: int, today: datetime.date) -> Match | None:
    """The match of two people who may be paired now (profiles, active, unpaired, never partners)."""
    candidates, partnered = _unpaired_candidates()
    by_id = {candidate.id: candidate for candidate in candidates}
    first, second = by_id.get(first_id), by_id.get(second_id)
    if first is None or second is None or first_id == second_id or {first_id, second_id} in partnered:
        return None
    return match(first, second, today=today)
