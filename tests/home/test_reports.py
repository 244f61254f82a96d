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
from blog.models import PairGoal
from blog.threads.services import comment_create
from learning.services import lesson_complete
from tests.learning.conftest import learning_index, make_lesson  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


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
        "Name,Status,Started,Posts,Lessons,Comments received,Goals achieved,Last activity"
    )
    (line,) = [row for row in rows[1:] if row.startswith("Amira & Ben")]
    assert ",2,0,1,1," in line
    assert timezone.localdate().isoformat() in line


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
