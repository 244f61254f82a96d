"""Reads for learning: topic streams, topics, progress and collections.

Each function runs a fixed number of queries whatever the number of items;
tests pin the counts. Only live pages the reader may see are ever listed
(``site.visibility``; without a ``user``, what anyone may see).
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from wagtail.models import Page, PageQuerySet

from taggit.models import Tag

from blog.models import BlogPostPage, BlogPostTag, MentorPair, Profile, ProfileTeaches, ProfileWants
from learning.listings import page_kind, prefetch_listing_relations
from learning.models import CollectionPage, LessonPage, LessonPageTag, PairFollow, TopicFollow
from learning.models.progress import (
    CollectionSummary,
    Completion,
    ReviewSchedule,
    collection_summaries,
)
from site.inputs import parse_id
from site.people import display_name
from site.visibility import visible_pages

STREAM_PAGE_SIZE = 20
_CURSOR_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TRENDING_DAYS = 30
# The page types a topic stream mixes, with the model that tags each.
STREAM_TYPES: tuple[tuple[type[Page], type], ...] = ((BlogPostPage, BlogPostTag), (LessonPage, LessonPageTag))
# Tags, and each pair with both members in the same query.
# --- Streams -----------------------------------------------------------------


@dataclass(frozen=True)
class StreamEntry:
    page: Page
    kind: str  # "post" or "lesson"

    @property
    def date(self) -> datetime.date:
        return self.page.date


@dataclass(frozen=True)
class StreamPage:
    entries: list[StreamEntry]
    next_cursor: str | None


def _stream_pages(user) -> PageQuerySet:
    """Live posts and lessons ``user`` may see, each with the date it is listed under."""
    return (
        visible_pages(Page.objects.all(), user=user)
        .filter(Q(blogpostpage__isnull=False) | Q(lessonpage__isnull=False))
        .annotate(stream_date=Coalesce("blogpostpage__date", "lessonpage__date", output_field=DateField()))
    )


def _tagged_with(tags) -> Q:
    """Pages carrying any of ``tags`` (a Tag, or a queryset of tag ids)."""
    lookup = "tag" if isinstance(tags, Tag) else "tag__in"
    query = Q()
    for _, through in STREAM_TYPES:
        query |= Q(id__in=through.objects.filter(**{lookup: tags}).values("content_object_id"))
    return query


def encode_cursor(entry: StreamEntry) -> str:
    return f"{entry.date.isoformat()}.{entry.page.pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime.date, int] | None:
    """The (date, id) a cursor stands for; ``None`` for a missing or malformed one."""
    if not cursor:
        return None
    try:
        day, pk = cursor.split(".", 1)
        if not _CURSOR_DAY.fullmatch(day):
            return None
        return datetime.date.fromisoformat(day), parse_id(pk)
    except ValueError:  # InvalidInput included
        return None


def _stream(filter_q: Q, *, user, after: str | None, size: int) -> StreamPage:
    """One page of a stream, newest first, with keyset pagination on (date, id).

    A cursor names the last entry seen, so an item published while a reader
    pages through never shifts another one onto a page twice.
    """
    pages = _stream_pages(user).filter(filter_q)
    position = decode_cursor(after)
    if position is not None:
        day, pk = position
        pages = pages.filter(Q(stream_date__lt=day) | Q(stream_date=day, id__lt=pk))
    found = list(pages.order_by("-stream_date", "-id").specific()[: size + 1])
    entries = [StreamEntry(page=page, kind=page_kind(page)) for page in found[:size]]
    prefetch_listing_relations([entry.page for entry in entries])
    next_cursor = encode_cursor(entries[-1]) if len(found) > size else None
    return StreamPage(entries=entries, next_cursor=next_cursor)


def topic_stream(
    *, tag: Tag, user=None, after: str | None = None, size: int = STREAM_PAGE_SIZE
) -> StreamPage:
    """Every live post and lesson tagged ``tag`` that ``user`` may see, newest first."""
    return _stream(_tagged_with(tag), user=user, after=after, size=size)


def personal_stream(*, user, after: str | None = None, size: int = STREAM_PAGE_SIZE) -> StreamPage:
    """Posts and lessons on the topics ``user`` follows or by the pairs they follow."""
    followed_tags = TopicFollow.objects.filter(user=user).values("tag_id")
    followed_pairs = PairFollow.objects.filter(user=user).values("pair_id")
    by_pair = Q(id__in=BlogPostPage.objects.filter(pair__in=followed_pairs).values("id")) | Q(
        id__in=LessonPage.objects.filter(pair__in=followed_pairs).values("id")
    )
    return _stream(_tagged_with(followed_tags) | by_pair, user=user, after=after, size=size)


# --- Topics ------------------------------------------------------------------


@dataclass(frozen=True)
class TopicActivity:
    tag: Tag
    count: int
    latest: datetime.date | None = None


def _tag_activity(pages: QuerySet) -> list[TopicActivity]:
    """Tags used on ``pages``, with how many of them and the newest date; three queries."""
    counts: Counter = Counter()
    latest: dict[int, datetime.date] = {}
    page_ids = pages.values("id")
    for _, through in STREAM_TYPES:
        rows = (
            through.objects.filter(content_object_id__in=page_ids)
            .values("tag_id")
            .annotate(n=Count("id"), latest=Max("content_object__date"))
        )
        for row in rows:
            counts[row["tag_id"]] += row["n"]
            if row["tag_id"] not in latest or row["latest"] > latest[row["tag_id"]]:
                latest[row["tag_id"]] = row["latest"]
    tags = Tag.objects.in_bulk(list(counts))
    return [
        TopicActivity(tag=tags[pk], count=n, latest=latest.get(pk)) for pk, n in counts.items() if pk in tags
    ]


def topic_list(*, user=None) -> list[TopicActivity]:
    """Every topic with live content, alphabetically, with counts and the latest activity."""
    return sorted(_tag_activity(_stream_pages(user)), key=lambda topic: topic.tag.name.lower())


def trending_topics(*, user=None, days: int = TRENDING_DAYS, limit: int = 8) -> list[TopicActivity]:
    """The topics with the most posts and lessons published in the last ``days`` days."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    recent = _stream_pages(user).filter(stream_date__gte=since)
    ranked = sorted(_tag_activity(recent), key=lambda topic: (-topic.count, topic.tag.name.lower()))
    return ranked[:limit]


