"""Nothing a commenter writes can run script: stored, pushed or rendered."""

import re
from html.parser import HTMLParser

import pytest
from channels.db import database_sync_to_async

from blog.threads import services
from blog.threads.rendering import mentioned_usernames, render_markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#115;cript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[x](http://example.com "title\\" onmouseover=\\"alert(1)")',
    "![pic](http://evil.example/x.png)",
    "![pic](javascript:alert(1))",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=http://evil.example></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    "[a](<javascript:alert(1)>)",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    "<details open ontoggle=alert(1)>",
    "`<script>alert(1)</script>`",
    "<style>body{display:none}</style>",
    '<a href="http://ok.example" onclick="alert(1)">ok</a>',
]

DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "style", "details", "object", "embed", "form", "input"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def assert_inert(html: str) -> None:
    collector = ElementCollector()
    collector.feed(html)
    for tag, attrs in collector.elements:
        assert tag not in DANGEROUS_TAGS, (tag, attrs, html)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs, html)
        for name in ("href", "src", "action", "formaction"):
            if name in attrs and tag == "a":
                assert attrs[name].strip().lower().startswith(SAFE_SCHEMES), (tag, attrs, html)


@pytest.mark.parametrize("body", XSS_CORPUS)
def test_rendered_bodies_are_inert(body):
    assert_inert(render_markdown(body))


def test_links_are_nofollow_and_only_web_or_mail():
    html = render_markdown("[docs](https://example.com/a?b=1) [mail](mailto:a@example.com) [rel](/admin/)")

    assert '<a href="https://example.com/a?b=1" rel="nofollow noopener">docs</a>' in html
    assert '<a href="mailto:a@example.com" rel="nofollow noopener">mail</a>' in html
    assert 'href="/admin/"' not in html


def test_markdown_still_formats():
    html = render_markdown("**bold** _it_ `code`\n\n- one\n- two\n\n> quote")

    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert "<ul>" in html and "<blockquote>" in html


def test_mentions_skip_code_and_email_addresses():
    assert mentioned_usernames("hi @Amira, see `@ben` and sam@example.com or @chloe.") == {"amira", "chloe"}


@pytest.mark.django_db
def test_a_mention_links_to_the_persons_page_in_the_rendered_comment(client, post, staff, pair):
    amira = pair.first_member
    body = "Thanks @SAM! Ask @nobody, not `@sam`, [@sam](https://example.com) or sam@example.com"
    comment = services.comment_create(page=post, user=amira, body=body, client_id="m").comment
    client.force_login(staff)

    html = client.get(post.url).content.decode()
    (shown,) = re.findall(r'<div class="comment__body">(.*?)</div>', html, flags=re.DOTALL)

    mention = '<a href="/people/sam/" class="mention" rel="nofollow noopener">@SAM</a>'
    assert comment.body_html.count("/people/") == 1 and mention in comment.body_html
    assert mention in shown
    assert "Ask @nobody, not <code>@sam</code>" in shown  # no such person; code stays code
    assert '<a href="https://example.com" rel="nofollow noopener">@sam</a>' in shown
    assert "sam@example.com" in shown and 'href="mailto' not in shown


@pytest.mark.django_db
def test_an_edit_links_new_mentions_and_a_mention_cannot_smuggle_a_relative_link(post, staff, pair):
    amira = pair.first_member
    comment = services.comment_create(page=post, user=amira, body="Hello", client_id="e").comment

    edited = services.comment_edit(
        page=post, user=amira, comment_id=comment.pk, body="Hello @sam [admin](/admin/) [me](/people/amira/)"
    )

    assert '<a href="/people/sam/" class="mention"' in edited.body_html
    assert 'href="/admin/"' not in edited.body_html and 'href="/people/amira/"' not in edited.body_html


@pytest.mark.parametrize("body", XSS_CORPUS)
def test_rendered_bodies_with_mentions_are_inert(body):
    html = render_markdown(f"@sam {body} @sam", people={"sam": "sam"})

    assert_inert(html.replace('href="/people/sam/"', 'href="https://site/people/sam/"'))
    assert html.count('href="/people/sam/"') == 2


@pytest.mark.django_db
def test_corpus_is_inert_in_the_page_html(client, post, staff, settings):
    settings.COMMENT_RATE_LIMIT = 1000
    for n, body in enumerate(XSS_CORPUS):
        services.comment_create(page=post, user=staff, body=body, client_id=f"xss-{n}")
    client.force_login(staff)

    html = client.get(post.url).content.decode()
    bodies = re.findall(r'<div class="comment__body">(.*?)</div>', html, flags=re.DOTALL)

    assert len(bodies) == len(XSS_CORPUS)
    for body in bodies:
        assert_inert(body)
    assert_no_script_but_ours(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not run


def assert_no_script_but_ours(html: str) -> None:
    collector = ElementCollector()
    collector.feed(html)
    scripts = [attrs for tag, attrs in collector.elements if tag == "script"]
    assert all(attrs.get("src", "").startswith("/static/") for attrs in scripts), scripts
    assert not [(tag, attrs) for tag, attrs in collector.elements if any(n.startswith("on") for n in attrs)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_corpus_is_inert_in_the_websocket_payload(ws, post, staff, settings):
    settings.COMMENT_RATE_LIMIT = 1000
    sam = await ws(post, staff)
    reader = await ws(post)

    for n, body in enumerate(XSS_CORPUS):
        await sam.send({"type": "comment.create", "body": body, "parent": None, "client_id": f"x{n}"})
        assert_inert((await reader.expect("comment.created"))["comment"]["body_html"])
    await database_sync_to_async(lambda: None)()
