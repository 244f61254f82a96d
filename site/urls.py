from django.conf import settings
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.urls import serve_pattern

from blog import urls as blog_urls
from home import views as home_views
from home.api import api_router
from learning import urls as learning_urls
from site import routes

urlpatterns = [
    # Browsers and feed readers ask for /favicon.ico whatever the page says. Lazy,
    # because the hashed static name is known only once the app registry is ready.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg")), name="favicon"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", home_views.search, name="search"),
    # Wagtail's API v2, read-only, as anonymous readers see the site (docs/api.md).
    path("api/v2/", api_router.urls),
    path("", include(blog_urls)),
    path("", include(learning_urls)),
]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# Everything not matched above is a Wagtail page. Wagtail's own addresses come
# first (its sign-in and password forms, under _util/), then its page view with
# the route found earlier while no page changed (site/routes.py), under
# Wagtail's own name and pattern so that what resolves or reverses it finds this.
wagtail_own_urls = [url for url in wagtail_urls.urlpatterns if getattr(url, "name", None) != "wagtail_serve"]
urlpatterns += [
    path("", include(wagtail_own_urls)),
    re_path(serve_pattern, routes.serve, name="wagtail_serve"),
]
