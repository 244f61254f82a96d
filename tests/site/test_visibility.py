"""The one visibility rule: each kind of restriction, ancestors, aliases, drafts, and Wagtail's serving."""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.cached_db import SessionStore

from wagtail.models import Page, PageViewRestriction

import pytest

from blog.factories import UserFactory
from blog.models import BlogPostPage
from blog.threads.models import Notification
from blog.threads.services import comment_create
from site.visibility import (
    PASSED_KEY,
    Verdict,
    page_verdict,
    viewers_among,
    visible_pages,
    visible_to_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def restrict(django_capture_on_commit_callbacks):
    """Restrict a page and commit, as the admin does (the rule's epoch moves on commit)."""

    def make(page, kind, *, groups=(), password=""):
        with django_capture_on_commit_callbacks(execute=True):
            restriction = PageViewRestriction.objects.create(
                page=page, restriction_type=kind, password=password
            )
            restriction.groups.set(groups)
        return restriction

    return make


@pytest.fixture
def committee(db):
    return Group.objects.create(name="Committee")


@pytest.fixture
def people(staff, committee, editor):
    member = UserFactory(username="cara")
    member.groups.add(committee)
    root = UserFactory(username="root", is_superuser=True)
    return {"anonymous": AnonymousUser(), "staff": staff, "member": member, "root": root}


def listed(user, session=None) -> set[int]:
    return set(
        visible_pages(BlogPostPage.objects.all(), user=user, session=session).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("kind", "sees"),
    [
        ("login", {"staff", "member", "root"}),
        ("groups", {"member", "root"}),
        ("password", set()),
    ],
)
def test_each_kind_of_restriction_lets_through_whom_it_should(
    restrict, make_post, people, committee, kind, sees
):
    post = make_post()
    restrict(post, kind, groups=[committee] if kind == "groups" else [], password="s3cret")

    verdicts = {name: page_verdict(post, user=user) for name, user in people.items()}
    in_listing = {name for name, user in people.items() if post.pk in listed(user)}

    assert {name for name, verdict in verdicts.items() if verdict is Verdict.VISIBLE} == sees
    assert in_listing == sees
    expected_anonymous = Verdict.FORBIDDEN if kind == "password" else Verdict.SIGN_IN
    assert verdicts["anonymous"] is expected_anonymous
    if "staff" not in sees:
        assert verdicts["staff"] is Verdict.FORBIDDEN


def test_a_password_entered_in_this_session_opens_the_page_for_it_alone(restrict, make_post, staff):
    post = make_post()
    restriction = restrict(post, "password", password="s3cret")
    session = SessionStore()
    session[PASSED_KEY] = [restriction.pk]

    assert page_verdict(post, user=AnonymousUser(), session=session) is Verdict.VISIBLE
    assert post.pk in listed(AnonymousUser(), session)
    assert page_verdict(post, user=staff, session=SessionStore()) is Verdict.FORBIDDEN
    assert post.pk not in listed(staff, SessionStore())


def test_a_restriction_on_an_ancestor_covers_every_page_below(restrict, make_post, blog_index, staff):
    post = make_post()
    restrict(blog_index, "login")

    assert page_verdict(post, user=AnonymousUser()) is Verdict.SIGN_IN
    assert post.pk not in listed(AnonymousUser())
    assert page_verdict(post, user=staff) is Verdict.VISIBLE and post.pk in listed(staff)


def test_an_alias_takes_its_sources_restrictions(restrict, make_post, blog_index, home):
    source = make_post(title="Source")
    alias = source.create_alias(parent=blog_index, update_slug="alias-of-source")
    restrict(source, "login")

    assert page_verdict(alias, user=AnonymousUser()) is Verdict.SIGN_IN
    assert alias.pk not in listed(AnonymousUser())


def test_drafts_and_missing_pages_are_not_found(make_post, editor):
    draft = make_post(live=False)

    assert page_verdict(draft, user=editor) is Verdict.NOT_FOUND
    assert page_verdict(None, user=editor) is Verdict.NOT_FOUND
    assert draft.pk not in listed(editor)


@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_wagtails_serving_agrees_with_the_rule(restrict, make_post, people, committee, kind):
    """Wagtail's serving accepts each restriction itself: its answer and the rule's must be the same."""
    post = make_post()
    restrict(post, kind, groups=[committee], password="s3cret")
    page = Page.objects.get(pk=post.pk).specific

    for user in people.values():
        request = SimpleNamespace(user=user, session=SessionStore())
        wagtail_says = all(r.accept_request(request) for r in page.get_view_restrictions())
        assert wagtail_says == (page_verdict(page, user=user, session=request.session) is Verdict.VISIBLE)


def test_viewers_among_names_only_people_who_may_see_the_page(restrict, make_post, people, committee):
    post = make_post()
    ids = {people[name].pk for name in ("staff", "member", "root")}
    assert viewers_among(post, user_ids=ids) == ids

    restrict(post, "groups", groups=[committee])
    assert viewers_among(post, user_ids=ids) == {people["member"].pk, people["root"].pk}

    restrict(post, "password", password="s3cret")
    assert viewers_among(post, user_ids=ids) == set()


def test_visible_to_people_decides_per_row_for_many_people_at_once(
    restrict, make_post, people, committee, pair
):
    """One query: a notification per person, each kept only if its own person may see the page."""
    post = make_post()
    comment = comment_create(page=post, user=pair.first_member, body="Hello", client_id="c").comment
    for person in ("staff", "member", "root"):
        Notification.objects.create(
            recipient=people[person], kind="mention", comment=comment, text="t", url="/"
        )
    restrict(post, "groups", groups=[committee])

    kept = Notification.objects.filter(visible_to_people(page="comment__page", person="recipient"))

    assert set(kept.values_list("recipient__username", flat=True)) == {"cara", "root"}


def test_an_alias_made_after_the_restriction_is_covered_too(
    restrict, make_post, blog_index, django_capture_on_commit_callbacks
):
    source = make_post(title="Source")
    restrict(source, "login")
    assert source.pk not in listed(AnonymousUser())

    with django_capture_on_commit_callbacks(execute=True):
        alias = source.create_alias(parent=blog_index, update_slug="alias-of-source")

    assert page_verdict(alias, user=AnonymousUser()) is Verdict.SIGN_IN
    assert alias.pk not in listed(AnonymousUser())


def test_deciding_costs_no_query_once_the_restrictions_are_known(
    restrict, make_post, staff, committee, django_assert_num_queries
):
    open_post, closed_post = make_post(), make_post()
    restrict(closed_post, "login")
    page_verdict(open_post, user=staff)  # reads the site's restrictions once for this epoch

    with django_assert_num_queries(0):
        verdicts = [page_verdict(page, user=staff) for page in (open_post, closed_post)]
        visible_pages(BlogPostPage.objects.all(), user=staff)  # built, not run

    assert verdicts == [Verdict.VISIBLE, Verdict.VISIBLE]
