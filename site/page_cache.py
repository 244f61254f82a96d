"""A shared cache of the Wagtail pages anonymous visitors get, purged the moment they change.

An anonymous ``GET`` or ``HEAD`` of a Wagtail page (no session cookie, no
messages waiting, no ``Authorization`` header) is answered from the cache
without routing, templates or database. Everyone else, and every URL that is
not a Wagtail page, goes through Django as usual.

Why not wagtail-cache: its release supports Wagtail below 8 only; the fork that
allows 8 repackages the same code, whose per-URL purge keeps one ``keyring``
dict that every process rewrites (a lost update leaves a stale page behind),
and whose full purge clears the whole default cache, sessions and rate limits
included.

Purging without a list of keys: every entry records two versions, both read
*before* the page was built: the site's (replaced when any page is saved,
published, unpublished, moved or deleted, and when a pair or a topic changes)
and its page's (replaced when a comment or a reaction on that page is
written). An entry whose versions are no longer current is a miss. A purge is
therefore one ``cache.set``, run in ``transaction.on_commit`` so that nobody can
cache the old page again after it; a page that was being built while the write
committed was built under the old version and is never served. Versions are
random, not counted: one that was evicted is replaced by a new one, which
matches no entry.

What is stored is never specific to a visitor: a response is kept only if it
is a 200 that sets no cookie (a CSRF token or a session would set one), varies
on nothing but ``Cookie`` and ``Accept-Encoding``, and does not forbid caching.
The Content-Security-Policy and security headers are added by the middleware
outside this one, on hits and misses alike. Entries expire after
``ENTRY_SECONDS`` too: the bound for what no purge covers (time passing on
"trending" lists, a site's hostname changing).

The cache is Django's default one: Redis in production, so every process sees
the same entries and versions. With the in-memory default (no ``REDIS_URL``) each
process has its own, so a purge reaches only the process that wrote: right for
one server process, not for several.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from site.visibility import access_changed

ENTRY_SECONDS = 300
HEADER = "X-Page-Cache"
SITE_VERSION_KEY = "page-cache:site-version"
_ALLOWED_VARY = {"cookie", "accept-encoding"}
_REFUSED_CACHE_CONTROL = {"private", "no-cache", "no-store"}


def _page_version_key(page_id: int) -> str:
    return f"page-cache:page-version:{page_id}"


def _entry_key(request: HttpRequest) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page-cache:entry:{hashlib.sha256(url.encode()).hexdigest()}"


def _make_version(key: str) -> str | None:
    """A version for ``key``, which had none (new, or evicted); ``None`` if the cache is unreachable."""
    cache.add(key, uuid.uuid4().hex, timeout=None)  # a concurrent request may have made one first
    return cache.get(key)


# --- serving --------------------------------------------------------------------------


class AnonymousPageCacheMiddleware:
    """Answers anonymous requests for Wagtail pages from the cache, and fills it.

    Sits after the security and CSP middleware (their headers go on every
    response) and before the session middleware (a hit costs no session read).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_anonymous_page_request(request):
            return self.get_response(request)
        key = _entry_key(request)
        found = cache.get_many([key, SITE_VERSION_KEY])
        entry, site_version = found.get(key), found.get(SITE_VERSION_KEY)
        if (
            entry is not None
            and site_version is not None
            and entry["site_version"] == site_version
            and cache.get(_page_version_key(entry["page_id"])) == entry["page_version"]
        ):
            return _response_from(entry)
        site_version = site_version or _make_version(SITE_VERSION_KEY)
        if site_version is None:  # the cache is unreachable: serve as if there were none
            return self.get_response(request)
        # The on_serve_page hook below adds the page and its version, once the
        # view restrictions have let the request through.
        request.page_cache = {"site_version": site_version}
        response = self.get_response(request)
        if _storable(request.page_cache, response):
            cache.set(key, {**request.page_cache, **_entry_from(response)}, ENTRY_SECONDS)
            response[HEADER] = "miss"
        return response


def remember_served_page(serve: Callable) -> Callable:
    """``on_serve_page`` hook: note the page a cacheable request gets, and its version before it is built."""

    def inner(page, request, args, kwargs):
        state = getattr(request, "page_cache", None)
        if state is not None:
            state["page_id"] = page.pk
            key = _page_version_key(page.pk)
            state["page_version"] = cache.get(key) or _make_version(key)
        return serve(page, request, args, kwargs)

    return inner


def _is_anonymous_page_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    try:
        return resolve(request.path_info).url_name == "wagtail_serve"
    except Resolver404:
        return False


def _storable(state: dict, response: HttpResponse) -> bool:
    if state.get("page_version") is None:
        return False  # not a page that passed its view restrictions, or the cache is unreachable
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header}
    cache_control = {
        part.split("=")[0].strip().lower() for part in response.get("Cache-Control", "").split(",")
    }
    return vary <= _ALLOWED_VARY and not cache_control & _REFUSED_CACHE_CONTROL


def _entry_from(response: HttpResponse) -> dict:
    return {"status": response.status_code, "headers": list(response.items()), "content": response.content}


def _response_from(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response[HEADER] = "hit"
    return response


# --- purging --------------------------------------------------------------------------


def purge_site() -> None:
    """Every cached page is stale: the next request for each builds it again."""
    cache.set(SITE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def purge_page(page_id: int) -> None:
    """The cached copies of one page are stale."""
    cache.set(_page_version_key(page_id), uuid.uuid4().hex, timeout=None)


def purge_site_after_commit(**kwargs) -> None:
    """A receiver (or a call from a service): the whole site is stale once this transaction commits."""
    transaction.on_commit(purge_site)


def purge_page_after_commit(page_id: int) -> None:
    """For services: the page's cached copies are stale once this transaction commits."""
    transaction.on_commit(lambda: purge_page(page_id))


def _purge_site_if_anyone(sender, user_ids=None, **kwargs) -> None:
    # Sent after commit already. A change for named people (their groups, a
    # sign-out) alters nothing an anonymous visitor is served.
    if user_ids is None:
        purge_site()


def connect_purge_receivers() -> None:
    """Purge after what Wagtail itself changes; apps connect their own models (``ready()``).

    Publishing, unpublishing, moving and deleting a page change listings
    elsewhere, so the whole site is purged; a draft saved is no change.
    Privacy changes arrive as ``site.visibility.access_changed``. Comments
    and reactions purge their page from the thread services.
    """
    post_delete.connect(purge_site_after_commit, sender=Page, dispatch_uid="page_cache.page_deleted")
    page_published.connect(purge_site_after_commit, dispatch_uid="page_cache.page_published")
    page_unpublished.connect(purge_site_after_commit, dispatch_uid="page_cache.page_unpublished")
    post_page_move.connect(purge_site_after_commit, dispatch_uid="page_cache.page_moved")
    access_changed.connect(_purge_site_if_anyone, dispatch_uid="page_cache.access_changed")
