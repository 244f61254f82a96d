"""Security headers and CSP on every public page; production settings pass ``check --deploy``.

The public site runs no inline script or style (``site.settings.base``), so the
Content-Security-Policy can forbid them; these tests keep both halves honest:
the header says so on every page, and no page relies on what it forbids.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from taggit.models import Tag

from blog.models import BlogIndexPage, BlogPostPage, MentorPair
from learning.models import CollectionIndexPage, CollectionPage, LearningIndexPage, LessonPage
from tests.caches import empty_caches
from tests.live_server import PROJECT_DIR

# ``<script>`` types that browsers do not run: data for a script file to read.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}
# Policies that never send a page's full URL to another site.
SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        if part.split():
            name, *values = part.split()
            directives[name.lower()] = values
    return directives


class InlineCodeFinder(HTMLParser):
    """Everything in a page that a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script_line: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        attributes = dict(attrs)
        script_type = (attributes.get("type") or "").lower()
        if tag == "script" and not attributes.get("src") and script_type not in DATA_SCRIPT_TYPES:
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: inline <style>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"line {line}: <{tag} {name}=...> event handler")
            elif name == "style":
                self.found.append(f"line {line}: <{tag} style={value!r}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"line {line}: <{tag} {name}={value!r}>")


class PublicPagesTests(TestCase):
    """Every kind of public page of the demo, anonymous and signed in."""

    @classmethod
    def setUpTestData(cls):
        from home.demo import load_demo

        load_demo()
        post = BlogPostPage.objects.live().order_by("pk").first()
        tag = Tag.objects.filter(blog_blogposttag_items__content_object=post).order_by("name").first()
        cls.pages = {
            "home": "/",
            "blog index": BlogIndexPage.objects.live().get().url,
            "post": post.url,
            "topic index": reverse("topic_index"),
            "topic stream": reverse("topic_detail", args=[tag.slug]),
            "learning index": LearningIndexPage.objects.live().get().url,
            "lesson": LessonPage.objects.live().order_by("pk").first().url,
            "collection index": CollectionIndexPage.objects.live().get().url,
            "collection": CollectionPage.objects.live().order_by("pk").first().url,
            "search": f"{reverse('search')}?q=wiki",
            "pairs": reverse("pair_index"),
            "pair": reverse("pair_detail", args=[MentorPair.objects.order_by("pk").first().slug]),
            "login": reverse("login"),
            "not found": "/no-such-page/",
        }
        cls.signed_in_pages = {
            **{name: url for name, url in cls.pages.items() if name != "login"},
            "my stream": reverse("my_stream"),
            "notifications": "/me/notifications/",
        }
        # Staff, and an editor, whose pages also carry Wagtail's user bar.
        cls.people = list(
            get_user_model().objects.filter(username__in=["sam", "editor"]).order_by("username")
        )

    def setUp(self):
        # Anonymous pages are cached (site/page_cache.py): every test starts and
        # ends without any, so none outlives the pages this class rolls back.
        empty_caches()
        self.addCleanup(empty_caches)

    def responses(self):
        """``(who, page name, response)`` for every page: anonymous, built and then from
        the cache, and signed in."""
        for name, url in self.pages.items():
            yield "anonymous", name, self.client.get(url)
            yield "anonymous again", name, self.client.get(url)
        for person in self.people:
            self.client.force_login(person)
            for name, url in self.signed_in_pages.items():
                yield person.username, name, self.client.get(url)

    def test_every_page_answers_as_expected(self):
        statuses = {(who, name): response.status_code for who, name, response in self.responses()}
        expected = {key: 404 if key[1] == "not found" else 200 for key in statuses}
        assert statuses == expected

    def test_every_page_sends_the_security_headers(self):
        problems = []
        for who, name, response in self.responses():
            headers = response.headers
            policy = csp_directives(headers.get("Content-Security-Policy", ""))
            script_src = policy.get("script-src", policy.get("default-src", ["*"]))
            style_src = policy.get("style-src", policy.get("default-src", ["*"]))
            unsafe = {"'unsafe-inline'", "'unsafe-eval'", "*"}
            expected = {
                "Content-Security-Policy script-src without 'unsafe-inline'": not unsafe & set(script_src),
                "Content-Security-Policy style-src without 'unsafe-inline'": not unsafe & set(style_src),
                "Content-Security-Policy object-src 'none'": policy.get("object-src") == ["'none'"],
                "Content-Security-Policy frame-ancestors": "frame-ancestors" in policy,
                "X-Content-Type-Options: nosniff": headers.get("X-Content-Type-Options") == "nosniff",
                "Referrer-Policy": headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES,
                "X-Frame-Options": headers.get("X-Frame-Options") in {"DENY", "SAMEORIGIN"},
                "Cross-Origin-Opener-Policy": headers.get("Cross-Origin-Opener-Policy") == "same-origin",
            }
            problems += [f"{who} {name}: {check}" for check, ok in expected.items() if not ok]
        assert problems == []

    def test_no_page_relies_on_inline_script_style_or_handlers(self):
        problems = []
        for who, name, response in self.responses():
            finder = InlineCodeFinder()
            finder.feed(response.content.decode())
            problems += [f"{who} {name}: {found}" for found in finder.found]
        assert problems == []


def production_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py <args>`` with production settings and only the environment they require.

    Keyword arguments replace variables of that environment.
    """
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "site.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "pairwise.example.com",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_deploy_check_passes_with_production_settings():
    result = production_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_secure_the_cookies_and_the_transport():
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = production_manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_refuses_to_start_without_a_real_secret_key():
    result = production_manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
