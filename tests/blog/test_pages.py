import datetime
import re

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from wagtail.models import PageViewRestriction

import pytest
from bs4 import BeautifulSoup
from taggit.models import Tag

from blog.models import BlogPostTag
from blog.templatetags import thread_tags
from blog.threads import services
from blog.threads.models import Comment
from blog.threads.selectors import REACTION_KINDS, reactions_of
from site import kept
from tests.page_cache import page_cache_off  # noqa: F401

pytestmark = pytest.mark.django_db

# The bar for the post page, signed in or not (bakerydemo's post page runs 22).
POST_PAGE_MAX_QUERIES = 12
# Editors and pair members also get Wagtail's user bar: its permission and
# profile lookups are five more.
POST_PAGE_MAX_QUERIES_WITH_USER_BAR = 17


def fill_thread(post, people, count: int) -> None:
    """``count`` comments through the service, as people write them: every fifth a reply, some reactions."""
    made = []
    for n in range(count):
        parent = made[-1].pk if made and n % 5 == 4 else None
        result = services.comment_create(
            page=post,
            user=people[n % len(people)],
            body=f"Comment {n} with **Markdown** and @{people[0].username}.",
            client_id=f"fill-{n}",
            parent_id=parent,
        )
        made.append(result.comment)
        if n % 3 == 0:
            services.reaction_toggle(
                page=post, user=people[(n + 1) % len(people)], comment_id=result.comment.pk, kind="like"
            )


@pytest.fixture
def commented_post(make_post, staff, pair, editor, settings):
    settings.COMMENT_RATE_LIMIT = 10**6
    post = make_post(title="Tagging the wiki", tags=["Wikis", "Lending"])
    fill_thread(post, [staff, pair.first_member, pair.second_member, editor], 50)
    return post


