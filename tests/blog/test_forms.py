"""The admin form of a pair's pages: a new page starts as the author's pair's when only one fits."""

from django.urls import reverse

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest
from bs4 import BeautifulSoup

from blog.factories import MentorPairFactory
from blog.models import BlogPostPage, MentorPair
from tests.learning.test_admin import form_as_opened

pytestmark = pytest.mark.django_db


def add_url(blog_index) -> str:
    return reverse("wagtailadmin_pages:add", args=["blog", "blogpostpage", blog_index.pk])


def chosen_pair(html: str) -> str | None:
    """The pair the form's chooser shows as chosen (its title), or ``None`` when it is empty."""
    field = BeautifulSoup(html, "html.parser").select_one('input[name="pair"]')
    chooser = field.find_parent(attrs={"data-chooser-url": True}) or field.parent
    if not field.get("value"):
        return None
    return chooser.select_one("[data-chooser-title]").get_text(strip=True)


def test_a_members_new_post_starts_with_their_one_active_pair(client, blog_index, pair):
    amira = pair.first_member
    MentorPairFactory(first_member=amira, name="Amira & Old", status=MentorPair.Status.COMPLETED)
    client.force_login(amira)

    opened = client.get(add_url(blog_index)).content.decode()
    data = form_as_opened(opened)
    data.update(title="Ten tags", slug="ten-tags", intro="We agreed on ten tags.")
    data.update(
        nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Piles became tags.</p>"))])})
    )
    first_submit = client.post(add_url(blog_index), data)

    assert chosen_pair(opened) == "Amira & Ben"
    assert first_submit.status_code == 302, first_submit.context and first_submit.context["form"].errors
    assert BlogPostPage.objects.get(slug="ten-tags").pair == pair


def test_with_two_active_pairs_the_author_chooses(client, blog_index, pair):
    MentorPairFactory(first_member=pair.first_member, name="Amira & Zoe")
    client.force_login(pair.first_member)

    assert chosen_pair(client.get(add_url(blog_index)).content.decode()) is None


def test_editing_keeps_the_pages_own_pair(client, pair, other_pair, make_post):
    post = make_post(pair=other_pair)
    client.force_login(other_pair.first_member)

    html = client.get(reverse("wagtailadmin_pages:edit", args=[post.pk])).content.decode()

    assert chosen_pair(html) == other_pair.name
