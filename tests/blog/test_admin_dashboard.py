"""A pair member's Wagtail dashboard shows their pair's drafts, pages in review and newest comments."""

import pytest
from bs4 import BeautifulSoup

from blog.selectors import pair_dashboard
from blog.threads.models import Comment
from blog.threads.services import comment_create

pytestmark = pytest.mark.django_db


def panel_text(client) -> str | None:
    """The panel's text as a reader sees it, or ``None`` when it is not on the dashboard."""
    html = client.get("/admin/").content.decode()
    assert "<script>x()" not in html  # a comment's text is escaped, never markup
    panel = BeautifulSoup(html, "html.parser").select_one("#pair-work-section")
    return None if panel is None else " ".join(panel.get_text(" ").split())


@pytest.fixture
def pair_work(pair, other_pair, make_post, staff):
    """One draft, one post in review and one live post with two comments (one hidden) for the pair."""
    author = pair.first_member
    draft = make_post(title="Still writing this", live=False)
    draft.save_revision(user=author)
    in_review = make_post(title="Waiting for an editor", live=False)
    in_review.save_revision(user=author)
    in_review.get_workflow().start(in_review, author)
    live = make_post(title="Ten tags")
    comment_create(page=live, user=staff, body="This **saved** my week <script>x()</script>", client_id="a")
    hidden = comment_create(page=live, user=staff, body="Off topic rant", client_id="b").comment
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    other_draft = make_post(title="Another pair's secret", pair=other_pair, live=False)
    other_draft.save_revision(user=other_pair.first_member)
    return pair


def test_a_pair_member_sees_their_pairs_work_on_the_dashboard(client, pair_work):
    client.force_login(pair_work.second_member)  # a co-author's work shows too

    text = panel_text(client)

    assert text.startswith("Your pair's work: Amira & Ben")
    in_review, drafts = text.split("In review", 1)[1].split("Drafts", 1)
    drafts, comments = drafts.split("Recent comments", 1)
    assert "Waiting for an editor" in in_review and "Still writing this" not in in_review
    assert "Still writing this" in drafts and "Waiting for an editor" not in drafts
    assert "Sam Kowalski on “Ten tags”" in comments and "This saved my week <script>x()</script>" in comments
    assert "Off topic" not in text and "Another pair's secret" not in text


def test_people_outside_an_active_pair_get_no_panel(client, pair_work, staff, editor):
    for person in (staff, editor):
        client.force_login(person)
        assert panel_text(client) is None


def test_the_panel_takes_four_queries_however_much_work_there_is(
    pair_work, make_post, staff, settings, django_assert_num_queries
):
    settings.COMMENT_RATE_LIMIT = 100
    member = pair_work.first_member
    with django_assert_num_queries(4):
        pair_dashboard(user=member)
    for n in range(6):
        make_post(title=f"Draft {n}", live=False).save_revision(user=member)
        comment_create(page=make_post(title=f"Live {n}"), user=staff, body=f"Comment {n}", client_id=f"m{n}")

    with django_assert_num_queries(4):
        dashboard = pair_dashboard(user=member)

    assert len(dashboard.drafts) == len(dashboard.comments) == 5
