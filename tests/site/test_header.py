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


def test_the_main_menu_offers_questions_beside_requests_to_people_signed_in(client, home, staff):
    def menu() -> list[str]:
        nav = BeautifulSoup(client.get("/").content, "html.parser").select_one(".site-nav")
        return [link.get_text(strip=True) for link in nav.select("a")]

    assert "Questions" not in menu()
    client.force_login(staff)
    links = menu()
    assert links[links.index("Requests") + 1] == "Questions"
