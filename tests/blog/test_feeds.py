"""The blog's and each pair's Atom feeds."""

import datetime
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314  (our own response, not untrusted input)
    assert feed.tag == f"{ATOM}feed"
    return feed


def entry_titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_blog_feed_lists_live_posts_newest_first_with_authors_and_topics(client, make_post, blog_index):
    make_post(title="Older post", date=datetime.date(2026, 1, 5), tags=["Wikis"])
    make_post(title="Newer post", date=datetime.date(2026, 2, 5), tags=["Lending", "Risk"])
    make_post(title="Unfinished draft", live=False)

    feed = parse_atom(client.get(f"{blog_index.url}feed/"))

    assert entry_titles(feed) == ["Newer post", "Older post"]
    newest = next(feed.iter(f"{ATOM}entry"))
    assert newest.findtext(f"{ATOM}author/{ATOM}name") == "Amira Haddad and Ben Okafor"
    assert sorted(category.get("term") for category in newest.iter(f"{ATOM}category")) == ["Lending", "Risk"]
    assert newest.find(f"{ATOM}link").get("href").startswith("http://")


def test_pair_feed_lists_only_that_pairs_live_posts(client, make_post, pair, other_pair):
    make_post(title="Ours")
    make_post(title="Our draft", live=False)
    make_post(title="Theirs", pair=other_pair)

    feed = parse_atom(client.get(f"/pairs/{pair.slug}/feed/"))

    assert feed.findtext(f"{ATOM}title") == "Amira & Ben — Pairwise"
    assert entry_titles(feed) == ["Ours"]


def test_feed_of_an_unknown_pair_is_404(client, home):
    assert client.get("/pairs/no-such-pair/feed/").status_code == 404