def test_post_page_credits_both_members_and_shows_body(client, make_post):
    post = make_post(title="Tagging the wiki", tags=["Wikis", "Lending"])

    response = client.get(post.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/people/amira/" class="person-link">Amira Haddad</a> and ' in html
    assert '<a href="/people/ben/" class="person-link">Ben Okafor</a>' in html
    assert "We paired and we learned." in html
    assert "/topics/wikis/" in html


def test_index_lists_posts_newest_first(client, make_post, blog_index):
    make_post(title="Older", date=datetime.date(2026, 1, 1))
    make_post(title="Newer", date=datetime.date(2026, 2, 1))

    html = client.get(blog_index.url).content.decode()

    assert html.index("Newer") < html.index("Older")


def test_unknown_path_is_404(client, home):
    assert client.get("/no-such-page/").status_code == 404


def test_unknown_post_and_draft_post_are_404_and_the_feed_still_routes(client, make_post, blog_index):
    draft = make_post(title="Not yet", live=False)

    assert client.get(f"{blog_index.url}no-such-post/").status_code == 404
    assert client.get(draft.url).status_code == 404
    assert client.get(f"{blog_index.url}feed/").status_code == 200


@pytest.mark.parametrize("restricted", ["post", "blog index"])
def test_a_post_under_a_login_restriction_is_not_shown_to_anonymous_readers(
    client, make_post, blog_index, staff, restricted
):
    post = make_post(title="Committee notes")
    PageViewRestriction.objects.create(
        page=post if restricted == "post" else blog_index, restriction_type=PageViewRestriction.LOGIN
    )

    response = client.get(post.url)

    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(staff)
    assert "Committee notes" in client.get(post.url).content.decode()


def test_an_alias_of_a_restricted_post_is_restricted_too(client, make_post, blog_index):
    post = make_post(title="Committee notes")
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    alias = post.create_alias(update_slug="committee-notes-again")

    assert client.get(alias.url).status_code == 302


# --- the thread as the page renders it --------------------------------------------------


@pytest.mark.usefixtures("page_cache_off", "thread_reads_not_kept")
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_post_page_with_50_comments_runs_at_most_12_queries(
    client, commented_post, staff, who, django_assert_max_num_queries
):
    if who == "staff":
        client.force_login(staff)
    client.get(commented_post.url)  # per-process caches (content types, site root paths)

    with django_assert_max_num_queries(POST_PAGE_MAX_QUERIES, info=who):
        response = client.get(commented_post.url)

    assert response.content.decode().count('data-comment-id="') == 50


@pytest.mark.usefixtures("page_cache_off", "thread_reads_not_kept")
def test_post_page_for_editors_and_pair_members_adds_only_the_user_bar(
    client, commented_post, editor, pair, django_assert_max_num_queries
):
    for person in (editor, pair.first_member):
        client.force_login(person)
        client.get(commented_post.url)
        with django_assert_max_num_queries(POST_PAGE_MAX_QUERIES_WITH_USER_BAR, info=person.username):
            response = client.get(commented_post.url)
        assert 'href="/admin/"' in response.content.decode()


@pytest.mark.usefixtures("page_cache_off", "thread_reads_not_kept")
def test_post_page_queries_do_not_grow_with_the_thread(
    client, make_post, staff, pair, settings, django_assert_max_num_queries
):
    settings.COMMENT_RATE_LIMIT = 10**6
    people = [staff, pair.first_member, pair.second_member]
    short, long = make_post(), make_post()
    fill_thread(short, people, 3)
    fill_thread(long, people, 60)
    for reader in (None, staff):
        if reader is not None:
            client.force_login(reader)
        client.get(short.url)
        client.get(long.url)  # each route found once (site.routes)
        with django_assert_max_num_queries(POST_PAGE_MAX_QUERIES) as few:
            client.get(short.url)
        with django_assert_max_num_queries(len(few.captured_queries), info="60 comments"):
            client.get(long.url)


# A query whose first table is the comments' or their reactions'.
THREAD_READ = re.compile(r'SELECT .*? FROM "blog_(comment|reaction)"')


@pytest.mark.usefixtures("page_cache_off")
def test_readers_of_an_unchanged_thread_share_one_read_of_its_comments(
    client, commented_post, staff, django_capture_on_commit_callbacks, monkeypatch
):
    still = kept.time.monotonic()
    monkeypatch.setattr(kept.time, "monotonic", lambda: still)  # a slow machine stays inside the 2 s

    def thread_queries(reader: Client) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            html = reader.get(commented_post.url).content.decode()
        return html, [q["sql"] for q in queries if THREAD_READ.match(q["sql"])]

    _, read = thread_queries(client)
    again, read_again = thread_queries(client)
    signed_in = Client()
    signed_in.force_login(staff)
    own, read_for_staff = thread_queries(signed_in)

    assert len(read) == 2 and read_again == [] and again.count('data-comment-id="') == 50
    # A signed-in reader adds only their own reactions to what everyone shares.
    assert len(read_for_staff) == 1 and '"blog_reaction"."user_id" =' in read_for_staff[0]
    assert own.count('href="?edit=') == 13 and 'aria-pressed="true"' in own  # staff wrote every fourth
    with django_capture_on_commit_callbacks(execute=True):  # a comment, committed
        services.comment_create(page=commented_post, user=staff, body="Fresh news", client_id="fresh")
    after, read_after = thread_queries(client)
    assert "Fresh news" in after and len(read_after) == 2


def test_anonymous_readers_get_the_thread_without_forms_they_cannot_use(client, commented_post):
    response = client.get(commented_post.url)

    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html and not response.cookies
    # The reactions given, as counts with nothing to press (every third comment has a like).
    assert html.count('<span data-reaction="like">Like 1</span>') == len(range(0, 50, 3))
    assert html.count("data-reaction=") == len(range(0, 50, 3))
    assert 'name="act"' not in html and " disabled>" not in html
    assert "Post reply" not in html and "Sign in</a> to join the conversation" in html


def test_reactions_are_drawn_icons_with_text_labels_not_emoji(client, post, staff, pair):
    comment = services.comment_create(page=post, user=pair.first_member, body="Tags?", client_id="a").comment
    services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="question")
    client.force_login(staff)

    page = BeautifulSoup(client.get(post.url).content, "html.parser")
    group = page.select_one(f"#comment-{comment.pk} [role=group][aria-label=Reactions]")
    buttons = group.select(":scope > button")

    assert [b.get_text(" ", strip=True) for b in buttons] == [
        "Like 0",
        "Learned something 0",
        "Insightful 0",
        "Question 1",
    ]
    assert not [b for b in buttons if b.has_attr("aria-label")]  # named by their text, count included
    assert [b["value"] for b in buttons] == [f"react:{comment.pk}:{kind}" for kind in REACTION_KINDS]
    # The stylesheet draws every kind's icon, plain and pressed, for a button
    # (by its value's end) and for an anonymous reader's count (data-reaction).
    stylesheet = (settings.BASE_DIR / "site" / "static" / "css" / "thread.css").read_text()
    for kind in REACTION_KINDS:
        rule = re.search(
            rf'\.reactions > \[value\$=":{kind}"\], \.reactions > \[data-reaction="{kind}"\] \{{([^}}]*)\}}',
            stylesheet,
        )
        assert rule, kind
        icons = re.findall(r'(--reaction-icon(?:-pressed)?): url\("data:image/svg\+xml,([^"]+)"\)', rule[1])
        assert [name for name, _ in icons] == ["--reaction-icon", "--reaction-icon-pressed"], kind
        assert all(re.search(r"%3C(path|circle) ", svg) for _, svg in icons), kind
    # No emoji left to draw as an empty box where no emoji font is installed.
    thread_text = page.select_one("section.thread").get_text()
    assert not [ch for ch in thread_text if ord(ch) >= 0x2600]


