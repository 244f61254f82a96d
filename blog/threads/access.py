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

from wagtail.models import Page

from blog.threads.errors import ThreadError
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


def thread_access(*, page_id: int, user, session) -> ThreadAccess:
    """Check that ``user`` may read the thread on ``page_id``; raises ``ThreadError``."""
    page = thread_page(page_id)
    verdict = page_verdict(page, user=user, session=session) if page is not None else Verdict.NOT_FOUND
    if verdict is not Verdict.VISIBLE:
        raise ThreadError(*REFUSALS[verdict])
    return ThreadAccess(page=page, user=user)


def scope_session_key(scope) -> str | None:
    """The session cookie of a WebSocket handshake (``CookieMiddleware`` parsed it).

    Consumers read the session themselves, in the same trip to the database
    as the rest of their work, instead of a middleware reading it up front.
    """
    return scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)


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