def related_topics(*, tag: Tag, user=None, limit: int = 8) -> list[TopicActivity]:
    """Topics that appear most often on the same posts and lessons as ``tag``."""
    pages = _stream_pages(user).filter(_tagged_with(tag))
    others = [topic for topic in _tag_activity(pages) if topic.tag.pk != tag.pk]
    return sorted(others, key=lambda topic: (-topic.count, topic.tag.name.lower()))[:limit]


def topic_suggestions(*, prefix: str, user=None, limit: int = 8) -> list[str]:
    """Names of topics starting with ``prefix`` (then containing it), for a type-ahead.

    Only topics people use: on a profile, or on a live post or lesson that
    ``user`` may see, so a restricted page's topics are not named to others.
    """
    prefix = " ".join(prefix.split())
    if not prefix:
        return []
    page_ids = _stream_pages(user).values("id")
    # Subqueries, not joins: each topic comes once, with no DISTINCT.
    used = Q(pk__in=ProfileTeaches.objects.values("tag_id")) | Q(pk__in=ProfileWants.objects.values("tag_id"))
    for _, through in STREAM_TYPES:
        used |= Q(pk__in=through.objects.filter(content_object_id__in=page_ids).values("tag_id"))
    starts_first = Case(When(name__istartswith=prefix, then=Value(0)), default=Value(1))
    matching = (
        Tag.objects.filter(used, name__icontains=prefix)
        .annotate(starts_first=starts_first)
        .order_by("starts_first", Lower("name"))
        .values_list("name", flat=True)
    )
    return list(matching[:limit])


def pairs_writing_on(*, tag: Tag, user=None, limit: int = 5) -> list[MentorPair]:
    """The pairs who wrote most on ``tag`` (``.topic_count`` on each); one query."""
    page_ids = _stream_pages(user).filter(_tagged_with(tag)).values("id")
    return list(
        MentorPair.objects.select_related("first_member", "second_member")
        .annotate(
            topic_count=Count("posts", filter=Q(posts__pk__in=page_ids), distinct=True)
            + Count("lessons", filter=Q(lessons__pk__in=page_ids), distinct=True)
        )
        .filter(topic_count__gt=0)
        .order_by("-topic_count", "name")[:limit]
    )


# How "who to ask" ranks people on a topic: listing it under "I can teach"
# counts as much as three posts or lessons about it by a pair they are in.
TEACHES_WEIGHT = 3


@dataclass(frozen=True)
class PersonToAsk:
    person: object
    teaches: bool
    pages: int

    @property
    def score(self) -> int:
        return TEACHES_WEIGHT * self.teaches + self.pages

    @property
    def reason(self) -> str:
        """ "teaches it · 3 posts and lessons" """
        parts = ["teaches it"] if self.teaches else []
        if self.pages:
            parts.append(
                f"{self.pages} post{'s' if self.pages != 1 else ''} or lesson{'s' * (self.pages != 1)}"
            )
        return " · ".join(parts)


