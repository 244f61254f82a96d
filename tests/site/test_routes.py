"""Known routes (site/routes.py): a page found once is loaded alone next time; no change is missed."""

import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction, Site

import pytest

from site import kept, routes
from tests.page_cache import page_cache_off  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]


def page_queries(client, url: str) -> tuple[int, list[str]]:
    """The status of ``url`` and the queries serving it ran."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, [q["sql"] for q in queries]


def site_read(queries: list[str]) -> bool:
    return any('FROM "wagtailcore_site"' in sql for sql in queries)


def test_a_post_found_once_is_loaded_alone_the_next_time(client, make_post):
    post = make_post(title="Wiki gardening")
    client.get(post.url)  # per-process caches (content types, restrictions)
    cache.delete(routes.VERSION_KEY)  # as a change would: the route is found again

    first_status, walked = page_queries(client, post.url)
    second_status, loaded = page_queries(client, post.url)

    assert first_status == second_status == 200
    # Wagtail read the site and walked the tree down to the post (four queries); then the post alone.
    assert site_read(walked) and not site_read(loaded)
    assert len(walked) - len(loaded) == 4
    assert "Wiki gardening" in client.get(post.url).content.decode()


def test_what_each_change_does_to_a_known_route(client, make_post, django_capture_on_commit_callbacks):
    kept, moved, hidden = make_post(title="Kept"), make_post(title="Renamed"), make_post(title="Hidden")
    old_url = moved.url
    for post in (kept, moved, hidden):
        client.get(post.url)

    with django_capture_on_commit_callbacks(execute=True):  # committed: the version moves
        moved.slug = "renamed-again"
        moved.save_revision().publish()
    new_url = Page.objects.get(pk=moved.pk).url
    for post in (kept, hidden):
        client.get(post.url)  # their routes, found again under the new version
    hidden.unpublish()  # uncommitted here: the version stays, the remembered load itself refuses it

    assert new_url.endswith("/renamed-again/")
    assert client.get(old_url)["Location"] == new_url  # Wagtail's redirect from the old slug
    assert "Renamed" in client.get(new_url).content.decode()
    assert client.get(hidden.url).status_code == 404
    status, loaded = page_queries(client, kept.url)
    assert status == 200 and not site_read(loaded)  # from its remembered route


def test_a_route_is_found_again_after_its_time_whatever_the_version(client, make_post, monkeypatch):
    post = make_post(title="Old news")
    client.get(post.url)
    later = kept.time.monotonic() + routes.ROUTE_SECONDS + 1
    monkeypatch.setattr(kept.time, "monotonic", lambda: later)

    status, walked = page_queries(client, post.url)

    assert status == 200 and site_read(walked)


def test_wagtails_own_sign_in_and_password_forms_are_served(client, make_post):
    signed_in_only, secret = make_post(title="Members"), make_post(title="Behind a password")
    PageViewRestriction.objects.create(page=signed_in_only, restriction_type=PageViewRestriction.LOGIN)
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )

    sign_in = client.get(signed_in_only.url, follow=True)
    form = client.get(secret.url).content.decode()
    action = re.search(r'<form[^>]* action="([^"]*authenticate_with_password[^"]*)"', form).group(1)
    unlocked = client.post(action, {"password": "pw", "return_url": secret.url}, follow=True)

    assert sign_in.status_code == 200 and 'name="password"' in sign_in.content.decode()
    assert unlocked.status_code == 200 and "Behind a password" in unlocked.content.decode()


def test_a_restriction_added_after_the_route_was_found_still_holds(
    client, make_post, staff, django_capture_on_commit_callbacks
):
    post = make_post(title="Committee notes")
    assert client.get(post.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)

    refused = client.get(post.url)
    assert refused.status_code == 302 and "login" in refused["Location"]
    client.force_login(staff)
    assert "Committee notes" in client.get(post.url).content.decode()


def test_routes_of_a_pages_own_views_are_found_every_time(client, blog_index, make_post):
    make_post(title="In the feed")

    for _ in range(2):
        status, walked = page_queries(client, f"{blog_index.url}feed/")
        assert status == 200 and site_read(walked)  # the site and the tree, again
    assert "In the feed" in client.get(f"{blog_index.url}feed/").content.decode()


def test_a_site_or_page_saved_moves_the_version_once_committed(home, django_capture_on_commit_callbacks):
    before = routes.tree_version()

    with django_capture_on_commit_callbacks(execute=True):
        site = Site.objects.get(is_default_site=True)
        site.site_name = "Pairwise again"
        site.save()
    after_site = routes.tree_version()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=home.pk).specific.save()

    assert before != after_site != routes.tree_version()
