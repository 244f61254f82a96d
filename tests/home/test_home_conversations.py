"""The home page's "Live conversations": the threads written in lately, on pages the reader may see."""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from blog.threads.models import Thread
from blog.threads.selectors import live_conversations
from blog.threads.services import comment_create

pytestmark = pytest.mark.django_db


def test_the_latest_threads_come_first_and_restricted_or_quiet_ones_not_at_all(
    client, make_post, pair, staff, django_assert_num_queries
):
    older, newer, secret, quiet = (
        make_post(title=t) for t in ("Older talk", "Newer talk", "Secret", "Quiet")
    )
    for number, page in enumerate((older, newer, secret, quiet)):
        comment_create(page=page, user=staff, body="Hello", client_id=f"c{number}")
    Thread.objects.filter(page=quiet).update(last_activity=timezone.now() - datetime.timedelta(days=8))
    restriction = PageViewRestriction.objects.create(page=secret, restriction_type="groups")
    restriction.groups.set([Group.objects.create(name="Committee")])

    with django_assert_num_queries(1):  # the restrictions are read once per privacy epoch, already read
        found = live_conversations(user=staff)

    assert [(c.title, c.comment_count) for c in found] == [("Newer talk", 1), ("Older talk", 1)]
    html = client.get("/").content.decode()
    assert "Live conversations" in html
    assert f'href="{newer.url}#thread">Newer talk</a>' in html
    assert "Secret" not in html and "Quiet" not in html
