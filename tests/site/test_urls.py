import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_sites_own_icon(client, home):
    icon_link = BeautifulSoup(client.get("/").content, "html.parser").select_one('link[rel="icon"]')

    answer = client.get("/favicon.ico", follow=True)

    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == icon_link["href"]
    assert answer["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(answer.streaming_content)
