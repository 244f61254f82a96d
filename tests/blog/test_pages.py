from django.utils.text import slugify

import pytest
from taggit.models import Tag

from blog.models import BlogPostTag

pytestmark = pytest.mark.django_db


def test_post_page_credits_both_members_and_shows_body(client, make_post):
    post = make_post(title="Tagging the wiki", tags=["Wikis", "Lending"])

    response = client.get(post.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Amira Haddad and Ben Okafor" in html
    assert "We paired and we learned." in html
    assert "/topics/wikis/" in html


def test_index_lists_posts_newest_first(client, make_post, blog_index):
    import datetime

    make_post(title="Older", date=datetime.date(2026, 1, 1))
    make_post(title="Newer", date=datetime.date(2026, 2, 1))

    html = client.get(blog_index.url).content.decode()

    assert html.index("Newer") < html.index("Older")


def test_unknown_path_is_404(client, home):
    assert client.get("/no-such-page/").status_code == 404


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


def test_listing_pages_render_in_a_fixed_number_of_queries(
    client, make_post, blog_index, pair, django_assert_max_num_queries
):
    """Home, blog index, a pair page and a post cost the same with 5 posts and tags as with 50."""

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
    for name, url in pages(post).items():
        with django_assert_max_num_queries(bounds[name], info=f"{name} with 50 posts"):
            response = client.get(url)
        assert response.status_code == 200
    assert "tag-49" in response.content.decode()
