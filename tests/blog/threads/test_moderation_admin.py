"""The editors' review queue and the comment listing in the Wagtail admin."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import ModelLogEntry, PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.threads import flags, services
from blog.threads.models import Comment, CommentFlag

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comment-review/"
LISTING = "/admin/comments/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(page, author, body="Hello", parent=None):
    return services.comment_create(
        page=page, user=author, body=body, client_id=f"c{Comment.objects.count()}", parent_id=parent
    ).comment


def flag(page, user, comment, reason="off_topic", note=""):
    return flags.comment_flag(page=page, user=user, comment_id=comment.pk, reason=reason, note=note)


def test_the_queue_shows_each_flagged_comment_with_its_context_reasons_and_notes(post, staff, pair, editor):
    root = add(post, pair.first_member, "What do you think of tags?")
    before = add(post, pair.second_member, "Tags are great", parent=root.pk)
    flagged = add(post, staff, "Tags are for **fools**", parent=before.pk)
    after = add(post, pair.second_member, "Steady on", parent=root.pk)
    add(post, staff, "Not flagged at all")
    flag(post, pair.first_member, flagged, "disrespectful", "Calls people fools")
    flag(post, UserFactory(username="zed", first_name="Zed", last_name="Ray"), flagged, "off_topic")

    html = signed_in(editor).get(QUEUE).content.decode()

    assert f'id="flagged-{flagged.pk}"' in html and "Not flagged at all" not in html
    assert "Tags are for **fools**" in html and "Tagging the wiki" in html
    assert "Disrespectful</strong> from Amira Haddad: “Calls people fools”" in html
    assert "Off-topic</strong> from Zed Ray" in html
    assert "Replying to Ben Okafor" in html and "Tags are great" in html
    assert "After it, Ben Okafor" in html and after.body in html


def test_only_editors_reach_the_queue_and_the_listing(client, post, staff, pair):
    assert signed_in(staff).get(QUEUE).status_code in (302, 403)
    assert signed_in(staff).get(LISTING).status_code in (302, 403)
    assert client.get(QUEUE).status_code == 302
    comment = add(post, pair.first_member)
    response = signed_in(staff).post(f"{QUEUE}{comment.pk}/", {"action": "hide"})
    assert response.status_code in (302, 403)
    assert Comment.objects.get(pk=comment.pk).hidden is False


@pytest.mark.parametrize(("action", "hidden"), [("hide", True), ("restore", False), ("dismiss", True)])
def test_queue_actions_close_the_flags_log_and_leave_the_queue(
    post, staff, pair, editor, settings, action, hidden
):
    settings.COMMENT_FLAG_THRESHOLD = 1
    comment = add(post, pair.first_member, "Borderline")
    flag(post, staff, comment)  # hidden pending review
    client = signed_in(editor)

    response = client.post(f"{QUEUE}{comment.pk}/", {"action": action})

    comment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert comment.hidden is hidden
    assert not CommentFlag.objects.filter(outcome="").exists()
    entry = ModelLogEntry.objects.get()
    assert entry.action == flags.REVIEW_ACTIONS[action][0] and entry.user_id == editor.pk
    assert f'id="flagged-{comment.pk}"' not in client.get(QUEUE).content.decode()
    assert entry.message == flags.REVIEW_ACTIONS[action][2]  # the registered action's words


def test_unknown_actions_and_comments_change_nothing(post, staff, pair, editor):
    comment = add(post, pair.first_member)
    flag(post, staff, comment)
    client = signed_in(editor)

    unknown = client.post(f"{QUEUE}{comment.pk}/", {"action": "delete"})
    missing = client.post(f"{QUEUE}999999/", {"action": "hide"})

    assert unknown.status_code == 302 and missing.status_code == 404
    assert CommentFlag.objects.filter(outcome="").count() == 1
    assert client.get(f"{QUEUE}{comment.pk}/").status_code == 405


def _restricted_to(page, group_name):
    group = Group.objects.create(name=group_name)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(group)
    return group


def test_a_restricted_page_s_comments_stay_out_for_an_editor_who_may_not_see_it(
    make_post, staff, pair, editor, django_capture_on_commit_callbacks
):
    secret = make_post(title="Board minutes")
    comment = add(secret, pair.first_member, "Confidential numbers")
    flag(secret, staff, comment)
    with django_capture_on_commit_callbacks(execute=True):
        _restricted_to(secret, "Board")
    client = signed_in(editor)

    queue = client.get(QUEUE).content.decode()
    listing = client.get(LISTING).content.decode()
    searched = client.get(LISTING, {"q": "Confidential"}).content.decode()
    acted = client.post(f"{QUEUE}{comment.pk}/", {"action": "restore"})

    for html in (queue, listing, searched):
        assert "Board minutes" not in html and "Confidential numbers" not in html
    assert acted.status_code == 404


def test_the_listing_filters_and_searches(post, make_post, staff, pair, editor):
    other = make_post(title="Another post")
    hidden = add(post, staff, "Hidden one about wikis")
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)
    flagged = add(other, pair.first_member, "Flagged one about tags")
    flag(other, staff, flagged)
    add(post, pair.second_member, "Plain one about wikis")
    client = signed_in(editor)

    def listed(**query):
        html = client.get(LISTING, query).content.decode()
        return {body for body in ("Hidden one", "Flagged one", "Plain one") if body in html}

    assert listed() == {"Hidden one", "Flagged one", "Plain one"}
    assert listed(hidden="true") == {"Hidden one"}
    assert listed(flagged="true") == {"Flagged one"}
    assert listed(flagged="false") == {"Hidden one", "Plain one"}
    assert listed(page=str(other.pk)) == {"Flagged one"}
    assert listed(author=str(staff.pk)) == {"Hidden one"}
    assert listed(q="wikis") == {"Hidden one", "Plain one"}
    assert listed(created_from="2000-01-01", created_to="2000-01-02") == set()
    assert client.get(f"{LISTING}new/").status_code in (302, 403)
    assert client.get(f"{LISTING}edit/{hidden.pk}/").status_code in (302, 403)
    assert client.get(f"{LISTING}delete/{hidden.pk}/").status_code in (302, 403)


def test_queue_and_listing_read_in_a_fixed_number_of_queries(
    make_post, staff, editor, pair, settings, django_assert_max_num_queries
):
    settings.COMMENT_RATE_LIMIT = 100

    def flagged_comments(count, start):
        for n in range(start, start + count):
            page = make_post(title=f"Post {n}")
            root = add(page, pair.first_member, f"Root {n}")
            comment = add(page, pair.second_member, f"Reply {n}", parent=root.pk)
            add(page, pair.first_member, f"After {n}", parent=root.pk)
            flag(page, staff, comment)
            flag(page, UserFactory(username=f"flagger{n}"), comment, "other", "why")

    flagged_comments(1, 0)
    client = signed_in(editor)
    client.get(QUEUE), client.get(LISTING)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as queue_few:
        client.get(QUEUE)
    with CaptureQueriesContext(connection) as listing_few:
        client.get(LISTING)
    flagged_comments(6, 1)

    with django_assert_max_num_queries(len(queue_few.captured_queries)):
        assert client.get(QUEUE).content.decode().count('class="comment-review__item"') == 7
    with django_assert_max_num_queries(len(listing_few.captured_queries)):
        assert "Reply 6" in client.get(LISTING).content.decode()


def test_the_listing_leads_from_each_conversation_to_promoting_it(post, staff, pair, editor):
    root = add(post, staff, "How do we tag client notes?")
    reply = add(post, pair.first_member, "With the shared vocabulary", parent=root.pk)
    client = signed_in(editor)

    html = client.get(LISTING).content.decode()

    promote = f'<a href="/conversations/{root.pk}/promote/">Promote to a lesson</a>'
    assert promote in html
    assert f"/conversations/{reply.pk}/promote/" not in html  # a reply is promoted with its conversation
    page = client.get(f"/conversations/{root.pk}/promote/")
    assert page.status_code == 200 and "With the shared vocabulary" in page.content.decode()


def test_a_deleted_conversation_offers_no_promotion_in_the_listing(post, staff, editor):
    root = add(post, staff, "Soon gone")
    services.comment_delete(page=post, user=staff, comment_id=root.pk)

    assert f"/conversations/{root.pk}/promote/" not in signed_in(editor).get(LISTING).content.decode()
