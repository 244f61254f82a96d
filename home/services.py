"""The site's skeleton: home page, blog, lessons, collections and requests, and who may write where."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import GroupPagePermission, Page, Site

from blog.models import BlogIndexPage
from blog.permissions import PAIR_MEMBERS
from home.models import HomePage
from learning.models import CollectionIndexPage, LearningIndexPage, TopicRequestIndexPage


def _child(parent: Page, model: type[Page], **fields) -> Page:
    """The ``model`` child of ``parent`` with this slug, created and published if missing."""
    existing = model.objects.child_of(parent).filter(slug=fields["slug"]).first()
    if existing is not None:
        return existing
    page = model(**fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def site_bootstrap() -> HomePage:
    """Create the page tree every Pairwise site has, and grant page permissions.

    Idempotent: run it any number of times; it only adds what is missing.
    Wagtail's placeholder welcome page is replaced by the home page.
    """
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        welcome = Page.objects.filter(depth=2, content_type__model="page").first()
        if welcome is not None:
            welcome.slug = "welcome-placeholder"
            welcome.save(update_fields=["slug"])
        home = HomePage(
            title="Learn in pairs, share with everyone",
            slug="home",
            intro=(
                "Mentor pairs teach each other — new tools one way, the business the other — "
                "and write up what they learned so the whole company learns with them."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        site.root_page, site.site_name = home, "Pairwise"
        site.hostname, site.port = _base_host()
        site.save()
        if welcome is not None:
            welcome.delete()

    blog = _child(
        home,
        BlogIndexPage,
        title="Blog",
        slug="blog",
        intro="What our mentor pairs learned from each other, in their own words.",
    )
    lessons = _child(
        home,
        LearningIndexPage,
        title="Lessons",
        slug="lessons",
        intro="Bite-size lessons with a quick knowledge check: five minutes or less each.",
    )
    _child(
        home,
        CollectionIndexPage,
        title="Collections",
        slug="collections",
        intro="Posts and lessons our editors put in order, so you can work through a topic.",
    )
    _child(
        home,
        TopicRequestIndexPage,
        title="Requests",
        slug="requests",
        intro=(
            "What colleagues would like a post or lesson about. Vote for what you want too; "
            "a mentor pair claims a request and writes it up."
        ),
    )
    members = Group.objects.get(name=PAIR_MEMBERS)
    # Pairs write posts and lessons; collections are the editors' to curate.
    for page in (blog, lessons):
        for codename in ("add_page", "change_page"):
            GroupPagePermission.objects.get_or_create(
                group=members,
                page=page,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
    return home


def _base_host() -> tuple[str, int]:
    """The host and port of ``BASE_URL``: where feeds, the admin's links and the API say pages are."""
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    return base.hostname or "localhost", base.port or (443 if base.scheme == "https" else 80)
