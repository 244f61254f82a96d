"""The programme insights reports: who may open them, what they count, export, and constant queries."""

import datetime
import io

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from blog.factories import MentorPairFactory, ProfileFactory, UserFactory
from blog.models import PageReaction, PairGoal
from blog.threads.models import Comment
from blog.threads.questions import comment_answer
from blog.threads.services import comment_create
from learning.services import lesson_complete
from tests.learning.conftest import learning_index, make_lesson  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# The export: the user with the editors check, their permissions and profile (four), the pairs (one),
# the chart (three), the weekly activity (three), the answered questions (one). The page also reads
# the session, the pairs' count and what the admin's menu and header need.
PAIRS_EXPORT_QUERIES = 12
PAIRS_PAGE_QUERIES = 18


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_editors_open_the_reports(editor, pair, staff):
    for path in ("/admin/reports/programme/pairs/", "/admin/reports/programme/drifting/"):
        assert signed_in(editor).get(path).status_code == 200
        assert signed_in(pair.first_member).get(path).status_code in {302, 403}
        assert signed_in(staff).get(path).status_code in {302, 403}
        assert Client().get(path).status_code == 302


def test_the_pairs_report_counts_each_pairs_work(editor, pair, make_post, staff):
    post = make_post(pair=pair, title="Counted")
    make_post(pair=pair, title="Also counted")
    comment_create(page=post, user=staff, body="Thanks", client_id="a")
    PairGoal.objects.create(pair=pair, learner=pair.first_member, text="x", status="achieved")
    PairGoal.objects.create(pair=pair, learner=pair.second_member, text="y")

    response = signed_in(editor).get("/admin/reports/programme/pairs/?export=csv")

    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0].startswith(
        "Name,Status,Started,Posts,Lessons,Comments received,Questions answered,Median hours to answer,"
        "Learned something,Insightful,Goals achieved,Last activity"
    )
    (line,) = [row for row in rows[1:] if row.startswith("Amira & Ben")]
    assert ",2,0,1,0,,0,0,1," in line
    assert timezone.localdate().isoformat() in line


def _asked_and_answered(post, *, asker, host, hours: float, n: int):
    """A question by ``asker`` on ``post`` that ``host`` answered ``hours`` after it was asked."""
    asked = comment_create(page=post, user=asker, body=f"Why {n}?", client_id=f"q{n}", question=True)
    question = asked.comment
    reply = comment_create(page=post, user=host, body="Because", client_id=f"a{n}", parent_id=question.pk)
    reply = reply.comment
    comment_answer(page=post, user=host, question_id=question.pk, answer_id=reply.pk)
    answered = Comment.objects.get(pk=question.pk).answered
    Comment.objects.filter(pk=question.pk).update(created=answered - datetime.timedelta(hours=hours))
    return question


def _pair_row(editor) -> dict[str, str]:
    """Amira & Ben's row of the pairs report's CSV export, by heading."""
    response = signed_in(editor).get("/admin/reports/programme/pairs/?export=csv")
    rows = b"".join(response.streaming_content)
    heading, *lines = rows.decode().splitlines()
    (line,) = [row for row in lines if row.startswith("Amira & Ben")]
    return dict(zip(heading.split(","), line.split(","), strict=True))


def test_the_pairs_report_counts_answered_questions_and_the_median_time_to_answer(
    editor, pair, make_post, staff, settings
):
    settings.COMMENT_RATE_LIMIT = 100  # one person asks all the questions here
    post = make_post(pair=pair, title="Asked about")
    other = make_post(pair=MentorPairFactory(name="Others"), title="Not theirs")
    for n, hours in enumerate([1, 3, 10]):
        _asked_and_answered(post, asker=staff, host=pair.first_member, hours=hours, n=n)
    comment_create(page=post, user=staff, body="Still waiting?", client_id="open", question=True)
    hidden = _asked_and_answered(post, asker=staff, host=pair.second_member, hours=100, n=9)
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    _asked_and_answered(other, asker=staff, host=editor, hours=50, n=20)

    row = _pair_row(editor)

    assert row["Questions answered"] == "3"  # not the open one, nor the hidden one, nor another pair's
    assert row["Median hours to answer"] == "3.0"
    page = signed_in(editor).get("/admin/reports/programme/pairs/").content.decode()
    assert "3 hours" in page


def test_unmarking_an_answer_takes_the_question_out_of_the_report(editor, pair, make_post, staff):
    post = make_post(pair=pair)
    question = _asked_and_answered(post, asker=staff, host=pair.first_member, hours=2, n=1)
    assert _pair_row(editor)["Questions answered"] == "1"

    comment_answer(page=post, user=pair.first_member, question_id=question.pk, answer_id=None)

    row = _pair_row(editor)
    assert row["Questions answered"] == "0"
    assert row["Median hours to answer"] == ""