def test_a_signed_in_reader_sees_their_reactions_pressed_and_can_reply(client, post, staff, pair):
    comment = services.comment_create(page=post, user=pair.first_member, body="Tags?", client_id="a").comment
    services.reaction_toggle(page=post, user=staff, comment_id=comment.pk, kind="learned")
    services.reaction_toggle(page=post, user=pair.second_member, comment_id=comment.pk, kind="like")
    client.force_login(staff)

    html = client.get(post.url).content.decode()

    assert f'value="react:{comment.pk}:learned" aria-pressed="true">Learned something 1</button>' in html
    assert f'value="react:{comment.pk}:like" aria-pressed="false">Like 1</button>' in html
    assert f'href="?reply={comment.pk}#reply-{comment.pk}">Reply</a>' in html
    assert f'href="?flag={comment.pk}#flag-{comment.pk}">Flag</a>' in html
    # One form for every comment's buttons, the new comment, the page's two
    # learning reactions, "Mark as read", "Sign out"; no edit (not theirs).
    assert html.count('name="csrfmiddlewaretoken"') == 6
    assert 'name="action" value="flag"' not in html  # the flag form opens from its link
    assert "?edit=" not in html and f'value="delete:{comment.pk}"' not in html  # not theirs

    replying = client.get(f"{post.url}?reply={comment.pk}").content.decode()
    assert f'<input type="hidden" name="parent" value="{comment.pk}">' in replying
    assert (
        f'<textarea id="reply-{comment.pk}" name="body" rows="3" maxlength="5000" required autofocus'
        in replying
    )
    for ignored in ("abc", "999999", "-1", "１"):
        assert 'name="parent" value=""' in client.get(f"{post.url}?reply={ignored}").content.decode()


