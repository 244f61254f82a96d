"""The anonymous page cache: served without the database, never stale, never someone else's."""

from django.core.cache import cache
from django.middleware.csrf import get_token

from wagtail import hooks
from wagtail.models import PageViewRestriction

import pytest

from blog.threads import services
from site.page_cache import HEADER, SITE_VERSION_KEY, purge_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(make_post):
    return make_post(title="Tagging the wiki", tags=["Wikis"])


@pytest.fixture
def comment(post, pair):
    return services.comment_create(page=post, user=pair.first_member, body="First!", client_id="c").comment


def cached(client, url: str) -> str:
    """Request ``url`` until it is in the cache; its HTML."""
    response = client.get(url)
    assert response.status_code == 200 and response[HEADER] == "miss", url
    assert client.get(url)[HEADER] == "hit", url
    return response.content.decode()


def test_the_second_anonymous_request_is_served_without_the_database(client, post, django_assert_num_queries):
    first = client.get(post.url)

    with django_assert_num_queries(0):
        second = client.get(post.url)

    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert second.content == first.content and "Tagging the wiki" in second.content.decode()
    # The headers every response gets are there on a hit too.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Type"):
        assert second[header] == first[header]
    assert not second.cookies


def test_head_requests_are_answered_from_the_cache(client, post):
    cached(client, post.url)

    assert client.head(post.url)[HEADER] == "hit"


def test_listing_pages_are_cached_too(client, home, blog_index):
    for url in (home.url, blog_index.url, f"{blog_index.url}feed/", f"{blog_index.url}?page=2"):
        cached(client, url)


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        (
            lambda post, comment, staff, editor: services.comment_create(
                page=post, user=staff, body="Second!", client_id="s"
            ),
            "Second!",
        ),
        (
            lambda post, comment, staff, editor: services.comment_create(
                page=post, user=staff, body="A reply", client_id="r", parent_id=comment.pk
            ),
            "A reply",
        ),
        (
            lambda post, comment, staff, editor: services.comment_edit(
                page=post, user=comment.author, comment_id=comment.pk, body="First, edited"
            ),
            "First, edited",
        ),
        (
            lambda post, comment, staff, editor: services.comment_delete(
                page=post, user=comment.author, comment_id=comment.pk
            ),
            "<span data-thread-count>0</span>",
        ),
        (
            lambda post, comment, staff, editor: services.comment_hide(
                page=post, user=editor, comment_id=comment.pk, hidden=True
            ),
            "This comment is hidden.",
        ),
        (
            lambda post, comment, staff, editor: services.reaction_toggle(
                page=post, user=staff, comment_id=comment.pk, kind="insightful"
            ),
            '<span data-reaction="insightful">Insightful 1</span>',
        ),
    ],
    ids=["comment", "reply", "edit", "delete", "hide", "reaction"],
)
def test_every_comment_write_purges_its_page_once_committed(
    client, post, comment, staff, editor, write, shows, django_capture_on_commit_callbacks
):
    assert shows not in cached(client, post.url)

    with django_capture_on_commit_callbacks(execute=True):
        write(post, comment, staff, editor)

    response = client.get(post.url)
    assert response[HEADER] == "miss" and shows in response.content.decode()


def test_taking_a_reaction_back_purges_the_page(
    client, post, comment, staff, django_capture_on_commit_callbacks
):
    services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="like")
    assert '<span data-reaction="like">Like 1</span>' in cached(client, post.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="like")

    assert 'data-reaction="like"' not in client.get(post.url).content.decode()  # no count of 0 shown


