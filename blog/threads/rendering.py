"""Markdown as written → HTML that cannot run script in anyone's browser.

markdown-it-py renders CommonMark with raw HTML switched off (so ``<script>``
stays text) and images switched off (no pictures from outside); nh3, a
maintained sanitiser, then keeps only the tags below, only http(s) and mailto
links, and marks every link ``rel="nofollow noopener"``. Both layers must
agree for anything to get through.

A mention (``@sam``) of someone who exists becomes a link to their page. The
link is made from the Markdown tokens, never by editing HTML, and outside
code and links; the sanitiser lets through no relative address but those.
"""

import html
import re
from collections.abc import Mapping

from django.utils.text import Truncator

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from site.people import person_url

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


def _mention_tokens(text: Token, people: Mapping[str, str]) -> list[Token]:
    """``text`` split around the mentions of ``people`` (lower-cased name → username), each a link."""
    tokens, start = [], 0
    for match in MENTION_PATTERN.finditer(text.content):
        username = people.get(match[1].lower())
        if username is None:
            continue
        if match.start() > start:
            tokens.append(Token("text", "", 0, content=text.content[start : match.start()]))
        tokens.append(Token("link_open", "a", 1, attrs={"href": person_url(username), "class": "mention"}))
        tokens.append(Token("text", "", 0, content=match[0]))
        tokens.append(Token("link_close", "a", -1))
        start = match.end()
    if start == 0:
        return [text]
    if start < len(text.content):
        tokens.append(Token("text", "", 0, content=text.content[start:]))
    return tokens


def _link_mentions(state: StateCore) -> None:
    """A core rule, after text runs are joined: mentions in plain text (not code, not a link's text)."""
    people = state.env.get("people")
    if not people:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, link_depth = [], 0
        for token in block.children:
            link_depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and link_depth == 0:
                children.extend(_mention_tokens(token, people))
            else:
                children.append(token)
        block.children = children


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)
_markdown.core.ruler.push("link_mentions", _link_mentions)


def render_markdown(body: str, *, people: Mapping[str, str] | None = None) -> str:
    """The sanitised HTML for a comment body; ``people`` (lower-cased name → username) are linked."""
    people = people or {}
    html = _markdown.render(body, {"people": people})
    mention_urls = {person_url(username) for username in people.values()}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {"mention"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        # Relative links would point into the site from someone else's text;
        # only the addresses of the people mentioned are let through.
        url_relative=lambda url: url if url in mention_urls else None,
        strip_comments=True,
    ).strip()


def body_excerpt(body_html: str, *, length: int = 160) -> str:
    """The plain text of a rendered body, cut at a word near ``length`` characters with "…".

    Plain text for a template to escape: block tags become spaces (so
    paragraphs do not run together), inline ones (a mention's link, bold)
    vanish, and entities become the characters they stand for.
    """
    text = _BLOCK_TAG.sub(" ", body_html)
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())
    return Truncator(text).chars(length)


_BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|pre|h3|h4|hr)\b[^>]*>")


def mentioned_usernames(body: str) -> set[str]:
    """``@name`` mentions in a body, outside code; matched case-insensitively later."""
    without_code = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", body, flags=re.DOTALL))
    return {match.lower() for match in MENTION_PATTERN.findall(without_code)}