def test_the_buttons_under_a_comment_share_one_form_and_say_what_they_do(client, post, staff, pair):
    comment = services.comment_create(page=post, user=pair.first_member, body="Tags?", client_id="a").comment
    client.force_login(staff)
    page = BeautifulSoup(client.get(post.url).content, "html.parser")
    form = page.select_one("form#thread-actions")
    assert form["action"] == post.url and form.select_one("input[name=csrfmiddlewaretoken]")
    assert {button["form"] for button in page.select(f"#comment-{comment.pk} button")} == {"thread-actions"}

    pressed = client.post(post.url, {"thread_form": "1", "act": f"react:{comment.pk}:insightful"})
    refused = [
        client.post(post.url, {"thread_form": "1", "act": act}, follow=True)
        for act in ("react:abc:like", f"react:{comment.pk}:wave", "launch:1", f"delete:{comment.pk}")
    ]

    assert pressed.status_code == 303 and pressed["Location"] == f"{post.url}#comment-{comment.pk}"
    assert reactions_of(comment.pk)["insightful"] == 1
    assert [response.status_code for response in refused] == [200, 200, 200, 200]
    messages = [[str(m) for m in response.context["messages"]] for response in refused]
    assert messages == [
        ["That is not a comment."],
        ["reaction must be one of like, learned, insightful, question."],
        ["Unknown action."],
        ["You can only change your own comments."],
    ]
    assert not Comment.objects.get(pk=comment.pk).deleted


@pytest.mark.usefixtures("page_cache_off")
def test_fifty_comments_without_javascript_stay_light(client, commented_post, staff):
    """Counts for anonymous readers; for the signed in, one form's buttons and a link per form.

    Measured at 128 KB and 231 KB when every comment carried its reactions
    form and its reply, edit and flag forms (each with its own CSRF token);
    at 44.7 KB and 115.7 KB when every reaction also carried its icon (an
    inline ``<svg>``), its kind twice and classes, as comments' parts did;
    at 35.8 KB and 68.6 KB when each author's picture carried its class, size
    and decoding. Now 33.0 KB and 65.8 KB with the comment ids of a fresh
    database (1 to 50); the pins leave room for five-digit ids (each digit
    more is some 0.25 KB and 0.7 KB).
    """
    anonymous = len(client.get(commented_post.url).content)
    client.force_login(staff)
    signed_in = len(client.get(commented_post.url).content)

    assert anonymous <= 34_000, anonymous
    assert signed_in <= 68_000, signed_in


def test_names_and_bodies_in_the_thread_cannot_run_script(client, post, staff):
    staff.first_name, staff.last_name = '<img src=x onerror="alert(1)">', "Kowalski"
    staff.save()
    services.comment_create(page=post, user=staff, body="<script>alert(2)</script>", client_id="x")

    html = client.get(post.url).content.decode()

    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Kowalski" in html
    assert "<script>alert(2)" not in html


def test_editors_see_hidden_comments_and_deleted_ones_keep_their_replies(client, post, staff, pair, editor):
    root = services.comment_create(page=post, user=staff, body="Root", client_id="r").comment
    services.comment_create(
        page=post, user=pair.first_member, body="A reply", client_id="p", parent_id=root.pk
    )
    hidden = services.comment_create(page=post, user=staff, body="Rude words", client_id="h").comment
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)
    services.comment_delete(page=post, user=staff, comment_id=root.pk)

    html = client.get(post.url).content.decode()
    assert "This comment was deleted." in html and "A reply" in html and "Root" not in html
    assert "This comment is hidden." in html and "Rude words" not in html

    client.force_login(editor)
    html = client.get(post.url).content.decode()
    assert "Hidden from readers; only editors see it." in html and "Rude words" in html
    # The browser client draws a hidden comment with the same words.
    script = (settings.BASE_DIR / "site" / "static" / "js" / "thread.js").read_text()
    assert f'"{thread_tags.HIDDEN_FOR_READERS}"' in script and f'"{thread_tags.HIDDEN_FOR_EDITORS}"' in script
    assert f'value="show:{hidden.pk}">Show</button>' in html