def who_to_ask(*, tag: Tag, user=None, limit: int = 5) -> list[PersonToAsk]:
    """The people to ask about ``tag``: who teaches it on their profile, and who wrote on it.

    Score: ``TEACHES_WEIGHT`` for teaching it, plus one per live post or
    lesson (that ``user`` may see) of a pair they are in. Four queries.
    """
    teachers = set(Profile.objects.filter(teach_items__tag=tag).values_list("user_id", flat=True))
    page_ids = _stream_pages(user).filter(_tagged_with(tag)).values("id")
    pages = Counter()
    for model in (BlogPostPage, LessonPage):
        rows = model.objects.filter(pk__in=page_ids, pair__isnull=False).values_list(
            "pair__first_member_id", "pair__second_member_id"
        )
        for first, second in rows:
            pages.update((first, second))
    people = (
        get_user_model()
        .objects.filter(pk__in=teachers | set(pages), is_active=True)
        .select_related("profile__avatar")
    )
    ranked = [PersonToAsk(person, person.pk in teachers, pages[person.pk]) for person in people]
    ranked.sort(key=lambda p: (-p.score, display_name(p.person), p.person.pk))
    return ranked[:limit]


def followed_tag_ids(*, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(TopicFollow.objects.filter(user=user).values_list("tag_id", flat=True))


def followed_pair_ids(*, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(PairFollow.objects.filter(user=user).values_list("pair_id", flat=True))


def follows_of(*, user) -> dict[str, list]:
    """The topics and pairs ``user`` follows, by name."""
    return {
        "topics": list(Tag.objects.filter(followers__user=user).order_by("name")),
        "pairs": list(MentorPair.objects.filter(followers__user=user).order_by("name")),
    }


# --- Lessons and progress -------------------------------------------------------


def lesson_list(*, user=None, index: Page | None = None) -> QuerySet[LessonPage]:
    """Live lessons ``user`` may see, newest first, ready for a listing."""
    lessons = LessonPage.objects.listed(user=user)
    if index is not None:
        lessons = lessons.child_of(index)
    return lessons


def search_lessons(query: str, *, user=None, limit: int = 6) -> list[LessonPage]:
    """The live lessons ``user`` may see that best match ``query`` (objective, body, takeaways, topics)."""
    lessons = (
        visible_pages(LessonPage.objects.all(), user=user)
        .select_related("pair__first_member", "pair__second_member")
        .prefetch_related("tags")
    )
    return list(lessons.search(query)[:limit])


def finished_page_fact(user, page):
    """``site.readers`` fact: whether the reader finished the page asked about."""
    return Exists(Completion.objects.filter(user=OuterRef("pk"), page_id=page.pk))


def due_reviews(*, user, today: datetime.date | None = None) -> list[ReviewSchedule]:
    """Lessons ``user`` got wrong whose review is due, most overdue first."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    return list(
        ReviewSchedule.objects.filter(
            user=user,
            due_on__lte=today,
            lesson__in=visible_pages(LessonPage.objects.all(), user=user).values("id"),
        )
        .select_related("lesson")
        .order_by("due_on", "lesson__title")
    )


def next_review(*, user, today: datetime.date | None = None) -> ReviewSchedule | None:
    """The review ``user`` has coming up soonest after ``today`` (what "Due for review" says is next)."""
    if not user.is_authenticated:
        return None
    today = today or timezone.localdate()
    return (
        ReviewSchedule.objects.filter(
            user=user,
            due_on__gt=today,
            lesson__in=visible_pages(LessonPage.objects.all(), user=user).values("id"),
        )
        .select_related("lesson")
        .order_by("due_on", "lesson__title")
        .first()
    )


# --- Collections -------------------------------------------------------------


def collection_list(
    *, user, index: Page | None = None, featured_only: bool = False
) -> list[CollectionSummary]:
    """Live collections ``user`` may see, featured first then by title, with their progress."""
    collections = CollectionPage.objects.all()
    if index is not None:
        collections = collections.child_of(index)
    if featured_only:
        collections = collections.filter(featured=True)
    return collection_summaries(collections=collections, user=user)


def featured_collections(*, user, limit: int = 3) -> list[CollectionSummary]:
    return collection_list(user=user, featured_only=True)[:limit]


def collections_in_progress(*, user) -> list[CollectionSummary]:
    """Collections ``user`` has started but not finished."""
    if not user.is_authenticated:
        return []
    return [summary for summary in collection_list(user=user) if summary.in_progress]
