"""Programme insights for editors, as Wagtail reports (filters, CSV and XLSX export).

Composed here, at the top, because they read every app: pairs and goals
(blog), comments (threads), lessons and completions (learning). Each page of
a report is read in a fixed number of queries, however many rows it has.
"""

import datetime
import statistics
from collections import defaultdict

from django.db.models import Count, DateField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncWeek
from django.utils import timezone
from django.utils.html import format_html

from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from blog.models import BlogPostPage, MentorPair, PageReaction, PairCheckIn, PairGoal, Profile
from blog.threads.models import Comment
from home.charts import Series, WeeklyChart, sparkline_points, week_starts
from learning.models import Completion, LessonPage
from site.people import EditorsOnlyMixin

DRIFT_DAYS = 30
LONG_AGO = datetime.date(1900, 1, 1)


def _subquery_count(model, **lookups) -> Coalesce:
    """How many rows of ``model`` match ``lookups`` (with ``OuterRef``s), inside the outer query."""
    group_by = next(iter(lookups))  # the outer row's own key, so one count per outer row
    rows = model.objects.filter(**lookups).order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _subquery_total(queryset) -> Coalesce:
    """How many rows ``queryset`` (filtered with ``OuterRef``s) has in all, inside the outer query."""
    rows = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _on_pair_pages(pair) -> Q:
    """Rows whose ``page`` is one of ``pair``'s posts or lessons."""
    return Q(page__blogpostpage__pair=pair) | Q(page__lessonpage__pair=pair)


def _latest(queryset, field: str):
    return Subquery(queryset.order_by().values(field).order_by(f"-{field}")[:1])


# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class EditorsReport(EditorsOnlyMixin, ReportView):
    """A report only editors open (they run the programme).

    Names, titles and teams are written by people: in a CSV export a value
    that a spreadsheet would take for a formula is written as text (Wagtail's
    XLSX export already does that).
    """

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value


class PairActivityReport(EditorsReport):
    page_title = "Programme: pairs"
    header_icon = "group"
    template_name = "home/reports/pairs.html"
    index_url_name = "programme_pairs"
    index_results_url_name = "programme_pairs_results"
    paginate_by = 50
    list_export = [
        "name",
        "get_status_display",
        "started",
        "post_count",
        "lesson_count",
        "comments_received",
        "questions_answered",
        "median_hours_to_answer",
        "learned_received",
        "insightful_received",
        "goals_achieved",
        "last_activity",
    ]
    export_headings = {
        "name": "Name",
        "get_status_display": "Status",
        "started": "Started",
        "last_activity": "Last activity",
        "post_count": "Posts",
        "lesson_count": "Lessons",
        "comments_received": "Comments received",
        "questions_answered": "Questions answered",
        "median_hours_to_answer": "Median hours to answer",
        "learned_received": "Learned something",
        "insightful_received": "Insightful",
        "goals_achieved": "Goals achieved",
    }

    @property
    def columns(self):
        return [
            Column("name", label="Pair", accessor="name"),
            Column("status_label", label="Status", accessor="get_status_display"),
            Column("post_count", label="Posts"),
            Column("lesson_count", label="Lessons"),
            Column("comments_received", label="Comments received"),
            Column("questions_answered", label="Questions answered"),
            Column("median_to_answer", label="Median time to answer", accessor="median_to_answer_label"),
            Column("learned_received", label="Learned something"),
            Column("insightful_received", label="Insightful"),
            Column("goals_achieved", label="Goals achieved"),
            DateColumn("last_activity", label="Last activity"),
            Column("sparkline", label="Last 13 weeks", accessor="sparkline_svg"),
        ]

    def get_queryset(self):
        pair = OuterRef("pk")
        comments = Comment.objects.filter(_on_pair_pages(pair), deleted=False, hidden=False)
        reactions = PageReaction.objects.filter(_on_pair_pages(pair))
        return (
            MentorPair.objects.select_related("first_member", "second_member")
            .annotate(
                post_count=_subquery_count(BlogPostPage, pair=pair, live=True),
                lesson_count=_subquery_count(LessonPage, pair=pair, live=True),
                comments_received=_subquery_total(comments),
                learned_received=_subquery_total(reactions.filter(kind=PageReaction.Kind.LEARNED)),
                insightful_received=_subquery_total(reactions.filter(kind=PageReaction.Kind.INSIGHTFUL)),
                goals_achieved=_subquery_count(PairGoal, pair=pair, status=PairGoal.Status.ACHIEVED),
                last_post=_latest(BlogPostPage.objects.filter(pair=pair, live=True), "date"),
                last_lesson=_latest(LessonPage.objects.filter(pair=pair, live=True), "date"),
                last_comment=_latest(comments.annotate(day=TruncDate("created")), "day"),
                last_check_in=_latest(PairCheckIn.objects.filter(pair=pair), "date"),
            )
            .order_by("status", "name")
        )

    def decorate_paginated_queryset(self, pairs):
        pairs = list(pairs)
        weeks = week_starts(timezone.localdate())
        activity = _weekly_activity_by_pair([pair.pk for pair in pairs], since=weeks[0])
        waits = _answer_waits_by_pair([pair.pk for pair in pairs])
        for pair in pairs:
            pair.questions_answered = len(waits[pair.pk])
            pair.median_hours_to_answer = _median_hours(waits[pair.pk])
            pair.median_to_answer_label = _duration_label(pair.median_hours_to_answer)
            dates = [pair.last_post, pair.last_lesson, pair.last_comment, pair.last_check_in]
            pair.last_activity = max((d for d in dates if d is not None), default=None)
            values = [activity[pair.pk].get(week, 0) for week in weeks]
            pair.sparkline_values = values
            pair.sparkline_svg = _sparkline_svg(pair.name, values)
        return pairs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chart"] = programme_chart(today=timezone.localdate())
        return context