def test_a_refused_reply_is_shown_again_open_with_its_text_and_the_reason(client, post, staff, pair):
    root = services.comment_create(page=post, user=pair.first_member, body="Question", client_id="q").comment
    client.force_login(staff)

    response = client.post(
        post.url,
        {"thread_form": "1", "action": "comment", "body": "   ", "parent": str(root.pk), "client_id": "c1"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<details class="comment__reply" open>' in html
    assert f'aria-describedby="reply-{root.pk}-error">   </textarea>' in html
    assert "Write something first." in html


# --- listings -------------------------------------------------------------------------


def tag_posts(tags_by_post: dict) -> None:
    """Tag many posts in a few queries (the admin's way, one save per post, is slow for 50)."""
    names = {name for names in tags_by_post.values() for name in names}
    Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in names], ignore_conflicts=True)
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    BlogPostTag.objects.bulk_create(
        [
            BlogPostTag(content_object=post, tag=tags[name])
            for post, names in tags_by_post.items()
            for name in names
        ]
    )


@pytest.mark.usefixtures("page_cache_off", "thread_reads_not_kept")
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_listing_pages_render_in_a_fixed_number_of_queries(
    client, make_post, blog_index, pair, staff, who, django_assert_max_num_queries
):
    """Home, blog index, a pair page and a post cost the same with 5 posts and tags as with 50."""
    if who == "staff":
        client.force_login(staff)

    def add_posts(count: int, tags_of_last: int):
        posts = [make_post() for _ in range(count)]
        tag_posts({post: [f"topic-{post.pk}", f"theme-{post.pk % 7}", "shared"] for post in posts[:-1]})
        tag_posts({posts[-1]: [f"tag-{n}" for n in range(tags_of_last)]})
        return posts[-1]

    def pages(post) -> dict[str, str]:
        return {
            "home": "/",
            "blog index": blog_index.url,
            "pair page": pair.get_absolute_url(),
            "post": post.url,
        }

    post = add_posts(5, tags_of_last=5)
    for url in pages(post).values():  # warm per-process caches (content types, site root)
        assert client.get(url).status_code == 200
    bounds = {}
    for name, url in pages(post).items():
        with django_assert_max_num_queries(50, info=name) as captured:
            client.get(url)
        bounds[name] = len(captured.captured_queries)

    post = add_posts(45, tags_of_last=50)
    client.get(post.url)  # its route found once (site.routes), as the first post's was
    for name, url in pages(post).items():
        with django_assert_max_num_queries(bounds[name], info=f"{name} with 50 posts"):
            response = client.get(url)
        assert response.status_code == 200
    assert "tag-49" in response.content.decode()


def test_post_cards_count_the_comments_everyone_can_see(client, post, staff, editor):
    shown = services.comment_create(page=post, user=staff, body="Seen", client_id="a").comment
    services.comment_create(page=post, user=staff, body="Also seen", client_id="b")
    hidden = services.comment_create(page=post, user=staff, body="Rude", client_id="c").comment
    services.comment_hide(page=post, user=editor, comment_id=hidden.pk, hidden=True)
    services.comment_delete(page=post, user=staff, comment_id=shown.pk)

    html = client.get(post.get_parent().url).content.decode()

    assert '<span class="comment-count">1 comment</span>' in html


@pytest.mark.parametrize(
    "moment",
    [datetime.datetime(2026, 1, 5, 9, 3, 7), datetime.datetime(2026, 12, 31, 23, 59, 59, 999999)],
)
def test_comment_times_read_as_django_would_write_them(moment):
    aware = timezone.make_aware(moment, datetime.UTC)

    assert thread_tags.shown_time(aware) == format_date(aware, "j M Y, H:i")
    assert aware.strftime(thread_tags.MACHINE_TIME) == format_date(aware, r"Y-m-d\TH:i:sO")
