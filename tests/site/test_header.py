import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def header_links(client, path: str) -> list[str]:
    header = BeautifulSoup(client.get(path).content, "html.parser").select_one(".site-header__account")
    return [link.get_text(strip=True) for link in header.select("a")]


def test_the_header_offers_sign_in_everywhere_but_on_the_sign_in_page(client, home):
    assert header_links(client, "/") == ["Sign in"]
    assert header_links(client, "/blog/") == ["Sign in"]
    assert header_links(client, "/accounts/login/") == []
    assert header_links(client, "/accounts/login/?next=/blog/") == []
