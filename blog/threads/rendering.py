"""Markdown as written → HTML that cannot run script in anyone's browser.

markdown-it-py renders CommonMark with raw HTML switched off (so ``<script>``
stays text) and images switched off (no pictures from outside); nh3, a
maintained sanitiser, then keeps only the tags below, only http(s) and mailto
links, and marks every link ``rel="nofollow noopener"``. Both layers must
agree for anything to get through.
"""

import html
import re

from django.utils.text import Truncator

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
MENTION_PATTERN = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})(?<![.])")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)


def render_markdown(body: str) -> str:
    """The sanitised HTML for a comment body."""
    html = _markdown.render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        # Relative links would point into the site from someone else's text.
        url_relative="deny",
        strip_comments=True,
    ).strip()


def body_excerpt(body_html: str, *, length: int = 160) -> str:
    """The plain text of a rendered body, cut at a word near ``length`` characters with "…".

    Plain text for a template to escape: tags become spaces (so paragraphs do
    not run together) and entities become the characters they stand for.
    """
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body_html)).split())
    return Truncator(text).chars(length)


def mentioned_usernames(body: str) -> set[str]:
    """``@name`` mentions in a body, outside code; matched case-insensitively later."""
    without_code = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", body, flags=re.DOTALL))
    return {match.lower() for match in MENTION_PATTERN.findall(without_code)}
