"""Who may read and who may write a page's thread.

Reading follows the page: it must exist, be live, carry a thread
(``ThreadPageMixin``) and pass the one visibility rule (``site.visibility``:
sign-in, groups, password, aliases, ancestors). Writing also needs a
signed-in person. Consumers call this on connect, for every message, and
again for broadcasts once the privacy epoch has moved, with a freshly read
session, so a sign-out elsewhere takes effect on an open socket.
"""

from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from wagtail.models import Page

from blog.threads.errors import ThreadError
from site.kept import KeptReads
from site.visibility import Verdict, page_verdict

REFUSALS = {
    Verdict.NOT_FOUND: ("not_found", "There is no thread here."),
    Verdict.SIGN_IN: ("auth_required", "Sign in to read this thread."),
    Verdict.FORBIDDEN: ("forbidden", "You may not read this thread."),
}


@dataclass(frozen=True)
class ThreadAccess:
    page: Page
    user: object


# What deciding and writing need of a thread's page (its place, type and
# address); any other field is read when asked for. Every handshake reads it.
PAGE_FIELDS = ("id", "live", "path", "depth", "title", "url_path", "content_type", "alias_of")


def thread_page(page_id: int) -> Page | None:
    """The live page with a thread, or None."""
    page = (
        Page.objects.filter(pk=page_id, live=True).select_related("content_type").only(*PAGE_FIELDS).first()
    )
    if page is None or not getattr(page.specific_class, "has_thread", False):
        return None
    return page


# A handshake's page, per privacy epoch, for a moment.
HANDSHAKE_PAGE_SECONDS = 2.0
_handshake_pages = KeptReads(seconds=HANDSHAKE_PAGE_SECONDS, size=1024)


def handshake_page(page_id: int, *, epoch: str | None) -> Page | None:
    """``thread_page``, kept in this process while the privacy epoch is the same, for a moment.

    A crowd opening one thread at once would read the same row once per
    socket (a quarter of a burst's database work, ``bench/burst.py``). What
    could take the page from a reader (unpublished, moved, deleted, its
    restrictions) moves the epoch once it commits, and a page is kept only once
    found live and for at most ``HANDSHAKE_PAGE_SECONDS``: a move of the epoch
    that was lost (the cache unreachable just then) or has not happened yet
    (the change is committing) lets a page that just went away be opened for
    that long at most. Without an epoch (the cache unreachable) it is read
    every time. Only handshakes use it: a write, and the check when the epoch
    moves, read the page afresh.
    """
    return _handshake_pages.get(page_id, epoch, lambda: thread_page(page_id))


def thread_access(
    *, page_id: int, user, session, epoch: str | None = None, handshake: bool = False
) -> ThreadAccess:
    """Check that ``user`` may read the thread on ``page_id``; raises ``ThreadError``.

    ``handshake``: the page may come from ``handshake_page`` under ``epoch``.
    """
    page = handshake_page(page_id, epoch=epoch) if handshake else thread_page(page_id)
    verdict = page_verdict(page, user=user, session=session) if page is not None else Verdict.NOT_FOUND
    if verdict is not Verdict.VISIBLE:
        raise ThreadError(*REFUSALS[verdict])
    return ThreadAccess(page=page, user=user)


def scope_session_key(scope) -> str | None:
    """The session cookie of a WebSocket handshake, read from its ``Cookie`` headers.

    Consumers read the session themselves, in the same trip to the database
    as the rest of their work, instead of a middleware reading it up front;
    and the cookie here, rather than Channels' ``CookieMiddleware``, which
    copies every socket's scope to add all its cookies (0.8 KiB an idle
    socket would hold for nothing, ``bench/idle.py``).
    """
    cookies = "; ".join(
        value.decode("latin-1") for name, value in scope.get("headers", ()) if name.lower() == b"cookie"
    )
    return parse_cookie(cookies).get(settings.SESSION_COOKIE_NAME) if cookies else None


def session_user(session_key: str | None):
    """The user a session belongs to now, read afresh from the session store.

    The session a connection opened with may have been flushed since (sign
    out elsewhere); ``auth.get_user`` also checks the password hash, so a
    changed password signs the socket out too.
    """
    if not session_key:
        return AnonymousUser(), None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return auth.get_user(SimpleNamespace(session=store)), store