def test_the_pairs_report_counts_learning_reactions_on_the_pairs_posts_and_lessons(
    editor, pair, make_post, make_lesson, staff
):
    post = make_post(pair=pair)
    lesson = make_lesson(pair=pair)
    elsewhere = make_post(pair=MentorPairFactory(name="Others"))
    readers = [staff, editor, UserFactory(username="reader")]
    for reader in readers:
        PageReaction.objects.create(page=post, user=reader, kind=PageReaction.Kind.LEARNED)
        PageReaction.objects.create(page=elsewhere, user=reader, kind=PageReaction.Kind.LEARNED)
    PageReaction.objects.create(page=lesson, user=staff, kind=PageReaction.Kind.LEARNED)
    PageReaction.objects.create(page=lesson, user=staff, kind=PageReaction.Kind.INSIGHTFUL)

    row = _pair_row(editor)

    assert (row["Learned something"], row["Insightful"]) == ("4", "1")
    xlsx = signed_in(editor).get("/admin/reports/programme/pairs/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    heading = [cell.value for cell in sheet[1]]
    (values,) = [[c.value for c in r] for r in sheet.iter_rows(min_row=2) if r[0].value == "Amira & Ben"]
    assert values[heading.index("Learned something")] == 4
    assert values[heading.index("Insightful")] == 1


def test_the_pairs_report_exports_a_spreadsheet_and_draws_the_chart(editor, pair, make_post):
    make_post(pair=pair)
    client = signed_in(editor)
    xlsx = client.get("/admin/reports/programme/pairs/?export=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [cell.value for cell in sheet[1]][:4] == ["Name", "Status", "Started", "Posts"]
    assert sheet["A2"].value == "Amira & Ben"

    page = client.get("/admin/reports/programme/pairs/").content.decode()
    assert '<svg viewBox="0 0 640 200" role="img"' in page
    assert '<title id="weekly-chart-title">' in page and "<table" in page
    assert 'class="sparkline"' in page


def test_people_drifting_away_are_those_without_a_pair_or_recent_activity(editor, pair, make_post, staff):
    ProfileFactory(user=staff)  # no pair, never active
    ProfileFactory(user=pair.first_member)
    ProfileFactory(user=pair.second_member)
    post = make_post(pair=pair)
    BlogPostPageDate = post.__class__
    BlogPostPageDate.objects.filter(pk=post.pk).update(
        date=timezone.localdate() - datetime.timedelta(days=60)
    )
    comment_create(page=post, user=pair.second_member, body="Recent", client_id="r")

    rows = b"".join(signed_in(editor).get("/admin/reports/programme/drifting/?export=csv").streaming_content)
    text = rows.decode()
    assert "sam" in text  # no pair
    assert "amira" in text  # her pair's last post was 60 days ago, and she has not commented since
    assert "ben" not in text  # commented today


def test_lesson_completion_rates(editor, make_lesson, staff):
    lesson = make_lesson(title="Finish me")
    ProfileFactory(user=staff)
    ProfileFactory(user=editor)
    lesson_complete(user=staff, lesson=lesson)
    text = b"".join(
        signed_in(editor).get("/admin/reports/programme/lessons/?export=csv").streaming_content
    ).decode()
    (line,) = [row for row in text.splitlines() if row.startswith("Finish me")]
    assert line.endswith(",1,2,50")


@pytest.mark.parametrize("path", ["pairs", "drifting", "lessons"])
def test_report_queries_do_not_grow_with_the_programme(editor, path, make_post, make_lesson):
    def programme(people, start):
        """``people`` people with profiles, one pair (with a post and a lesson) for every five."""
        for n in range(start, start + people, 5):
            pair = MentorPairFactory(
                first_member=UserFactory(username=f"f{n}"), second_member=UserFactory(username=f"s{n}")
            )
            make_post(pair=pair, title=f"Post {n}")
            make_lesson(pair=pair, title=f"Lesson {n}")
            ProfileFactory(user=pair.first_member)
            ProfileFactory(user=pair.second_member)
            for m in range(3):
                ProfileFactory(user=UserFactory(username=f"p{n}-{m}"))

    client = signed_in(editor)
    programme(5, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/admin/reports/programme/{path}/")
    programme(45, 5)
    with CaptureQueriesContext(connection) as more:
        client.get(f"/admin/reports/programme/{path}/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_pairs_report_reads_questions_and_reactions_in_fixed_queries(
    editor, make_post, django_assert_num_queries, settings
):
    settings.COMMENT_RATE_LIMIT = 1000
    client = signed_in(editor)
    client.get("/admin/reports/programme/pairs/")  # the session and the admin's own first-use reads

    def pairs(count, start):
        for n in range(start, start + count):
            pair = MentorPairFactory(
                first_member=UserFactory(username=f"f{n}"), second_member=UserFactory(username=f"s{n}")
            )
            post = make_post(pair=pair, title=f"Post {n}")
            _asked_and_answered(post, asker=editor, host=pair.first_member, hours=n + 1, n=n)
            PageReaction.objects.create(page=post, user=editor, kind=PageReaction.Kind.LEARNED)
            PageReaction.objects.create(page=post, user=pair.second_member, kind=PageReaction.Kind.INSIGHTFUL)

    pairs(2, 0)
    with django_assert_num_queries(PAIRS_PAGE_QUERIES):
        client.get("/admin/reports/programme/pairs/")
    with django_assert_num_queries(PAIRS_EXPORT_QUERIES):
        client.get("/admin/reports/programme/pairs/?export=csv")
    pairs(40, 2)
    with django_assert_num_queries(PAIRS_PAGE_QUERIES):
        assert "Learned something" in client.get("/admin/reports/programme/pairs/").content.decode()
    with django_assert_num_queries(PAIRS_EXPORT_QUERIES):
        response = client.get("/admin/reports/programme/pairs/?export=csv")
        rows = b"".join(response.streaming_content).decode().splitlines()
    made = [row.split(",") for row in rows[1:] if row.startswith("Pair ")]
    assert len(made) == 42
    assert all(cells[6] == "1" and cells[8:10] == ["1", "1"] for cells in made)