def _weekly_activity_by_pair(pair_ids, *, since: datetime.date) -> dict[int, dict[datetime.date, int]]:
    """Per pair and week: posts and lessons published, plus comments received. Three queries."""
    activity: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for model in (BlogPostPage, LessonPage):
        rows = (
            model.objects.filter(pair__in=pair_ids, live=True, date__gte=since)
            .annotate(week=TruncWeek("date", output_field=DateField()))
            .values("pair_id", "week")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            activity[row["pair_id"]][_as_date(row["week"])] += row["n"]
    comments = (
        Comment.objects.filter(deleted=False, hidden=False, created__date__gte=since)
        .annotate(pair_id=Coalesce("page__blogpostpage__pair", "page__lessonpage__pair"))
        .filter(pair_id__in=pair_ids)
        .annotate(week=TruncWeek("created"))
        .values("pair_id", "week")
        .annotate(n=Count("pk"))
    )
    for row in comments:
        activity[row["pair_id"]][_as_date(row["week"])] += row["n"]
    return activity


def _answer_waits_by_pair(pair_ids) -> dict[int, list[datetime.timedelta]]:
    """Per pair: how long each answered question on its posts and lessons waited for its answer. One query.

    A question counts while it and its answer are readable in the thread
    (neither deleted nor hidden); unmarking an answer takes it out again.
    """
    waits: dict[int, list[datetime.timedelta]] = defaultdict(list)
    rows = (
        Comment.objects.filter(question=True, answer__isnull=False, answered__isnull=False)
        .filter(deleted=False, hidden=False)
        .annotate(pair_id=Coalesce("page__blogpostpage__pair", "page__lessonpage__pair"))
        .filter(pair_id__in=pair_ids)
        .values_list("pair_id", "created", "answered")
    )
    for pair_id, asked, answered in rows:
        waits[pair_id].append(max(answered - asked, datetime.timedelta(0)))
    return waits


def _median_hours(waits: list[datetime.timedelta]) -> float | None:
    """The median wait in hours, to a tenth (a number a spreadsheet can sort), or ``None`` with no answers."""
    if not waits:
        return None
    return round(statistics.median(wait.total_seconds() for wait in waits) / 3600, 1)


def _duration_label(hours: float | None) -> str:
    """A median wait as a person reads it: "—", "under an hour", "5 hours", "3 days"."""
    if hours is None:
        return "—"
    if hours < 1:
        return "under an hour"
    if hours < 48:
        whole = round(hours)
        return f"{whole} hour{'s' if whole != 1 else ''}"
    return f"{round(hours / 24)} days"


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _sparkline_svg(name: str, values: list[int]):
    total = sum(values)
    return format_html(
        '<svg class="sparkline" width="104" height="24" viewBox="0 0 104 24" role="img" aria-label="{}">'
        '<title>{}</title><polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"/></svg>',
        f"{name}: {total} posts, lessons and comments in 13 weeks, weekly: {', '.join(map(str, values))}",
        f"{name}: weekly activity",
        sparkline_points(values),
    )


def programme_chart(*, today: datetime.date) -> WeeklyChart:
    """Posts and lessons published, and comments written, each week of the last quarter. Three queries."""
    weeks = week_starts(today)
    published: dict[datetime.date, int] = defaultdict(int)
    for model in (BlogPostPage, LessonPage):
        rows = (
            model.objects.filter(live=True, date__gte=weeks[0])
            .annotate(week=TruncWeek("date", output_field=DateField()))
            .values("week")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            published[_as_date(row["week"])] += row["n"]
    comments = {
        _as_date(row["week"]): row["n"]
        for row in Comment.objects.filter(deleted=False, hidden=False, created__date__gte=weeks[0])
        .annotate(week=TruncWeek("created"))
        .values("week")
        .annotate(n=Count("pk"))
    }
    return WeeklyChart(
        weeks=weeks,
        series=[
            Series(
                "Posts and lessons published", [published.get(week, 0) for week in weeks], "chart__bar--pages"
            ),
            Series("Comments", [comments.get(week, 0) for week in weeks], "chart__bar--comments"),
        ],
    )


class DriftingPeopleReport(EditorsReport):
    """People with no active pair, or no post, comment or lesson in the last ``DRIFT_DAYS`` days."""

    page_title = "Programme: people drifting away"
    header_icon = "user"
    index_url_name = "programme_drifting"
    index_results_url_name = "programme_drifting_results"
    list_export = [
        "user.get_full_name",
        "user.username",
        "job_title",
        "team",
        "joined_on",
        "has_pair",
        "last_seen",
    ]
    export_headings = {
        "user.get_full_name": "Name",
        "user.username": "Username",
        "has_pair": "In an active pair",
    }

    @property
    def columns(self):
        return [
            Column("name", label="Name", accessor="user.get_full_name"),
            Column("team"),
            DateColumn("joined_on", label="Joined"),
            Column("has_pair", label="In an active pair", accessor=lambda p: "yes" if p.has_pair else "no"),
            Column(
                "last_seen", label="Last post, comment or lesson", accessor=lambda p: p.last_seen or "never"
            ),
        ]

    def get_queryset(self):
        person = OuterRef("user")
        active = MentorPair.objects.filter(
            Q(first_member=person) | Q(second_member=person), status=MentorPair.Status.ACTIVE
        )
        by_their_pairs = Q(pair__first_member=person) | Q(pair__second_member=person)
        last = [
            _latest(BlogPostPage.objects.filter(by_their_pairs, live=True), "date"),
            _latest(LessonPage.objects.filter(by_their_pairs, live=True), "date"),
            _latest(Comment.objects.filter(author=person).annotate(day=TruncDate("created")), "day"),
            _latest(Completion.objects.filter(user=person).annotate(day=TruncDate("completed_at")), "day"),
        ]
        since = timezone.localdate() - datetime.timedelta(days=DRIFT_DAYS)
        people = (
            Profile.objects.filter(user__is_active=True)
            .select_related("user")
            .annotate(
                has_pair=Exists(active),
                last_seen_or_never=Greatest(
                    *(Coalesce(q, Value(LONG_AGO), output_field=DateField()) for q in last)
                ),
            )
            .filter(Q(has_pair=False) | Q(last_seen_or_never__lt=since))
            .order_by("last_seen_or_never", "user__last_name", "user__first_name")
        )
        return people

    def decorate_paginated_queryset(self, people):
        people = list(people)
        for person in people:
            person.last_seen = None if person.last_seen_or_never == LONG_AGO else person.last_seen_or_never
        return people


class LessonCompletionReport(EditorsReport):
    page_title = "Programme: lesson completion"
    header_icon = "tick"
    index_url_name = "programme_lessons"
    index_results_url_name = "programme_lessons_results"
    list_export = ["title", "date", "completions", "people", "completion_rate"]
    export_headings = {
        "title": "Lesson",
        "date": "Published",
        "completions": "Completed by",
        "people": "People with a profile",
        "completion_rate": "Completion rate (%)",
    }

    @property
    def columns(self):
        return [
            Column("title"),
            DateColumn("date", label="Published"),
            Column("completions", label="Completed by"),
            Column(
                "completion_rate",
                label="Completion rate",
                accessor=lambda lesson: f"{lesson.completion_rate}%",
            ),
        ]

    def get_queryset(self):
        return (
            LessonPage.objects.live()
            .annotate(
                completions=_subquery_count(
                    Completion, page=OuterRef("pk"), user__is_active=True, user__profile__isnull=False
                )
            )
            .order_by("-date", "title")
        )

    def decorate_paginated_queryset(self, lessons):
        lessons = list(lessons)
        people = Profile.objects.filter(user__is_active=True).count()
        for lesson in lessons:
            lesson.people = people
            lesson.completion_rate = round(100 * lesson.completions / people) if people else 0
        return lessons
