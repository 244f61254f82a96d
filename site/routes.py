"""Known routes: the page Wagtail's routing found for a path, remembered while no page or site changed.

Wagtail routes a request by walking the page tree from its site: the site (a
query), the root page and its specific page (two more), then each level down
(two a level). That walk was a third of the time of a post page built for a
reader (``bench/pages.py``), and it finds the same page every time until a
page or a site changes. ``serve`` wraps Wagtail's own view: when this process
found a page for the same host, port and path under the **page tree's
version** it holds now, it loads just that page (one query: its type's
``routed_pages()`` when it has one, so a post comes with its pair and cover)
and hands Wagtail the route, which then serves it exactly as it would have
(view restrictions, ``before_serve_page`` hooks, the visibility rule, the
page's ``serve``). Otherwise Wagtail routes and a plain route it found (a
page and no arguments) is remembered.

The version is a value in the shared cache that every save, move, publish,
unpublish or deletion of a page and every change to a site replaces once it
commits (``connect_receivers``). It is read before a route is looked up, so a
route found while a change commits is remembered under the version the
change replaces. A remembered page is loaded only if it is still live at the
same URL path, which catches what no signal announces (a queryset update);
if not, Wagtail routes again. And a route is found afresh every
``ROUTE_SECONDS`` whatever the version, which bounds a change whose new
version was lost while the cache could not be reached. A page's sub-pages that its type serves itself
(``RoutablePageMixin`` views: a feed, a lesson's check) come with arguments
and are never remembered; nor is anything when the cache cannot be reached.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port

from wagtail import views as wagtail_views
from wagtail.models import Page, Site, get_page_models
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
from wagtail.url_routing import RouteResult

from site.kept import KeptReads, cache_version, replace_version

VERSION_KEY = "routes:version"
KNOWN_ROUTES = 2048
# A route is found again after this long whatever the version says: a change
# whose new version was lost (the cache unreachable as it committed) lasts no longer.
ROUTE_SECONDS = 300
SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")


@dataclass(frozen=True)
class KnownRoute:
    site: dict  # the site's fields: each request gets a Site of its own
    root_url_path: str
    page_id: int
    page_model: type


_known = KeptReads(seconds=ROUTE_SECONDS, size=KNOWN_ROUTES)


def tree_version() -> str | None:
    """The page tree's version, made if there is none; None when the cache is unreachable."""
    return cache_version(VERSION_KEY)


def tree_changed(**kwargs) -> None:
    """A page or site changed: routes found before are found again, once the change commits."""
    transaction.on_commit(lambda: replace_version(VERSION_KEY))


def serve(request, path: str):
    """Wagtail's ``serve`` view, with the route found earlier for this path when nothing changed since."""
    version = tree_version() if request.method in ("GET", "HEAD") else None
    key = (split_domain_port(request._get_raw_host())[0], request.get_port(), path)
    known = _known.peek(key, version) if version is not None else None
    used = known is not None and _use(request, known, path)
    response = wagtail_views.serve(request, path)
    if version is not None and not used:
        _remember(request, key, version)
    return response


def _use(request, known: KnownRoute, path: str) -> bool:
    """Give Wagtail the site and the page, as its routing leaves them on the request; False if it moved."""
    model = known.page_model
    pages = model.routed_pages() if hasattr(model, "routed_pages") else model.objects.all()
    url_path = known.root_url_path + "".join(f"{part}/" for part in path.split("/") if part)
    page = pages.filter(pk=known.page_id, live=True, url_path=url_path).first()
    if page is None:
        return False
    request._wagtail_site = Site(**known.site)
    request._wagtail_route_for_request = RouteResult(page)
    return True


def _remember(request, key: tuple[str, int, str], version: str) -> None:
    site = getattr(request, "_wagtail_site", None)
    route = getattr(request, "_wagtail_route_for_request", None)
    if site is None or not isinstance(route, RouteResult) or route.args or route.kwargs:
        return
    root_url_path = site.root_page.url_path  # loaded by the routing that just ran
    fields = {name: getattr(site, name) for name in SITE_FIELDS}
    _known.put(key, version, KnownRoute(fields, root_url_path, route.page.pk, type(route.page)))


def connect_receivers() -> None:
    """Every change that can move, add or remove a route, or change a site, moves the version."""
    for signal, name in (
        (page_published, "published"),
        (page_unpublished, "unpublished"),
        (post_page_move, "moved"),
        (page_slug_changed, "slug_changed"),
    ):
        signal.connect(tree_changed, dispatch_uid=f"routes.page_{name}")
    for model in get_page_models():  # a page is saved as its own type
        post_save.connect(tree_changed, sender=model, dispatch_uid=f"routes.saved.{model._meta.label}")
    post_delete.connect(tree_changed, sender=Page, dispatch_uid="routes.page_deleted")
    post_save.connect(tree_changed, sender=Site, dispatch_uid="routes.site_saved")
    post_delete.connect(tree_changed, sender=Site, dispatch_uid="routes.site_deleted")