def test_a_comment_purges_only_its_own_page(
    client, post, make_post, staff, home, django_capture_on_commit_callbacks
):
    other = make_post(title="Another post")
    cached(client, post.url)
    cached(client, other.url)
    cached(client, home.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(page=post, user=staff, body="Hello", client_id="h")

    assert client.get(post.url)[HEADER] == "miss"
    assert client.get(other.url)[HEADER] == "hit"
    assert client.get(home.url)[HEADER] == "hit"


def test_a_write_that_does_not_commit_purges_nothing(client, post, staff, django_capture_on_commit_callbacks):
    cached(client, post.url)

    with django_capture_on_commit_callbacks(execute=False):  # as if rolled back
        services.comment_create(page=post, user=staff, body="Never saved", client_id="n")

    assert client.get(post.url)[HEADER] == "hit"


def test_publishing_a_change_purges_every_page(
    client, post, home, blog_index, django_capture_on_commit_callbacks
):
    urls = [home.url, blog_index.url, post.url]
    for url in urls:
        cached(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Tagging the wiki, revised"
        post.save_revision().publish()

    for url in urls:
        response = client.get(url)
        assert response[HEADER] == "miss" and "Tagging the wiki, revised" in response.content.decode(), url


@pytest.mark.parametrize("kind", ["login", "groups", "password"])
def test_restricting_a_page_purges_it_and_the_listings_before_anyone_is_served_them(
    client, post, blog_index, home, django_capture_on_commit_callbacks, kind
):
    for url in (home.url, blog_index.url, post.url):
        assert "Tagging the wiki" in cached(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=post, restriction_type=kind, password="s3cret")

    page = client.get(post.url)
    assert page.get(HEADER) != "hit" and "We paired and we learned." not in page.content.decode()
    for url in (home.url, blog_index.url):
        response = client.get(url)
        assert response[HEADER] == "miss" and "Tagging the wiki" not in response.content.decode(), url


def test_lifting_a_restriction_purges_the_listings_that_left_the_page_out(
    client, post, blog_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=post, restriction_type="login")
    assert "Tagging the wiki" not in cached(client, blog_index.url)

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()

    assert "Tagging the wiki" in client.get(blog_index.url).content.decode()


def test_saving_a_draft_purges_nothing(client, post, blog_index, django_capture_on_commit_callbacks):
    """Readers see the live version, which a draft does not change: cached pages stay hits."""
    cached(client, post.url)
    cached(client, blog_index.url)

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Tagging the wiki, a draft"
        post.save_revision()

    assert client.get(post.url)[HEADER] == "hit" and client.get(blog_index.url)[HEADER] == "hit"


def test_unpublishing_and_deleting_purge_the_page_and_the_listings(
    client, post, make_post, blog_index, django_capture_on_commit_callbacks
):
    other = make_post(title="Soon gone")
    assert "Tagging the wiki" in cached(client, blog_index.url)
    cached(client, post.url)
    cached(client, other.url)

    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()

    assert client.get(post.url).status_code == 404
    assert client.get(other.url).status_code == 404
    html = client.get(blog_index.url).content.decode()
    assert "Tagging the wiki" not in html and "Soon gone" not in html


def test_renaming_a_pair_purges_the_pages_that_name_it(
    client, post, pair, django_capture_on_commit_callbacks
):
    cached(client, post.url)

    with django_capture_on_commit_callbacks(execute=True):
        pair.name = "The Lenders"
        pair.save()

    assert "The Lenders" in client.get(post.url).content.decode()


def test_signed_in_readers_never_get_nor_leave_a_cached_page(client, post, staff):
    client.force_login(staff)
    signed_in = client.get(post.url)
    assert HEADER not in signed_in and "Sign out" in signed_in.content.decode()
    client.logout()

    anonymous = client.get(post.url)  # the signed-in page was not stored for it
    assert anonymous[HEADER] == "miss" and "Sign out" not in anonymous.content.decode()

    client.force_login(staff)
    assert HEADER not in client.get(post.url)  # nor is the anonymous one served to them


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_session_or_pending_messages_bypass_the_cache(client, post, cookie):
    cached(client, post.url)
    client.cookies[cookie] = "anything"

    assert HEADER not in client.get(post.url)


def test_a_response_that_sets_a_cookie_is_never_stored(client, post):
    def hand_out_a_csrf_token(page, request, serve_args, serve_kwargs):
        get_token(request)

    with hooks.register_temporarily("before_serve_page", hand_out_a_csrf_token):
        first = client.get(post.url)
        client.cookies.clear()
        second = client.get(post.url)

    assert "csrftoken" in first.cookies
    assert HEADER not in first and HEADER not in second


@pytest.mark.parametrize("kind", [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD])
def test_restricted_pages_are_never_cached(client, post, kind):
    PageViewRestriction.objects.create(page=post, restriction_type=kind, password="secret")

    for _ in range(2):
        response = client.get(post.url)
        assert HEADER not in response and "First!" not in response.content.decode()


def test_addresses_that_are_not_wagtail_pages_are_not_cached(client, post):
    for url in ("/topics/wikis/", "/accounts/login/", "/search/?q=wiki"):
        client.get(url)
        assert HEADER not in client.get(url), url


def test_a_page_built_while_a_comment_committed_is_not_served_afterwards(client, post):
    def comment_commits_meanwhile(serve):
        def inner(page, request, args, kwargs):
            purge_page(page.pk)  # after the page's version was read, before the page is stored
            return serve(page, request, args, kwargs)

        return inner

    with hooks.register_temporarily("on_serve_page", comment_commits_meanwhile, order=20):
        assert client.get(post.url)[HEADER] == "miss"

    assert client.get(post.url)[HEADER] == "miss"


def test_an_evicted_site_version_turns_every_entry_into_a_miss(client, post):
    cached(client, post.url)

    cache.delete(SITE_VERSION_KEY)

    assert client.get(post.url)[HEADER] == "miss"
    assert client.get(post.url)[HEADER] == "hit"


def test_pages_are_served_as_usual_when_the_cache_keeps_nothing(client, post, settings):
    # What django-redis does while Redis is down (it is set to ignore errors).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    for _ in range(2):
        response = client.get(post.url)
        assert response.status_code == 200 and HEADER not in response
