"""The home page's "Live conversations": the threads written in lately, on pages the reader may see."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from bs4 import BeautifulSoup

from blog.threads.models import Thread
from blog.threads.selectors import live_conversations
from blog.threads.services import comment_create

pytestmark = pytest.mark.django_db


def test_the_latest_threads_come_first_and_restricted_or_quiet_ones_not_at_all(
    client, make_post, pair, staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    older, newer, secret, quiet = (
        make_post(title=t) for t in ("Older talk", "Newer talk", "Secret", "Quiet")
    )
    for number, page in enumerate((older, newer, secret, quiet)):
        comment_create(page=page, user=staff, body="Hello", client_id=f"c{number}")
    Thread.objects.filter(page=quiet).update(last_activity=timezone.now() - datetime.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the admin does
        restriction = PageViewRestriction.objects.create(page=secret, restriction_type="groups")
        restriction.groups.set([Group.objects.create(name="Committee")])

    assert live_conversations(user=staff)  # the site's restrictions are read once per privacy epoch
    with django_assert_num_queries(1):
        found = live_conversations(user=staff)

    assert [(c.title, c.comment_count) for c in found] == [("Newer talk", 1), ("Older talk", 1)]
    home = BeautifulSoup(client.get("/").content, "html.parser")
    box = home.select_one('section[aria-labelledby="conversations-heading"]')
    assert [a.get_text() for a in box.select("a")] == ["Newer talk", "Older talk"]
    assert box.select_one("a")["href"] == f"{newer.url}#thread"
    assert "1 comment · the latest" in box.get_text(" ", strip=True)
    assert "Secret" not in client.get("/").content.decode()
