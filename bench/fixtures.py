"""Data the benchmarks need, made through Django in the servers' own database.

The functions run inside ``manage.py shell`` (``in_django`` starts it), so they
use exactly the settings and database the server processes use. Comments are
made by the comment service, as a person posting them would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tests.live_server import (
    create_postgres_database,
    demo_database,
    drop_postgres_database,
    manage,
    prepare_demo_database,
)


def in_django(call: str, *, database_url: str, env: Mapping[str, str | None] | None = None):
    """Evaluate ``call`` (e.g. ``"bench_post()"``, names from this module) inside Django; its JSON result."""
    code = f"import json; from bench.fixtures import *; print('RESULT ' + json.dumps({call}))"
    output = manage("shell", "--no-imports", "-c", code, database_url=database_url, env=env)
    line = next(line for line in reversed(output.splitlines()) if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def add_database_argument(parser) -> None:
    parser.add_argument(
        "--template", help="copy this prepared SQLite demo database instead of migrating a new one"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on a new database on this PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres),"
        " migrated and loaded with the demo, dropped afterwards",
    )


# Each app gets a Redis database of its own, emptied before each run, so group
# members left by one run never receive (and slow down) the next.
REDIS_DB = {"ours": 8, "bare": 9}


def add_redis_argument(parser) -> None:
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379"))


def redis_layer(name: str, redis_url: str) -> str:
    """The ``REDIS_URL`` of app ``name`` ("ours" or "bare") for one run: its own database, emptied."""
    import redis

    url = f"{redis_url.rstrip('/')}/{REDIS_DB[name]}"
    redis.Redis.from_url(url).flushdb()
    return url


@contextmanager
def bench_database(args) -> Iterator[str]:
    """The run's throwaway demo database, from ``--template`` or ``--postgres``; its URL."""
    if not args.postgres:
        with demo_database(args.template) as database_url:
            yield database_url
        return
    database_url = create_postgres_database(args.postgres, "pairwise_bench")
    try:
        prepare_demo_database(database_url)
        yield database_url
    finally:
        drop_postgres_database(database_url)


# --- run inside Django ---------------------------------------------------------------


def signed_in(usernames: list[str]) -> dict[str, str]:
    """A fresh session key for each username, creating the accounts that do not exist."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.cached_db import SessionStore

    User = get_user_model()
    keys = {}
    for username in usernames:
        user = User.objects.filter(username=username).first()
        if user is None:  # no password to hash: sessions made here are the only way in
            user = User(username=username, first_name="Bench", last_name=username)
            user.set_unusable_password()
            user.save()
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[username] = session.session_key
    return keys


def bench_post() -> dict:
    """The newest live blog post: its page id and URL."""
    from blog.models import BlogPostPage

    post = BlogPostPage.objects.live().order_by("-first_published_at", "-pk").first()
    return {"id": post.pk, "url": post.url, "comments": post_comment_count(post.pk)}


def thread_pages() -> list[int]:
    """Ids of every live page that carries a thread."""
    from blog.models import BlogPostPage

    return list(BlogPostPage.objects.live().order_by("pk").values_list("pk", flat=True))


def post_comment_count(page_id: int) -> int:
    from blog.threads.models import Comment

    return Comment.objects.filter(page_id=page_id).count()


def page_urls() -> dict[str, str]:
    """The pages ``bench/pages.py`` measures: home, the blog index, a topic stream."""
    from taggit.models import Tag

    from blog.models import BlogIndexPage

    tag = Tag.objects.order_by("name").first()
    return {
        "home": "/",
        "blog index": BlogIndexPage.objects.live().first().url,
        "topic stream": f"/topics/{tag.slug}/",
    }


def fill_thread(page_id: int, *, comments: int, username: str = "sam") -> dict:
    """Give ``page_id``'s thread ``comments`` comments, through the service; some replies and reactions."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from wagtail.models import Page

    from blog.threads.services import comment_create, reaction_toggle

    User = get_user_model()
    page = Page.objects.get(pk=page_id).specific
    people = list(User.objects.filter(username__in=["sam", "amira", "ben", "editor"]))
    made = []
    with override_settings(COMMENT_RATE_LIMIT=10**9):
        for n in range(comments - post_comment_count(page_id)):
            author = people[n % len(people)]
            parent = made[-1].pk if made and n % 5 == 4 else None
            body = f"Comment {n} with **Markdown**, a [link](https://example.com/{n}) and @sam."
            result = comment_create(
                page=page, user=author, body=body, client_id=f"fill-{n}", parent_id=parent
            )
            made.append(result.comment)
            if n % 3 == 0:
                reaction_toggle(
                    page=page, user=people[(n + 1) % len(people)], comment_id=result.comment.pk, kind="like"
                )
    return {"id": page_id, "url": page.url, "comments": post_comment_count(page_id)}


def query_counts(username: str = "sam") -> dict[str, dict[str, int]]:
    """Queries per page, anonymous and signed in, with Django's test client (second request)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = {**page_urls(), "post": bench_post()["url"]}
    user = get_user_model().objects.get(username=username)
    counts: dict[str, dict[str, int]] = {}
    for who in ("anonymous", "signed in"):
        client = Client(SERVER_NAME="127.0.0.1")
        if who == "signed in":
            client.force_login(user)
        for name, url in pages.items():
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts.setdefault(name, {})[who] = len(queries)
    return counts


def stored_comments(page_id: int, client_id_prefix: str) -> dict[str, int]:
    """How many comments the run stored, and how many distinct client ids they carry."""
    from blog.threads.models import Comment

    rows = Comment.objects.filter(page_id=page_id, client_id__startswith=client_id_prefix)
    return {"stored": rows.count(), "client_ids": rows.values("client_id").distinct().count()}
